package content

import (
	"sync"
	"sync/atomic"
)

// litIndex finds which of many literals occur in a text in one pass. Each
// position is tested against hashed bitsets of the literals' first bytes
// (four bytes for the literals of four or more, three and two bytes for
// the short ones), which fail for most positions of a text; a position
// that passes is looked up by its first four (eight) bytes in small
// open-addressing tables. It replaces hundreds of separate substring
// searches (slow on Japanese text, where the first byte of most
// characters is the same).
type litIndex struct {
	slots sync.Pool // *[]int32 of len(lits), all zero
	lits  []string
	ids   map[string]int
	// Sets of literals (a regex's prefilter set, its and sets): litSets
	// lists the sets each literal belongs to, and a scan marks the sets
	// one of whose literals occurs (scanResult.hasSet), so a rule asks
	// one bit, not every literal of a set.
	nsets   int
	litSets [][]int32
	// tabs are the filters and tables, built at the first scan after an
	// add.
	tabs atomic.Pointer[litTabs]
}

// Filter sizes in bits (log2): the four-byte filter holds a bit per
// distinct four-byte prefix (a few thousand), the short ones a bit per
// literal of two or three bytes.
const (
	bits4Log = 17
	bits3Log = 13
	bitsSLog = 16
	bits8Log = 16
)

type litTabs struct {
	bits4 [1 << bits4Log / 64]uint64 // hash of the first four bytes of literals of 4+ bytes
	bits3 [1 << bits3Log / 64]uint64 // hash of three-byte literals
	bits2 [1 << 16 / 64]uint64       // two-byte literals
	// bitsS: hash of the three-byte literals and of the two-byte ones
	// followed by any byte, the short literals' test of the scan loop.
	bitsS [1 << bitsSLog / 64]uint64
	// bitsF: hash of the first three bytes of every literal (of the
	// two-byte ones followed by any byte), the scan loop's first test: a
	// position it fails starts no literal.
	bitsF [1 << bitsSLog / 64]uint64
	// bits8: hash of the first eight bytes of the literals of 8+ bytes,
	// tested before by8 (most lookups there find nothing).
	bits8 [1 << bits8Log / 64]uint64
	// by2, by3: the literals of two and three bytes, by their bytes;
	// by4: the literals of 4-7 bytes by their first four (slot flag has8:
	// a literal of 8+ bytes shares them); by8: literals of 8+ bytes by
	// their first eight. Keys are little-endian loads of the bytes.
	by2, by3, by4, by8 otab
	// m4 holds, for each id of by4.ids, the literal's bytes as a
	// little-endian key and the mask of its length: a text whose next
	// eight bytes are u holds it when u&mask == key.
	m4 []masked
}

type masked struct{ key, mask uint64 }

// otab maps a uint64 key to a run of literal ids.
type otab struct {
	slots []oslot
	shift uint
	mask  uint64
	ids   []int32
}

type oslot struct {
	key  uint64
	lo   int32
	n    int16
	used bool
	has8 bool
}

func newOtab(n int) otab {
	size, bits := 8, uint(3)
	for size < 2*n {
		size *= 2
		bits++
	}
	return otab{slots: make([]oslot, size), shift: 64 - bits, mask: uint64(size - 1)}
}

func (t *otab) put(key uint64, ids []int32, has8 bool) {
	h := (key * 0x9E3779B97F4A7C15) >> t.shift
	for t.slots[h].used {
		h = (h + 1) & t.mask
	}
	t.slots[h] = oslot{key: key, lo: int32(len(t.ids)), n: int16(len(ids)), used: true, has8: has8}
	t.ids = append(t.ids, ids...)
}

// get returns the slot of key (nil: none).
func (t *otab) get(key uint64) *oslot {
	h := (key * 0x9E3779B97F4A7C15) >> t.shift
	for {
		s := &t.slots[h]
		if !s.used {
			return nil
		}
		if s.key == key {
			return s
		}
		h = (h + 1) & t.mask
	}
}

// list returns the ids of a slot.
func (t *otab) list(s *oslot) []int32 { return t.ids[s.lo : s.lo+int32(s.n)] }

func hash4(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - bits4Log) }
func hash3(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - bits3Log) }
func hashS(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - bitsSLog) }
func hash8(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - bits8Log) }

