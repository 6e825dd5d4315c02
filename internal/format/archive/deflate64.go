package archive

import (
	"fmt"
	"io"
)

// Deflate64 ("enhanced deflate", zip method 9, PKWARE APPNOTE 4.4.5):
// RFC 1951 deflate with a 64 KiB window, length code 285 meaning a length
// of 3 plus 16 extra bits, and distance codes 30 and 31 (32,769 and
// 49,153 plus 14 extra bits). Windows Explorer writes it for large files.
// The decoder is an io.Reader over the whole compressed input, decoding
// one symbol at a time (canonical codes read bit by bit, as RFC 1951 §3.2.2
// assigns them).

var errDeflate64 = fmt.Errorf("%w: deflate64: bad compressed data", ErrCorrupt)

var (
	d64LenBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 3}
	d64LenExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16}
	d64DistBase = [32]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
		4097, 6145, 8193, 12289, 16385, 24577, 32769, 49153}
	d64DistExtra = [32]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14}
	d64ClOrder   = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// lsbHuff is a canonical code read bit by bit (deflate order).
type lsbHuff struct {
	count [16]uint16
	syms  []uint16
}

// build accepts complete codes and, as RFC 1951 allows, a code of a
// single symbol; ok false otherwise.
func (h *lsbHuff) build(lens []byte) bool {
	*h = lsbHuff{syms: h.syms[:0]}
	for _, l := range lens {
		if l > 15 {
			return false
		}
		h.count[l]++
	}
	h.count[0] = 0
	left := 1
	for l := 1; l <= 15; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return false // over-subscribed
		}
	}
	for l := 1; l <= 15; l++ {
		for s, sl := range lens {
			if int(sl) == l {
				h.syms = append(h.syms, uint16(s))
			}
		}
	}
	return true
}

type deflate64 struct {
	in     []byte
	pos    int
	bits   uint64
	nbits  uint
	ring   [1 << 16]byte
	r      uint32
	out    int64
	final  bool
	inBlk  bool
	stored int // bytes left in a stored block
	fixed  bool
	lit    lsbHuff
	dist   lsbHuff
	mlen   int
	mdist  int
	err    error
	done   bool
}

// newDeflate64 returns a reader of the data compressed in in.
func newDeflate64(in []byte) io.ReadCloser { return &deflate64{in: in} }

func (d *deflate64) Close() error { return nil }

func (d *deflate64) need(n uint) bool {
	for d.nbits < n {
		if d.pos >= len(d.in) {
			return false
		}
		d.bits |= uint64(d.in[d.pos]) << d.nbits
		d.pos++
		d.nbits += 8
	}
	return true
}

func (d *deflate64) getbits(n uint) (int, bool) {
	if !d.need(n) {
		return 0, false
	}
	v := int(d.bits & (1<<n - 1))
	d.bits >>= n
	d.nbits -= n
	return v, true
}

func (d *deflate64) decode(h *lsbHuff) (int, bool) {
	code, first, index := 0, 0, 0
	for l := 1; l <= 15; l++ {
		b, ok := d.getbits(1)
		if !ok {
			return 0, false
		}
		code |= b
		cnt := int(h.count[l])
		if code-cnt < first {
			return int(h.syms[index+code-first]), true
		}
		index += cnt
		first = (first + cnt) << 1
		code <<= 1
	}
	return 0, false
}

func (d *deflate64) put(c byte) {
	d.ring[d.r&0xffff] = c
	d.r++
	d.out++
}

// Read implements io.Reader.
func (d *deflate64) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.mlen > 0 {
			c := d.ring[(d.r-uint32(d.mdist))&0xffff]
			d.put(c)
			p[n] = c
			n++
			d.mlen--
			continue
		}
		if d.err != nil {
			return n, d.err
		}
		if d.done {
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		}
		if d.stored > 0 {
			if !d.need(8) {
				d.err = io.ErrUnexpectedEOF
				continue
			}
			v, _ := d.getbits(8)
			d.put(byte(v))
			p[n] = byte(v)
			n++
			d.stored--
			continue
		}
		if !d.inBlk {
			if d.final {
				d.done = true
				continue
			}
			d.err = d.header()
			continue
		}
		c, ok := d.decode(&d.lit)
		switch {
		case !ok:
			d.err = errDeflate64
		case c < 256:
			d.put(byte(c))
			p[n] = byte(c)
			n++
		case c == 256:
			d.inBlk = false
		default:
			d.err = d.match(c - 257)
		}
	}
	return n, nil
}

