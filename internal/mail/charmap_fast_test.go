package mail

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/sekisho/sekisho/internal/ascii"
)

// transformCount is decodeCount's general path (x/text's transformer).
func transformCount(enc encoding.Encoding, b []byte) (string, int) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", -1
	}
	return sanitizeUTF8(out), bytes.Count(out, []byte("\uFFFD"))
}

func allBytes() []byte {
	b := make([]byte, 0, 512)
	for i := 0; i < 256; i++ {
		b = append(b, byte(i), 'a')
	}
	return b
}

func TestDecodeCharmapMatchesTransformer(t *testing.T) {
	b := allBytes()
	for _, e := range charmap.All {
		cm, ok := e.(*charmap.Charmap)
		if !ok {
			continue
		}
		s1, n1 := decodeCharmap(cm, b)
		s2, n2 := transformCount(cm, b)
		if s1 != s2 || n1 != n2 {
			t.Errorf("%v: %q %d vs %q %d", cm, s1, n1, s2, n2)
		}
	}
	// The labels mail uses reach the fast path.
	for _, l := range []string{"iso-8859-1", "windows-1252", "koi8-r", "iso-8859-15", "windows-1251"} {
		e, err := htmlindex.Get(l)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := e.(*charmap.Charmap); !ok {
			t.Errorf("%s: %T is no *charmap.Charmap", l, e)
		}
	}
}

// FuzzDecodeCharmap: the single-byte fast path is the transformer's result.
func FuzzDecodeCharmap(f *testing.F) {
	f.Add(allBytes(), uint8(0))
	f.Add([]byte("caf\xe9 \x80\x81 plain"), uint8(5))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		var cms []*charmap.Charmap
		for _, e := range charmap.All {
			if cm, ok := e.(*charmap.Charmap); ok {
				cms = append(cms, cm)
			}
		}
		cm := cms[int(which)%len(cms)]
		s1, n1 := decodeCharmap(cm, b)
		s2, n2 := transformCount(cm, b)
		if s1 != s2 || n1 != n2 {
			t.Fatalf("%v %q: %q %d vs %q %d", cm, b, s1, n1, s2, n2)
		}
	})
}

// FuzzIsASCII: the eight-byte checks are the byte loop's.
func FuzzIsASCII(f *testing.F) {
	f.Add([]byte("plain ascii text, long enough"))
	f.Add([]byte("0123456\x80"))
	for _, at := range []int{0, 7, 8, 15, 16, 23, 24, 31, 32, 39, 40, 70} { // each word of the 32-byte step
		b := []byte(strings.Repeat("ascii-text ", 7))
		b[at] = 0xE3
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := true
		for _, c := range b {
			if c >= 0x80 {
				want = false
			}
		}
		if isASCII(b) != want || ascii.Is(string(b)) != want {
			t.Fatalf("%q: isASCII %v, isASCIIString %v, want %v", b, isASCII(b), ascii.Is(string(b)), want)
		}
	})
}
