package tokenize

import (
	"math/rand/v2"
	"testing"
)

// TestHashSet: the open-addressing set agrees with a map, through growth,
// reuse and the hash 0, with and without tryAdd first.
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
				got = s.tryAdd(h) || s.insert(h) // as the builder adds
			}
			if want := !ref[h]; got != want {
				t.Fatalf("round %d: insert(%d) = %v, want %v", round, h, got, want)
			}
			ref[h] = true
		}
	}
}