func (d *deflate64) match(li int) error {
	if li >= len(d64LenBase) {
		return errDeflate64
	}
	e, ok := d.getbits(d64LenExtra[li])
	if !ok {
		return io.ErrUnexpectedEOF
	}
	length := d64LenBase[li] + e
	di, ok := d.decode(&d.dist)
	if !ok || di >= len(d64DistBase) {
		return errDeflate64
	}
	e, ok = d.getbits(d64DistExtra[di])
	if !ok {
		return io.ErrUnexpectedEOF
	}
	dist := d64DistBase[di] + e
	if int64(dist) > d.out || dist > 1<<16 {
		return errDeflate64
	}
	d.mlen, d.mdist = length, dist
	return nil
}

// header starts the next block.
func (d *deflate64) header() error {
	h, ok := d.getbits(3)
	if !ok {
		return io.ErrUnexpectedEOF
	}
	d.final = h&1 != 0
	switch h >> 1 {
	case 0: // stored
		d.bits >>= d.nbits % 8
		d.nbits -= d.nbits % 8
		v, ok := d.getbits(16)
		nv, ok2 := d.getbits(16)
		if !ok || !ok2 {
			return io.ErrUnexpectedEOF
		}
		if v != ^nv&0xffff {
			return errDeflate64
		}
		d.stored = v
		d.inBlk = false
		if v == 0 && d.final {
			d.done = true
		}
		return nil
	case 1: // fixed codes
		var l [288 + 32]byte
		for i := range 288 {
			switch {
			case i < 144:
				l[i] = 8
			case i < 256:
				l[i] = 9
			case i < 280:
				l[i] = 7
			default:
				l[i] = 8
			}
		}
		for i := 288; i < 320; i++ {
			l[i] = 5
		}
		d.lit.build(l[:288])
		d.dist.build(l[288:])
	case 2: // dynamic codes
		if err := d.dynamic(); err != nil {
			return err
		}
	default:
		return errDeflate64
	}
	d.inBlk = true
	return nil
}

func (d *deflate64) dynamic() error {
	hl, ok1 := d.getbits(5)
	hd, ok2 := d.getbits(5)
	hc, ok3 := d.getbits(4)
	if !ok1 || !ok2 || !ok3 {
		return io.ErrUnexpectedEOF
	}
	nlen, ndist, ncode := hl+257, hd+1, hc+4
	if nlen > 288 || ndist > 32 {
		return errDeflate64
	}
	var cl [19]byte
	for i := 0; i < ncode; i++ {
		v, ok := d.getbits(3)
		if !ok {
			return io.ErrUnexpectedEOF
		}
		cl[d64ClOrder[i]] = byte(v)
	}
	var clh lsbHuff
	if !clh.build(cl[:]) {
		return errDeflate64
	}
	var lens [288 + 32]byte
	for i := 0; i < nlen+ndist; {
		sym, ok := d.decode(&clh)
		if !ok {
			return errDeflate64
		}
		if sym < 16 {
			lens[i] = byte(sym)
			i++
			continue
		}
		var rep int
		var val byte
		switch sym {
		case 16:
			if i == 0 {
				return errDeflate64
			}
			val = lens[i-1]
			v, _ := d.getbits(2)
			rep = 3 + v
		case 17:
			v, _ := d.getbits(3)
			rep = 3 + v
		default:
			v, _ := d.getbits(7)
			rep = 11 + v
		}
		if i+rep > nlen+ndist {
			return errDeflate64
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if lens[256] == 0 || !d.lit.build(lens[:nlen]) || !d.dist.build(lens[nlen:nlen+ndist]) {
		return errDeflate64
	}
	return nil
}
