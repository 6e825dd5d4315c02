package brands

import (
	"bytes"
	"hash/maphash"
)

// lookalikeMemo remembers MatchLookalike's answers, maxLookalikeMemo of
// them at most (forgotten all at once when full, as before). Almost every
// answer is a miss, so the memo holds no pointers for them: the keys'
// bytes sit in one arena and a map from their hash (uint64) to the
// arena's span, neither of which the garbage collector scans; only the
// few hits keep their Lookalike (with its Brand), in hits. A hash
// collision is told apart by comparing the key's bytes: the newer key
// then goes unremembered (answered afresh each time), never mistaken.
// Not safe for concurrent use: Catalogue.lkMu guards it.
type lookalikeMemo struct {
	seed  maphash.Seed
	arena []byte
	spans map[uint64]memoSpan
	hits  []Lookalike
}

// memoSpan is one remembered key, arena[off:off+n], and its answer: an
// index into hits, or -1 for a miss.
type memoSpan struct {
	off, n uint32
	hit    int32
}

// get returns the remembered answer for key.
func (m *lookalikeMemo) get(key []byte) (l Lookalike, found, ok bool) {
	if m.spans == nil {
		return Lookalike{}, false, false
	}
	s, ok := m.spans[maphash.Bytes(m.seed, key)]
	if !ok || !bytes.Equal(m.arena[s.off:s.off+s.n], key) {
		return Lookalike{}, false, false
	}
	if s.hit < 0 {
		return Lookalike{}, false, true
	}
	return m.hits[s.hit], true, true
}

// maxKeptArena is the most key bytes a reset keeps allocated for the
// next fill (about 200 KiB in normal use).
const maxKeptArena = 1 << 20

// put remembers the answer for key; the memo is emptied first when full.
func (m *lookalikeMemo) put(key []byte, l Lookalike, found bool) {
	if len(key) > 1<<16 {
		return
	}
	if m.spans == nil {
		m.seed = maphash.MakeSeed()
		m.spans = make(map[uint64]memoSpan, 256)
	} else if len(m.spans) >= maxLookalikeMemo {
		clear(m.spans)
		m.arena = m.arena[:0]
		if cap(m.arena) > maxKeptArena {
			m.arena = nil // a burst of long keys is not kept for good
		}
		clear(m.hits) // drop the Brands' references
		m.hits = m.hits[:0]
	}
	h := maphash.Bytes(m.seed, key)
	if _, taken := m.spans[h]; taken {
		return // the same key (a racing caller's) or a collision
	}
	s := memoSpan{off: uint32(len(m.arena)), n: uint32(len(key)), hit: -1}
	m.arena = append(m.arena, key...)
	if found {
		s.hit = int32(len(m.hits))
		m.hits = append(m.hits, l)
	}
	m.spans[h] = s
}
