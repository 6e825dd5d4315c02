// Package tokenize turns a parsed message into the features the statistical
// classifier counts: words of the subject and the visible text, URL hosts
// and paths, selected header facts and attachment names and types, plus
// orthogonal sparse bigrams (OSB: pairs of words at distance 1..Window-1,
// the feature set CRM114 and Rspamd use) over the word streams.
//
// Text is normalised with Unicode NFKC (full-width Latin and digits to
// half-width, half-width katakana to full-width), lower-cased, and digit
// runs are collapsed. Japanese (and other unspaced Han/kana text) is split
// into words with the kagome morphological analyser and the IPA
// dictionary, loaded once and only when such text appears.
//
// Every feature is finally hashed to 64 bits for the store; the readable
// form is kept only for explanations. How depends on the hash scheme
// (Options.Scheme: the store's, which it records; see package
// bayesstore):
//
//   - Scheme 1 (SchemeText, every store trained before scheme 2 existed):
//     every feature is the xxhash64 of its text; a body pair's text is
//     a+"\x1f"+d+"\x1f"+w (a the word d before w).
//   - Scheme 2 (SchemePairMix, new stores): the same features with the
//     same hashes, except the body's OSB pairs: PairHash(hash(a), hash(w),
//     d) mixes the two words' unigram hashes (already computed for the
//     unigrams) and the distance, so the pair's text is neither built nor
//     hashed; no body feature's text is copied either: it is made only
//     when asked for (Text, Pair) from the body's words, which the Tokens
//     keep.
package tokenize

import (
	"encoding/binary"
	"iter"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/ikawaha/kagome-dict/ipa"
	ktok "github.com/ikawaha/kagome/v2/tokenizer"
	"github.com/sekisho/sekisho/internal/mail"
	"golang.org/x/text/unicode/norm"
)

// Limits and shapes. Mail is hostile: every loop below is bounded by these.
const (
	Window       = 5         // OSB window: pairs at distance 1..Window-1 (at most 10: stream writes one digit)
	MaxTextBytes = 256 << 10 // bytes of visible text tokenized
	MaxWords     = 8000      // words per stream taken into bigrams
	MaxFeatures  = 40000     // features per message
	MaxTokenLen  = 32        // longer tokens are replaced by a short shape token
	MaxCJKRun    = 1024      // runes handed to the morphological analyser at once
	maxHeaderLen = 2048      // bytes of a header value looked at
)

// Bias is the feature every message has.
const Bias = "x:bias"

// Feature is one distinct feature of a message.
type Feature struct {
	Hash uint64
	Text string // readable form, for explanations
}

// Tokens is the result of tokenizing one message. The features are kept
// without pointers (their hashes, and their texts in one block with the
// end offsets), so the collector does not scan them and building them
// needs no write barriers.
type Tokens struct {
	keys []uint64 // feature hashes, distinct, in first-seen order
	// Feature i's text is text[ends[i-1]&^pairRec:ends[i]&^pairRec]; when
	// ends[i] has pairRec set (scheme 2's body features) those are 4
	// bytes telling the feature's words instead (see record).
	ends []uint32
	text string
	CJK  bool // the message had Han/kana text (kagome was used)
	// scheme is the hash scheme the features were made with.
	scheme uint8
	// The body's words (scheme 2: what a pair's text is made from), word
	// j words[wends[j-1]:wends[j]].
	words string
	wends []int32
	// arena and wbuf hold text for Tokens filled by MessageTo (reused
	// from message to message); nil for those Message returns.
	arena []byte
	wbuf  []byte
}

// Hash schemes (Options.Scheme, Tokens.Scheme): see the package comment.
const (
	SchemeText    = 1 // every feature the xxhash64 of its text
	SchemePairMix = 2 // body pairs PairHash of their words' hashes
)

// pairRec marks an end whose feature is a scheme-2 body feature: the 4
// bytes before it are its record, the body word's index << 4 | d (d 0:
// the word's unigram; 1..Window-1: its pair with the word d before).
const pairRec = 1 << 31

// Scheme is the hash scheme of the features (SchemeText or SchemePairMix).
func (t *Tokens) Scheme() int {
	if t.scheme == 0 {
		return SchemeText
	}
	return int(t.scheme)
}

// Len is the number of features.
func (t *Tokens) Len() int { return len(t.keys) }

// Hash is feature i's hash.
func (t *Tokens) Hash(i int) uint64 { return t.keys[i] }

// Text is feature i's readable form. (A scheme-2 body pair's is made
// here, in a new string: Pair gives its parts without allocating.)
func (t *Tokens) Text(i int) string {
	if j, d, ok := t.record(i); ok {
		if d == 0 {
			return t.word(j)
		}
		return t.word(j-d) + "\x1f" + string(rune('0'+d)) + "\x1f" + t.word(j)
	}
	lo := uint32(0)
	if i > 0 {
		lo = t.ends[i-1] &^ pairRec
	}
	return t.text[lo:t.ends[i]]
}

// Pair returns the words and the distance of feature i when it is a
// scheme-2 body pair (its text is a+"\x1f"+d+"\x1f"+w); a and w share
// the Tokens' memory (as Text's results do).
func (t *Tokens) Pair(i int) (a, w string, d int, ok bool) {
	j, d, rec := t.record(i)
	if !rec || d == 0 {
		return "", "", 0, false
	}
	return t.word(j - d), t.word(j), d, true
}

// record returns feature i's record when it has one (scheme 2's body
// features): the word's index and the distance (0: the word's unigram).
func (t *Tokens) record(i int) (j, d int, ok bool) {
	e := t.ends[i]
	if e&pairRec == 0 {
		return 0, 0, false
	}
	hi := e &^ pairRec
	rec := binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(t.text[hi-4:hi]), 4))
	return int(rec >> 4), int(rec & 15), true
}

// word is the body's word j (scheme 2).
func (t *Tokens) word(j int) string {
	lo := int32(0)
	if j > 0 {
		lo = t.wends[j-1]
	}
	return t.words[lo:t.wends[j]]
}

// Feature is feature i.
func (t *Tokens) Feature(i int) Feature { return Feature{Hash: t.keys[i], Text: t.Text(i)} }

// All yields the features in order.
func (t *Tokens) All() iter.Seq2[int, Feature] {
	return func(yield func(int, Feature) bool) {
		for i := range t.keys {
			if !yield(i, t.Feature(i)) {
				return
			}
		}
	}
}

// Keys returns the feature hashes without copying: the caller must not
// change them.
func (t *Tokens) Keys() []uint64 { return t.keys }

// Hashes returns a copy of the feature hashes.
func (t *Tokens) Hashes() []uint64 { return slices.Clone(t.keys) }

// Options tune the tokenizer.
type Options struct {
	// NoBigrams turns off orthogonal sparse bigrams (unigrams only).
	NoBigrams bool
	// NoHeaders leaves out header features.
	NoHeaders bool
	// CharGrams adds hashed character n-grams of this length over the
	// subject and the start of the text (0: none).
	CharGrams int
	// Scheme is the hash scheme (SchemeText or SchemePairMix; 0 is
	// SchemeText): the one the store the features are for was made with.
	Scheme int
}

// builder builds one message's features. Its buffers are pooled: the
// features are built in them (a feature's text is appended to the arena,
// hashed where it lies and dropped again when it is not new, so a
// repeated feature costs no allocation) and copied out, exactly sized,
// when the message is done.
type builder struct {
	opt   Options
	seen  hashSet
	keys  []uint64
	ends  []uint32
	arena []byte
	cjk   bool
	ws    wordBuf
	// The body's words for a scheme-2 Tokens (copied from ws after the
	// body's stream: the headers' words replace them there).
	pw    []byte
	pwe   []int32
	wh    []uint64 // the body words' hashes (streamBodyMix)
	cands []cand   // the body's candidate features (mixWords)
	// Scratch for a lower-cased string (tmp), a shaped one (tmp2) and
	// the fields of a header.
	tmp, tmp2 []byte
	fields    []string
}

var builderPool = sync.Pool{New: func() any { return new(builder) }}

// full reports whether no more features may be added.
func (b *builder) full() bool { return len(b.keys) >= MaxFeatures }

func (b *builder) add(s string) {
	if b.full() || s == "" {
		return
	}
	h := xxhash.Sum64String(s)
	if r := b.seen.probe(h); r == probeKnown || r == probeFull && !b.seen.insert(h) {
		return
	}
	b.arena = append(b.arena, s...)
	b.keys = append(b.keys, h)
	b.ends = append(b.ends, uint32(len(b.arena)))
}

// addP adds the feature prefix+s (the same as add(prefix+s), without
// building the string).
func (b *builder) addP(prefix, s string) {
	if prefix == "" {
		b.add(s)
		return
	}
	if b.full() {
		return
	}
	lo := len(b.arena)
	b.arena = append(b.arena, prefix...)
	b.arena = append(b.arena, s...)
	b.keep(lo)
}

// addPP adds the feature p1+p2+p3+s.
func (b *builder) addPP(p1, p2, p3, s string) {
	if b.full() {
		return
	}
	lo := len(b.arena)
	b.arena = append(b.arena, p1...)
	b.arena = append(b.arena, p2...)
	b.arena = append(b.arena, p3...)
	b.arena = append(b.arena, s...)
	b.keep(lo)
}

// lower is strings.ToLower(s); an ASCII result with upper case is
// written to b.tmp (valid until the next call).
func (b *builder) lower(s string) string {
	ascii, upper := asciiCase(s)
	if !ascii {
		return strings.ToLower(s)
	}
	if upper {
		b.tmp = appendLowerASCII(b.tmp[:0], s)
		return unsafe.String(unsafe.SliceData(b.tmp), len(b.tmp))
	}
	return s
}

