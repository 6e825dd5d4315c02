package content

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestCaselessRanges: every rune normalizeAny keeps at once (caseless)
// would have been kept by the rune-by-rune path: not white space, not
// one of the removed zero-width characters, its own lower case.
func TestCaselessRanges(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !caseless(r) {
			continue
		}
		n++
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f':
			t.Fatalf("%U is removed", r)
		}
		if unicode.IsSpace(r) || unicode.ToLower(r) != r || !utf8.ValidRune(r) {
			t.Fatalf("%U is not kept as it is", r)
		}
	}
	if n == 0 {
		t.Fatal("no caseless rune")
	}
}

// TestCompactEveryRune compares compactString with strings.Map for every
// rune alone and between other text.
func TestCompactEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		for _, x := range []string{s, "a" + s + "b", "日" + s + s + " x", s + "\u3000"} {
			if got, want := compactString(x), compactMap(x); got != want {
				t.Fatalf("compactString(%q) = %q, want %q", x, got, want)
			}
		}
	}
}

var compactSeeds = []string{"", " ", "a b", "日本　語", "x\u00a0y\u0085z", "\u2028\u2029\u202f\u205f\u1680", "\xff a", "\xe3\x80", "a\tb\nc\rd\fe\vf", "全角\u3000空白", "\u2000\u200a\u200b"}

func TestCompactSeeds(t *testing.T) {
	for _, s := range compactSeeds {
		if got, want := compactString(s), compactMap(s); got != want {
			t.Errorf("compactString(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := compactString(s), compactMap(s); got != want {
			t.Fatalf("compactString(%q) = %q, want %q", s, got, want)
		}
		n := Normalize(s)
		if got, want := compactString(n), compactMap(n); got != want {
			t.Fatalf("compactString(%q) = %q, want %q", n, got, want)
		}
	})
}
