package quarantine

import (
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/sekisho/sekisho/internal/jsonw"
)

// The symbols' descriptions (SymbolResult.EN and JA) are the same few
// hundred texts in every verdict — the definitions' strings, English and
// Japanese — and encoding them was over half of the verdict column's
// work (jsonw.AppendString decodes each multi-byte rune): some 90,000 of
// the 220,000 instructions Record spent building a phishing scan's
// entry. descCache keeps their encoded form.
//
// A slot is chosen by where the text lies in memory (a definition's
// string stays where it is), and holds a private copy of the text it
// encoded: a hit is decided by comparing the text with that copy, so a
// text that only shares the address of another (a string made over a
// reused buffer) is still encoded for what it says. Entries never
// change once stored; a miss stores a new one in place of the slot's
// (two allocations). Two slots are tried for each text.
//
// The shipped definitions have 714 descriptions (67 KB, the longest 332
// bytes): with 2,048 slots nearly all of them stay (a few dozen share
// both their slots with others and are encoded again), some 250 KB with
// their encodings. Texts over descMaxLen are not kept, which bounds the cache
// whatever it is given (2,048 entries of at most 512 bytes and their
// encoding).
const (
	descBits   = 11
	descSlots  = 1 << descBits
	descMinLen = 24  // shorter texts are encoded as they come
	descMaxLen = 512 // and longer ones too
)

type descEntry struct {
	src string // the text, a copy of its own
	enc []byte // jsonw.AppendString(nil, src)
}

var descCache [descSlots]atomic.Pointer[descEntry]

// descMisses counts the texts encoded and stored (tests).
var descMisses atomic.Uint64

// appendDescJSON appends jsonw.AppendString(b, s), from descCache when s
// was encoded before.
func appendDescJSON(b []byte, s string) []byte {
	if len(s) < descMinLen || len(s) > descMaxLen {
		return jsonw.AppendString(b, s)
	}
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(s))))
	h := (p>>3 ^ uint64(len(s))) * 0x9E3779B97F4A7C15
	i := int(h >> (64 - descBits))
	j := int(h>>(64-2*descBits)) & (descSlots - 1) // independent bits: three texts on one pair of slots are rare
	if j == i {
		j ^= 1
	}
	e0, e1 := descCache[i].Load(), descCache[j].Load()
	if e0 != nil && e0.src == s {
		return append(b, e0.enc...)
	}
	if e1 != nil && e1.src == s {
		return append(b, e1.enc...)
	}
	start := len(b)
	b = jsonw.AppendString(b, s)
	descMisses.Add(1)
	e := &descEntry{src: strings.Clone(s), enc: slices.Clone(b[start:])}
	// The empty slot of the two, else the first: a text met again
	// moves to where it was looked for first.
	if e0 != nil && e1 == nil {
		descCache[j].Store(e)
	} else {
		descCache[i].Store(e)
	}
	return b
}
