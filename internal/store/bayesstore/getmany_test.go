package bayesstore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestGetManyNoHomeLines: getMany reads a home line and the line after it
// without bounds checks, relying on a home line being below nhome; with
// nhome 0 (no table newTable or decodeV4 makes, but a table value all the
// same) every key's home is line 0, so a table of one line must not have
// its "next line" read: here the memory past the table's one line holds
// a line whose keys would answer for k (an out-of-bounds read would give
// its counts, get gives none).
func TestGetManyNoHomeLines(t *testing.T) {
	backing := make([]line, 2)
	backing[0] = line{{key: 1, spam: 1}, {key: 2, spam: 1}, {key: 3, spam: 1}, freeSlot}
	backing[1] = line{{key: 0, spam: 1}, {key: 10, spam: 9, ham: 9}, {key: 5, spam: 1}, {key: 20, spam: 1}}
	tab := &table{lines: backing[:1], nhome: 0}
	keys := []uint64{10, 1, 2, 3, 4}
	out := make([]Counts, len(keys))
	tab.getMany(keys, 0, out)
	for i, k := range keys {
		if want := tab.get(k); out[i] != want {
			t.Errorf("key %d: getMany %+v, get %+v", k, out[i], want)
		}
	}
}

// FuzzGetManyMapped: a format-4 file, damaged (its checksum made right,
// so that only the layout checks stand between it and the lookups),
// written to disk and opened as the daemon opens it (mapped): whatever
// readStore accepts, getMany (no bounds checks on the home lines) gives
// what get and the cursor give, for the keys, their neighbours, the ends
// of the key space and keys of the input, with a class mix.
func FuzzGetManyMapped(f *testing.F) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 3, 7, 40} {
		keys, vals := layoutKeys(r, n)
		if n == 0 {
			keys, vals = nil, nil
		}
		var buf bytes.Buffer
		encode(&buf, newTable(keys, vals), nil, 0, map[string]Totals{"": {3, 4}}, nil, 0, SchemeText)
		f.Add(buf.Bytes(), uint64(0))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, mix uint64) {
		b = append([]byte(nil), b...)
		if len(b) >= 12 {
			binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		}
		p := filepath.Join(dir, "m.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := readStore(p)
		if err != nil {
			return
		}
		want := map[uint64]Counts{}
		var q []uint64
		cur := cursor{t: s.tab}
		for {
			k, c, ok := cur.next()
			if !ok {
				break
			}
			want[k] = c
			q = append(q, k^mix, (k-1)^mix, (k+1)^mix, k)
		}
		q = append(q, mix, ^mix, 0, ^uint64(0))
		for i := 0; i+8 <= len(b) && i < 512; i += 8 {
			q = append(q, binary.LittleEndian.Uint64(b[i:]))
		}
		out := make([]Counts, len(q))
		s.tab.getMany(q, mix, out)
		for i, k := range q {
			g := s.tab.get(k ^ mix)
			if out[i] != g || g != want[k^mix] {
				t.Fatalf("key %#x: getMany %+v, get %+v, cursor %+v", k^mix, out[i], g, want[k^mix])
			}
		}
		runtime.KeepAlive(s.tab)
	})
}

// TestGetManyLoaded: getMany's lookup for machines without prefetch
// instructions (getManyLoaded: each batch's lines loaded before it is
// searched) gives what get gives, as the prefetching one does.
func TestGetManyLoaded(t *testing.T) {
	keys, vals, q := benchKeys()
	for i := 0; i < len(vals); i += 97 {
		vals[i].Spam = 1 << 18 // in the big arrays
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, nk := range []int{len(keys), 1, 100} {
		tab := newTable(keys[:nk], vals[:nk])
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1000} {
			mix := uint64(0)
			if n%2 == 1 {
				mix = r.Uint64()
			}
			ks := make([]uint64, n)
			for i := range ks {
				ks[i] = q[r.IntN(len(q))] ^ mix
				if i%3 == 0 {
					ks[i] = keys[r.IntN(nk)] ^ mix
				}
			}
			got := make([]Counts, n)
			tab.getManyLoaded(ks, mix, got)
			pf := make([]Counts, n)
			tab.getMany(ks, mix, pf)
			for i, k := range ks {
				want := tab.get(k ^ mix)
				if got[i] != want || pf[i] != want {
					t.Fatalf("nk %d n %d key %d: loaded %+v, getMany %+v, get %+v", nk, n, i, got[i], pf[i], want)
				}
			}
		}
	}
}

