package quarantine

import "testing"

func TestBufClasses(t *testing.T) {
	for n := 0; n <= maxBufSize+5; n += 1 + n/97 {
		bp := getBuf(n)
		if len(*bp) != 0 || cap(*bp) < n {
			t.Fatalf("getBuf(%d): len %d cap %d", n, len(*bp), cap(*bp))
		}
		if n > minBufSize && n <= maxBufSize && cap(*bp) > n+n/4 {
			t.Fatalf("getBuf(%d): cap %d wastes more than a quarter", n, cap(*bp))
		}
		if c := classDown(cap(*bp)); c >= 0 && bufSizes[c] > cap(*bp) {
			t.Fatalf("classDown(%d) = size %d", cap(*bp), bufSizes[c])
		}
		putBuf(bp)
	}
	// A buffer of any capacity is filed where every buffer taken from
	// its class is large enough.
	for _, c := range []int{0, 1, 511, 512, 513, 640, 700, 1 << 16, 1<<20 - 1, 1 << 20, 1<<20 + 1} {
		b := make([]byte, 3, c+3)
		putBuf(&b)
	}
	for _, n := range []int{512, 513, 640, 700, 1 << 16, 1 << 20} {
		bp := getBuf(n)
		if cap(*bp) < n {
			t.Fatalf("getBuf(%d) after odd puts: cap %d", n, cap(*bp))
		}
	}
}

// TestFreeBytesBounded: the free buffers kept never exceed maxFreeBytes.
func TestFreeBytesBounded(t *testing.T) {
	var bps []*[]byte
	for i := range 2 * maxFreeBytes / (16 << 10) {
		bps = append(bps, getBuf(16<<10+i%7))
	}
	for _, bp := range bps {
		putBuf(bp)
	}
	free.mu.Lock()
	n, sum := free.bytes, 0
	for _, l := range free.lists {
		for _, bp := range l {
			sum += cap(*bp)
		}
	}
	free.mu.Unlock()
	if n > maxFreeBytes || n != sum || n < maxFreeBytes/2 {
		t.Fatalf("free buffers: %d bytes counted, %d kept, bound %d", n, sum, maxFreeBytes)
	}
}
