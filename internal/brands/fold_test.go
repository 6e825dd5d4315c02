package brands

import (
	"strings"
	"testing"
	"unicode/utf8"
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
		_ = strings.ToLower(s)
	})
}
