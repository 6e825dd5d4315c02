package quarantine

import (
	"sync"
	"time"
)

// heldRowsMax bounds the ids kept in heldRows. Past it the set is
// emptied: a row Hold wrote is then built, compressed and inserted again
// by the writer (a no-op insert, as before the set existed), never lost.
const heldRowsMax = 4096

// heldRows is the set of history ids of held scans whose history row a
// Hold of this process has committed. Record queues a held scan's row
// under the same id (it runs before the action step holds the message,
// or after); the writer, and Record itself, skip an entry whose id is in
// the set and take the id out. An id enters only after Hold's commit: if
// Hold fails or is never called, the writer writes the row as before.
type heldRows struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (h *heldRows) mark(id string) {
	h.mu.Lock()
	if h.m == nil || len(h.m) >= heldRowsMax {
		h.m = make(map[string]struct{})
	}
	h.m[id] = struct{}{}
	h.mu.Unlock()
}

// take reports whether id is in the set, and takes it out.
func (h *heldRows) take(id string) bool {
	h.mu.Lock()
	_, ok := h.m[id]
	if ok {
		delete(h.m, id)
	}
	h.mu.Unlock()
	return ok
}

// historyCopy returns the history entry of a held entry e (built for
// KindQuarantine, before Hold added its retry key): the same message
// under id, kind history, expiring after retention, written once, without
// the raw message (the caller decides).
func (e *entry) historyCopy(id string, retention time.Duration) *entry {
	m := *e.m
	m.ID, m.Kind, m.HasRaw, m.StoredBytes, m.Raw = id, KindHistory, false, 0, nil
	m.Expires = e.now.Add(retention)
	h := *e
	h.m, h.raw, h.once, h.done = &m, nil, true, nil
	h.rawBuf, h.colBuf = nil, nil // Hold's entries own none; the copy would not either
	h.hashes = append([][2]string(nil), e.hashes...)
	return &h
}