// asciiCase reports whether s is all ASCII and, if so, whether it has
// upper-case letters, 8 bytes at a time. (A byte's range test is two
// additions, exact when no byte is 0x80 or above: when one is, the
// answer for upper case is not used.)
func asciiCase(s string) (ascii, upper bool) {
	const ones = 0x0101010101010101
	var hi, up uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		hi |= x
		up |= (x + (0x80-'A')*ones) &^ (x + (0x80-'Z'-1)*ones)
	}
	for ; i < len(s); i++ {
		c := uint64(s[i])
		hi |= c
		if 'A' <= c && c <= 'Z' {
			up |= 0x80
		}
	}
	return hi&(0x80*ones) == 0, up&(0x80*ones) != 0
}

// shape is shape(s), the collapsed digits written to b.tmp2 (valid until
// the next call).
func (b *builder) shape(s string) string {
	if hasDigit(s) {
		b.tmp2 = appendCollapsed(b.tmp2[:0], s)
		s = unsafe.String(unsafe.SliceData(b.tmp2), len(b.tmp2))
	}
	if len(s) > MaxTokenLen && utf8.RuneCountInString(s) > MaxTokenLen {
		return longToken(s)
	}
	return s
}

// fields is strings.Fields(s), in b.fields for ASCII s.
func (b *builder) fieldsOf(s string) []string {
	if !isASCII(s) {
		return strings.Fields(s)
	}
	f := b.fields[:0]
	for i := 0; i < len(s); {
		for i < len(s) && spaceByte[s[i]] {
			i++
		}
		j := i
		for j < len(s) {
			if j+8 <= len(s) {
				// The first of 8 bytes below 0x21 (exact for the
				// first: ASCII bytes, a borrow only goes up).
				x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[j:]), 8))
				m := (x - 0x21*0x0101010101010101) &^ x & swarHigh
				if m == 0 {
					j += 8
					continue
				}
				j += bits.TrailingZeros64(m) >> 3
			}
			if spaceByte[s[j]] {
				break
			}
			j++
		}
		if j > i {
			f = append(f, s[i:j])
		}
		i = j
	}
	b.fields = f
	return f
}

// swarHigh is the high bit of every byte of a uint64.
const swarHigh = 0x8080808080808080

// spaceByte[c] is asciiSpace(c).
var spaceByte = func() (t [256]bool) {
	for c := range t {
		t[c] = asciiSpace(byte(c))
	}
	return
}()

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// keep adds the feature whose text is arena[lo:] if it is new, and
// drops the text otherwise.
func (b *builder) keep(lo int) {
	if len(b.arena) == lo {
		return
	}
	h := xxhash.Sum64(b.arena[lo:])
	if r := b.seen.probe(h); r == probeKnown || r == probeFull && !b.seen.insert(h) {
		b.arena = b.arena[:lo]
		return
	}
	b.keys = append(b.keys, h)
	b.ends = append(b.ends, uint32(len(b.arena)))
}

// result copies the features out of the pooled buffers: the keys, the
// text ends and the text in one block without pointers (one allocation
// the collector does not scan), exactly sized.
func (b *builder) result() *Tokens {
	n := len(b.keys)
	if n == 0 {
		return &Tokens{CJK: b.cjk, scheme: b.scheme()}
	}
	ne := (n + 1) / 2            // words of 8 bytes for the ends
	nt := (len(b.arena) + 7) / 8 // and for the text
	nwe := (len(b.pwe) + 1) / 2  // the body's words' ends (scheme 2)
	nw := (len(b.pw) + 7) / 8    // and bytes
	block := make([]uint64, n+ne+nt+nwe+nw)
	keys := block[:n:n]
	copy(keys, b.keys)
	ends := unsafe.Slice((*uint32)(unsafe.Pointer(&block[n])), n)
	copy(ends, b.ends)
	text := ""
	if len(b.arena) > 0 {
		tb := unsafe.Slice((*byte)(unsafe.Pointer(&block[n+ne])), len(b.arena))
		copy(tb, b.arena)
		text = unsafe.String(&tb[0], len(tb))
	}
	tk := &Tokens{keys: keys, ends: ends, text: text, CJK: b.cjk, scheme: b.scheme()}
	if len(b.pwe) > 0 {
		o := n + ne + nt
		tk.wends = unsafe.Slice((*int32)(unsafe.Pointer(&block[o])), len(b.pwe))
		copy(tk.wends, b.pwe)
		if len(b.pw) > 0 {
			wb := unsafe.Slice((*byte)(unsafe.Pointer(&block[o+nwe])), len(b.pw))
			copy(wb, b.pw)
			tk.words = unsafe.String(&wb[0], len(wb))
		}
	}
	return tk
}

// scheme is the Tokens' scheme for the builder's options.
func (b *builder) scheme() uint8 { return b.opt.scheme() }

// scheme is the Tokens' scheme for o.
func (o Options) scheme() uint8 {
	if o.Scheme == SchemePairMix {
		return SchemePairMix
	}
	return SchemeText
}

// stream adds the unigrams (with prefix) and the OSB pairs of the words
// in b.ws: each feature's text written into the arena (8 bytes at a time),
// hashed there (hash64) and kept only when new (the body's unigrams, with
// no prefix, hashed where they lie in the words' buffer and copied only
// when new). The arena, keys and ends are kept in locals while the loop
// runs (stored back at the end: no write barrier and no reload a pair).
func (b *builder) stream(prefix string) {
	ws := &b.ws
	n := min(ws.len(), MaxWords)
	if n == 0 {
		return
	}
	// The words are copied by copy8: the words' buffer gets room to be
	// read past its end.
	if cap(ws.buf)-len(ws.buf) < copySlack {
		ws.buf = slices.Grow(ws.buf, copySlack)
	}
	if prefix == "" {
		if b.opt.Scheme == SchemePairMix {
			b.streamBodyMix(n)
			// The words, for the pairs' texts.
			b.pw = append(b.pw[:0], ws.buf[:ws.ends[n-1]]...)
			b.pwe = append(b.pwe[:0], ws.ends[:n]...)
			return
		}
		b.streamBody(n)
		return
	}
	buf := unsafe.Pointer(unsafe.SliceData(ws.buf))
	wends := ws.ends[:n]
	arena, keys, ends := b.arena, b.keys, b.ends
	seen := &b.seen
	pairs := !b.opt.NoBigrams
	for i := 0; i < n; i++ {
		if len(keys) >= MaxFeatures {
			break
		}
		wlo := int32(0)
		if i > 0 {
			wlo = wends[i-1]
		}
		whi := wends[i]
		lw := int(whi - wlo)
		// The unigram prefix+w.
		if need := len(prefix) + lw; need > 0 {
			lo := len(arena)
			if cap(arena)-lo < need+copySlack {
				arena = slices.Grow(arena, need+copySlack)
			}
			p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(arena)), lo)
			var h uint64
			if len(prefix) == 0 {
				h = hash64(unsafe.Add(buf, wlo), lw)
			} else {
				copy(arena[lo:lo+len(prefix)], prefix)
				copy8(unsafe.Add(p, len(prefix)), unsafe.Add(buf, wlo), lw)
				h = hash64(p, need)
			}
			if r := seen.probe(h); r == probeAdded || r == probeFull && seen.insert(h) {
				if len(prefix) == 0 {
					copy8(p, unsafe.Add(buf, wlo), lw)
				}
				arena = arena[:lo+need]
				keys = append(keys, h)
				ends = append(ends, uint32(len(arena)))
			}
		}
		if !pairs {
			continue
		}
		// The OSB pairs prefix+a+"\x1f"+d+"\x1f"+w, a the word d
		// before (d < Window <= 10: one digit).
		ahi := wlo
		for d := 1; d < Window && i-d >= 0; d++ {
			if len(keys) >= MaxFeatures {
				break
			}
			alo := int32(0)
			if i-d > 0 {
				alo = wends[i-d-1]
			}
			la := int(ahi - alo)
			ahi = alo
			lo := len(arena)
			need := len(prefix) + la + 3 + lw
			// Room past the pair: copy8 and the separator's store write
			// past what they copy.
			if cap(arena)-lo < need+copySlack {
				arena = slices.Grow(arena, need+copySlack)
			}
			p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(arena)), lo)
			q := p
			if len(prefix) > 0 {
				copy(arena[lo:lo+len(prefix)], prefix)
				q = unsafe.Add(q, len(prefix))
			}
			copy8(q, unsafe.Add(buf, alo), la)
			q = unsafe.Add(q, la)
			*(*uint32)(q) = 0x1f001f | uint32('0'+d)<<8
			copy8(unsafe.Add(q, 3), unsafe.Add(buf, wlo), lw)
			// hash64(p, need), written out: a call here would have every
			// value the loop keeps in registers saved and reloaded (Go's
			// calling convention saves none across a call).
			var h uint64
			if need < 32 {
				h = xxPrime5 + uint64(need)
				j := 0
				for ; j+8 <= need; j += 8 {
					k := *(*uint64)(unsafe.Add(p, j)) * xxPrime2
					h ^= bits.RotateLeft64(k, 31) * xxPrime1
					h = bits.RotateLeft64(h, 27)*xxPrime1 + xxPrime4
				}
				if j+4 <= need {
					h ^= uint64(*(*uint32)(unsafe.Add(p, j))) * xxPrime1
					h = bits.RotateLeft64(h, 23)*xxPrime2 + xxPrime3
					j += 4
				}
				for ; j < need; j++ {
					h ^= uint64(*(*byte)(unsafe.Add(p, j))) * xxPrime5
					h = bits.RotateLeft64(h, 11) * xxPrime1
				}
				h ^= h >> 33
				h *= xxPrime2
				h ^= h >> 29
				h *= xxPrime3
				h ^= h >> 32
			} else {
				h = hash64(p, need)
			}
			if r := seen.probe(h); r == probeKnown || r == probeFull && !seen.insert(h) {
				continue
			}
			arena = arena[:lo+need]
			keys = append(keys, h)
			ends = append(ends, uint32(len(arena)))
		}
	}
	b.arena, b.keys, b.ends = arena, keys, ends
}

