package brands

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// foldSamples are strings the fold table must skeletonise exactly as the
// confusable package does: combining marks in and out of order, NFD
// text, kana with voicing marks, Hangul, invalid UTF-8, runes above the
// cache.
var foldSamples = []string{
	"", "Micros0ft", "rnicrosoft", "mіcrosoft", "PayPaI", "vvvv", "v|v", "Amܿazܿon", "ltaucard", "Iedger",
	"café", "cafe\u0301", "e\u0315\u0300", "a\u0300\u0315b", "\u0301abc", "が", "か\u3099", "ｶﾞｲﾄﾞ", "한국어", "\u1100\u1161",
	"ǅ", "İstanbul", "ß", "ﬁ", "Ω", "\u212a", "\u0345", "\xff\xfeabc", "a\x80", "𝐀𝐁𝐂", "\U0002000b", "\U000e0041x",
	"\t\n\r ", "%\"`|", "Ⓜicrosoft", "ＡＭＡＺＯＮ", "楽天 カード", "三井住友カード", "ǰ\u0323", "\u0f73\u0f75", "ア\u0308\u0301",
}

func TestSkeletonTable(t *testing.T) {
	for _, s := range foldSamples {
		if got, want := Skeleton(s), skeletonRef(s); got != want {
			t.Errorf("Skeleton(%q) = %q, want %q", s, got, want)
		}
		if got, want := claimSkeleton(s), claimSkeletonRef(s); got != want {
			t.Errorf("claimSkeleton(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestSkeletonEveryRune checks every rune of the cached planes alone,
// after a letter and before a combining mark.
func TestSkeletonEveryRune(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for r := rune(0); r < foldCacheLimit+0x100; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r), string(r) + "\u0301", "m" + string(r) + "\u0315\u0300v"} {
			if got, want := Skeleton(s), skeletonRef(s); got != want {
				t.Fatalf("Skeleton(%q) = %q, want %q", s, got, want)
			}
			if got, want := claimSkeleton(s), claimSkeletonRef(s); got != want {
				t.Fatalf("claimSkeleton(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

func FuzzSkeleton(f *testing.F) {
	for _, s := range foldSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 512 {
			s = s[:512]
		}
		if got, want := Skeleton(s), skeletonRef(s); got != want {
			t.Fatalf("Skeleton(%q) = %q, want %q", s, got, want)
		}
		if got, want := claimSkeleton(s), claimSkeletonRef(s); got != want {
			t.Fatalf("claimSkeleton(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzPlainLDH: the IDNA shortcut gives what idna.Lookup gives.
func FuzzPlainLDH(f *testing.F) {
	for _, s := range []string{"example.com", "a--b.jp", "-a.com", "a..b", ".a", "a.", "xn--pypal-4ve.com", "1.2.3.4", strings.Repeat("a", 70) + ".com", "", "-", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainLDH(s) {
			return
		}
		if a, err := idna.Lookup.ToASCII(s); err == nil && a != "" && a != s {
			t.Fatalf("ToASCII(%q) = %q", s, a)
		}
		if u, err := idna.Lookup.ToUnicode(s); err == nil && u != "" && u != s {
			t.Fatalf("ToUnicode(%q) = %q", s, u)
		}
	})
}

// FuzzKeywordsIn: the keyword index finds every keyword addedWord accepts.
func FuzzKeywordsIn(f *testing.F) {
	for _, s := range []string{"rnicrosoft-support", "arnazon", "smbc-card-secure", "paypal", "", "x"} {
		f.Add(s)
	}
	ix := catalogue().ix
	f.Fuzz(func(t *testing.T, s string) {
		hs := Skeleton(s)
		got := ix.keywordsIn(hs, nil)
		for k, kw := range ix.keywords {
			if addedWord(hs, kw.skel) && !slices.Contains(got, int32(k)) {
				t.Fatalf("%q: keyword %q not found", hs, kw.skel)
			}
		}
	})
}

// TestConcurrentLookups: the fold cache and the answer memos are shared
// between goroutines (run with -race).
func TestConcurrentLookups(t *testing.T) {
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i, s := range foldSamples {
				if Skeleton(s) != skeletonRef(s) {
					t.Errorf("Skeleton(%q) differs", s)
				}
				Claimed(s + " Amazon")
				MatchLookalike(fmt.Sprintf("micros0ft-%d-%d.com", g, i), []string{"example.co.jp"})
			}
		}(g)
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

// FuzzFoldTextLower: the one-pass fold gives what the plain fold
// (foldTextRef, NFKC then a rune loop) and lowerSameLen give.
func FuzzFoldTextLower(f *testing.F) {
	for _, s := range append(foldSamples, "  İstanbul ’s\u3000KAGOYA  ", "\xe3\x81\n\n\x82", "\u212a\u2126 ẞ ǅ", "a\u00a0\u2028b `x`") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, l := foldTextLower(s, true)
		if wc := foldTextRef(s); c != wc {
			t.Fatalf("cased %q, want %q", c, wc)
		}
		if wl := lowerSameLen(c); l != wl {
			t.Fatalf("lower %q, want %q", l, wl)
		}
	})
}

// foldTextRef is foldText as it was before the fold table and the ASCII
// fast path: NFKC with curly apostrophes made straight and spaces
// collapsed, case kept (the reference FuzzFoldTextLower holds them to).
func foldTextRef(s string) string {
	s = norm.NFKC.String(s)
	b := make([]byte, 0, len(s))
	space := true // drop leading spaces
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch c {
			case ' ', '\t', '\n', '\r', '\v', '\f':
				if !space {
					b = append(b, ' ')
					space = true
				}
				continue
			case '`':
				c = '\''
			}
			b = append(b, c)
			space = false
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsSpace(r):
			if !space {
				b = append(b, ' ')
				space = true
			}
			continue
		case r == '’' || r == '‘' || r == '‛':
			b = append(b, '\'')
		default:
			b = append(b, s[i-n:i]...)
		}
		space = false
	}
	if len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}
