package bayesstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkTableGet and BenchmarkMapGet: one lookup among 1.6 M keys (the
// trained SpamAssassin classifier's size), half of them hits, in the
// format-3 table and in the map[uint64]Counts it replaced.
func benchKeys() ([]uint64, []Counts, []uint64) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1600000)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	vals := make([]Counts, len(keys))
	for i := range vals {
		vals[i] = Counts{Spam: uint32(i % 7), Ham: 1}
	}
	q := make([]uint64, 1<<16)
	for i := range q {
		if i%2 == 0 {
			q[i] = keys[r.IntN(len(keys))]
		} else {
			q[i] = r.Uint64()
		}
	}
	return keys, vals, q
}

func BenchmarkTableGet(b *testing.B) {
	keys, vals, q := benchKeys()
	t := newTable(keys, vals)
	b.ResetTimer()
	var s uint32
	for i := 0; i < b.N; i++ {
		s += t.get(q[i&(len(q)-1)]).Spam
	}
	_ = s
}

func BenchmarkMapGet(b *testing.B) {
	keys, vals, q := benchKeys()
	m := make(map[uint64]Counts, len(keys))
	for i, k := range keys {
		m[k] = vals[i]
	}
	b.ResetTimer()
	var s uint32
	for i := 0; i < b.N; i++ {
		s += m[q[i&(len(q)-1)]].Spam
	}
	_ = s
}