// streamBody is stream without a prefix (the body's words, nearly all
// of the features) for the first n words: room in the arena, keys and
// ends is made once a word (for its unigram and all its pairs), so a
// pair's text, key and end are written through pointers with no
// capacity check, and the loop keeps fewer values live (the pair's hash
// written out, as in stream).
func (b *builder) streamBody(n int) {
	ws := &b.ws
	buf := unsafe.Pointer(unsafe.SliceData(ws.buf))
	wends := ws.ends[:n]
	seen := &b.seen
	pairs := !b.opt.NoBigrams
	arena, keys, ends := b.arena, b.keys, b.ends
	al, nk := len(arena), len(keys)
	for i := 0; i < n; i++ {
		if nk >= MaxFeatures {
			break
		}
		wlo := 0
		if i > 0 {
			wlo = int(wends[i-1])
		}
		lw := int(wends[i]) - wlo
		// Room for the unigram and the pairs with the Window-1 words
		// before (they lie in buf[first:wlo]), and copy8's slack.
		first := 0
		if i >= Window {
			first = int(wends[i-Window])
		}
		if room := Window*lw + (Window-1)*3 + (wlo - first) + copySlack; cap(arena)-al < room {
			arena = slices.Grow(arena[:al], room)
		}
		if cap(keys)-nk < Window {
			keys = slices.Grow(keys[:nk], Window)
		}
		if cap(ends)-nk < Window {
			ends = slices.Grow(ends[:nk], Window)
		}
		base := unsafe.Pointer(unsafe.SliceData(arena))
		kp := unsafe.Pointer(unsafe.SliceData(keys))
		ep := unsafe.Pointer(unsafe.SliceData(ends))
		// The unigram: hashed where it lies, copied when new.
		if lw > 0 {
			h := hash64(unsafe.Add(buf, wlo), lw)
			if r := seen.probe(h); r == probeAdded || r == probeFull && seen.insert(h) {
				copy8(unsafe.Add(base, al), unsafe.Add(buf, wlo), lw)
				al += lw
				*(*uint64)(unsafe.Add(kp, nk*8)) = h
				*(*uint32)(unsafe.Add(ep, nk*4)) = uint32(al)
				nk++
			}
		}
		if !pairs {
			continue
		}
		// The OSB pairs a+"\x1f"+d+"\x1f"+w.
		ahi := wlo
		for d := 1; d <= min(Window-1, i); d++ {
			if nk >= MaxFeatures {
				break
			}
			alo := 0
			if i-d > 0 {
				alo = int(wends[i-d-1])
			}
			la := ahi - alo
			ahi = alo
			need := la + 3 + lw
			p := unsafe.Add(base, al)
			copy8(p, unsafe.Add(buf, alo), la)
			*(*uint32)(unsafe.Add(p, la)) = 0x1f001f | uint32('0'+d)<<8
			copy8(unsafe.Add(p, la+3), unsafe.Add(buf, wlo), lw)
			var h uint64
			if need < 32 {
				h = xxPrime5 + uint64(need)
				j := 0
				for ; j+8 <= need; j += 8 {
					k := *(*uint64)(unsafe.Add(p, j)) * xxPrime2
					h ^= bits.RotateLeft64(k, 31) * xxPrime1
					h = bits.RotateLeft64(h, 27)*xxPrime1 + xxPrime4
				}
				if j+4 <= need {
					h ^= uint64(*(*uint32)(unsafe.Add(p, j))) * xxPrime1
					h = bits.RotateLeft64(h, 23)*xxPrime2 + xxPrime3
					j += 4
				}
				for ; j < need; j++ {
					h ^= uint64(*(*byte)(unsafe.Add(p, j))) * xxPrime5
					h = bits.RotateLeft64(h, 11) * xxPrime1
				}
				h ^= h >> 33
				h *= xxPrime2
				h ^= h >> 29
				h *= xxPrime3
				h ^= h >> 32
			} else {
				h = hash64(p, need)
			}
			if r := seen.probe(h); r == probeKnown || r == probeFull && !seen.insert(h) {
				continue
			}
			al += need
			*(*uint64)(unsafe.Add(kp, nk*8)) = h
			*(*uint32)(unsafe.Add(ep, nk*4)) = uint32(al)
			nk++
		}
	}
	b.arena, b.keys, b.ends = arena[:al], keys[:nk], ends[:nk]
}

// streamBodyMix is streamBody for scheme 2, in two passes: the words'
// unigram hashes first (b.wh), then the features in streamBody's order,
// each word's unigram and its pairs with the Window-1 words before, a
// pair's hash PairHash of the two words' hashes (written out). No text is
// copied: a new unigram or pair keeps a 4-byte record (the word's index
// << 4 | d, d 0 for the unigram; its end marked pairRec), its text made
// from the words when asked for. Room for every feature the stream may
// add is made once. (A word is never empty: every split path pushes at
// least one byte, so every word has its unigram, as in streamBody.)
//
// The second pass (mixWords) writes every candidate feature with its
// record, then adds the new ones with the dedupe set's state in locals,
// probed inline (addCands, addRun: no call, no reload of the set's
// fields after every store) (FuzzStreamBodyMixRef and FuzzMixWordsRef
// compare with the loop before).
func (b *builder) streamBodyMix(n int) {
	wh := slices.Grow(b.wh[:0], n)[:n]
	ws := &b.ws
	hashWords(wh, unsafe.Pointer(unsafe.SliceData(ws.buf)), ws.ends[:n])
	b.wh = wh
	b.mixWords(wh)
}

// The build fails unless Window is 5: mixWords writes the Window-1
// pairs of a word out by hand.
var _ = [1]struct{}{}[Window-5]

// mixWords is streamBodyMix's second pass over the words' hashes wh, in
// two loops: the first writes every candidate feature (each word's
// unigram and its pairs with the Window-1 words before, in streamBody's
// order) with its record into b.cands; the second adds the new ones,
// probing the set inline. (Each loop keeps few enough values to stay in
// registers: one loop doing both spilled most of them.)
//
// The words go in blocks of mixBlock (a word's pairs read the hashes
// before it, which stay in wh): the candidate buffer stays at most
// mixBlock*Window entries (80 KiB) however long the body, and a block
// adds its candidates in order after the blocks before it, as one run
// would. Once MaxFeatures are kept, nothing more can be added.
func (b *builder) mixWords(wh []uint64) {
	for lo := 0; lo < len(wh) && len(b.keys) < MaxFeatures; lo += mixBlock {
		b.mixWordsBlock(wh, lo, min(lo+mixBlock, len(wh)))
	}
}

// mixBlock is the number of words whose candidates mixWords writes at a
// time (a variable for the tests).
var mixBlock = 1024

// mixWordsBlock writes the candidates of words lo to hi-1 of wh, then
// adds the new ones (addCands).
func (b *builder) mixWordsBlock(wh []uint64, lo, hi int) {
	pairs := !b.opt.NoBigrams
	cs := slices.Grow(b.cands[:0], (hi-lo)*Window)
	cp := unsafe.Pointer(unsafe.SliceData(cs))
	nc := 0
	for i := lo; i < hi; i++ {
		hw := wh[i]
		c := (*cand)(unsafe.Add(cp, nc*candSize))
		c.h, c.rec = hw, uint32(i<<4)
		nc++
		if !pairs {
			continue
		}
		wm := fmix64(hw ^ pairKeyW)
		if i >= Window-1 {
			// Window-1 pairs, written out (Window is 5: checked above).
			w := wh[i-(Window-1) : i : i]
			c := (*[Window - 1]cand)(unsafe.Add(cp, nc*candSize))
			c[0].h, c[0].rec = fmix64((w[3]^pairKeyA[1])*pairMul^wm), uint32(i<<4|1)
			c[1].h, c[1].rec = fmix64((w[2]^pairKeyA[2])*pairMul^wm), uint32(i<<4|2)
			c[2].h, c[2].rec = fmix64((w[1]^pairKeyA[3])*pairMul^wm), uint32(i<<4|3)
			c[3].h, c[3].rec = fmix64((w[0]^pairKeyA[4])*pairMul^wm), uint32(i<<4|4)
			nc += Window - 1
			continue
		}
		for d := 1; d <= i; d++ {
			c := (*cand)(unsafe.Add(cp, nc*candSize))
			c.h, c.rec = fmix64((wh[i-d]^pairKeyA[d])*pairMul^wm), uint32(i<<4|d)
			nc++
		}
	}
	cs = cs[:nc]
	b.cands = cs
	b.addCands(cs)
}

// cand is a candidate scheme-2 body feature: its hash and its record.
type cand struct {
	h   uint64
	rec uint32
}

const candSize = int(unsafe.Sizeof(cand{}))

