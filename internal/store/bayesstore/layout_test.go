package bayesstore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// layoutKeys is keys with their counts that stress format 4's layout:
// clusters sharing a home line (which spill over several lines), the
// smallest and largest keys, counts too large for a slot, weights only.
func layoutKeys(r *rand.Rand, n int) ([]uint64, []Counts) {
	set := map[uint64]Counts{}
	add := func(k uint64) {
		c := Counts{Spam: uint32(r.IntN(5)), Ham: uint32(r.IntN(5))}
		switch r.IntN(10) {
		case 0:
			c.Spam = 65535 + uint32(r.IntN(3))
		case 1:
			c.Ham = 1<<32 - 1
		case 2:
			c.Weight = float32(r.NormFloat64())
		}
		if c == (Counts{}) {
			c.Spam = 1
		}
		set[k] = c
	}
	for _, k := range []uint64{0, 1, math.MaxUint64, math.MaxUint64 - 1} {
		add(k)
	}
	for len(set) < n {
		switch r.IntN(4) {
		case 0: // a cluster
			base := r.Uint64()
			for j := range uint64(1 + r.IntN(30)) {
				add(base + j)
			}
		default:
			add(r.Uint64())
		}
	}
	keys := make([]uint64, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]Counts, len(keys))
	for i, k := range keys {
		vals[i] = set[k]
	}
	return keys, vals
}

// checkTable holds a table to the plain answer (a map): every key, its
// neighbours and random keys, through get and getMany, and its keys in
// order through the cursor.
func checkTable(t *testing.T, tab *table, keys []uint64, vals []Counts, r *rand.Rand) {
	t.Helper()
	want := make(map[uint64]Counts, len(keys))
	for i, k := range keys {
		want[k] = vals[i]
	}
	var q []uint64
	for _, k := range keys {
		q = append(q, k, k-1, k+1)
	}
	for range 1000 {
		q = append(q, r.Uint64())
	}
	out := make([]Counts, len(q))
	tab.getMany(q, 0, out)
	for i, k := range q {
		if g := tab.get(k); g != want[k] || out[i] != want[k] {
			t.Fatalf("key %#x: get %+v, getMany %+v, want %+v", k, g, out[i], want[k])
		}
	}
	cur := cursor{t: tab}
	for i := 0; ; i++ {
		k, c, ok := cur.next()
		if !ok {
			if i != len(keys) {
				t.Fatalf("cursor: %d keys, want %d", i, len(keys))
			}
			break
		}
		if i >= len(keys) || k != keys[i] || c != vals[i] {
			t.Fatalf("cursor key %d: %#x %+v", i, k, c)
		}
	}
}

// TestTableLayout: format 4's table answers as a map would, built in the
// heap and read back from its file (copied and in place), for tables of
// every size from empty to 20,000 keys with clusters and large counts.
func TestTableLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 3, 4, 5, 17, 100, 1000, 20000} {
		keys, vals := layoutKeys(r, n)
		if n == 0 {
			keys, vals = nil, nil
		}
		tab := newTable(keys, vals)
		checkTable(t, tab, keys, vals, r)
		var buf bytes.Buffer
		if err := encode(&buf, tab, nil, tab.live, map[string]Totals{"": {1, 2}}, nil, 0, SchemeText); err != nil {
			t.Fatal(err)
		}
		for _, inPlace := range []bool{false, true} {
			b := append(make([]byte, 0, buf.Len()+8), buf.Bytes()...)
			s, err := decodeV4(b, inPlace)
			if err != nil {
				t.Fatalf("%d keys: %v", n, err)
			}
			checkTable(t, s.tab, keys, vals, r)
		}
		// Changes on top: every third key removed, new keys added.
		over := map[uint64]Counts{}
		for i := 0; i < len(keys); i += 3 {
			over[keys[i]] = Counts{}
		}
		for range 50 {
			over[r.Uint64()] = Counts{Ham: 2}
		}
		buf.Reset()
		if err := encode(&buf, tab, over, 0, nil, nil, 0, SchemeText); err != nil {
			t.Fatal(err)
		}
		s, err := decodeV4(buf.Bytes(), false)
		if err != nil {
			t.Fatal(err)
		}
		var wk []uint64
		var wv []Counts
		ok := make([]uint64, 0, len(over))
		for k := range over {
			ok = append(ok, k)
		}
		slices.Sort(ok)
		merged(tab, over, ok, func(k uint64, c Counts) {
			if c != (Counts{}) {
				wk, wv = append(wk, k), append(wv, c)
			}
		})
		checkTable(t, s.tab, wk, wv, r)
	}
}

// FuzzDecodeV4: whatever format-4 file the reader accepts, its lookups
// agree with its keys: each key the cursor walks is found by get and
// getMany with the cursor's counts, and the file rewritten is read back
// the same.
func FuzzDecodeV4(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 5, 40} {
		keys, vals := layoutKeys(r, n)
		if n == 0 {
			keys, vals = nil, nil
		}
		for _, scheme := range []int{SchemeText, SchemePairMix} {
			var buf bytes.Buffer
			encode(&buf, newTable(keys, vals), nil, 0, map[string]Totals{"": {3, 4}}, map[Digest]byte{{1}: 'S'}, 0, scheme)
			f.Add(buf.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Damage that keeps the checksum right is what the layout checks
		// are for: the checksum is made right before reading.
		b = append([]byte(nil), b...)
		if len(b) >= 12 {
			binary.BigEndian.PutUint32(b[len(b)-4:], crc32IEEE(b[:len(b)-4]))
		}
		s, err := decodeV4(b, true)
		if err != nil {
			return
		}
		var keys []uint64
		var vals []Counts
		cur := cursor{t: s.tab}
		for {
			k, c, ok := cur.next()
			if !ok {
				break
			}
			keys, vals = append(keys, k), append(vals, c)
		}
		if len(keys) != s.tab.live {
			t.Fatalf("%d keys, live %d", len(keys), s.tab.live)
		}
		checkTable(t, s.tab, keys, vals, rand.New(rand.NewPCG(1, 1)))
		var buf bytes.Buffer
		if err := encode(&buf, s.tab, nil, 0, s.totals, s.digests, 0, s.scheme); err != nil {
			t.Fatal(err)
		}
		s2, err := decodeV4(buf.Bytes(), false)
		if err != nil {
			t.Fatalf("rewritten: %v", err)
		}
		if s2.scheme != s.scheme || s.scheme < SchemeText || s.scheme > schemeMax {
			t.Fatalf("scheme %d rewritten as %d", s.scheme, s2.scheme)
		}
		checkTable(t, s2.tab, keys, vals, rand.New(rand.NewPCG(1, 1)))
	})
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
