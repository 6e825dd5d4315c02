package received

import (
	"strings"
	"testing"
)

// The byte-at-a-time tokenize that wordEnd and commentEnd replaced,
// kept to hold the eight-at-a-time scans to it.

var tokEndOld = [256]bool{' ': true, '\t': true, '\r': true, '\n': true, '(': true}

var comSpecialOld = [256]bool{'\\': true, '(': true, ')': true}

func tokenizeOld(dst []token, s string) []token {
	out := dst
	i := 0
	for i < len(s) && len(out)-len(dst) < 256 {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			j := i
			for ; j < len(s); j++ {
				if !comSpecialOld[s[j]] {
					continue
				}
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := j
			if end > len(s) {
				end = len(s)
			}
			out = append(out, token{s: s[i+1 : end], comment: true})
			i = end + 1
		default:
			j := i + 1
			for j < len(s) && !tokEndOld[s[j]] {
				j++
			}
			out = append(out, token{s: s[i:j]})
			i = j
		}
	}
	return out
}

func sameTokens(t *testing.T, s string) {
	t.Helper()
	got, want := tokenize(nil, s), tokenizeOld(nil, s)
	if len(got) != len(want) {
		t.Fatalf("tokenize(%q): %d tokens, want %d", s, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("tokenize(%q)[%d] = %+v, want %+v", s, i, got[i], want[i])
		}
	}
}

func FuzzTokenizeOld(f *testing.F) {
	for _, s := range []string{
		"", "(", ")", "\\", "(\\", "a(b", "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTPS id abc123 for <u@example.net>; Mon, 7 Dec 2026 16:09:09 +0000",
		"(a (nested \\) comment) still) after", "((((((((((((x", "abcdefghijklmnopq(rstuvwxyz", "abcdefgh#\"!$%&'", "\xff\xfeabcdefgh\x80(\x29",
		"from x\r\n\tby y\r\n        (Postfix) with SMTP", "(abcdefg\\)hijklmnop)", "(abcdefghijklmno\\",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameTokens(t, s) })
}

// TestTokenizeEveryPosition puts each byte the scans act on (and some
// near them) at every offset of words and comments of up to 24 bytes.
func TestTokenizeEveryPosition(t *testing.T) {
	specials := []byte{' ', '\t', '\r', '\n', '(', ')', '\\', '\'', '!', '#', 0, 0x28 - 1, 0x29, 0x2a, 0x5b, 0x5d, 0x80, 0xff}
	for n := 0; n <= 24; n++ {
		for _, pre := range []string{"", "x", "(", "a (", "ab \\"} {
			b := []byte(pre + strings.Repeat("a", n))
			sameTokens(t, string(b))
			for i := len(pre); i < len(b); i++ {
				for _, c := range specials {
					old := b[i]
					b[i] = c
					sameTokens(t, string(b))
					sameTokens(t, string(b)+")")
					sameTokens(t, string(b)+" tail")
					b[i] = old
				}
			}
		}
	}
}