// addCands adds the candidates that are new, in order, up to
// MaxFeatures: the set probed inline, its state in locals (its count
// kept as nk plus an offset: every hash added but 0 is a feature), the
// keys, ends and records written through pointers into room made once.
func (b *builder) addCands(cs []cand) {
	nk := len(b.keys)
	most := max(min(len(cs), MaxFeatures-nk), 0)
	keys := slices.Grow(b.keys, most)
	ends := slices.Grow(b.ends, most)
	arena := slices.Grow(b.arena, 4*most)
	kp := unsafe.Pointer(unsafe.SliceData(keys))
	ap := unsafe.Pointer(unsafe.SliceData(arena))
	// Feature nk's record is at arena[off+4*nk:], its end off+4*nk+4.
	off := len(arena) - 4*nk
	s := &b.seen
	slots, mask, shift := unsafe.Pointer(unsafe.SliceData(s.slots)), uintptr(len(s.slots)-1), s.shift
	ns := s.n - nk // the set's count is nk+ns
	// Below lim, a feature may be added with no more checks (the set
	// has room: nk+ns < s.room; and nk < MaxFeatures).
	lim := min(MaxFeatures, s.room-ns)
	for k := 0; k < len(cs); {
		k, nk = addRun(cs, k, nk, lim, slots, mask, shift, kp, ap, off)
		if k == len(cs) {
			break
		}
		if nk >= lim {
			if nk >= MaxFeatures {
				break
			}
			s.n = nk + ns
			s.grow()
			slots, mask, shift = unsafe.Pointer(unsafe.SliceData(s.slots)), uintptr(len(s.slots)-1), s.shift
			lim = min(MaxFeatures, s.room-ns)
			continue
		}
		if cs[k].h != 0 {
			continue // addRun went as far as lim allowed
		}
		// The hash 0 (kept apart by the set).
		if !s.zero {
			s.zero = true
			ns-- // a feature the set does not count
			lim = min(MaxFeatures, s.room-ns)
			*(*uint32)(unsafe.Add(ap, off+4*nk)) = cs[k].rec
			*(*uint64)(unsafe.Add(kp, nk*8)) = 0
			nk++
		}
		k++
	}
	s.n = nk + ns
	// Feature f's record ends at off+4*f+4.
	ends = ends[:nk]
	for f := len(b.keys); f < nk; f++ {
		ends[f] = uint32(off+4*f+4) | pairRec
	}
	b.arena, b.keys, b.ends = arena[:off+4*nk], keys[:nk], ends
}

// addRun is addCands' common case, in a function with no call (so that
// its values stay in registers): it adds the new features of cs[k:],
// at most lim-nk candidates (each adds at most one feature), stopping
// before a hash 0, and returns where it stopped and the new nk. The
// set's slots, index mask and shift and the features' keys and records
// (at off+4*nk) are addCands'; the ends are written after, by addCands
// (an end depends only on the feature's index).
func addRun(cs []cand, k, nk, lim int, slots unsafe.Pointer, mask uintptr, shift uint, kp, ap unsafe.Pointer, off int) (int, int) {
	cs = cs[:min(len(cs), k+lim-nk)]
	for ; k < len(cs); k++ {
		c := &cs[k]
		h := c.h
		if h == 0 {
			break
		}
		j := uintptr(((h ^ hashSeed) * 0x9E3779B97F4A7C15) >> (shift & 63))
		for {
			p := (*uint64)(unsafe.Add(slots, j*8))
			if v := *p; v == 0 {
				*p = h
				break
			} else if v == h {
				goto next
			}
			j = (j + 1) & mask
		}
		*(*uint32)(unsafe.Add(ap, off+4*nk)) = c.rec
		*(*uint64)(unsafe.Add(kp, nk*8)) = h
		nk++
	next:
	}
	return k, nk
}

// hashWords sets wh[i] to the xxhash64 of word i, the words lying one
// after the other at buf with the ends given (hash64, inline for the
// words shorter than 32 bytes).
func hashWords(wh []uint64, buf unsafe.Pointer, ends []int32) {
	ends = ends[:len(wh)]
	lo := 0
	for i := range ends {
		hi := int(ends[i])
		n := hi - lo
		p := unsafe.Add(buf, lo)
		lo = hi
		if n >= 32 {
			wh[i] = hash64(p, n)
			continue
		}
		h := xxPrime5 + uint64(n)
		if n >= 8 {
			h = xxRound8(h, *(*uint64)(p))
			p = unsafe.Add(p, 8)
			if n >= 16 {
				h = xxRound8(h, *(*uint64)(p))
				p = unsafe.Add(p, 8)
				if n >= 24 {
					h = xxRound8(h, *(*uint64)(p))
					p = unsafe.Add(p, 8)
				}
			}
		}
		if n&4 != 0 {
			h ^= uint64(*(*uint32)(p)) * xxPrime1
			h = bits.RotateLeft64(h, 23)*xxPrime2 + xxPrime3
			p = unsafe.Add(p, 4)
		}
		// The last n&3 bytes, written out.
		switch n & 3 {
		case 3:
			h = xxRound1(h, *(*byte)(p))
			p = unsafe.Add(p, 1)
			fallthrough
		case 2:
			h = xxRound1(h, *(*byte)(p))
			p = unsafe.Add(p, 1)
			fallthrough
		case 1:
			h = xxRound1(h, *(*byte)(p))
		}
		wh[i] = xxAvalanche(h)
	}
}

// xxRound8, xxRound1 and xxAvalanche are xxhash64's steps for 8 bytes
// and for one byte of a short input's tail, and its final mix.
func xxRound8(h, k uint64) uint64 {
	h ^= bits.RotateLeft64(k*xxPrime2, 31) * xxPrime1
	return bits.RotateLeft64(h, 27)*xxPrime1 + xxPrime4
}

func xxRound1(h uint64, c byte) uint64 {
	h ^= uint64(c) * xxPrime5
	return bits.RotateLeft64(h, 11) * xxPrime1
}

func xxAvalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= xxPrime2
	h ^= h >> 29
	h *= xxPrime3
	h ^= h >> 32
	return h
}

// PairHash is scheme 2's hash of the body pair (a, d, w), a the word d
// (1..Window-1) before w, from the words' unigram hashes ha and hw (their
// xxhash64):
//
//	fmix64((ha ^ pairKeyA[d]) × pairMul  ^  fmix64(hw ^ pairKeyW))
//
// fmix64 is MurmurHash3's 64-bit finalizer, a bijection with full
// avalanche; the multiplication by an odd constant is a bijection too.
// (The second word's part is computed once a word, for its four pairs.)
//
//   - Order-sensitive: a and w go through different keys and steps, so
//     (a, d, w) and (w, d, a) are unrelated.
//   - Distance-separated: for a given a, the first part differs for every
//     d (a bijection of ha ^ pairKeyA[d], the keys distinct).
//   - No structural collisions: two pairs collide only when the outer
//     fmix64's inputs are equal. With the same w that needs (ha ^ kd) =
//     (ha' ^ kd'), i.e. a' = a and d' = d, or two words whose xxhashes
//     differ by exactly pairKeyA[d] ^ pairKeyA[d'] (a chance of 2⁻⁶⁴ a pair
//     of words, not a property of any shape of input); with the same a
//     and d, hw = hw'; otherwise it is a chance of 2⁻⁶⁴.
//   - Apart from every other feature kind: unigrams, the subject's pairs,
//     URLs and headers are still the xxhash64 of their text, which
//     fmix64's output matches only by chance (it hashes no text).
func PairHash(ha, hw uint64, d int) uint64 {
	return fmix64((ha^pairKeyA[d])*pairMul ^ fmix64(hw^pairKeyW))
}

// The constants of PairHash (fixed forever: they are part of every
// scheme-2 store): the first hex digits of π (one key a distance) and of
// e (the second word's key), and an odd multiplier with mixed bits
// (splitmix64's second).
var pairKeyA = [Window]uint64{0, 0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89}

const (
	pairKeyW = 0xb7e151628aed2a6a
	pairMul  = 0x94d049bb133111eb
)

// fmix64 is MurmurHash3's 64-bit finalizer.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// copySlack is the room copy8 needs past both its source and its
// destination.
const copySlack = 16

// copy8 copies n bytes from src to dst 8 bytes at a time, the first 16
// unconditionally (most words are shorter): it reads and writes up to
// copySlack-1 bytes past their ends (the caller gives room for both).
func copy8(dst, src unsafe.Pointer, n int) {
	*(*uint64)(dst) = *(*uint64)(src)
	*(*uint64)(unsafe.Add(dst, 8)) = *(*uint64)(unsafe.Add(src, 8))
	for off := 16; off < n; off += 8 {
		*(*uint64)(unsafe.Add(dst, off)) = *(*uint64)(unsafe.Add(src, off))
	}
}

// The xxhash64 primes.
const (
	xxPrime1 uint64 = 11400714785074694791
	xxPrime2 uint64 = 14029467366897019727
	xxPrime3 uint64 = 1609587929392839161
	xxPrime4 uint64 = 9650029242287828579
	xxPrime5 uint64 = 2870177450012600261
)

// hash64 is xxhash.Sum64 of the n bytes at p: inputs shorter than 32
// bytes (nearly every pair) hashed here, in Go, without the assembly
// call's overhead; the same steps, so the same value (FuzzHash64).
func hash64(p unsafe.Pointer, n int) uint64 {
	if n >= 32 {
		return xxhash.Sum64(unsafe.Slice((*byte)(p), n))
	}
	h := xxPrime5 + uint64(n)
	i := 0
	for ; i+8 <= n; i += 8 {
		h = xxRound8(h, *(*uint64)(unsafe.Add(p, i)))
	}
	if i+4 <= n {
		h ^= uint64(*(*uint32)(unsafe.Add(p, i))) * xxPrime1
		h = bits.RotateLeft64(h, 23)*xxPrime2 + xxPrime3
		i += 4
	}
	for ; i < n; i++ {
		h = xxRound1(h, *(*byte)(unsafe.Add(p, i)))
	}
	return xxAvalanche(h)
}

// hashSet is a set of feature hashes: open addressing with linear
// probing, the slot chosen from the hash mixed with a per-process random
// seed (the hashes are unkeyed and the text is the sender's: a fixed slot
// function would let a crafted message make every insert probe long).
type hashSet struct {
	slots []uint64 // 0: empty
	n     int
	room  int // n below it: an insert needs no growing (len(slots)/2)
	shift uint
	zero  bool // the hash 0 is in the set
	// spare is the largest buffer the set let go of (for reuse when it
	// grows or is reset: a set sized small for one message and grown
	// must not lose the larger buffer an earlier message left).
	spare []uint64
}

