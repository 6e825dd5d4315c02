package received

import (
	"slices"
	"strings"
	"testing"
)

// sameTokens holds tokenize (comments eight bytes at a time, words on
// one compare a byte) to tokenizeRef, the byte-at-a-time form it had.
func sameTokens(t *testing.T, s string) {
	t.Helper()
	var got []tokenRef
	for _, tk := range tokenize(nil, s) {
		got = append(got, tokenRef{tk.s, tk.comment})
	}
	if want := tokenizeRef(s); !slices.Equal(got, want) {
		t.Fatalf("tokenize(%q) = %+v, want %+v", s, got, want)
	}
}

func FuzzTokenizeRef(f *testing.F) {
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
