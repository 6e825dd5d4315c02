package bayesstore

import "testing"

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