// take returns a cleared buffer of size slots: the spare when it is large
// enough, otherwise a new one.
func (s *hashSet) take(size int) []uint64 {
	if cap(s.spare) >= size {
		b := s.spare[:size]
		s.spare = nil
		clear(b)
		return b
	}
	return make([]uint64, size)
}

// keep offers b (no longer used) as the spare.
func (s *hashSet) keep(b []uint64) {
	if cap(b) > cap(s.spare) {
		s.spare = b[:0]
	}
}

var hashSeed = rand.Uint64() | 1

// reset empties the set, sized for about n hashes.
func (s *hashSet) reset(n int) {
	size := 1024
	for size < 2*n && size < 1<<17 {
		size <<= 1
	}
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		old := s.slots
		s.slots = s.take(size)
		s.keep(old)
	}
	s.n, s.zero = 0, false
	s.room = size / 2
	s.shift = uint(64 - bits.TrailingZeros(uint(size)))
}

// probe is insert's common cases, small enough to be inlined: when h's
// first slot is empty (so h is not in the set) and there is room, it adds
// h (probeAdded); when the slot holds h, h is in the set (probeKnown);
// otherwise it says nothing (probeFull: insert decides).
func (s *hashSet) probe(h uint64) int {
	if s.n < s.room && h != 0 {
		p := &s.slots[((h^hashSeed)*0x9E3779B97F4A7C15)>>s.shift]
		if *p == 0 {
			*p = h
			s.n++
			return probeAdded
		}
		if *p == h {
			return probeKnown
		}
	}
	return probeFull
}

// probe's answers.
const (
	probeFull = iota
	probeAdded
	probeKnown
)

// insert adds h and reports whether it was new.
func (s *hashSet) insert(h uint64) bool {
	if h == 0 {
		if s.zero {
			return false
		}
		s.zero = true
		return true
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	i := ((h ^ hashSeed) * 0x9E3779B97F4A7C15) >> s.shift
	for {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
		i = (i + 1) & mask
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = s.take(2 * len(old))
	s.room = len(s.slots) / 2
	s.shift--
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := ((h ^ hashSeed) * 0x9E3779B97F4A7C15) >> s.shift
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
	s.keep(old)
}

// Pooled buffers larger than these are dropped after a message (a huge
// message must not pin its buffers in every pool slot).
const (
	maxPooledBytes = 1 << 20
	maxPooledItems = 1 << 16
	// maxPooledSlots: the set's largest size from reset (1 MB, as much as
	// the arena may keep), for a long text's MaxFeatures; only a set that
	// grew past it is dropped.
	maxPooledSlots = 1 << 17
)

// unlessHuge is s, or nil when its capacity is over max (a pooled buffer
// a huge message grew is dropped).
func unlessHuge[S ~[]E, E any](s S, max int) S {
	if cap(s) > max {
		return nil
	}
	return s
}

// Message tokenizes a parsed message. urls are the message's URLs plus
// those analyzers added (task.URLs()); nil means msg.URLs.
func Message(msg *mail.Message, urls []mail.URL, opt Options) *Tokens {
	if msg == nil {
		return &Tokens{scheme: opt.scheme()}
	}
	b := builderPool.Get().(*builder)
	defer b.release()
	b.start(msg, opt)
	b.build(msg, urls)
	return b.result()
}

// MessageTo is Message into tk, whose buffers are reused: what tk held
// before (its hashes and texts, also those handed out by Keys and Text)
// is overwritten. It is for a scratch Tokens that its owner reuses
// (nothing may keep its contents past the next MessageTo or Reset);
// tk's features are those Message gives.
func MessageTo(tk *Tokens, msg *mail.Message, urls []mail.URL, opt Options) {
	if msg == nil {
		tk.Reset()
		tk.scheme = opt.scheme()
		return
	}
	b := builderPool.Get().(*builder)
	// The builder works in tk's buffers; its own wait aside.
	keys, ends, arena, pw, pwe := b.keys, b.ends, b.arena, b.pw, b.pwe
	b.keys, b.ends, b.arena, b.pw, b.pwe = tk.keys[:0], tk.ends[:0], tk.arena[:0], tk.wbuf[:0], tk.wends[:0]
	done := false
	defer func() {
		if !done {
			// A panic (recovered by the engine): tk's buffers are
			// dropped, so that the pooled builder and tk's owner (a
			// pooled scratch) never share them.
			*tk = Tokens{}
		}
		b.keys, b.ends, b.arena, b.pw, b.pwe = keys, ends, arena, pw, pwe
		b.release()
	}()
	b.start(msg, opt)
	b.build(msg, urls)
	tk.keys, tk.ends, tk.arena, tk.CJK, tk.scheme = b.keys, b.ends, b.arena, b.cjk, b.scheme()
	tk.text = unsafe.String(unsafe.SliceData(tk.arena), len(tk.arena))
	tk.wbuf, tk.wends = b.pw, b.pwe
	tk.words = unsafe.String(unsafe.SliceData(tk.wbuf), len(tk.wbuf))
	done = true
}

// Reset empties a Tokens filled by MessageTo, dropping buffers grown
// huge (a scratch Tokens kept in a pool must not pin them).
func (t *Tokens) Reset() {
	keys, ends, arena := t.keys[:0], t.ends[:0], t.arena[:0]
	wbuf, wends := unlessHuge(t.wbuf[:0], maxPooledBytes), unlessHuge(t.wends[:0], maxPooledItems)
	if cap(arena) > maxPooledBytes {
		arena = nil
	}
	if cap(keys) > maxPooledItems {
		keys, ends = nil, nil
	}
	*t = Tokens{keys: keys, ends: ends, arena: arena, wbuf: wbuf, wends: wends}
}

// start readies the builder for msg.
func (b *builder) start(msg *mail.Message, opt Options) {
	// Sized from the text (on the SpamAssassin corpus a message has about
	// 0.6 features and 7 bytes of feature text a byte of text): growing
	// these as features come costs more than the rest of the building.
	est := min(len(msg.Text)+len(msg.Subject), MaxTextBytes)
	nf := min(est*5/8+128, MaxFeatures)
	b.opt, b.cjk = opt, false
	b.pw, b.pwe = b.pw[:0], b.pwe[:0]
	b.seen.reset(nf)
	b.keys = slices.Grow(b.keys[:0], nf)
	b.ends = slices.Grow(b.ends[:0], nf)
	b.arena = slices.Grow(b.arena[:0], min(8*est+2048, 1<<20))
}

// release returns the builder to the pool (without buffers grown huge).
func (b *builder) release() {
	if cap(b.arena) > maxPooledBytes {
		b.arena = nil
	}
	if cap(b.keys) > maxPooledItems {
		b.keys, b.ends = nil, nil
	}
	b.pw, b.pwe, b.wh = unlessHuge(b.pw, maxPooledBytes), unlessHuge(b.pwe, maxPooledItems), unlessHuge(b.wh, maxPooledItems)
	b.cands = unlessHuge(b.cands, maxPooledItems)
	if cap(b.seen.slots) > maxPooledSlots {
		b.seen.slots = nil
	}
	if cap(b.seen.spare) > maxPooledSlots {
		b.seen.spare = nil
	}
	b.ws.trim()
	if cap(b.tmp) > maxPooledBytes {
		b.tmp = nil
	}
	if cap(b.tmp2) > maxPooledBytes {
		b.tmp2 = nil
	}
	clear(b.fields[:cap(b.fields)])
	if cap(b.fields) > maxPooledItems {
		b.fields = nil
	}
	builderPool.Put(b)
}

func (b *builder) build(msg *mail.Message, urls []mail.URL) {
	opt := b.opt
	// A feature every message has: the linear layer's bias.
	b.add(Bias)
	if urls == nil {
		urls = msg.URLs
	}
	// Subject: its own stream with a prefix (a word in the subject means
	// more than the same word in the body).
	b.words(msg.Subject, 512)
	b.stream("s:")

	text := msg.Text
	if len(text) > MaxTextBytes {
		i := MaxTextBytes
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i]
	}
	b.words(text, MaxWords)
	b.stream("")
	if b.ws.len() == 0 {
		b.add("x:nobody")
	}
	if len(msg.HiddenText) > 0 {
		b.add("x:hiddentext")
	}

	if opt.CharGrams > 0 {
		b.charGrams(msg.Subject+"\n"+text, opt.CharGrams)
	}
	b.urls(urls)
	if !opt.NoHeaders {
		b.headers(msg)
	}
	b.attachments(msg)
}

func (b *builder) urls(urls []mail.URL) {
	n := 0
	for _, u := range urls {
		if n >= 200 {
			break
		}
		n++
		host := strings.TrimSuffix(b.lower(u.Host), ".")
		if host == "" {
			if u.Scheme != "" {
				b.addP("u:scheme:", u.Scheme)
			}
			continue
		}
		if isIP(host) {
			b.add("u:ip")
			// collapseDigits(host), in b.tmp2 (host is done with before
			// the path's segments are shaped there).
			if hasDigit(host) {
				b.tmp2 = appendCollapsed(b.tmp2[:0], host)
				host = unsafe.String(unsafe.SliceData(b.tmp2), len(b.tmp2))
			}
		}
		// Every parent domain with at least two labels: a.b.example.com,
		// b.example.com, example.com.
		// (At most the last 8 labels: host's suffixes.)
		nl := strings.Count(host, ".") + 1
		for ; nl > 8; nl-- {
			host = host[strings.IndexByte(host, '.')+1:]
		}
		b.addP("u:", host)
		for i := 1; i+1 < nl; i++ {
			host = host[strings.IndexByte(host, '.')+1:]
			b.addP("u:", host)
		}
		if u.Hidden {
			b.add("u:hidden")
		}
		if u.Source != "" && u.Source != "text" && u.Source != "href" {
			b.addP("u:src:", u.Source)
		}
		// The first two path segments, shapes collapsed.
		path := u.Raw
		if i := strings.Index(path, "://"); i >= 0 {
			path = path[i+3:]
		}
		if i := strings.IndexAny(path, "/?#"); i >= 0 {
			path = path[i:]
		} else {
			path = ""
		}
		if len(path) > 256 {
			path = path[:256]
		}
		q := ""
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			q, path = path[i:], path[:i]
		}
		rest := strings.Trim(path, "/")
		for i := 0; i < 2; i++ {
			s, more, found := strings.Cut(rest, "/")
			if s == "" {
				break
			}
			b.addP("up:", b.shape(b.lower(s)))
			if !found {
				break
			}
			rest = more
		}
		if q != "" {
			b.add("u:query")
		}
		if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			b.addP("u:scheme:", u.Scheme)
		}
	}
}

