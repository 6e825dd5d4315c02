package quarantine

import (
	"sort"
	"sync"
)

// Pooled buffers of the history writer's entries (Record's copy of the
// raw message, its JSON and symbol columns, its compressed message).
// They are taken when Record builds an entry and given back by
// entry.release once the writer's batch that holds the entry has
// returned (committed or rolled back: the drivers copy what they bind
// during Exec — modernc.org/sqlite into C memory, pgx into its send
// buffer — and keep no reference to Go memory after it), or at once
// when Record drops the entry. Hold's entries own no pooled buffer.
//
// The classes are four sizes per power of two (512, 640, 768, 896, 1024,
// 1280, …, 1 MiB): a buffer made for a class wastes less than a quarter
// of its size (a message is copied into one of the size it asks, rounded
// up). A buffer is kept in the class of the largest size its capacity
// reaches, and taken from the class of the smallest size that holds what
// is asked: a buffer taken has at least the capacity asked.

const (
	minBufSize = 512
	maxBufSize = 1 << 20 // larger buffers are left to the GC
)

// bufSizes are the classes' sizes, ascending.
var bufSizes = func() []int {
	var s []int
	for n := minBufSize; n < maxBufSize; n *= 2 {
		for j := 4; j < 8; j++ {
			s = append(s, n/4*j)
		}
	}
	return append(s, maxBufSize)
}()

// The free buffers, by class, at most maxFreeBytes of them: a bounded
// free list rather than a sync.Pool, whose buffers (kept through one
// more collection, in every class) counted in the live heap and raised
// the daemon's peak RSS by some 5 MB under `sekisho bench`.
var free struct {
	mu    sync.Mutex
	lists [][]*[]byte
	bytes int
}

// maxFreeBytes bounds the free buffers kept: about one batch of the
// history writer at a thousand messages a second (a message's copy, its
// columns and its compressed copy, some 12 KB together on the SA test
// corpus, 100 a batch window), released as the next batch is recorded.
// They are live heap: with GOGC 50 the daemon's heap goal, and its peak
// RSS, grow by 1.5 times what is kept (3 MiB raised the peak by about
// 5 MB under `sekisho bench`).
const maxFreeBytes = 3 << 19

// classUp is the smallest class whose size is n at least
// (len(bufSizes) when n is above the largest).
func classUp(n int) int {
	return sort.SearchInts(bufSizes, n)
}

// classDown is the largest class whose size is n at most (-1 when n is
// below the smallest).
func classDown(n int) int {
	i := sort.SearchInts(bufSizes, n)
	if i < len(bufSizes) && bufSizes[i] == n {
		return i
	}
	return i - 1
}

// getBuf returns a pooled buffer of length 0 and capacity n at least.
// Above 1 MiB it is a new one, not pooled.
func getBuf(n int) *[]byte {
	c := classUp(n)
	if c >= len(bufSizes) {
		b := make([]byte, 0, n)
		return &b
	}
	free.mu.Lock()
	if free.lists == nil {
		free.lists = make([][]*[]byte, len(bufSizes))
	}
	// The class asked for, else one of the next three (less than twice
	// the size): the free buffers are of the sizes recent messages
	// asked for, and the next message's size is another.
	for k := c; k < min(c+4, len(bufSizes)); k++ {
		if l := free.lists[k]; len(l) > 0 {
			bp := l[len(l)-1]
			l[len(l)-1] = nil
			free.lists[k] = l[:len(l)-1]
			free.bytes -= cap(*bp)
			free.mu.Unlock()
			return bp
		}
	}
	free.mu.Unlock()
	b := make([]byte, 0, bufSizes[c])
	return &b
}

// poisonReleased (tests) overwrites a buffer as it is given back, so
// that a reader of a released buffer reads garbage instead of what was
// written there.
var poisonReleased bool

// putBuf gives a buffer back. The caller must hold no slice or string of
// it any longer.
func putBuf(bp *[]byte) {
	if bp == nil {
		return
	}
	b := *bp
	if poisonReleased {
		poison(b)
	}
	c := classDown(cap(b))
	if c < 0 || cap(b) > maxBufSize {
		return
	}
	*bp = b[:0]
	free.mu.Lock()
	if free.bytes+cap(b) <= maxFreeBytes {
		if free.lists == nil {
			free.lists = make([][]*[]byte, len(bufSizes))
		}
		free.lists[c] = append(free.lists[c], bp)
		free.bytes += cap(b)
	}
	free.mu.Unlock()
}

func poison(b []byte) {
	b = b[:cap(b)]
	for i := range b {
		b[i] = 0xA5
	}
}
