package content

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func compactOld(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func normalizeAnyOld(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	run := 0 // start of the bytes not yet written, which stay as they are
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			switch asciiClass[c] {
			case clsPlain:
				space = false
				i++
				continue
			case clsUpper:
				b.WriteString(s[run:i])
				b.WriteByte(c + 'a' - 'A')
				space = false
			default: // white space
				if c == ' ' && !space {
					space = true
					i++
					continue
				}
				b.WriteString(s[run:i])
				if !space {
					b.WriteByte(' ')
				}
				space = true
			}
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f':
			b.WriteString(s[run:i])
			i += n
			run = i
			continue
		}
		if unicode.IsSpace(r) {
			b.WriteString(s[run:i])
			if !space {
				b.WriteByte(' ')
			}
			space = true
			i += n
			run = i
			continue
		}
		space = false
		l := unicode.ToLower(r)
		if l == r && (r != utf8.RuneError || n > 1) {
			i += n // the same bytes (an invalid byte becomes U+FFFD)
			continue
		}
		b.WriteString(s[run:i])
		b.WriteRune(l)
		i += n
		run = i
	}
	if run == 0 {
		return foldMixedWords(s) // nothing changed
	}
	b.WriteString(s[run:])
	return foldMixedWords(b.String())
}

var revSeeds = []string{"", " ", "日本語 テスト", "ＡＢＣ　ｄｅｆ", "한국어 ABC", "\u3000\u3041\u9fff\uac00\ud7a3\ud7a4", "x\u200by", "\xff\xe3\x80", "Ǆ ǅ ǆ", "\u3099\u309a\u30fb\u3190\u32d0\u3300", "ｶﾀｶﾅ", "㍿㋿", "ß ΣΑΣ", "\u00a0\u0085\u1680\u2028"}

func FuzzNormalizeAnyMatchesOld(f *testing.F) {
	for _, s := range revSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalizeAny(s), normalizeAnyOld(s); got != want {
			t.Fatalf("normalizeAny(%q) = %q, old %q", s, got, want)
		}
		if got, want := compactString(s), compactOld(s); got != want {
			t.Fatalf("compactString(%q) = %q, old %q", s, got, want)
		}
	})
}

func FuzzCompactMatchesOld(f *testing.F) {
	for _, s := range revSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := compactString(s), compactOld(s); got != want {
			t.Fatalf("compactString(%q) = %q, old %q", s, got, want)
		}
		n := normalizeAny(s)
		if got, want := compactString(n), compactOld(n); got != want {
			t.Fatalf("compactString(%q) = %q, old %q", n, got, want)
		}
	})
}

// Exhaustive: every rune alone and in context, old vs new normalizeAny.
func TestNormalizeAnyEveryRuneMatchesOld(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		for _, x := range []string{s, "A" + s + "b", "日" + s + s + " x", s + "\u3000", "\u200b" + s} {
			if got, want := normalizeAny(x), normalizeAnyOld(x); got != want {
				t.Fatalf("normalizeAny(%q) = %q, old %q", x, got, want)
			}
		}
	}
	_ = norm.NFKC
}