func (b *builder) headers(msg *mail.Message) {
	hdr := func(name string, v string) {
		if len(v) > maxHeaderLen {
			v = v[:maxHeaderLen]
		}
		b.words(v, 64)
		for i := range b.ws.len() {
			b.addPP("h:", name, ":", b.ws.wordString(i))
		}
	}
	for i, a := range msg.From {
		if i >= 3 {
			break
		}
		b.addP("h:from-dom:", a.Domain)
		b.addP("h:from-local:", b.shape(b.lower(a.Local)))
		hdr("from-name", a.Name)
		if a.Name == "" {
			b.add("h:from-noname")
		}
	}
	if len(msg.From) == 0 {
		b.add("h:from-none")
	}
	for i, a := range msg.ReplyTo {
		if i >= 3 {
			break
		}
		b.addP("h:rt-dom:", a.Domain)
		if len(msg.From) > 0 && a.Domain != msg.From[0].Domain {
			b.add("h:rt-differs")
		}
	}
	rc := len(msg.To) + len(msg.Cc)
	b.addP("h:rcpts:", bucket(rc))
	if len(msg.To) == 0 {
		b.add("h:to-none")
	}
	if i := strings.LastIndexByte(msg.MessageID, '@'); i >= 0 {
		b.addP("h:mid-dom:", b.lower(msg.MessageID[i+1:]))
	} else if msg.MessageID == "" {
		b.add("h:mid-none")
	}
	if len(msg.InReplyTo) > 0 || len(msg.References) > 0 {
		b.add("h:threaded")
	}
	hx := indexHeaders(msg.Headers)
	hdr("xm", hx.get(msg.Headers, fXMailer))
	hdr("ua", hx.get(msg.Headers, fUserAgent))
	if hx.first[fListID] >= 0 || hx.first[fListUnsub] >= 0 {
		b.add("h:list")
	}
	hdr("list-id", hx.get(msg.Headers, fListID))
	hdr("prio", hx.get(msg.Headers, fPriority))
	if hx.first[fMSMail] >= 0 {
		b.add("h:msmail-prio")
	}
	if msg.Root != nil {
		b.addP("h:ct:", msg.Root.ContentType)
		if msg.Root.Charset != "" {
			b.addP("h:cs:", msg.Root.Charset)
		}
		if msg.Root.Encoding != "" {
			b.addP("h:cte:", msg.Root.Encoding)
		}
	}
	for i, p := range msg.TextParts {
		if i >= 8 {
			break
		}
		b.addP("h:tp:", p.ContentType)
		if p.Charset != "" {
			b.addP("h:tcs:", p.Charset)
		}
	}
	if d := hx.get(msg.Headers, fDate); d == "" {
		b.add("h:date-none")
	}
	// Received: the protocol, and the shape of the names and addresses in
	// the first few hops (digits collapsed), not the hop times or ids.
	// (The fields Headers.Values("Received") gives, without the slice.)
	for _, hi := range hx.rcv[:min(hx.nrcv, len(hx.rcv))] {
		v := msg.Headers[hi].Value
		if len(v) > 512 {
			v = v[:512]
		}
		if j := strings.IndexByte(v, ';'); j >= 0 {
			v = v[:j]
		}
		f := b.fieldsOf(b.lower(v))
		for k := 0; k < len(f) && k < 24; k++ {
			w := trimPunct(f[k])
			switch {
			case w == "with" && k+1 < len(f):
				b.addP("h:rcv-with:", trimPunct(f[k+1]))
			case strings.IndexByte(w, '.') >= 0 && len(w) < 80:
				if hasDigit(w) {
					b.tmp2 = appendCollapsed(b.tmp2[:0], w)
					w = unsafe.String(unsafe.SliceData(b.tmp2), len(b.tmp2))
				}
				b.addP("h:rcv:", w)
			}
		}
	}
	b.addP("h:hops:", bucket(hx.nrcv))
	for _, a := range msg.Anomalies {
		// Line ends tell how the message reached sekisho (a file, a
		// milter, a gateway), not what it is: learning them would teach
		// the classifier the difference between stored training mail and
		// live mail.
		if a.Code == mail.AnomalyBareLF || a.Code == mail.AnomalyMixedEOL {
			continue
		}
		b.addP("h:anom:", a.Code)
	}
}

func (b *builder) attachments(msg *mail.Message) {
	for i, p := range msg.Attachments {
		if i >= 32 {
			break
		}
		b.addP("a:type:", p.ContentType)
		name := p.Filename
		if len(name) > 256 {
			name = name[:256]
		}
		if name == "" {
			continue
		}
		lname := strings.ToLower(norm.NFKC.String(name))
		if j := strings.LastIndexByte(lname, '.'); j >= 0 && len(lname)-j <= 8 {
			b.add("a:ext:" + lname[j+1:])
			if k := strings.LastIndexByte(lname[:j], '.'); k >= 0 && j-k <= 6 {
				b.add("a:dblext")
			}
		}
		b.words(name, 16)
		for i := range b.ws.len() {
			b.addP("a:name:", b.ws.wordString(i))
		}
	}
}

func bucket(n int) string {
	switch {
	case n <= 2:
		return strconv.Itoa(n)
	case n <= 5:
		return "3-5"
	case n <= 10:
		return "6-10"
	case n <= 50:
		return "11-50"
	}
	return "51+"
}

