package content

import (
	"sync"
	"sync/atomic"
)

// litIndex finds which of many literals occur in a text in one pass:
// positions are filtered through a table of literal first-byte pairs and a
// bitset of the third bytes that follow each pair, then looked up by their
// first three bytes. It replaces hundreds of separate
// substring searches (slow on Japanese text, where the first byte of most
// characters is the same).
type litIndex struct {
	slots  sync.Pool // *[]int32 of len(lits), all zero
	lits   []string
	ids    map[string]int
	first2 []uint64 // bitset over 65536 first-byte pairs
	has2   []uint64 // pairs that are whole literals (two bytes)
	third  []uint16 // pair → index into next3 (0: no literal of 3+ bytes)
	next3  [][4]uint64
	by3    map[uint32]bucket3 // by first three bytes
	by4    map[uint32][]int32 // literals of 4–7 bytes, by their first four
	by8    map[uint64][]int32 // literals of 8+ bytes, by their first eight
	by2    map[uint32][]int32 // literals of exactly two bytes
	// Sets of literals (a regex's prefilter set, its and sets): litSets
	// lists the sets each literal belongs to, and a scan marks the sets
	// one of whose literals occurs (scanResult.hasSet), so a rule asks
	// one bit, not every literal of a set.
	nsets   int
	litSets [][]int32
	// tabs are the maps above as open-addressing tables, built at the
	// first scan after an add (Go maps cost a hash call per lookup, and
	// a scan looks up most positions of a text).
	tabs atomic.Pointer[litTabs]
}

type litTabs struct {
	by2, by3, by4, by8 otab
}

// otab maps a uint64 key to a run of literal ids (and, for the three-byte
// prefixes, bucket3's flags).
type otab struct {
	slots []oslot
	shift uint
	mask  uint64
	ids   []int32
}

type oslot struct {
	key        uint64
	lo, n      int32
	used       bool
	has4, has8 bool
}

func newOtab(n int) otab {
	size, bits := 8, uint(3)
	for size < 2*n {
		size *= 2
		bits++
	}
	return otab{slots: make([]oslot, size), shift: 64 - bits, mask: uint64(size - 1)}
}

