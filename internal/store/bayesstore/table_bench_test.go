package bayesstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkTableGet and BenchmarkMapGet: one lookup among 1.6 M keys (the
// trained SpamAssassin classifier's size), half of them hits, in the
// table and in the map[uint64]Counts it replaced.
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

// TestTableGetMany: the batched lookup gives what get gives, for any
// number of keys, hits and misses, with a class mix and on an empty table.
func TestTableGetMany(t *testing.T) {
	keys, vals, q := benchKeys()
	// Some counts too large for a slot (in the big arrays), one of them
	// or both.
	vals = slices.Clone(vals)
	for i := 0; i < len(vals); i += 50 {
		switch i % 150 {
		case 0:
			vals[i].Spam = 70000
		case 50:
			vals[i].Ham = bigCount
		default:
			vals[i] = Counts{Spam: 1 << 20, Ham: 1 << 17, Weight: 0.5}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, nk := range []int{len(keys), 0, 1, 100} {
		tab := newTable(keys[:nk], vals[:nk])
		for _, n := range []int{0, 1, 15, 16, 17, 1000} {
			mix := uint64(0)
			if n%2 == 1 {
				mix = r.Uint64()
			}
			ks := make([]uint64, n)
			for i := range ks {
				ks[i] = q[r.IntN(len(q))] ^ mix
				if i%5 == 0 && nk > 0 {
					ks[i] = keys[r.IntN(nk)] ^ mix
				}
			}
			got := make([]Counts, n)
			for i := range got {
				got[i] = Counts{Spam: 99}
			}
			tab.getMany(ks, mix, got)
			for i, k := range ks {
				if want := tab.get(k ^ mix); got[i] != want {
					t.Fatalf("n %d, key %d: %+v, want %+v", n, i, got[i], want)
				}
			}
		}
	}
}

func BenchmarkTableGetMany(b *testing.B) {
	keys, vals, q := benchKeys()
	t := newTable(keys, vals)
	out := make([]Counts, 3000)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(out) {
		o := (i / len(out) * 7) & (len(q) - 1)
		ks := q[o:min(o+len(out), len(q))]
		t.getMany(ks, 0, out[:len(ks)])
	}
}

// BenchmarkTableGetManyCold: batched lookups spread over a table of 8 M
// keys (164 MB of lines, bigger than the caches), each batch at a new
// place in a million query keys, so that nearly every lookup misses the
// caches as in a scan (a message's features are new to the cache).
func BenchmarkTableGetManyCold(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	keys := make([]uint64, 8<<20)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	vals := make([]Counts, len(keys))
	for i := range vals {
		vals[i] = Counts{Spam: uint32(i % 7), Ham: 1, Weight: 0.5}
	}
	t := newTable(keys, vals)
	q := make([]uint64, 1<<20)
	for i := range q {
		if i%2 == 0 {
			q[i] = keys[r.IntN(len(keys))]
		} else {
			q[i] = r.Uint64()
		}
	}
	out := make([]Counts, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(out) {
		o := (i / len(out) * 7919 * len(out)) & (len(q) - 1)
		ks := q[o:min(o+len(out), len(q))]
		t.getMany(ks, 0, out[:len(ks)])
	}
}

// FuzzGetMany: getMany (home lines addressed without bounds checks, each
// searched with the next) gives what get gives, on tables of keys from
// the input (clustered, so that lines fill and keys spill past the next
// line) and lookups of those keys, their neighbours and others, with and
// without a class mix.
func FuzzGetMany(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"), uint64(0), uint8(3))
	f.Add([]byte("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89"), uint64(7), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, mix uint64, spread uint8) {
		// Two bytes a key: the high one picks a region of the key
		// space, spread how wide the regions are (narrow: clusters).
		seen := map[uint64]bool{}
		var keys []uint64
		for i := 0; i+1 < len(data); i += 2 {
			k := uint64(data[i])<<56 | uint64(data[i+1])<<(8+spread%48)
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		vals := make([]Counts, len(keys))
		for i := range vals {
			vals[i] = Counts{Spam: uint32(i%5 + 1), Ham: uint32(i % 3), Weight: float32(i)}
			if i%7 == 3 {
				vals[i].Spam = 1 << 17 // in the big arrays
			}
		}
		tab := newTable(keys, vals)
		var q []uint64
		for _, k := range keys {
			q = append(q, k^mix, (k+1)^mix, (k-1)^mix)
		}
		q = append(q, mix, ^mix, 0, ^uint64(0))
		got := make([]Counts, len(q))
		tab.getMany(q, mix, got)
		for i, k := range q {
			if want := tab.get(k ^ mix); got[i] != want {
				t.Fatalf("key %#x: getMany %+v, get %+v", k^mix, got[i], want)
			}
		}
	})
}
