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

// splitASCIIRef is splitASCII as it was on main d46e9cd (the word
// buffer's fields read and written through ws at every word).
func (ws *wordBuf) splitASCIIRef(s string, max int) {
	n := len(s)
	for i := 0; i < n && len(ws.ends) < max; {
		if byteClass[s[i]]&cWord == 0 {
			i++
			continue
		}
		j := i + 1
		classes := byteClass[s[i]]
		for j < n {
			cl := byteClass[s[j]]
			if cl&cWord != 0 {
				classes |= cl
				j++
				continue
			}
			if cl&cInner != 0 && j+1 < n && byteClass[s[j+1]]&cWord != 0 {
				j++
				continue
			}
			break
		}
		// As in word1: "$" kept, single letters and digits left out,
		// digit runs collapsed, long words replaced.
		dollar := i > 0 && s[i-1] == '$'
		wl := j - i
		nw := wl
		if dollar {
			nw++
		}
		if nw >= 2 {
			lo := len(ws.buf)
			if classes&cDigit != 0 {
				if dollar {
					ws.buf = append(ws.buf, '$')
				}
				ws.buf = appendCollapsed(ws.buf, s[i:j])
				if classes&cUpper != 0 {
					lowerASCII(ws.buf[lo:])
				}
			} else {
				if cap(ws.buf)-lo < nw+copySlack {
					ws.buf = slices.Grow(ws.buf, nw+copySlack)
				}
				p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(ws.buf)), lo)
				if dollar {
					*(*byte)(p) = '$'
					p = unsafe.Add(p, 1)
				}
				if i+16 <= n && i+wl+7 <= n {
					// copy8 reads up to 16 bytes, or wl rounded up to
					// 8: all in s (ASCII, so its SWAR lowering holds).
					copy8(p, unsafe.Pointer(unsafe.StringData(s[i:])), wl)
					for off := 0; off < wl && classes&cUpper != 0; off += 8 {
						q := (*uint64)(unsafe.Add(p, off))
						*q = lower8(*q)
					}
				} else {
					for k := 0; k < wl; k++ {
						c := s[i+k]
						if 'A' <= c && c <= 'Z' {
							c += 'a' - 'A'
						}
						*(*byte)(unsafe.Add(p, k)) = c
					}
				}
				ws.buf = ws.buf[:lo+nw]
			}
			if nw > MaxTokenLen {
				w := ws.buf[lo:]
				long := appendLongToken(ws.buf[len(ws.buf):], unsafe.String(unsafe.SliceData(w), len(w)))
				ws.buf = append(ws.buf[:lo], long...)
			}
			ws.ends = append(ws.ends, int32(len(ws.buf)))
		}
		if j < n && s[j] == '!' {
			ws.pushString("!")
		}
		i = j
	}
}

// splitRef is split as it was on main d46e9cd: a chunk with any byte
// above ASCII normalised and split whole (splitChunkRef).
func (ws *wordBuf) splitRef(s string, max int) (cjk bool) {
	if s == "" || max <= 0 {
		return false
	}
	for len(s) > 0 && ws.len() < max {
		n := chunkEnd(s, normChunk)
		if ws.splitChunkRef(s[:n], max) {
			cjk = true
		}
		s = s[n:]
	}
	if ws.len() > max {
		ws.ends = ws.ends[:max]
		ws.buf = ws.buf[:ws.ends[max-1]]
	}
	return cjk
}

// splitChunkRef is splitChunk as it was on main d46e9cd.
func (ws *wordBuf) splitChunkRef(s string, max int) (cjk bool) {
	if isASCII(s) {
		ws.splitASCIIRef(s, max)
		return false
	}
	// The whole chunk normalised and split (splitNorm is main's code for
	// it, unchanged).
	return ws.splitNorm(s, max)
}
