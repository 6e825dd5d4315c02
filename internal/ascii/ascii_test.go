package ascii

import (
	"strings"
	"testing"
)

// asciiLower lower-cases only ASCII letters (the reference).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func FuzzFold(f *testing.F) {
	for _, s := range [][2]string{{"HELO x", "helo"}, {"Ehlo", "ehlo"}, {"\u212a", "k"}, {"", ""}, {"abc", "abcd"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		p = asciiLower(p)
		if got, want := HasPrefixLower(s, p), strings.HasPrefix(asciiLower(s), p); got != want {
			t.Fatalf("HasPrefixLower(%q, %q) = %v", s, p, got)
		}
		if got, want := EqualLower(s, p), asciiLower(s) == p; got != want {
			t.Fatalf("EqualLower(%q, %q) = %v", s, p, got)
		}
	})
}

func TestAppendLower(t *testing.T) {
	for _, s := range []string{"", "ABC xyz", "Ärger É", "\xff@[`{Z", "件名 SUBJECT"} {
		if got, want := string(AppendLower([]byte("pre:"), s)), "pre:"+asciiLower(s); got != want {
			t.Errorf("AppendLower(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzAppendLower: the eight-byte steps lower-case as the byte loop
// does, at every alignment and with any bytes before.
func FuzzAppendLower(f *testing.F) {
	for _, s := range []string{"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "@[`{\x00\x7f\x80\xc1\xda\xdb\xff", "Ärger ÉTÉ ÀÉ", "件名 SUBJECT of the MAIL"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, pre int) {
		p := make([]byte, pre&15, 32)
		for i := range p {
			p[i] = 'A' + byte(i)
		}
		want := string(p) + asciiLower(s) // before the call: the prefix must stay upper-case
		if got := string(AppendLower(p, s)); got != want {
			t.Fatalf("AppendLower(%q, %q) = %q, want %q", p, s, got, want)
		}
	})
}

// TestAppendLowerBytes lower-cases every byte value at every offset of
// a word.
func TestAppendLowerBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		for at := 0; at < 17; at++ {
			b := []byte(strings.Repeat("Q", 17))
			b[at] = byte(c)
			s := string(b)
			if got, want := string(AppendLower(nil, s)), asciiLower(s); got != want {
				t.Fatalf("AppendLower(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

func FuzzIs(f *testing.F) {
	for _, s := range []string{"", "abc", "abcdefgh", "abcdefgh\x80", "\x80abcdefgh", "件名", "abcdefghijklmnop\xff", "abcdefghijklmnopqrstuvw\x80", "abcdefghijklmno\x80qrstuvwx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				want = false
			}
		}
		if Is(s) != want {
			t.Fatalf("Is(%q) = %v", s, !want)
		}
	})
}

// TestIsEveryPosition puts one non-ASCII byte at every offset of every
// length up to 40, across the 16-byte, 8-byte and byte-tail loops.
func TestIsEveryPosition(t *testing.T) {
	for n := 0; n <= 40; n++ {
		b := []byte(strings.Repeat("a", n))
		if !Is(string(b)) {
			t.Fatalf("Is(%d a's) = false", n)
		}
		for i := 0; i < n; i++ {
			for _, c := range []byte{0x80, 0xff} {
				b[i] = c
				if Is(string(b)) {
					t.Fatalf("Is(%q) = true", b)
				}
				b[i] = 'a'
			}
		}
	}
}
