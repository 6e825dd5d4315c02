package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// lowerIsMain is lowerIs as on main, FuzzLowerIsMain's reference: it
// reports whether strings.ToLower(s) == low, without building the
// lower-cased string when s is ASCII.
func lowerIsMain(s, low string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(s) == low
		}
	}
	if len(s) != len(low) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != low[i] {
			return false
		}
	}
	return true
}

// FuzzLowerIsMain: lowerIs answers as main's did, for field names and
// the names content looks up.
func FuzzLowerIsMain(f *testing.F) {
	for _, s := range []string{"In-Reply-To", "in-reply-to", "References", "REFERENCES", "Referenceſ", "\u212aey", "in-reply-to\xff", "In-Reply-Tö", "x", ""} {
		f.Add(s, "in-reply-to")
		f.Add(s, "references")
		f.Add(s, "key")
	}
	f.Fuzz(func(t *testing.T, s, low string) {
		if got, want := lowerIs(s, low), lowerIsMain(s, low); got != want {
			t.Fatalf("lowerIs(%q, %q) = %v, main %v", s, low, got, want)
		}
	})
}
