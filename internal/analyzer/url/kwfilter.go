package url

import (
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/sekisho/sekisho/internal/brands"
)

// keywordFilter finds, in one pass, whether a host or path holds a
// keyword (brandKeywords) of any brand of a catalogue: the keywords are
// keyed by their first four bytes (every keyword has four or more), each
// key with a bit that rules out most positions at the cost of one load.
type keywordFilter struct {
	// list is the catalogue's brand list the filter was built for.
	list []brands.Brand
	bits [1 << 16 / 64]uint64
	// heads has the keywords by their first four bytes.
	heads map[uint32][]string
	// owners has, for each keyword, the lower-cased domains of each
	// brand that has it (one list per brand, in catalogue order).
	owners map[string][][]string
}

func head4(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func hash16(k uint32) uint32 { return (k * 2654435761) >> 16 }

func newKeywordFilter(list []brands.Brand) *keywordFilter {
	f := &keywordFilter{list: list, heads: map[uint32][]string{}, owners: map[string][][]string{}}
	for _, b := range list {
		var doms []string
		for _, d := range b.Domains {
			doms = append(doms, strings.ToLower(d))
		}
		for _, kw := range brandKeywords(b) {
			f.owners[kw] = append(f.owners[kw], doms)
			k := head4(kw)
			if !slices.Contains(f.heads[k], kw) {
				f.heads[k] = append(f.heads[k], kw)
			}
			h := hash16(k)
			f.bits[h>>6] |= 1 << (h & 63)
		}
	}
	return f
}

// holds reports whether s holds a keyword of the filter's brands (no
// brand owns the empty host).
func (f *keywordFilter) holds(s string) bool { return f.holdsUnowned(s, "") }

// holdsUnowned reports whether s holds a keyword of a brand of the
// filter that does not own lowHost (ownsLower with the brand's domains in
// lower case): false when every brand with a keyword in s owns the host,
// whose links brandInURL never flags for that brand.
func (f *keywordFilter) holdsUnowned(s, lowHost string) bool {
	for i := 0; i+4 <= len(s); i++ {
		k := head4(s[i:])
		if h := hash16(k); f.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for _, kw := range f.heads[k] {
			if !strings.HasPrefix(s[i:], kw) {
				continue
			}
			for _, doms := range f.owners[kw] {
				if !ownsLower(doms, lowHost) {
					return true
				}
			}
		}
	}
	return false
}

// kwFilter is the filter of the catalogue in use, rebuilt when another is
// installed (brands.Use, Configure: a configuration reload).
var kwFilter atomic.Pointer[keywordFilter]

// catalogueKeywords returns the keyword filter of the catalogue in use.
func catalogueKeywords() *keywordFilter {
	list := brands.All()
	if f := kwFilter.Load(); f != nil && sameList(f.list, list) {
		return f
	}
	f := newKeywordFilter(list)
	kwFilter.Store(f)
	return f
}

// sameList reports whether a and b are the same brand list (a catalogue's
// list is never changed once built).
func sameList(a, b []brands.Brand) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}
