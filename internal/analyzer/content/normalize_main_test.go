package content

import (
	"strings"
	"testing"
)

// normalizeASCIIMain is normalizeASCII as on main before the eight-byte
// blocks (byte by byte through a strings.Builder): the reference of
// FuzzNormalizeASCIIMain.
func normalizeASCIIMain(s string) (_ string, ok bool) {
	// The clean prefix: lower case, single spaces (main's loop, now
	// cleanFrom).
	i, space := cleanFrom(s, 0, false)
	if i == len(s) {
		return s, true
	}
	if !asciiFrom(s, i) {
		return "", false // before the builder: normalizeAny builds its own
	}
	var b strings.Builder
	b.Grow(len(s))
	run := 0 // start of the bytes not yet written, which stay as they are
	for ; i < len(s); i++ {
		c := s[i]
		k := asciiClass[c]
		if k == clsPlain {
			// Skip the run of plain bytes: they stay as they are.
			j := i + 1
			for j < len(s) && asciiClass[s[j]] == clsPlain {
				j++
			}
			i = j - 1
			space = false
			continue
		}
		switch k {
		case clsSpace:
			if !space {
				space = true
				continue
			}
			b.WriteString(s[run:i])
			run = i + 1
		case clsOtherSpace:
			b.WriteString(s[run:i])
			run = i + 1
			if !space {
				b.WriteByte(' ')
			}
			space = true
		case clsUpper:
			b.WriteString(s[run:i])
			run = i + 1
			b.WriteByte(c + 'a' - 'A')
			space = false
		default:
			return "", false
		}
	}
	b.WriteString(s[run:])
	return b.String(), true
}

var normalizeASCIISeeds = []string{"", "a", "A", "abcdefgh", "ABCDEFGH", "abcdefgh ", "abcdefg  ", "       x", "abcdefg\n",
	"Hello  World\r\n\tX", "a b c d e f g h i j", "aaaaaaa  bbbbbbb  c", "\x00\x01\x1f\x7f@[`{AZaz", "12345678\t\t\t\t\t\t\t\tEND",
	"lower clean text here", "lower clean text  here", "x\xffyyyyyyyyyyy", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "       ", "        "}

// FuzzNormalizeASCIIMain compares normalizeASCII with main's version,
// on texts and on every suffix of them (the blocks fall on other bytes).
func FuzzNormalizeASCIIMain(f *testing.F) {
	for _, s := range normalizeASCIISeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for k := 0; k <= len(s) && k < 9; k++ {
			got, gok := normalizeASCII(s[k:])
			want, wok := normalizeASCIIMain(s[k:])
			if got != want || gok != wok {
				t.Fatalf("normalizeASCII(%q) = %q, %v; main: %q, %v", s[k:], got, gok, want, wok)
			}
		}
	})
}

// TestNormalizeASCIIBytes compares normalizeASCII with main's version on
// every 16-byte text of two bytes from a set of interesting ones at
// every pair of places, over a background of plain and of space bytes.
func TestNormalizeASCIIBytes(t *testing.T) {
	bytes := []byte{'a', 'A', 'Z', '@', '[', ' ', '\t', '\n', '\v', '\f', '\r', 0x08, 0x0e, 0x1f, 0x21, 0x7f, 0x80, 0xff, 0}
	for _, bg := range []byte{'x', ' '} {
		for p := 0; p < 16; p++ {
			for q := p; q < 16; q++ {
				for _, b1 := range bytes {
					for _, b2 := range bytes {
						buf := make([]byte, 16)
						for i := range buf {
							buf[i] = bg
						}
						buf[p], buf[q] = b1, b2
						s := string(buf)
						got, gok := normalizeASCII(s)
						want, wok := normalizeASCIIMain(s)
						if got != want || gok != wok {
							t.Fatalf("normalizeASCII(%q) = %q, %v; main: %q, %v", s, got, gok, want, wok)
						}
					}
				}
			}
		}
	}
}
