package tokenize

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// TestHashSet: the open-addressing set agrees with a map, through growth,
// reuse and the hash 0, with and without probe first.
func TestHashSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := new(hashSet)
	for round, n := range []int{10, 5000, 100, 70000} {
		s.reset(n / 4)
		ref := map[uint64]bool{}
		for i := 0; i < n; i++ {
			h := rng.Uint64() % uint64(n) // repeats
			if i%97 == 0 {
				h = 0
			}
			var got bool
			if i%2 == 0 {
				got = s.insert(h)
			} else {
				// as the builder adds
				r := s.probe(h)
				got = r == probeAdded || r == probeFull && s.insert(h)
			}
			if want := !ref[h]; got != want {
				t.Fatalf("round %d: insert(%d) = %v, want %v", round, h, got, want)
			}
			ref[h] = true
		}
	}
}

// FuzzHash64: the short-input xxhash64 is xxhash.Sum64.
func FuzzHash64(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("abc\x1f1\x1fdef"))
	f.Add([]byte("0123456789abcdef0123456789abcdef0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for n := 0; n <= len(b) && n <= 40; n++ {
			var want uint64 = xxhash.Sum64(b[:n])
			if got := hash64(unsafe.Pointer(unsafe.SliceData(b)), n); got != want {
				t.Fatalf("%q: %x, want %x", b[:n], got, want)
			}
		}
	})
}
