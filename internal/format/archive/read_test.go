package archive

import (
	"bytes"
	"testing"
)

// TestReadSized: a declared size is a hint; a stream longer or shorter
// than declared is still read whole within the bounds.
func TestReadSized(t *testing.T) {
	for _, c := range []struct {
		data, size int64
		want       int64
		trunc      bool
	}{{50, 50, 50, false}, {50, 10, 50, false}, {50, 80, 50, false}, {50, -1, 50, false}, {50, 0, 50, false},
		{200, 10, 100, true}, {200, 100, 100, true}, {200, 500, 100, true}, {100, 100, 100, false}} {
		sh := NewShared(1 << 20)
		w := &walker{opt: Options{MaxFileBytes: 100, Budget: &Budget{Left: 1000, Shared: sh}}}
		b, trunc, err := w.readSized(bytes.NewReader(bytes.Repeat([]byte("x"), int(c.data))), c.size)
		if err != nil || int64(len(b)) != c.want || trunc != c.trunc || !bytes.Equal(b, bytes.Repeat([]byte("x"), int(c.want))) {
			t.Errorf("%d bytes declared %d: %d bytes, truncated %v, %v", c.data, c.size, len(b), trunc, err)
		}
		if sh.Used() < c.want || sh.Used() > 100 {
			t.Errorf("%d bytes declared %d: %d held", c.data, c.size, sh.Used())
		}
	}
}
