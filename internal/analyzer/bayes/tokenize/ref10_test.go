package tokenize

import (
	"slices"
	"unsafe"
)

// streamBodyMixRef is streamBodyMix as it was on main d46e9cd (before the
// tok10 rewrite): the reference the differential tests compare with.
func (b *builder) streamBodyMixRef(n int) {
	ws := &b.ws
	wh := slices.Grow(b.wh[:0], n)[:n]
	buf := unsafe.Pointer(unsafe.SliceData(ws.buf))
	lo := int32(0)
	for i, hi := range ws.ends[:n] {
		wh[i] = hash64(unsafe.Add(buf, lo), int(hi-lo))
		lo = hi
	}
	b.wh = wh
	b.mixWordsRef(wh)
}

// mixWordsRef is streamBodyMixRef's second pass (main's loop, unchanged).
func (b *builder) mixWordsRef(wh []uint64) {
	n := len(wh)
	nk := len(b.keys)
	most := max(min(n*Window, MaxFeatures-nk), 0)
	keys := slices.Grow(b.keys, most)
	ends := slices.Grow(b.ends, most)
	arena := slices.Grow(b.arena, 4*most)
	al := len(arena)
	kp := unsafe.Pointer(unsafe.SliceData(keys))
	ep := unsafe.Pointer(unsafe.SliceData(ends))
	ap := unsafe.Pointer(unsafe.SliceData(arena))
	seen := &b.seen
	pairs := !b.opt.NoBigrams
	for i := 0; i < n && nk < MaxFeatures; i++ {
		hw := wh[i]
		if r := seen.probe(hw); r == probeAdded || r == probeFull && seen.insert(hw) {
			*(*uint32)(unsafe.Add(ap, al)) = uint32(i << 4)
			al += 4
			*(*uint64)(unsafe.Add(kp, nk*8)) = hw
			*(*uint32)(unsafe.Add(ep, nk*4)) = uint32(al) | pairRec
			nk++
		}
		if !pairs {
			continue
		}
		wm := fmix64(hw ^ pairKeyW)
		for d := 1; d <= min(Window-1, i) && nk < MaxFeatures; d++ {
			h := fmix64((wh[i-d]^pairKeyA[d])*pairMul ^ wm)
			if r := seen.probe(h); r == probeKnown || r == probeFull && !seen.insert(h) {
				continue
			}
			*(*uint32)(unsafe.Add(ap, al)) = uint32(i<<4 | d)
			al += 4
			*(*uint64)(unsafe.Add(kp, nk*8)) = h
			*(*uint32)(unsafe.Add(ep, nk*4)) = uint32(al) | pairRec
			nk++
		}
	}
	b.arena, b.keys, b.ends = arena[:al], keys[:nk], ends[:nk]
}