func (t *otab) put(key uint64, ids []int32, has4, has8 bool) {
	h := (key * 0x9E3779B97F4A7C15) >> t.shift
	for t.slots[h].used {
		h = (h + 1) & t.mask
	}
	t.slots[h] = oslot{key: key, lo: int32(len(t.ids)), n: int32(len(ids)), used: true, has4: has4, has8: has8}
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

// list returns the ids of key.
func (t *otab) list(key uint64) []int32 {
	if s := t.get(key); s != nil {
		return t.ids[s.lo : s.lo+s.n]
	}
	return nil
}

// tables returns the open-addressing tables, building them when an add
// came after the last build.
func (x *litIndex) tables() *litTabs {
	if t := x.tabs.Load(); t != nil {
		return t
	}
	t := &litTabs{by2: newOtab(len(x.by2)), by3: newOtab(len(x.by3)), by4: newOtab(len(x.by4)), by8: newOtab(len(x.by8))}
	for k, v := range x.by2 {
		t.by2.put(uint64(k), v, false, false)
	}
	for k, b := range x.by3 {
		t.by3.put(uint64(k), b.exact, b.has4, b.has8)
	}
	for k, v := range x.by4 {
		t.by4.put(uint64(k), v, false, false)
	}
	for k, v := range x.by8 {
		t.by8.put(k, v, false, false)
	}
	x.tabs.Store(t)
	return t
}

// bucket3 holds the three-byte literals of a three-byte prefix and says
// which longer ones share it.
type bucket3 struct {
	exact      []int32
	has4, has8 bool
}

func key4(s string) uint32 {
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

func key8(s string) uint64 {
	return uint64(key4(s))<<32 | uint64(key4(s[4:]))
}

func newLitIndex() *litIndex {
	return &litIndex{ids: map[string]int{}, first2: make([]uint64, 1024), has2: make([]uint64, 1024),
		third: make([]uint16, 65536), next3: make([][4]uint64, 1), by3: map[uint32]bucket3{}, by4: map[uint32][]int32{}, by8: map[uint64][]int32{}, by2: map[uint32][]int32{}}
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
	k2 := uint32(s[0])<<8 | uint32(s[1])
	x.first2[k2>>6] |= 1 << (k2 & 63)
	if len(s) == 2 {
		x.has2[k2>>6] |= 1 << (k2 & 63)
		x.by2[k2] = append(x.by2[k2], int32(id))
	} else {
		if x.third[k2] == 0 {
			if len(x.next3) < 65535 {
				x.third[k2] = uint16(len(x.next3))
				x.next3 = append(x.next3, [4]uint64{})
			}
		}
		if t := x.third[k2]; t != 0 {
			x.next3[t][s[2]>>6] |= 1 << (s[2] & 63)
		}
		k3 := k2<<8 | uint32(s[2])
		b := x.by3[k3]
		switch {
		case len(s) == 3:
			b.exact = append(b.exact, int32(id))
		case len(s) < 8:
			b.has4 = true
			x.by4[key4(s)] = append(x.by4[key4(s)], int32(id))
		default:
			b.has8 = true
			x.by8[key8(s)] = append(x.by8[key8(s)], int32(id))
		}
		x.by3[k3] = b
	}
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
	n  int
	at [maxPositions]int32
}

// hasSet reports whether a literal of set sid occurs.
func (r *scanResult) hasSet(sid int) bool { return r.sets[sid>>6]&(1<<(sid&63)) != 0 }

// has reports whether literal id occurs.
func (r scanResult) has(id int) bool { return r.slot[id] != 0 }

// positions returns the first offsets of literal id.
func (r scanResult) positions(id int) []int32 {
	if s := r.slot[id]; s != 0 {
		h := &r.hits[s-1]
		return h.at[:h.n]
	}
	return nil
}

// scan finds the literals in text.
func (x *litIndex) scan(text string) scanResult {
	sp, _ := x.slots.Get().(*[]int32)
	if sp == nil || len(*sp) != len(x.lits) {
		s := make([]int32, len(x.lits))
		sp = &s
	}
	r := scanResult{slotp: sp, slot: *sp, lits: x.lits}
	note := func(id int32, at int) {
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
	tabs := x.tables()
	n := len(text)
	for i := 0; i+1 < n; i++ {
		k2 := uint32(text[i])<<8 | uint32(text[i+1])
		if x.first2[k2>>6]&(1<<(k2&63)) == 0 {
			continue
		}
		if x.has2[k2>>6]&(1<<(k2&63)) != 0 {
			for _, id := range tabs.by2.list(uint64(k2)) {
				note(id, i)
			}
		}
		if i+2 < n {
			if t := x.third[k2]; t != 0 && x.next3[t][text[i+2]>>6]&(1<<(text[i+2]&63)) == 0 {
				continue
			}
			b := tabs.by3.get(uint64(k2<<8 | uint32(text[i+2])))
			if b == nil {
				continue
			}
			for _, id := range tabs.by3.ids[b.lo : b.lo+b.n] {
				note(id, i)
			}
			if b.has4 && i+4 <= n {
				for _, id := range tabs.by4.list(uint64(key4(text[i:]))) {
					x.try(&r, id, text, i, note)
				}
			}
			if b.has8 && i+8 <= n {
				for _, id := range tabs.by8.list(key8(text[i:])) {
					x.try(&r, id, text, i, note)
				}
			}
		}
	}
	r.sets = make([]uint64, (x.nsets+63)/64)
	for _, h := range r.hits {
		for _, sid := range x.litSets[h.id] {
			r.sets[sid>>6] |= 1 << (sid & 63)
		}
	}
	return r
}

// release hands the result's table back for another scan; r is unusable
// afterwards.
func (x *litIndex) release(r *scanResult) {
	if r.slotp == nil {
		return
	}
	for _, h := range r.hits {
		r.slot[h.id] = 0
	}
	x.slots.Put(r.slotp)
	*r = scanResult{}
}

// try notes literal id when text holds it at i.
func (x *litIndex) try(r *scanResult, id int32, text string, i int, note func(int32, int)) {
	if s := r.slot[id]; s != 0 && r.hits[s-1].n >= maxPositions {
		return
	}
	l := x.lits[id]
	if len(l) <= len(text)-i && text[i:i+len(l)] == l {
		note(id, i)
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
