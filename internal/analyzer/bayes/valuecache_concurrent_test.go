package bayes

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// Concurrent decisions with different totals and params share pooled
// value caches: each must equal a fresh computation.
func TestValueCacheConcurrent(t *testing.T) {
	tots := []bayesstore.Totals{{Spam: 10, Ham: 20}, {Spam: 700, Ham: 30}, {Spam: 0, Ham: 5}, {Spam: 9, Ham: 20}, {Spam: 10, Ham: 21}}
	ps := []Params{DefaultParams, DefaultParams, DefaultParams}
	ps[1].Alpha = 0.2
	ps[2].Strength = 0.7
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for it := range 400 {
				n := 1 + r.IntN(60)
				counts := make([]bayesstore.Counts, n)
				keys := make([]uint64, n)
				for i := range counts {
					counts[i] = bayesstore.Counts{Spam: uint32(r.IntN(10)), Ham: uint32(r.IntN(10)), Weight: float32(r.NormFloat64())}
					if r.IntN(5) == 0 {
						counts[i].Spam = uint32(r.IntN(1000))
					}
					keys[i] = r.Uint64()
				}
				keys[0] = biasKey
				tot := tots[r.IntN(len(tots))]
				p := ps[r.IntN(len(ps))]
				got, gk := decideKnown(counts, keys, tot, p, nil)
				want, wk := decideKnownMain(counts, keys, tot, p, nil)
				if !sameBits(got, want) || gk != wk {
					t.Errorf("g %d it %d: %+v want %+v", g, it, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
