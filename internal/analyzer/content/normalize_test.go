package content

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalizeRef is Normalize as first written (rune by rune, no ASCII
// path): the fast paths must give the same text.
func normalizeRef(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f':
			continue
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return foldMixedWords(b.String())
}

var normalizeSeeds = []string{"", "a", "Hello  World\r\n\tX", "already lower", "trailing  ", " lead", "\v\f",
	"ＦＵＬＬ　ｗｉｄｔｈ", "vеrify", "pay\u200bpal", "ﾊﾝｶｸ", "日本語 の テキスト", "\xff\xfe bad", "A\u00a0B\u0085C", "İstanbul K", "a  b\t\tC  D ", "\n\nX", "ABC", "a b c", "x \ty", "\xe3\x80", "\xef\xbf\xbf日"}

func TestNormalizeFastPaths(t *testing.T) {
	for _, s := range normalizeSeeds {
		if got, want := Normalize(s), normalizeRef(s); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Normalize(s), normalizeRef(s); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

func hasCJKRef(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

func FuzzHasCJK(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if hasCJK(s) != hasCJKRef(s) {
			t.Fatalf("hasCJK(%q) = %v", s, hasCJK(s))
		}
	})
}

func TestNeedsCJK(t *testing.T) {
	for p, want := range map[string]bool{
		`返信`: true, `re|返信`: false, `\d[\d,.]* ?(万|億) ?(米)?(ドル|ユーロ)`: true, `(米)?ドル`: true,
		`(米)?`: false, `[ぁ-ん]+`: true, `[ぁ-んa]`: false, `abc`: false, `(?i)ｋ`: true, `x{0,2}日`: true, `日{0,2}`: false,
	} {
		if got := needsCJK(p); got != want {
			t.Errorf("needsCJK(%q) = %v, want %v", p, got, want)
		}
	}
}

// FuzzNeedsCJK: a regex said to need a CJK character matches no text
// without one.
func FuzzNeedsCJK(f *testing.F) {
	f.Add(`(万|億)ドル`, "1 万ドル")
	f.Add(`(?i)ｋ+`, "K")
	f.Add(`[一-龯]{2}`, "ab")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil || !needsCJK(pattern) {
			return
		}
		if re.MatchString(text) && !hasCJK(text) {
			t.Fatalf("%q matches %q, which has no CJK character", pattern, text)
		}
	})
}