func isIP(h string) bool {
	if strings.HasPrefix(h, "[") || strings.Contains(h, ":") {
		return true
	}
	for _, r := range h {
		if r != '.' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// hasDigit reports whether s holds an ASCII digit
// (strings.IndexAny(s, "0123456789") >= 0).
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// punct is the set strings.Trim(s, "()[]<>,;") trims (as ASCII bytes,
// which is how strings.Trim trims an ASCII set).
var punct = func() (t [256]bool) {
	for _, c := range []byte("()[]<>,;") {
		t[c] = true
	}
	return
}()

// trimPunct is strings.Trim(s, "()[]<>,;").
func trimPunct(s string) string {
	i, j := 0, len(s)
	for i < j && punct[s[i]] {
		i++
	}
	for j > i && punct[s[j-1]] {
		j--
	}
	return s[i:j]
}

// The header fields headers reads.
const (
	fXMailer = iota
	fUserAgent
	fListID
	fListUnsub
	fPriority
	fMSMail
	fDate
	nFields
)

var fieldNames = [nFields]string{"X-Mailer", "User-Agent", "List-Id", "List-Unsubscribe", "X-Priority", "X-MSMail-Priority", "Date"}

// headerIndex is where the fields headers reads are: first[k] the first
// field named fieldNames[k] (-1: none), rcv the first Received fields and
// nrcv their number. Found in one pass (Headers.Get, Has and Count each
// compare every field's name with strings.EqualFold): an ASCII name is
// compared only with the names of its length (strings.EqualFold of an
// ASCII string and one of another length is false), any other with all.
type headerIndex struct {
	first [nFields]int
	rcv   [4]int
	nrcv  int
}

func indexHeaders(h mail.Headers) (x headerIndex) {
	for k := range x.first {
		x.first[k] = -1
	}
	for i := range h {
		name := h[i].Name
		if !isASCII(name) {
			x.add(i, name, allFields)
			continue
		}
		if len(name) < len(fieldsOfLen) {
			x.add(i, name, fieldsOfLen[len(name)])
		}
	}
	return x
}

// rcvField stands for Received in the lists of fields add compares with.
const rcvField = nFields

// allFields are all the fields (Received first); fieldsOfLen[n] those
// whose names are n bytes long (in the same order).
var allFields, fieldsOfLen = func() (all []int8, byLen [18][]int8) {
	all = append(all, rcvField)
	for k := range nFields {
		all = append(all, int8(k))
	}
	for _, k := range all {
		n := len("Received")
		if k != rcvField {
			n = len(fieldNames[k])
		}
		byLen[n] = append(byLen[n], k)
	}
	return all, byLen
}()

// add indexes field i, named name, when it is one of the fields ks.
func (x *headerIndex) add(i int, name string, ks []int8) {
	for _, k := range ks {
		if k == rcvField {
			if strings.EqualFold(name, "Received") {
				if x.nrcv < len(x.rcv) {
					x.rcv[x.nrcv] = i
				}
				x.nrcv++
				return
			}
			continue
		}
		if strings.EqualFold(name, fieldNames[k]) {
			if x.first[k] < 0 {
				x.first[k] = i
			}
			return
		}
	}
}

// get is Headers.Get of fieldNames[k].
func (x *headerIndex) get(h mail.Headers, k int) string {
	if i := x.first[k]; i >= 0 {
		return h[i].Value
	}
	return ""
}

// collapseDigits replaces every run of ASCII digits by one "0".
func collapseDigits(s string) string {
	if !hasDigit(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	prev := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if !prev {
				sb.WriteByte('0')
			}
			prev = true
			continue
		}
		prev = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// shape reduces an identifier-like string (a path segment, a local part)
// to something that generalises: digits collapsed, long strings shortened.
func shape(s string) string {
	s = collapseDigits(s)
	if utf8.RuneCountInString(s) > MaxTokenLen {
		return longToken(s)
	}
	return s
}

// longToken replaces a long token by a short stand-in: its first runes and
// its length bucket, plus a hash so identical long strings still match.
func longToken(s string) string { return string(appendLongToken(nil, s)) }

func appendLongToken(dst []byte, s string) []byte {
	n := utf8.RuneCountInString(s)
	prefix := s
	for i := range s {
		if i >= 6 {
			prefix = s[:i]
			break
		}
	}
	dst = append(dst, "long:"...)
	dst = append(dst, prefix...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(n/16), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, xxhash.Sum64String(s)&0xffffff, 36)
}

// wordBuf holds the words of one text: their bytes one after the other
// and their end offsets (reused from text to text: no word is a string
// of its own). norm is the normalised text of a non-ASCII chunk they were cut
// from (an ASCII chunk is split where it lies).
type wordBuf struct {
	norm []byte
	nfkc []byte // the NFKC form of a non-ASCII chunk
	buf  []byte
	ends []int32
}

func (ws *wordBuf) reset() {
	ws.buf, ws.ends = ws.buf[:0], ws.ends[:0]
}

func (ws *wordBuf) len() int { return len(ws.ends) }

// word is word i (valid until the next text).
func (ws *wordBuf) word(i int) []byte {
	lo := int32(0)
	if i > 0 {
		lo = ws.ends[i-1]
	}
	return ws.buf[lo:ws.ends[i]:ws.ends[i]]
}

// wordString is word i as a string sharing the buffer (valid until the
// next text; features copy it).
func (ws *wordBuf) wordString(i int) string {
	w := ws.word(i)
	return unsafe.String(unsafe.SliceData(w), len(w))
}

func (ws *wordBuf) push() { ws.ends = append(ws.ends, int32(len(ws.buf))) }

func (ws *wordBuf) pushString(s string) {
	ws.buf = append(ws.buf, s...)
	ws.push()
}

func (ws *wordBuf) trim() {
	if cap(ws.norm) > maxPooledBytes {
		ws.norm = nil
	}
	if cap(ws.nfkc) > maxPooledBytes {
		ws.nfkc = nil
	}
	if cap(ws.buf) > maxPooledBytes {
		ws.buf = nil
	}
	if cap(ws.ends) > maxPooledItems {
		ws.ends = nil
	}
}

// words splits s into b.ws (see Words).
func (b *builder) words(s string, max int) {
	b.ws.reset()
	if b.ws.split(s, max) {
		b.cjk = true
	}
}

// Words normalises text and splits it into words: runs of letters and
// digits (with inner . - ' _ @ kept), and Japanese segmented by kagome.
// At most max words are returned. (Message splits into reused buffers;
// this is the same splitting, for tests and the fuzz targets.)
func Words(s string, max int) []string {
	var ws wordBuf
	ws.split(s, max)
	if ws.len() == 0 {
		return nil
	}
	out := make([]string, ws.len())
	for i := range out {
		out[i] = string(ws.word(i))
	}
	return out
}

// Byte classes of ASCII for the word scanner.
const (
	cWord  = 1 << iota // letter or digit
	cInner             // . - ' _ @ inside a word
	cDigit
	cUpper // A-Z (byteClass only)
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		r := rune(c)
		if isWordRune(r) {
			t[c] |= cWord
		}
		if isInner(r) {
			t[c] |= cInner
		}
		if '0' <= c && c <= '9' {
			t[c] |= cDigit
		}
	}
	return
}()

// isASCII reports whether s is all ASCII, 8 bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lower8 lower-cases 8 ASCII bytes: a byte's high bit is set when it is
// >= 'A' and not > 'Z' (no carries between bytes: every byte is below
// 0x80), and moved to its 0x20 bit.
func lower8(x uint64) uint64 {
	const ones = 0x0101010101010101
	upper := (x + (0x80-'A')*ones) &^ (x + (0x80-'Z'-1)*ones) & (0x80 * ones)
	return x | upper>>2
}

// lowerASCII lower-cases ASCII b in place.
func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// appendLowerASCII appends ASCII s lower-cased, 8 bytes at a time.
func appendLowerASCII(dst []byte, s string) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(s))[:n+len(s)]
	out := dst[n:]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		binary.LittleEndian.PutUint64(out[i:], lower8(x))
	}
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return dst
}

// appendLower appends strings.ToLower(s) for valid UTF-8 s.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, sz := utf8.DecodeRuneInString(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += sz
	}
	return dst
}

// normChunk is how much text split normalises at a time: a long text is
// normalised only as far as its first max words need (the body's cap,
// MaxWords, is usually reached well before MaxTextBytes), in a buffer
// that stays small.
const normChunk = 16 << 10

// split normalises s (NFKC, lower case: ASCII text is its own NFKC form
// and is lowered 8 bytes at a time) and appends its words, at most max.
// It reports whether s had Han/kana text. The text is normalised and
// split a chunk (about normChunk bytes, cut by chunkEnd) at a time, and
// no more chunks are read once max words are in: the same words as for
// the whole text at once (FuzzSplitChunks).
func (ws *wordBuf) split(s string, max int) (cjk bool) {
	return ws.splitBy(s, max, normChunk)
}

// splitBy is split with chunks of about size bytes.
func (ws *wordBuf) splitBy(s string, max, size int) (cjk bool) {
	if s == "" || max <= 0 {
		return false
	}
	for len(s) > 0 && ws.len() < max {
		n := chunkEnd(s, size)
		if ws.splitChunk(s[:n], max) {
			cjk = true
		}
		s = s[n:]
	}
	if ws.len() > max {
		ws.ends = ws.ends[:max]
		ws.buf = ws.buf[:ws.ends[max-1]]
	}
	return cjk
}

// chunkEnd returns where the first chunk of s ends: len(s) if s is at
// most size bytes, otherwise the last cut at or before size, or failing
// that the first after it (len(s) if there is none). A cut is right
// after an ASCII space, tab, line feed, carriage return, form feed or
// vertical tab that an ASCII byte follows. Normalising and splitting the
// two sides apart gives what the whole gives: both bytes are starters
// that compose with nothing and decompose to themselves (so NFKC does not
// carry over the cut, and ToValidUTF8 replaces no run of bad bytes across
// it), lower-casing goes rune by rune, and no word, "$" word, "!" or
// Han/kana run holds a space.
func chunkEnd(s string, size int) int {
	if len(s) <= size {
		return len(s)
	}
	for i := size; i > 0; i-- {
		if s[i] < utf8.RuneSelf && asciiSpace(s[i-1]) {
			return i
		}
	}
	for i := size + 1; i < len(s); i++ {
		if s[i] < utf8.RuneSelf && asciiSpace(s[i-1]) {
			return i
		}
	}
	return len(s)
}

// splitChunk normalises s and appends its words, at most max (a few more
// may be appended: split cuts them off).
func (ws *wordBuf) splitChunk(s string, max int) (cjk bool) {
	// ASCII text is its own NFKC form; splitASCII lower-cases the words
	// as it copies them. A chunk with other bytes is cut where chunkEnd
	// cuts (the sides normalise and split as the whole does): the ASCII
	// stretches go to splitASCII, the stretches from the cut before a
	// non-ASCII byte to the cut after it to splitNorm (most text with a
	// few non-ASCII bytes, a no-break space or a quotation mark, is
	// mostly ASCII). FuzzSplitRef compares with main's whole-chunk path.
	for len(s) > 0 && ws.len() < max {
		q := firstNonASCII(s)
		if q == len(s) {
			ws.splitASCII(s, max)
			break
		}
		a := q
		for a > 0 && !(s[a] < utf8.RuneSelf && asciiSpace(s[a-1])) {
			a--
		}
		if a > 0 {
			ws.splitASCII(s[:a], max)
			if ws.len() >= max {
				break
			}
		}
		e := q + 1
		for e < len(s) && !(s[e] < utf8.RuneSelf && asciiSpace(s[e-1])) {
			e++
		}
		if ws.splitNorm(s[a:e], max) {
			cjk = true
		}
		s = s[e:]
	}
	return cjk
}

// firstNonASCII is the index of s's first byte above ASCII (len(s) if
// none), 8 bytes at a time.
func firstNonASCII(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8)) & swarHigh; x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// splitNorm is splitChunk for text with bytes above ASCII: normalised
// (NFKC, lower case) into ws.norm, then split rune by rune.
func (ws *wordBuf) splitNorm(s string, max int) (cjk bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	ws.nfkc = norm.NFKC.AppendString(ws.nfkc[:0], s)
	ws.norm = appendLower(ws.norm[:0], unsafe.String(unsafe.SliceData(ws.nfkc), len(ws.nfkc)))
	s = unsafe.String(unsafe.SliceData(ws.norm), len(ws.norm))
	i := 0
	for i < len(s) && ws.len() < max {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiClass[c]&cWord == 0 {
				i++
				continue
			}
			i = ws.word1(s, i)
			continue
		}
		r, sz := utf8.DecodeRuneInString(s[i:])
		switch {
		case isCJK(r):
			j := i + sz
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if !isCJK(r2) {
					break
				}
				j += sz2
			}
			cjk = true
			ws.appendCJK(s[i:j], max)
			i = j
		case isWordRune(r):
			i = ws.word1(s, i)
		default:
			i += sz
		}
	}
	return cjk
}

