package content

// litIndex finds which of many literals occur in a text in one pass:
// positions are filtered through a table of literal first-byte pairs and a
// bitset of the third bytes that follow each pair, then looked up by their
// first three bytes. It replaces hundreds of separate
// substring searches (slow on Japanese text, where the first byte of most
// characters is the same).
type litIndex struct {
	lits   []string
	ids    map[string]int
	first2 []uint64 // bitset over 65536 first-byte pairs
	has2   []uint64 // pairs that are whole literals (two bytes)
	third  []uint16 // pair → index into next3 (0: no literal of 3+ bytes)
	next3  [][4]uint64
	by3    map[uint32][]int32
	by2    map[uint32][]int32 // literals of exactly two bytes
}

func newLitIndex() *litIndex {
	return &litIndex{ids: map[string]int{}, first2: make([]uint64, 1024), has2: make([]uint64, 1024),
		third: make([]uint16, 65536), next3: make([][4]uint64, 1), by3: map[uint32][]int32{}, by2: map[uint32][]int32{}}
}

// add registers a literal (at least two bytes) and returns its id.
func (x *litIndex) add(s string) int {
	if id, ok := x.ids[s]; ok {
		return id
	}
	id := len(x.lits)
	x.lits = append(x.lits, s)
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
		x.by3[k3] = append(x.by3[k3], int32(id))
	}
	return id
}

// maxPositions is how many occurrences of one literal are remembered.
const maxPositions = 8

// scanResult says which literals occur in a text, and where (the first
// maxPositions byte offsets of each). Sparse: a message holds few of the
// thousands of literals, so only an index of 4 bytes per literal is dense.
type scanResult struct {
	slot []int32 // literal id → 1 + index into hits; 0: absent
	hits []litHits
	lits []string // the index's literals, by id
}

type litHits struct {
	n  int
	at [maxPositions]int32
}

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
	r := scanResult{slot: make([]int32, len(x.lits)), lits: x.lits}
	note := func(id int32, at int) {
		s := r.slot[id]
		if s == 0 {
			r.hits = append(r.hits, litHits{})
			s = int32(len(r.hits))
			r.slot[id] = s
		}
		if h := &r.hits[s-1]; h.n < maxPositions {
			h.at[h.n] = int32(at)
			h.n++
		}
	}
	n := len(text)
	for i := 0; i+1 < n; i++ {
		k2 := uint32(text[i])<<8 | uint32(text[i+1])
		if x.first2[k2>>6]&(1<<(k2&63)) == 0 {
			continue
		}
		if x.has2[k2>>6]&(1<<(k2&63)) != 0 {
			for _, id := range x.by2[k2] {
				note(id, i)
			}
		}
		if i+2 < n {
			if t := x.third[k2]; t != 0 && x.next3[t][text[i+2]>>6]&(1<<(text[i+2]&63)) == 0 {
				continue
			}
			if ids, ok := x.by3[k2<<8|uint32(text[i+2])]; ok {
				for _, id := range ids {
					if s := r.slot[id]; s == 0 || r.hits[s-1].n < maxPositions {
						l := x.lits[id]
						if len(l) <= n-i && text[i:i+len(l)] == l {
							note(id, i)
						}
					}
				}
			}
		}
	}
	return r
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
