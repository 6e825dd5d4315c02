package mail

import "testing"

// plainValueRef is plainValue before it skipped plainPrefix8's words: a
// byte at a time (the oracle).
func plainValueRef(val string) bool {
	for i := 0; i < len(val); i++ {
		if textSpecial[val[i]] {
			return false
		}
	}
	return true
}

func FuzzPlainValue(f *testing.F) {
	for _, s := range []string{"", "a", "http://example.com/x?a=1&b=2", "0123456789abcdef", "01234567\r", "0123456\x00",
		"&amp;", "color: red; display:none", "01234567012345670123456&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainValue(s), plainValueRef(s); got != want {
			t.Fatalf("plainValue(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestPlainValueBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 19; pos++ {
			b := []byte("abcdefghijklmnopqrs")
			b[pos] = byte(c)
			for _, s := range []string{string(b), string(b[:pos+1]), string(b[pos:])} {
				if got, want := plainValue(s), plainValueRef(s); got != want {
					t.Fatalf("plainValue(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