func setBit(b []uint64, i uint32)       { b[i>>6] |= 1 << (i & 63) }
func testBit(b []uint64, i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func le2(s string) uint32 { return uint32(s[0]) | uint32(s[1])<<8 }
func le3(s string) uint32 { return le2(s) | uint32(s[2])<<16 }
func le4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func le8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// tables returns the filters and tables, building them when an add came
// after the last build.
func (x *litIndex) tables() *litTabs {
	if t := x.tabs.Load(); t != nil {
		return t
	}
	t := &litTabs{}
	by2 := map[uint32][]int32{}
	by3 := map[uint32][]int32{}
	by4 := map[uint32][]int32{}
	has8 := map[uint32]bool{}
	by8 := map[uint64][]int32{}
	var order2, order3, order4 []uint32
	var order8 []uint64
	for id, s := range x.lits {
		switch {
		case len(s) == 2:
			k := le2(s)
			setBit(t.bits2[:], k)
			for c := uint32(0); c < 256; c++ {
				setBit(t.bitsS[:], hashS(k|c<<16))
				setBit(t.bitsF[:], hashS(k|c<<16))
			}
			if by2[k] == nil {
				order2 = append(order2, k)
			}
			by2[k] = append(by2[k], int32(id))
		case len(s) == 3:
			k := le3(s)
			setBit(t.bits3[:], hash3(k))
			setBit(t.bitsS[:], hashS(k))
			setBit(t.bitsF[:], hashS(k))
			if by3[k] == nil {
				order3 = append(order3, k)
			}
			by3[k] = append(by3[k], int32(id))
		default:
			k := le4(s)
			setBit(t.bits4[:], hash4(k))
			setBit(t.bitsF[:], hashS(k&0xFFFFFF))
			if _, ok := by4[k]; !ok {
				order4 = append(order4, k)
				by4[k] = nil
			}
			if len(s) < 8 {
				by4[k] = append(by4[k], int32(id))
				continue
			}
			has8[k] = true
			k8 := le8(s)
			h8 := hash8(k8)
			t.bits8[h8>>6] |= 1 << (h8 & 63)
			if by8[k8] == nil {
				order8 = append(order8, k8)
			}
			by8[k8] = append(by8[k8], int32(id))
		}
	}
	t.by2, t.by3, t.by4, t.by8 = newOtab(len(by2)), newOtab(len(by3)), newOtab(len(by4)), newOtab(len(by8))
	for _, k := range order2 {
		t.by2.put(uint64(k), by2[k], false)
	}
	for _, k := range order3 {
		t.by3.put(uint64(k), by3[k], false)
	}
	for _, k := range order4 {
		t.by4.put(uint64(k), by4[k], has8[k])
	}
	for _, id := range t.by4.ids {
		l := x.lits[id]
		var m masked
		for j := 0; j < len(l); j++ {
			m.key |= uint64(l[j]) << (8 * j)
			m.mask |= 0xFF << (8 * j)
		}
		t.m4 = append(t.m4, m)
	}
	for _, k := range order8 {
		t.by8.put(k, by8[k], false)
	}
	x.tabs.Store(t)
	return t
}

func newLitIndex() *litIndex {
	return &litIndex{ids: map[string]int{}}
}

// add registers a literal (at least two bytes) and returns its id.
func (x *litIndex) add(s string) int {
	if id, ok := x.ids[s]; ok {
		return id
	}
	x.tabs.Store(nil)
	id := len(x.lits)
	x.lits = append(x.lits, s)
	x.litSets = append(x.litSets, nil)
	x.ids[s] = id
	return id
}

// addSet registers a set of literal ids and returns the set's id.
func (x *litIndex) addSet(ids []int) int {
	sid := x.nsets
	x.nsets++
	for _, id := range ids {
		if l := x.litSets[id]; len(l) == 0 || l[len(l)-1] != int32(sid) {
			x.litSets[id] = append(l, int32(sid))
		}
	}
	return sid
}

// maxPositions is how many occurrences of one literal are remembered.
const maxPositions = 8

// scanResult says which literals occur in a text, and where (the first
// maxPositions byte offsets of each). Sparse: a message holds few of the
// thousands of literals, so only an index of 4 bytes per literal is dense.
type scanResult struct {
	slotp *[]int32
	slot  []int32 // literal id → 1 + index into hits; 0: absent
	hits  []litHits
	lits  []string // the index's literals, by id
	sets  []uint64 // bitset of the sets one of whose literals occurs
}

type litHits struct {
	id int32
	n  int32
	at [maxPositions]int32
}

// hasSet reports whether a literal of set sid occurs.
func (r *scanResult) hasSet(sid int) bool { return r.sets[sid>>6]&(1<<(sid&63)) != 0 }

// has reports whether literal id occurs.
func (r *scanResult) has(id int) bool { return r.slot[id] != 0 }

// positions returns the first offsets of literal id.
func (r *scanResult) positions(id int) []int32 {
	if s := r.slot[id]; s != 0 {
		h := &r.hits[s-1]
		return h.at[:h.n]
	}
	return nil
}

// note records literal id at offset at.
func (r *scanResult) note(id int32, at int) {
	s := r.slot[id]
	if s == 0 {
		r.hits = append(r.hits, litHits{id: id})
		s = int32(len(r.hits))
		r.slot[id] = s
	}
	if h := &r.hits[s-1]; h.n < maxPositions {
		h.at[h.n] = int32(at)
		h.n++
	}
}

// scan finds the literals in text.
func (x *litIndex) scan(text string) scanResult {
	var r scanResult
	x.scanInto(&r, text)
	return r
}

// scanInto finds the literals in text, reusing r's buffers (r must have
// been released, or be new).
func (x *litIndex) scanInto(r *scanResult, text string) {
	t := x.begin(r)
	n := len(text)
	i := 0
	if n >= 8 {
		// u holds the eight bytes from i (one load). The filter of the
		// literals' first three bytes comes first: it fails for most
		// positions.
		bits4, bitsS, bitsF := &t.bits4, &t.bitsS, &t.bitsF
		for end := n - 7; i < end; i++ {
			w := text[i : i+8]
			u := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			hs := hashS(uint32(u) & 0xFFFFFF)
			if bitsF[hs>>6]>>(hs&63)&1 != 0 {
				h4 := hash4(uint32(u))
				in4, inS := bits4[h4>>6]>>(h4&63)&1 != 0, bitsS[hs>>6]>>(hs&63)&1 != 0
				if inS {
					k2, h3 := uint32(u)&0xFFFF, hash3(uint32(u)&0xFFFFFF)
					if b2, b3 := testBit(t.bits2[:], k2), testBit(t.bits3[:], h3); b2 || b3 {
						x.probeShort(t, r, u, b2, b3, i)
					}
				}
				if in4 {
					x.probeLong(t, r, text, u, i)
				}
			}
		}
		i = n - 7
	}
	x.finish(t, r, text, i)
}

// begin readies r for a scan (its table of literal ids from the pool)
// and returns the filters and tables.
func (x *litIndex) begin(r *scanResult) *litTabs {
	sp, _ := x.slots.Get().(*[]int32)
	if sp == nil || len(*sp) != len(x.lits) {
		s := make([]int32, len(x.lits))
		sp = &s
	}
	r.slotp, r.slot, r.lits, r.hits = sp, *sp, x.lits, r.hits[:0]
	return x.tables()
}

// finish notes the literals at the positions from i (those the
// eight-byte loop does not reach) and marks the sets whose literals occur.
func (x *litIndex) finish(t *litTabs, r *scanResult, text string, i int) {
	for ; i+1 < len(text); i++ {
		x.probe(t, r, text, i)
	}
	ns := (x.nsets + 63) / 64
	if cap(r.sets) < ns {
		r.sets = make([]uint64, ns)
	} else {
		r.sets = r.sets[:ns]
		clear(r.sets)
	}
	for _, h := range r.hits {
		for _, sid := range x.litSets[h.id] {
			r.sets[sid>>6] |= 1 << (sid & 63)
		}
	}
}

// probeShort notes the literals of two and three bytes that occur where
// the text's next eight bytes are u (at offset i); two and three: their
// filters passed.
func (x *litIndex) probeShort(t *litTabs, r *scanResult, u uint64, two, three bool, i int) {
	if two {
		if s := t.by2.get(u & 0xFFFF); s != nil {
			for _, id := range t.by2.list(s) {
				r.note(id, i)
			}
		}
	}
	if three {
		if s := t.by3.get(u & 0xFFFFFF); s != nil {
			for _, id := range t.by3.list(s) {
				r.note(id, i)
			}
		}
	}
}

// probeLong notes the literals of four bytes or more that occur in text
// at i, where the next eight bytes are u. Most calls find the first four
// bytes of some literal but no literal (a key's literals of 4-7 bytes,
// probe4, are often none; the filter of eight bytes fails for most):
// the notes are out of line, so that path keeps its values in registers.
func (x *litIndex) probeLong(t *litTabs, r *scanResult, text string, u uint64, i int) {
	s := t.by4.get(u & 0xFFFFFFFF)
	if s == nil {
		return
	}
	if s.n != 0 {
		x.probe4(t, r, s, u, i)
	}
	if h8 := hash8(u); !s.has8 || t.bits8[h8>>6]>>(h8&63)&1 == 0 {
		return
	}
	x.probe8(t, r, text, u, i)
}

// probe4 notes the literals of 4-7 bytes of by4's slot s that occur at
// i, where the next eight bytes are u.
func (x *litIndex) probe4(t *litTabs, r *scanResult, s *oslot, u uint64, i int) {
	m4 := t.m4[s.lo : s.lo+int32(s.n)]
	for j, id := range t.by4.list(s) {
		if u&m4[j].mask == m4[j].key {
			r.note(id, i)
		}
	}
}

// probe8 notes the literals of eight bytes or more that occur in text at
// i, where the next eight bytes are u.
func (x *litIndex) probe8(t *litTabs, r *scanResult, text string, u uint64, i int) {
	s8 := t.by8.get(u)
	if s8 == nil {
		return
	}
	rest := text[i+8:]
	for _, id := range t.by8.list(s8) {
		if l := x.lits[id]; len(l) == 8 || len(l)-8 <= len(rest) && rest[:len(l)-8] == l[8:] {
			r.note(id, i)
		}
	}
}

// probe notes the literals that occur in text at i.
func (x *litIndex) probe(t *litTabs, r *scanResult, text string, i int) {
	rest := text[i:]
	if len(rest) < 2 {
		return
	}
	if k := le2(rest); testBit(t.bits2[:], k) {
		if s := t.by2.get(uint64(k)); s != nil {
			for _, id := range t.by2.list(s) {
				r.note(id, i)
			}
		}
	}
	if len(rest) < 3 {
		return
	}
	if k := le3(rest); testBit(t.bits3[:], hash3(k)) {
		if s := t.by3.get(uint64(k)); s != nil {
			for _, id := range t.by3.list(s) {
				r.note(id, i)
			}
		}
	}
	if len(rest) < 4 {
		return
	}
	k4 := le4(rest)
	if !testBit(t.bits4[:], hash4(k4)) {
		return
	}
	s := t.by4.get(uint64(k4))
	if s == nil {
		return
	}
	for _, id := range t.by4.list(s) {
		x.try(r, id, rest, i)
	}
	if s.has8 && len(rest) >= 8 {
		if s8 := t.by8.get(le8(rest)); s8 != nil {
			for _, id := range t.by8.list(s8) {
				x.try(r, id, rest, i)
			}
		}
	}
}

// release hands the result's table back for another scan; r keeps its
// buffers for the next scanInto.
func (x *litIndex) release(r *scanResult) {
	if r.slotp == nil {
		return
	}
	for _, h := range r.hits {
		r.slot[h.id] = 0
	}
	x.slots.Put(r.slotp)
	*r = scanResult{hits: r.hits[:0], sets: r.sets[:0]}
}

// try notes literal id when rest (the text from offset i) begins with it.
func (x *litIndex) try(r *scanResult, id int32, rest string, i int) {
	if s := r.slot[id]; s != 0 && r.hits[s-1].n >= maxPositions {
		return
	}
	l := x.lits[id]
	if len(l) <= len(rest) && rest[:len(l)] == l {
		r.note(id, i)
	}
}

// hasAny reports whether one of the literals occurs.
func (r *scanResult) hasAny(ids []int) bool {
	for _, id := range ids {
		if r.slot[id] != 0 {
			return true
		}
	}
	return false
}

// within reports whether one of the literals may occur wholly inside
// text[lo:hi] (true as well when a literal occurs more often than its
// positions were kept).
func (r *scanResult) within(ids []int, lo, hi int) bool {
	for _, id := range ids {
		s := r.slot[id]
		if s == 0 {
			continue
		}
		h := &r.hits[s-1]
		if h.n >= maxPositions {
			return true
		}
		for _, at := range h.at[:h.n] {
			if int(at) >= lo && int(at)+len(r.lits[id]) <= hi {
				return true
			}
		}
	}
	return false
}
