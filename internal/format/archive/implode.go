package archive

import (
	"fmt"
	"io"
	"sort"
)

// Implode (zip method 6, PKZIP 1.x; PKWARE APPNOTE 5.3): LZ77 with a 4 KiB
// or 8 KiB window (general-purpose flag bit 1) and two or three
// Shannon-Fano trees (flag bit 2: a literal tree; without it literals are
// 8 raw bits). Each tree is sent as a count of bytes less one, then bytes
// giving (number of codes less one) << 4 | (bit length less one) for
// runs of symbols. The codes are built as the APPNOTE describes (lengths
// sorted ascending, codes handed out from the longest), read one bit at a
// time from the least significant bit of each byte. A
// literal is flagged by a 1 bit; a match by a 0 bit, then the low 6 (4K)
// or 7 (8K) distance bits raw, the high 6 from the distance tree, and the
// length from the length tree (63: plus 8 raw bits) plus 2, or 3 with a
// literal tree. Distances before the start of the file read zeros.

var errImplode = fmt.Errorf("%w: implode: bad compressed data", ErrCorrupt)

type sfTree struct {
	codes map[uint32]uint16 // len<<16 | code → symbol
	max   int
}

// readTree reads one Shannon-Fano tree of n symbols from in at *pos.
func readSFTree(in []byte, pos *int, n int) (*sfTree, bool) {
	if *pos >= len(in) {
		return nil, false
	}
	nb := int(in[*pos]) + 1
	*pos++
	lens := make([]int, 0, n)
	for i := 0; i < nb; i++ {
		if *pos >= len(in) {
			return nil, false
		}
		b := in[*pos]
		*pos++
		cnt, l := int(b>>4)+1, int(b&15)+1
		for k := 0; k < cnt; k++ {
			lens = append(lens, l)
		}
	}
	if len(lens) != n {
		return nil, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return lens[idx[a]] < lens[idx[b]] })
	t := &sfTree{codes: make(map[uint32]uint16, n)}
	code, inc, last := 0, 0, 0
	for i := n - 1; i >= 0; i-- {
		s := idx[i]
		code += inc
		if lens[s] != last {
			last = lens[s]
			inc = 1 << (16 - last)
		}
		if code >= 1<<16 {
			return nil, false
		}
		l := lens[s]
		t.codes[uint32(l)<<16|uint32(code>>(16-l))] = uint16(s)
		t.max = max(t.max, l)
	}
	return t, true
}

type explode struct {
	in         []byte
	pos        int
	bits       uint32
	nbits      uint
	lit, ln, d *sfTree
	lowBits    uint
	minLen     int
	ring       [8192]byte
	r          uint32
	out        int64
	left       int64
	mlen, dist int
	err        error
}

// newExplode returns a reader of size bytes imploded in in with the zip
// general-purpose flags.
func newExplode(in []byte, flags uint16, size int64) io.ReadCloser {
	e := &explode{in: in, left: size, lowBits: 6, minLen: 2}
	if flags&2 != 0 {
		e.lowBits = 7
	}
	ok := true
	if flags&4 != 0 {
		e.minLen = 3
		e.lit, ok = readSFTree(in, &e.pos, 256)
	}
	if ok {
		e.ln, ok = readSFTree(in, &e.pos, 64)
	}
	if ok {
		e.d, ok = readSFTree(in, &e.pos, 64)
	}
	if !ok {
		e.err = errImplode
	}
	return e
}

func (e *explode) Close() error { return nil }

func (e *explode) getbits(n uint) (int, bool) {
	for e.nbits < n {
		if e.pos >= len(e.in) {
			return 0, false
		}
		e.bits |= uint32(e.in[e.pos]) << e.nbits
		e.pos++
		e.nbits += 8
	}
	v := int(e.bits & (1<<n - 1))
	e.bits >>= n
	e.nbits -= n
	return v, true
}

func (e *explode) decode(t *sfTree) (int, bool) {
	code := 0
	for l := 1; l <= t.max; l++ {
		b, ok := e.getbits(1)
		if !ok {
			return 0, false
		}
		code = code<<1 | b
		if s, ok := t.codes[uint32(l)<<16|uint32(code)]; ok {
			return int(s), true
		}
	}
	return 0, false
}

func (e *explode) put(c byte) {
	e.ring[e.r&8191] = c
	e.r++
	e.out++
	e.left--
}

// Read implements io.Reader.
func (e *explode) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if e.left <= 0 {
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		}
		if e.mlen > 0 {
			var c byte
			if int64(e.dist) <= e.out {
				c = e.ring[(e.r-uint32(e.dist))&8191]
			}
			e.put(c)
			p[n] = c
			n++
			e.mlen--
			continue
		}
		if e.err != nil {
			return n, e.err
		}
		flag, ok := e.getbits(1)
		if !ok {
			e.err = io.ErrUnexpectedEOF
			continue
		}
		if flag == 1 {
			var c int
			if e.lit != nil {
				c, ok = e.decode(e.lit)
			} else {
				c, ok = e.getbits(8)
			}
			if !ok {
				e.err = errImplode
				continue
			}
			e.put(byte(c))
			p[n] = byte(c)
			n++
			continue
		}
		low, ok1 := e.getbits(e.lowBits)
		high, ok2 := e.decode(e.d)
		l, ok3 := e.decode(e.ln)
		if !ok1 || !ok2 || !ok3 {
			e.err = errImplode
			continue
		}
		if l == 63 {
			x, ok := e.getbits(8)
			if !ok {
				e.err = io.ErrUnexpectedEOF
				continue
			}
			l += x
		}
		e.dist = (high<<e.lowBits | low) + 1
		e.mlen = l + e.minLen
	}
	return n, nil
}
