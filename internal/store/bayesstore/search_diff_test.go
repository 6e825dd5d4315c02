//go:build linux && amd64

package bayesstore

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// guardLines returns n lines placed so that the last one ends exactly at
// a page boundary followed by an unmapped (PROT_NONE) page: any read past
// the lines faults.
func guardLines(t testing.TB, n int) []line {
	ps := syscall.Getpagesize()
	size := n * lineSize
	pages := (size+ps-1)/ps + 1
	mem, err := syscall.Mmap(-1, 0, pages*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[(pages-1)*ps:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	off := (pages-1)*ps - size
	return unsafe.Slice((*line)(unsafe.Pointer(&mem[off])), n)
}

// diffCheck compares searchLines (+ searchFrom for the misses), i.e.
// searchBatch with useSearchLines on, against searchBatchGo for the
// batch ks with the homes computed as getMany computes them; both must
// give the same counts or both panic.
func diffCheck(t *testing.T, tab *table, ks []uint64, mix uint64) {
	var at [getBatch]*line
	for j, k := range ks {
		at[j] = &tab.lines[home(k^mix, tab.nhome)]
	}
	run := func(asm bool) (o []Counts, p any) {
		o = make([]Counts, len(ks))
		for i := range o {
			o[i] = Counts{Spam: 0xdead, Ham: 0xbeef, Weight: 7} // poison
		}
		defer func() { p = recover() }()
		if asm {
			useSearchLines = true
			tab.searchBatch(ks, mix, o, &at)
		} else {
			tab.searchBatchGo(ks, mix, o, &at)
		}
		return o, nil
	}
	defer func() { useSearchLines = hasSearchLines }()
	a, pa := run(true)
	g, pg := run(false)
	if (pa != nil) != (pg != nil) {
		t.Fatalf("panic asm %v, go %v; ks %#x mix %#x", pa, pg, ks, mix)
	}
	if pa != nil {
		return
	}
	for j := range ks {
		if !sameCounts(a[j], g[j]) {
			t.Fatalf("key %#x (j %d): asm %+v go %+v get %+v", ks[j]^mix, j, a[j], g[j], tab.get(ks[j]^mix))
		}
		// And the batch's asm result alone (direct call, miss bits).
	}
	// Direct: the keys searchLines settles must equal Go's; miss bits
	// only for big counts or past end.
	o := make([]Counts, len(ks))
	for i := range o {
		o[i] = Counts{Spam: 0xdead}
	}
	end := uintptr(unsafe.Pointer(unsafe.SliceData(tab.lines))) + uintptr(len(tab.lines))*lineSize
	miss := searchLines(&ks[0], len(ks), mix, &at, &o[0], end)
	if miss>>uint(len(ks)) != 0 {
		t.Fatalf("miss bits %b past n %d", miss, len(ks))
	}
	for j := range ks {
		if miss&(1<<j) == 0 && !sameCounts(o[j], g[j]) {
			t.Fatalf("direct key %#x: asm %+v go %+v", ks[j]^mix, o[j], g[j])
		}
		if miss&(1<<j) != 0 && o[j] != (Counts{Spam: 0xdead}) {
			t.Fatalf("miss key %#x: o written %+v", ks[j]^mix, o[j])
		}
	}
}

// tableOnGuard copies a valid table's lines onto guard memory.
func tableOnGuard(t testing.TB, tab *table) *table {
	ls := guardLines(t, len(tab.lines))
	copy(ls, tab.lines)
	nt := *tab
	nt.lines = ls
	return &nt
}

func FuzzSearchLinesDiff(f *testing.F) {
	f.Add(uint64(1), uint16(10), uint8(3), false, uint64(0), []byte{})
	f.Add(uint64(2), uint16(0), uint8(1), true, uint64(1)<<63, []byte{1, 2, 3})
	f.Add(uint64(3), uint16(300), uint8(16), false, ^uint64(0), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, seed uint64, nkeys uint16, nb uint8, raw bool, mix uint64, extra []byte) {
		if !hasSearchLines {
			t.Skip()
		}
		r := rand.New(rand.NewPCG(seed, seed^0x9e37))
		var tab *table
		if !raw {
			keys, vals := layoutKeys(r, int(nkeys%2000))
			if nkeys%7 == 0 {
				keys, vals = nil, nil
			}
			slicesSort(keys, vals)
			tab = tableOnGuard(t, newTable(keys, vals))
		} else {
			// Arbitrary lines (a damaged table): any content, nhome < lines.
			nl := 2 + int(nkeys%64)
			ls := guardLines(t, nl)
			pick := func() uint64 {
				switch r.IntN(6) {
				case 0:
					return 0
				case 1:
					return 1 << 63
				case 2:
					return math.MaxUint64
				case 3:
					return uint64(r.IntN(16))
				case 4:
					return (1<<63 - 1) + uint64(r.IntN(3))
				}
				return r.Uint64()
			}
			for l := range ls {
				for i := range ls[l] {
					ls[l][i] = slot{key: pick(), spam: uint16(r.Uint32()), ham: uint16(r.Uint32()), weight: math.Float32frombits(r.Uint32())}
					if r.IntN(4) == 0 {
						ls[l][i].spam, ls[l][i].ham = bigCount, bigCount
					}
				}
			}
			for i := 0; i+16 <= len(extra) && i/16 < nl*lineSlots; i += 16 {
				s := &ls[i/16/lineSlots][i/16%lineSlots]
				s.key = binary.LittleEndian.Uint64(extra[i:])
			}
			nh := 1 + uint64(seed%uint64(nl-1))
			tab = &table{lines: ls, nhome: nh}
		}
		// Queries: keys of the table, neighbours, ends of the key space.
		var q []uint64
		for l := range tab.lines {
			for _, s := range tab.lines[l] {
				q = append(q, s.key, s.key+1, s.key-1)
			}
		}
		q = append(q, 0, 1, 1<<63, 1<<63-1, 1<<63+1, math.MaxUint64, math.MaxUint64-1)
		for i := 0; i+8 <= len(extra); i += 8 {
			q = append(q, binary.LittleEndian.Uint64(extra[i:]))
		}
		for i := range q {
			q[i] ^= mix
		}
		r.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
		bl := 1 + int(nb%getBatch)
		for b := 0; b < len(q); b += bl {
			diffCheck(t, tab, q[b:min(b+bl, len(q))], mix)
		}
		// Keys all equal.
		eq := make([]uint64, getBatch)
		for i := range eq {
			eq[i] = q[0]
		}
		diffCheck(t, tab, eq, mix)
		// The whole getMany on a valid table against get.
		if !raw {
			out := make([]Counts, len(q))
			tab.getMany(q, mix, out)
			for i, k := range q {
				if w := tab.get(k ^ mix); !sameCounts(out[i], w) {
					t.Fatalf("getMany %#x: %+v want %+v", k^mix, out[i], w)
				}
			}
		}
	})
}

func slicesSort(keys []uint64, vals []Counts) {
	// layoutKeys returns keys ascending already? sort to be sure.
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	// insertion-free: use a simple sort
	type kv struct {
		k uint64
		v Counts
	}
	s := make([]kv, len(keys))
	for i := range keys {
		s[i] = kv{keys[i], vals[i]}
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j-1].k > s[j].k; j-- {
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
	for i := range s {
		keys[i], vals[i] = s[i].k, s[i].v
	}
}

// TestSearchLinesLastLineGuard: valid tables whose lines end at an
// unmapped page, keys homed in the last home line and searched past it.
func TestSearchLinesLastLineGuard(t *testing.T) {
	if !hasSearchLines {
		t.Skip()
	}
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 300 {
		n := r.IntN(200)
		// keys crowded at the top of the key space: they spill past the
		// last home line into the extra lines.
		seen := map[uint64]bool{}
		var keys []uint64
		for len(keys) < n {
			k := math.MaxUint64 - 1 - r.Uint64N(uint64(1+round)*4)
			if r.IntN(3) == 0 {
				k = r.Uint64()
			}
			if k == freeKey || seen[k] {
				continue
			}
			seen[k] = true
			keys = append(keys, k)
		}
		vals := make([]Counts, len(keys))
		for i := range vals {
			vals[i] = Counts{Spam: 1 + uint32(r.IntN(4)), Ham: uint32(r.IntN(4))}
			if r.IntN(8) == 0 {
				vals[i].Ham = 70000
			}
		}
		slicesSort(keys, vals)
		tab := tableOnGuard(t, newTable(keys, vals))
		var q []uint64
		for _, k := range keys {
			q = append(q, k, k+1, k-1)
		}
		q = append(q, math.MaxUint64, math.MaxUint64-1, 0)
		for bl := 1; bl <= getBatch; bl++ {
			for b := 0; b < len(q); b += bl {
				diffCheck(t, tab, q[b:min(b+bl, len(q))], 0)
			}
		}
	}
}
