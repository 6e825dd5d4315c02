package tokenize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	ktok "github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

// The word splitter before the buffer-reusing rewrite (issue 17), kept to
// prove the rewrite splits every text the same way.

func wordsRef(s string, max int) []string {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFKC.String(s)
	s = strings.ToLower(s)
	var out []string
	i := 0
	for i < len(s) && len(out) < max {
		r, sz := utf8.DecodeRuneInString(s[i:])
		switch {
		case isCJK(r):
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if !isCJK(r2) {
					break
				}
				j += sz2
			}
			out = appendCJKRef(out, s[i:j], max)
			i = j
		case isWordRune(r):
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) || (isInner(r2) && j+sz2 < len(s) && nextIsWordRef(s[j+sz2:])) {
					j += sz2
					continue
				}
				break
			}
			w := s[i:j]
			if i > 0 && s[i-1] == '$' {
				w = "$" + w
			}
			if w = normWordRef(w); w != "" {
				out = append(out, w)
			}
			if j < len(s) && s[j] == '!' {
				out = append(out, "!")
			}
			i = j
		default:
			i += sz
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}

func nextIsWordRef(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

func normWordRef(w string) string {
	n := utf8.RuneCountInString(w)
	if n < 2 {
		r, _ := utf8.DecodeRuneInString(w)
		if r < 0x250 {
			return ""
		}
	}
	w = collapseDigits(w)
	if n > MaxTokenLen {
		return longToken(w)
	}
	return w
}

func appendCJKRef(out []string, run string, max int) []string {
	seg := segmenter()
	for len(run) > 0 && len(out) < max {
		chunk := run
		if utf8.RuneCountInString(chunk) > MaxCJKRun {
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
			rs := []rune(chunk)
			for i := 0; i+1 < len(rs) && len(out) < max; i++ {
				out = append(out, string(rs[i:i+2]))
			}
			continue
		}
		for _, t := range seg.Analyze(chunk, ktok.Normal) {
			w := t.Surface
			if w == "" || t.Class == ktok.DUMMY {
				continue
			}
			if utf8.RuneCountInString(w) == 1 {
				r, _ := utf8.DecodeRuneInString(w)
				if unicode.Is(unicode.Hiragana, r) {
					continue
				}
			}
			if utf8.RuneCountInString(w) > MaxTokenLen {
				w = longToken(w)
			}
			out = append(out, w)
			if len(out) >= max {
				break
			}
		}
	}
	return out
}

var wordsSeeds = []string{"", "hello world", "東京都に住んでいます", "ｱｶｳﾝﾄ ＦＲＥＥ $100!", "a.b-c'd_e@f", "\xff\xfe\x00",
	strings.Repeat("あ", 3000), "x\u0301\u0302 y", "ー々ゝ", "$a $5 ab! a! $x!! x.-y a..b a.", "Ünïcödé ÀÉÎ ǅ ß İ",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~@ 0123456789",
	strings.Repeat("Verylongwordwithnospaces12345", 3) + " " + strings.Repeat("é", 40) + " x" + strings.Repeat("1", 40),
	"mixed ASCII 関所 and Ｖｉａｇｒａ now $5 only! a_b'c-d@e.f", "\u00a0\u2028 tab\tnew\nline", "ﬁ ﬂ Ⅻ ㈱ ①"}

// FuzzWordsReference: the word splitter agrees with the reference.
func FuzzWordsReference(f *testing.F) {
	for _, s := range wordsSeeds {
		f.Add(s, 200)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max&1023 + 1
		got, want := Words(s, max), wordsRef(s, max)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("Words(%q, %d) = %q, want %q", s, max, got, want)
		}
	})
}