// TestSearchLines: searchBatch with the windows searched by searchLines
// (where the machine has it) gives what searchBatchGo gives and what get
// gives, on tables with clustered keys (lines that fill, keys past their
// windows), counts in the big arrays (one or both counts at bigCount),
// keys at the ends of the key space, every batch length, with and
// without a class mix; and getMany with searchLines off gives the same.
func TestSearchLines(t *testing.T) {
	if !hasSearchLines {
		t.Skip("no searchLines on this machine")
	}
	r := rand.New(rand.NewPCG(21, 22))
	for round := range 200 {
		n := r.IntN(400)
		seen := map[uint64]bool{}
		var keys []uint64
		for len(keys) < n {
			var k uint64
			switch r.IntN(4) {
			case 0:
				k = r.Uint64()
			case 1: // clustered: many keys with the same home line
				k = uint64(r.IntN(4))<<60 | r.Uint64N(1<<20)
			case 2:
				k = ^uint64(0) - r.Uint64N(8) // next to the free key
			default:
				k = r.Uint64N(8)
			}
			if k == freeKey || seen[k] {
				continue
			}
			seen[k] = true
			keys = append(keys, k)
		}
		slices.Sort(keys)
		vals := make([]Counts, len(keys))
		for i := range vals {
			vals[i] = Counts{Spam: uint32(r.IntN(5)), Ham: uint32(r.IntN(5)), Weight: r.Float32() - 0.5}
			switch r.IntN(10) {
			case 0:
				vals[i].Spam = bigCount
			case 1:
				vals[i].Ham = bigCount
			case 2:
				vals[i].Spam, vals[i].Ham = bigCount, bigCount
			case 3:
				vals[i].Spam = 1 << 17
			case 4:
				vals[i].Weight = float32(math.NaN())
			}
		}
		tab := newTable(keys, vals)
		mix := uint64(0)
		if round%2 == 1 {
			mix = r.Uint64()
		}
		var q []uint64
		for _, k := range keys {
			q = append(q, k^mix, (k+1)^mix, (k-1)^mix)
		}
		q = append(q, mix, ^mix, (freeKey-1)^mix, 1^mix)
		r.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
		q = q[:r.IntN(len(q)+1)]
		got := make([]Counts, len(q))
		tab.getMany(q, mix, got)
		useSearchLines = false
		goOut := make([]Counts, len(q))
		tab.getMany(q, mix, goOut)
		useSearchLines = true
		for i, k := range q {
			want := tab.get(k ^ mix)
			if !sameCounts(got[i], want) || !sameCounts(goOut[i], want) {
				t.Fatalf("round %d key %#x: searchLines %+v, Go %+v, get %+v", round, k^mix, got[i], goOut[i], want)
			}
		}
	}
}

// sameCounts: a and b have the same bits (a NaN weight equal to itself).
func sameCounts(a, b Counts) bool {
	return a.Spam == b.Spam && a.Ham == b.Ham && math.Float32bits(a.Weight) == math.Float32bits(b.Weight)
}

// TestSearchPastLastLine: a table (not one newTable or decodeV4 makes)
// whose lines end with a full line of smaller keys: a key past them all is
// searched up to the last line and no further, by getMany as by get
// (both panic: the search runs off the lines).
func TestSearchPastLastLine(t *testing.T) {
	backing := make([]line, 4)
	for l := range backing {
		for i := range backing[l] {
			backing[l][i] = slot{key: uint64(4*l + i + 1), spam: 1}
		}
	}
	tab := &table{lines: backing[:3], nhome: 1}
	for _, k := range []uint64{12, 13, 100} {
		var got Counts
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			out := make([]Counts, 1)
			tab.getMany([]uint64{k}, 0, out)
			got = out[0]
			return false
		}()
		want, wantPanic := func() (c Counts, p bool) {
			defer func() { p = recover() != nil }()
			return tab.get(k), false
		}()
		if panicked != wantPanic || !panicked && got != want {
			t.Errorf("key %d: getMany %+v (panic %v), get %+v (panic %v)", k, got, panicked, want, wantPanic)
		}
	}
}