// splitASCII is splitChunk's loop (and word1) for a chunk that is all
// ASCII, lower-casing its words as they are copied (its words are those of
// the lower-cased chunk: case changes no byte's class): one class table
// lookup a byte, no rune decoding, and a word copied and lower-cased 8
// bytes at a time where the chunk has 16 bytes from the word's start
// (FuzzSplitASCII compares it with the general loop over the lower-cased
// chunk).
func (ws *wordBuf) splitASCII(s string, max int) {
	// The buffers in locals (written back at the end): through ws, every
	// word would load and store them again.
	buf, ends := ws.buf, ws.ends
	n := len(s)
	for i := 0; len(ends) < max; {
		for i < n && byteClass[s[i]]&cWord == 0 {
			i++
		}
		if i >= n {
			break
		}
		j := i + 1
		classes := byteClass[s[i]]
		for j < n {
			cl := byteClass[s[j]]
			if cl&cWord != 0 {
				classes |= cl
				j++
				continue
			}
			if cl&cInner != 0 && j+1 < n && byteClass[s[j+1]]&cWord != 0 {
				j++
				continue
			}
			break
		}
		// As in word1: "$" kept, single letters and digits left out,
		// digit runs collapsed, long words replaced.
		dollar := i > 0 && s[i-1] == '$'
		wl := j - i
		nw := wl
		if dollar {
			nw++
		}
		if nw >= 2 {
			lo := len(buf)
			if classes&cDigit != 0 {
				if dollar {
					buf = append(buf, '$')
				}
				buf = appendCollapsed(buf, s[i:j])
				if classes&cUpper != 0 {
					lowerASCII(buf[lo:])
				}
			} else {
				if cap(buf)-lo < nw+copySlack {
					buf = slices.Grow(buf, nw+copySlack)
				}
				p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(buf)), lo)
				if dollar {
					*(*byte)(p) = '$'
					p = unsafe.Add(p, 1)
				}
				if i+16 <= n && i+wl+7 <= n {
					// copy8 reads up to 16 bytes, or wl rounded up to
					// 8: all in s (ASCII, so its SWAR lowering holds).
					copy8(p, unsafe.Pointer(unsafe.StringData(s[i:])), wl)
					for off := 0; off < wl && classes&cUpper != 0; off += 8 {
						q := (*uint64)(unsafe.Add(p, off))
						*q = lower8(*q)
					}
				} else {
					for k := 0; k < wl; k++ {
						c := s[i+k]
						if 'A' <= c && c <= 'Z' {
							c += 'a' - 'A'
						}
						*(*byte)(unsafe.Add(p, k)) = c
					}
				}
				buf = buf[:lo+nw]
			}
			if nw > MaxTokenLen {
				w := buf[lo:]
				long := appendLongToken(buf[len(buf):], unsafe.String(unsafe.SliceData(w), len(w)))
				buf = append(buf[:lo], long...)
			}
			ends = append(ends, int32(len(buf)))
		}
		if j < n && s[j] == '!' {
			buf = append(buf, '!')
			ends = append(ends, int32(len(buf)))
		}
		i = j
	}
	ws.buf, ws.ends = buf, ends
}

// byteClass is asciiClass over all bytes (none above ASCII in a class),
// with cUpper.
var byteClass = func() (t [256]uint8) {
	copy(t[:], asciiClass[:])
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= cUpper
	}
	return
}()

// word1 appends the word starting at s[i] (a word rune) and returns where
// it ends: letters and digits, with . - ' _ @ between two of them.
func (ws *wordBuf) word1(s string, i int) int {
	j := i
	ascii := true
	var classes uint8 // of the ASCII bytes (cDigit: the word has digits)
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			cl := asciiClass[c]
			if cl&cWord != 0 || cl&cInner != 0 && j+1 < len(s) && nextIsWord(s[j+1:]) {
				classes |= cl
				j++
				continue
			}
			break
		}
		r2, sz2 := utf8.DecodeRuneInString(s[j:])
		if !isWordRune(r2) {
			break
		}
		ascii = false
		j += sz2
	}
	// A "$" or "!" right next to a word is telling in spam.
	dollar := i > 0 && s[i-1] == '$'
	w := s[i:j]
	n := len(w)
	if !ascii {
		n = utf8.RuneCountInString(w)
	}
	if dollar {
		n++
	}
	// Single Latin letters and digits carry nothing; single letters of
	// other alphabets (Hangul syllables, Cyrillic) are kept.
	if n >= 2 || !ascii && firstRune(w) >= 0x250 {
		lo := len(ws.buf)
		if dollar {
			ws.buf = append(ws.buf, '$')
		}
		if classes&cDigit != 0 {
			ws.buf = appendCollapsed(ws.buf, w)
		} else {
			ws.buf = append(ws.buf, w...) // (nothing to collapse)
		}
		if n > MaxTokenLen {
			// The stand-in is appended after the word and moved over it:
			// the word's bytes are not written while it is read (an
			// append that grows the buffer leaves them in the old one).
			w := ws.buf[lo:]
			long := appendLongToken(ws.buf[len(ws.buf):], unsafe.String(unsafe.SliceData(w), len(w)))
			ws.buf = append(ws.buf[:lo], long...)
		}
		ws.push()
	}
	if j < len(s) && s[j] == '!' {
		ws.pushString("!")
	}
	return j
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func nextIsWord(s string) bool {
	if c := s[0]; c < utf8.RuneSelf {
		return asciiClass[c]&cWord != 0
	}
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

// appendCollapsed appends s with every run of ASCII digits replaced by
// one "0".
func appendCollapsed(dst []byte, s string) []byte {
	prev := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' {
			if !prev {
				dst = append(dst, '0')
			}
			prev = true
			continue
		}
		prev = false
		dst = append(dst, c)
	}
	return dst
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) && !isCJK(r)
}

func isInner(r rune) bool { return r == '.' || r == '-' || r == '\'' || r == '_' || r == '@' }

// isCJK reports whether r is Han, Hiragana or Katakana (or a mark used
// inside such words: the prolonged sound mark, iteration marks).
func isCJK(r rune) bool {
	if r < 0x3000 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		r == 0x30fc || r == 0x3005 || r == 0x309d || r == 0x309e || r == 0x30fd || r == 0x30fe
}

var (
	kagomeOnce sync.Once
	kagome     *ktok.Tokenizer
)

// Segmenter returns the shared kagome tokenizer, loading the IPA
// dictionary on first use (about a second and ~100 MB).
//
// What the tokenizer never reads is dropped once loaded: the
// part-of-speech table, one slice of part-of-speech ids for each of the
// dictionary's 392,127 entries (12.5 MB of the 30 MB it takes in the
// heap), and their names. Segmenting (the lattice in Normal mode) reads
// only the entries' costs and connection ids, the index, the connection
// table and the character classes, and sekisho reads only a token's
// Surface and Class: its POS, Features and the like must not be asked
// for (they index the dropped table). The dictionary is shared
// (ipa.DictShrink); only this package uses it.
// TestTrimmedDictSameTokens compares with the untouched dictionary.
func segmenter() *ktok.Tokenizer {
	kagomeOnce.Do(func() {
		d := ipa.DictShrink()
		d.POSTable.POSs, d.POSTable.NameList = nil, nil
		t, err := ktok.New(d, ktok.OmitBosEos())
		if err == nil {
			kagome = t
		}
	})
	return kagome
}

// Preload loads the dictionary now instead of at the first Japanese
// message (the daemon, at start, when little else is in memory).
func Preload() { segmenter() }

// Loaded reports whether the dictionary has been loaded (tests).
func Loaded() bool { return kagome != nil }

// appendCJK segments a run of Han/kana into words.
func (ws *wordBuf) appendCJK(run string, max int) {
	seg := segmenter()
	for len(run) > 0 && ws.len() < max {
		chunk := run
		if len(chunk) > MaxCJKRun && utf8.RuneCountInString(chunk) > MaxCJKRun {
			n := 0
			for i := range chunk {
				if n == MaxCJKRun {
					chunk = chunk[:i]
					break
				}
				n++
			}
		}
		run = run[len(chunk):]
		if seg == nil {
			// No dictionary: character bigrams still generalise.
			for i := 0; i < len(chunk) && ws.len() < max; {
				_, sz1 := utf8.DecodeRuneInString(chunk[i:])
				if i+sz1 >= len(chunk) {
					break
				}
				_, sz2 := utf8.DecodeRuneInString(chunk[i+sz1:])
				ws.pushString(chunk[i : i+sz1+sz2])
				i += sz1
			}
			continue
		}
		for _, t := range seg.Analyze(chunk, ktok.Normal) {
			w := t.Surface
			if w == "" || t.Class == ktok.DUMMY {
				continue
			}
			n := utf8.RuneCountInString(w)
			// Single hiragana are particles and endings (は, が, を, の):
			// noise on their own, and the bigrams keep their context.
			if n == 1 && unicode.Is(unicode.Hiragana, firstRune(w)) {
				continue
			}
			if n > MaxTokenLen {
				ws.buf = appendLongToken(ws.buf, w)
				ws.push()
			} else {
				ws.pushString(w)
			}
			if ws.len() >= max {
				break
			}
		}
	}
}

// charGrams adds the character n-grams of the first 3,000 runes of s
// (normalised as words are; whitespace runs collapsed).
func (b *builder) charGrams(s string, n int) {
	// Only the start is used: normalise no more than it can need (NFKC
	// rarely expands a rune by more than a few bytes).
	if len(s) > 3000*utf8.UTFMax {
		i := 3000 * utf8.UTFMax
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = strings.ToLower(norm.NFKC.String(s))
	rs := make([]rune, 0, 3000)
	sp := false
	for _, r := range s {
		if len(rs) >= 3000 {
			break
		}
		if unicode.IsSpace(r) {
			if sp {
				continue
			}
			sp, r = true, ' '
		} else {
			sp = false
		}
		rs = append(rs, r)
	}
	for i := 0; i+n <= len(rs); i++ {
		b.add("c:" + string(rs[i:i+n]))
	}
}
