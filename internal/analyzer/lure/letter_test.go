package lure

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// letterCountRef is letterCount rune by rune.
func letterCountRef(s string, max int) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
			if n >= max {
				break
			}
		}
	}
	return n
}

// FuzzLetterCount: the table lookup for ASCII counts as the rune by rune
// count does.
func FuzzLetterCount(f *testing.F) {
	f.Add("Hello, World 123 ×÷ élan 日本語 ١٢٣ \xff\xfe", 5)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		for _, m := range []int{max, 1, 3, 100000} {
			if got, want := letterCount(s, m), letterCountRef(s, m); got != want {
				t.Fatalf("letterCount(%q, %d) = %d, want %d", s, m, got, want)
			}
		}
	})
}

var letterText = strings.Repeat("Dear customer, your parcel #4471 is waiting — confirm delivery at the link below. ", 40) + "Ihr Paket wartet: Bestätigen Sie die Zustellung. お荷物をお預かりしています。"

// BenchmarkLetterCount counts the letters of a mostly ASCII text (as
// checkShape does with the hidden text) with the table and rune by rune.
func BenchmarkLetterCount(b *testing.B) {
	for _, c := range []struct {
		name string
		f    func(string, int) int
	}{{"table", letterCount}, {"runes", letterCountRef}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(letterText)))
			for i := 0; i < b.N; i++ {
				c.f(letterText, 100000)
			}
		})
	}
}

// letterCountMain is letterCount as on main, character by character:
// FuzzLetterCountMain's reference.
func letterCountMain(s string, max int) int {
	n := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if !asciiAlnum[c] {
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
		}
		n++
		if n >= max {
			break
		}
	}
	return n
}

// FuzzLetterCountMain: letterCount, eight ASCII bytes at a time, counts
// as main's character by character does.
func FuzzLetterCountMain(f *testing.F) {
	f.Add("Hello, World 123 ×÷ élan 日本語 ١٢٣ \xff\xfe@[`{/:AZaz09_", 5)
	f.Add("abcdefgh", 8)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		for _, m := range []int{max, -1, 0, 1, 3, 7, 8, 9, 250, 100000} {
			if got, want := letterCount(s, m), letterCountMain(s, m); got != want {
				t.Fatalf("letterCount(%q, %d) = %d, main %d", s, m, got, want)
			}
		}
	})
}

// TestAlnum8 holds alnum8 to the table on every ASCII byte in every lane.
func TestAlnum8(t *testing.T) {
	for c := 0; c < 0x80; c++ {
		for lane := 0; lane < 8; lane++ {
			u := uint64(c)<<(8*lane) | 0x2e2e2e2e2e2e2e2e&^(0xff<<(8*lane))
			want := uint64(0)
			if asciiAlnum[c] {
				want = 1 << (8 * lane)
			}
			if got := alnum8(u); got != want {
				t.Fatalf("alnum8 of %#x in lane %d: %#x, want %#x", c, lane, got, want)
			}
		}
	}
}
