package bayes

import (
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// TestValueCacheWays: counts that map to the same set of the hashed table
// keep their entries two at a time (a third moves way 0's to way 1 and
// takes way 0: the one in way 1 goes), and slot always returns an entry
// of k's set (its key k when the set holds it).
func TestValueCacheWays(t *testing.T) {
	vc := new(valueCache)
	vc.use(10, 20, DefaultParams)
	set := func(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 >> (64 - valueCacheBits) &^ 1 }
	// Three counts (both above the small table's) in one set.
	var ks []uint64
	base := bayesstore.Counts{Spam: 1000, Ham: 1000}
	want := set(countsKey(&base))
	for s := uint32(1000); len(ks) < 3; s++ {
		c := bayesstore.Counts{Spam: s, Ham: 1000}
		if k := countsKey(&c); set(k) == want {
			ks = append(ks, k)
		}
	}
	fill := func(k uint64) {
		ce := vc.slot(k)
		if ce.key == k && ce.gen == vc.gen {
			t.Fatalf("key %x cached before it was written", k)
		}
		*ce = cachedValue{key: k, gen: vc.gen, f: float64(k)}
	}
	// hit: k's entry is valid (a miss, as in decide, moves the set's way
	// 0 to way 1: checked in an order that keeps what is checked next).
	hit := func(k uint64) bool {
		ce := vc.slot(k)
		if ce != &vc.e[want] && ce != &vc.e[want|1] {
			t.Fatalf("key %x: slot outside its set", k)
		}
		return ce.key == k && ce.gen == vc.gen && ce.f == float64(k)
	}
	fill(ks[0])
	fill(ks[1])
	if !hit(ks[0]) || !hit(ks[1]) {
		t.Fatal("two counts of one set not both kept")
	}
	fill(ks[2])
	if !hit(ks[2]) || !hit(ks[1]) || hit(ks[0]) {
		t.Fatalf("after a third: %v %v %v, want false true true", hit(ks[0]), hit(ks[1]), hit(ks[2]))
	}
	// Another generation: the entries are not valid, and are written again
	// in place.
	vc.use(11, 20, DefaultParams)
	if hit(ks[1]) || hit(ks[2]) {
		t.Fatal("entry of an old generation used")
	}
}
