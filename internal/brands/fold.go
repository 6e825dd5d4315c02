package brands

import (
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/unicode/norm"
)

// The confusable skeleton is computed from a per-rune fold table instead
// of running NFD, the UTS #39 table and NFD again over every string.
//
// The reference is skel0: lower case, confusable.Skeleton, lower case.
// NFD reorders combining marks, so it is not a per-rune function; but a
// string splits into segments that each start with a "safe" rune (one
// whose decomposition, and the decomposition of its replacement, start
// with a starter: no combining mark can be reordered across its left
// edge), and skel0 of the string is skel0 of each segment, concatenated.
// A one-rune segment (nearly all of them) is read from the table; a
// longer one (a letter followed by separate combining marks) goes through
// skel0. Invalid UTF-8 takes the reference path as a whole.

// skel0 is the reference skeleton without the typo digits.
func skel0(s string) string {
	return strings.ToLower(confusable.Skeleton(strings.ToLower(s)))
}

// foldEntry is one rune's skeleton.
type foldEntry struct {
	skel string // skel0 of the rune
	safe bool   // a segment may start at the rune
}

// asciiFold is the table of the ASCII runes, built at start.
var asciiFold = func() (t [utf8.RuneSelf]foldEntry) {
	for c := range t {
		t[c] = makeFoldEntry(rune(c))
	}
	return t
}()

// foldCacheLimit bounds the cached runes to planes 0 and 1 (letters,
// kana, kanji, emoji): 512 blocks of 256 entries at most. Other runes
// are computed each time (they join the segment before them).
const foldCacheLimit = 0x20000

type foldBlock [256]atomic.Pointer[foldEntry]

var foldBlocks [foldCacheLimit / 256]atomic.Pointer[foldBlock]

// foldOf returns a non-ASCII rune's entry (computed on first use), nil
// above foldCacheLimit.
func foldOf(r rune) *foldEntry {
	if r >= foldCacheLimit || r < 0 {
		return nil
	}
	bp := &foldBlocks[r>>8]
	b := bp.Load()
	if b == nil {
		bp.CompareAndSwap(nil, new(foldBlock))
		b = bp.Load()
	}
	ep := &b[r&0xff]
	if e := ep.Load(); e != nil {
		return e
	}
	e := makeFoldEntry(r)
	ep.Store(&e)
	return &e
}

func makeFoldEntry(r rune) foldEntry {
	s := string(r)
	return foldEntry{skel: skel0(s), safe: safeStart(r)}
}

// safeStart reports whether skel0 splits before r: the rune's lower-case
// decomposition starts with a starter, and so does the decomposition of
// that starter's replacement in the confusable table.
func safeStart(r rune) bool {
	if r == utf8.RuneError {
		return false
	}
	a := norm.NFD.String(strings.ToLower(string(r)))
	if a == "" || norm.NFD.PropertiesString(a).CCC() != 0 || norm.NFD.PropertiesString(a).LeadCCC() != 0 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(a)
	if !unicode.IsGraphic(first) && first != utf8.RuneError {
		return false // dropped: the next rune would lead
	}
	m := confusable.GetReplacement(first)
	if m == "" {
		m = string(first)
	}
	d := norm.NFD.String(m)
	return d != "" && norm.NFD.PropertiesString(d).CCC() == 0 && norm.NFD.PropertiesString(d).LeadCCC() == 0
}

// appendSkel0 appends skel0(s) to b, from the table where it can; ok is
// false for invalid UTF-8 (the caller falls back to skel0).
func appendSkel0(b []byte, s string) ([]byte, bool) {
	// The segment being built starts at s[seg] and its output at b[out];
	// slow: it has more than one rune and goes through skel0 when it ends.
	seg, out, slow := 0, len(b), false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if x := asciiOne[c]; x != 0 {
				if slow {
					b = append(b[:out], skel0(s[seg:i])...)
					slow = false
				}
				seg, out = i, len(b)
				b = append(b, x)
				i++
				continue
			}
		}
		var e *foldEntry
		n := 1
		if c < utf8.RuneSelf {
			e = &asciiFold[c]
		} else {
			var r rune
			r, n = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return b, false
			}
			e = foldOf(r)
		}
		if e != nil && e.safe {
			if slow {
				b = append(b[:out], skel0(s[seg:i])...)
				slow = false
			}
			seg, out = i, len(b)
			b = append(b, e.skel...)
		} else {
			slow = true
		}
		i += n
	}
	if slow {
		b = append(b[:out], skel0(s[seg:])...)
	}
	return b, true
}

// asciiOne is the one-byte skeleton of the safe ASCII runes whose
// skeleton is one byte, 0 for the others.
var asciiOne = func() (t [utf8.RuneSelf]byte) {
	for c, e := range asciiFold {
		if e.safe && len(e.skel) == 1 {
			t[c] = e.skel[0]
		}
	}
	return t
}()

// typoByte is the typo-digit fold of one byte (v is handled apart).
var typoByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	t['0'], t['1'], t['|'], t['3'], t['5'], t['4'] = 'o', 'l', 'l', 'e', 's', 'a'
	return t
}()

// applyTypo folds the typo digits in place as typoDigits.Replace does
// (0→o, 1→l, vv→w, 3→e, 5→s, 4→a, |→l) and returns the shortened slice.
func applyTypo(b []byte) []byte {
	j := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == 'v' && i+1 < len(b) && b[i+1] == 'v' {
			c = 'w'
			i++
		} else {
			c = typoByte[c]
		}
		b[j] = c
		j++
	}
	return b[:j]
}

// skeletonBytes is Skeleton into a new byte slice.
func skeletonBytes(s string) []byte {
	b, ok := appendSkel0(make([]byte, 0, len(s)+8), s)
	if !ok {
		b = append(b[:0], skel0(s)...)
	}
	return applyTypo(b)
}
