package bayes

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// valueCacheSet is the first way of k's set in valueCache.e (slot's hash).
func valueCacheSet(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 >> (64 - valueCacheBits) &^ 1 }

// TestValueCacheModel runs the value cache as decide does (slot, then a
// write when the entry's key or gen is not k's and the current one) on
// keys crowded into a few sets of the hashed table, keys at the small
// table's edges (counts 63 and 64, 2^32-1) and generations that change
// and wrap, and checks every entry it takes as valid against a model: the
// value written for that key in the current generation (a value of the
// key's and the epoch's own, so an entry of another key or an older
// epoch is told apart), and that slot's entry is in the small table at
// the key's counts or in the key's set.
func TestValueCacheModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 64))
	// Keys: 3 sets with 6 keys each (counts >= 64 in one of the halves),
	// and the edge counts.
	var keys []uint64
	sets := map[uint64]int{}
	for s := uint32(64); len(sets) < 3 || len(keys) < 18; s++ {
		c := bayesstore.Counts{Spam: s, Ham: 7}
		k := countsKey(&c)
		j := valueCacheSet(k)
		if _, ok := sets[j]; !ok && len(sets) < 3 {
			sets[j] = 0
		}
		if n, ok := sets[j]; ok && n < 6 {
			sets[j]++
			keys = append(keys, k)
		}
	}
	for _, s := range []uint32{0, 1, 62, 63, 64, 65, 1<<31 - 1, 1 << 31, math.MaxUint32 - 1, math.MaxUint32} {
		for _, h := range []uint32{0, 1, 62, 63, 64, 65, 1<<31 - 1, 1 << 31, math.MaxUint32 - 1, math.MaxUint32} {
			c := bayesstore.Counts{Spam: s, Ham: h}
			if k := countsKey(&c); k != 0 {
				keys = append(keys, k)
			}
		}
	}
	val := func(k uint64, epoch int) float64 { return float64(k%1000003) + float64(epoch)*1e7 }
	vc := new(valueCache)
	epoch, wraps := 0, 0
	tot := 10.0
	vc.use(tot, 20, DefaultParams)
	for step := range 400000 {
		switch r := rng.IntN(1000); {
		case r == 0:
			// Wrap soon (generations only go forward: a jump back would
			// make an old generation's number the current one's again).
			if vc.gen < 1<<31 {
				vc.gen = ^uint32(0) - uint32(rng.IntN(2))
			}
			fallthrough
		case r < 5:
			tot++
			vc.use(tot, 20, DefaultParams)
			epoch++
			if vc.gen == 1 {
				wraps++
			}
		case r < 8:
			vc.use(tot, 20, DefaultParams) // same inputs: same generation
		}
		k := keys[rng.IntN(len(keys))]
		ce := vc.slot(k)
		if k&smallKeys == 0 {
			if ce != &vc.small[uint32(k)|uint32(k>>32)<<smallBits] {
				t.Fatalf("step %d: key %#x not in its small slot", step, k)
			}
		} else if j := valueCacheSet(k); ce != &vc.e[j] && ce != &vc.e[j|1] {
			t.Fatalf("step %d: key %#x outside its set", step, k)
		}
		if ce.key == k && ce.gen == vc.gen {
			if ce.f != val(k, epoch) {
				t.Fatalf("step %d: key %#x: cached %v, want %v (epoch %d)", step, k, ce.f, val(k, epoch), epoch)
			}
			continue
		}
		*ce = cachedValue{key: k, gen: vc.gen, f: val(k, epoch)}
	}
	if epoch < 1000 || wraps < 50 {
		t.Fatalf("only %d epochs, %d wraps", epoch, wraps)
	}
}

// TestDecideValueCacheEdges: decideKnown gives main's bits on messages of
// counts at the small table's edge (63, 64), at 2^32-1, and of many
// counts crowded into a few sets of the hashed table, over totals that
// change back and forth (the pooled caches' generations).
func TestDecideValueCacheEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	// Counts crowding 4 sets, 8 each.
	var crowd []bayesstore.Counts
	sets := map[uint64]int{}
	for s := uint32(64); len(crowd) < 32; s++ {
		c := bayesstore.Counts{Spam: s, Ham: 3}
		j := valueCacheSet(countsKey(&c))
		if _, ok := sets[j]; !ok && len(sets) < 4 {
			sets[j] = 0
		}
		if n, ok := sets[j]; ok && n < 8 {
			sets[j]++
			crowd = append(crowd, c)
		}
	}
	edge := []uint32{0, 1, 62, 63, 64, 65, 127, 128, math.MaxUint32 - 1, math.MaxUint32}
	tots := []bayesstore.Totals{{Spam: 948, Ham: 2111}, {Spam: 949, Ham: 2111}, {Spam: 70, Ham: 70}, {Spam: math.MaxUint32, Ham: 64}, {Spam: 948, Ham: 2111}}
	for round := range 3000 {
		n := 1 + rng.IntN(300)
		counts := make([]bayesstore.Counts, n)
		keys := make([]uint64, n)
		for i := range counts {
			var c bayesstore.Counts
			if rng.IntN(2) == 0 {
				c = crowd[rng.IntN(len(crowd))]
			} else {
				c = bayesstore.Counts{Spam: edge[rng.IntN(len(edge))], Ham: edge[rng.IntN(len(edge))]}
			}
			c.Weight = float32(rng.NormFloat64())
			counts[i] = c
			keys[i] = rng.Uint64()
		}
		if rng.IntN(3) == 0 {
			keys[rng.IntN(n)] = biasKey
		}
		tot := tots[rng.IntN(len(tots))]
		p := DefaultParams
		if round%7 == 3 {
			p.MaxFeatures = 5
		}
		if round%11 == 5 {
			p.Alpha = 0.3
		}
		got, gk := decideKnown(counts, keys, tot, p, nil)
		want, wk := decideKnownMain(counts, keys, tot, p, nil)
		if !sameBits(got, want) || gk != wk {
			t.Fatalf("round %d totals %+v: %+v (%d), want %+v (%d)", round, tot, got, gk, want, wk)
		}
	}
}
