package brands

import "testing"

// TestFoldTextLowerBlocks compares the eight-byte step of
// appendFoldTextLower with the plain fold (foldTextRef, lowerSameLen) on
// every 16-byte text of two bytes from a set of interesting ones at every
// pair of places, over a background of letters and of spaces.
func TestFoldTextLowerBlocks(t *testing.T) {
	set := []byte{'a', 'A', 'Z', '@', '[', '`', '\'', ' ', '\t', '\n', '\v', '\f', '\r', 0x08, 0x0e, 0x1f, 0x7f, 0xc3, 0xff, 0}
	for _, bg := range []byte{'x', ' '} {
		for p := 0; p < 16; p++ {
			for q := p; q < 16; q++ {
				for _, b1 := range set {
					for _, b2 := range set {
						buf := make([]byte, 16)
						for i := range buf {
							buf[i] = bg
						}
						buf[p], buf[q] = b1, b2
						s := string(buf)
						c, l := foldTextLower(s, true)
						if wc := foldTextRef(s); c != wc {
							t.Fatalf("%q: cased %q, want %q", s, c, wc)
						}
						if wl := lowerSameLen(c); l != wl {
							t.Fatalf("%q: lower %q, want %q", s, l, wl)
						}
					}
				}
			}
		}
	}
}
