package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// ARJ archives (Robert K. Jung's ARJ, the format of its public
// technical note "ARJ archive structure"): a main header, then one local
// header per file followed by its data, then an empty header.
//
//	header:  0x60 0xEA, basic header size (2; 0 ends the archive, at most
//	         2600), basic header, its CRC-32 (4), then extended headers
//	         (size 2, data, CRC-32 4) until a size of 0.
//	basic:   first_hdr_size, version, min version, host OS, flags,
//	         method, file type, reserved, time (4), compressed size (4),
//	         original size (4), original CRC-32 (4), entry name position
//	         (2), access mode (2), chapters (2) ... then at first_hdr_size
//	         the file name and the comment, both NUL-terminated.
//
// Methods: 0 stored; 1, 2 and 3 the same static-Huffman LZ77 coding as
// LHA's -lh5-/-lh7- family (blocks of a 16-bit symbol count, a code-length
// code, literal/length codes NC = 510, position codes NP = 17); 4 "fastest",
// an LZ77 with unary-prefixed length and position fields and no Huffman
// coding. Both use a 26,624-byte window. Flag 0x01 ("garbled") marks a
// password-scrambled file, which is reported encrypted and not opened.

const (
	arjMaxHeader = 2600
	arjGarbled   = 0x01
	arjWindow    = 1 << 16 // ring buffer; ARJ's own window is 26,624 bytes
)

// arj walks an ARJ archive.
func (w *walker) arj(data []byte) error {
	off := bytes.Index(data[:min(len(data), 64<<10)], []byte{0x60, 0xea})
	if off < 0 {
		return fmt.Errorf("%w: arj: no header", ErrCorrupt)
	}
	first := true
	for n := 0; ; n++ {
		h, next, err := arjHeader(data, off)
		if err != nil {
			return err
		}
		if h == nil { // end of archive
			return nil
		}
		off = next
		if first { // the main (archive) header
			first = false
			continue
		}
		if h.compSize < 0 || h.compSize > int64(len(data)-off) {
			return fmt.Errorf("%w: arj: %s: data past the end", ErrCorrupt, h.name)
		}
		comp := data[off : off+int(h.compSize)]
		off += int(h.compSize)
		if h.fileType == 3 || h.fileType == 4 { // directory, volume label
			continue
		}
		e := &Entry{Name: h.name, Size: h.origSize, CompSize: h.compSize}
		switch {
		case h.flags&arjGarbled != 0:
			e.Encrypted, e.Err = true, ErrEncrypted
		case h.method > 4:
			e.Err = fmt.Errorf("%w: arj method %d", ErrUnsupported, h.method)
		default:
			var r io.Reader
			if h.method == 0 {
				r = bytes.NewReader(comp[:min(int64(len(comp)), h.origSize)])
			} else {
				r = newARJDecoder(comp, h.origSize, h.method)
			}
			b, trunc, rerr := w.read(r)
			e.Data, e.Truncated, e.Err = b, trunc, rerr
			if rerr == nil && !trunc && (int64(len(b)) != h.origSize || crc32.ChecksumIEEE(b) != h.crc) {
				e.Err = fmt.Errorf("%w: arj: %s: bad size or CRC", ErrCorrupt, h.name)
			}
			if errors.Is(rerr, ErrBudget) {
				if err := w.emit(e); err != nil {
					return err
				}
				return ErrBudget
			}
		}
		if err := w.emit(e); err != nil {
			return err
		}
	}
}

type arjHdr struct {
	flags, method, fileType byte
	compSize, origSize      int64
	crc                     uint32
	name                    string
}

// arjHeader reads the header at off; nil at the end mark.
func arjHeader(data []byte, off int) (*arjHdr, int, error) {
	if off+4 > len(data) || data[off] != 0x60 || data[off+1] != 0xea {
		return nil, 0, fmt.Errorf("%w: arj: header expected at %d", ErrCorrupt, off)
	}
	size := int(binary.LittleEndian.Uint16(data[off+2:]))
	off += 4
	if size == 0 {
		return nil, off, nil
	}
	if size > arjMaxHeader || size < 30 || off+size+4 > len(data) {
		return nil, 0, fmt.Errorf("%w: arj: header size %d", ErrCorrupt, size)
	}
	b := data[off : off+size]
	off += size + 4 // the basic header's CRC (not required: the data CRC is checked)
	// extended headers
	for k := 0; ; k++ {
		if off+2 > len(data) || k > 64 {
			return nil, 0, fmt.Errorf("%w: arj: extended headers", ErrCorrupt)
		}
		ext := int(binary.LittleEndian.Uint16(data[off:]))
		off += 2
		if ext == 0 {
			break
		}
		off += ext + 4
	}
	fh := int(b[0])
	if fh < 30 || fh > len(b) {
		return nil, 0, fmt.Errorf("%w: arj: first header size %d", ErrCorrupt, fh)
	}
	h := &arjHdr{flags: b[4], method: b[5], fileType: b[6],
		compSize: int64(binary.LittleEndian.Uint32(b[12:])), origSize: int64(binary.LittleEndian.Uint32(b[16:])),
		crc: binary.LittleEndian.Uint32(b[20:])}
	name := b[fh:]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	h.name = string(name)
	return h, off, nil
}

// arjDecoder expands methods 1 to 4 as an io.Reader.
type arjDecoder struct {
	in     []byte
	pos    int    // next input byte
	bits   uint32 // bit buffer, most significant first
	nbits  uint
	over   int // bytes read past the end of the input (as zeros)
	left   int64
	method byte
	ring   [arjWindow]byte
	r      uint32 // ring position
	out    int64  // bytes produced
	// pending match
	mlen, mdist int
	// methods 1-3
	block         int
	cLen          [arjNC]byte
	ptLen         [arjNT]byte
	cHuff, ptHuff huff
	err           error
}

const (
	arjNC = 255 + 256 + 2 - 3 // literals and match lengths 3..256
	arjNP = 16 + 1
	arjNT = 16 + 3
)

func newARJDecoder(in []byte, size int64, method byte) *arjDecoder {
	return &arjDecoder{in: in, left: size, method: method}
}

var errARJ = fmt.Errorf("%w: arj: bad compressed data", ErrCorrupt)

func (d *arjDecoder) fill(n uint) {
	for d.nbits < n {
		var c byte
		if d.pos < len(d.in) {
			c = d.in[d.pos]
			d.pos++
		} else {
			d.over++
		}
		d.bits |= uint32(c) << (24 - d.nbits)
		d.nbits += 8
	}
}

func (d *arjDecoder) getbits(n uint) int {
	if n == 0 {
		return 0
	}
	d.fill(n)
	v := d.bits >> (32 - n)
	d.bits <<= n
	d.nbits -= n
	return int(v)
}

// Read implements io.Reader.
func (d *arjDecoder) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.left <= 0 {
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		}
		if d.err != nil {
			return n, d.err
		}
		if d.mlen > 0 {
			c := d.ring[(d.r-uint32(d.mdist))&(arjWindow-1)]
			d.put(c)
			p[n] = c
			n++
			d.mlen--
			continue
		}
		if d.over > 8 { // the stream ran out long ago
			d.err = errARJ
			continue
		}
		lit, ok := d.next()
		if ok {
			d.put(byte(lit))
			p[n] = byte(lit)
			n++
		}
	}
	return n, nil
}

func (d *arjDecoder) put(c byte) {
	d.ring[d.r&(arjWindow-1)] = c
	d.r++
	d.out++
	d.left--
}

// next decodes one literal (returned) or sets up a match (ok false).
func (d *arjDecoder) next() (int, bool) {
	var length, dist int
	if d.method == 4 {
		// unary-prefixed length: 0 is a literal
		c := d.unary(0, 7)
		if c == 0 {
			return d.getbits(8), true
		}
		length = c + 2
		dist = d.unary(9, 13) + 1
	} else {
		if d.block == 0 {
			d.block = d.getbits(16)
			if !d.readPtLen(arjNT, 5, 3) || !d.readCLen() || !d.readPtLen(arjNP, 5, -1) {
				d.err = errARJ
				return 0, false
			}
		}
		d.block--
		c, ok := d.cHuff.decode(d)
		if !ok {
			d.err = errARJ
			return 0, false
		}
		if c <= 255 {
			return c, true
		}
		length = c - 253
		j, ok := d.ptHuff.decode(d)
		if !ok {
			d.err = errARJ
			return 0, false
		}
		if j != 0 {
			j = 1<<(j-1) + d.getbits(uint(j-1))
		}
		dist = j + 1
	}
	if int64(dist) > d.out || dist > arjWindow {
		d.err = errARJ
		return 0, false
	}
	d.mlen, d.mdist = length, dist
	return 0, false
}

// unary reads method 4's fields: a run of up to stop-start one bits,
// each doubling the base, then start+ones bits of value.
func (d *arjDecoder) unary(start, stop int) int {
	plus, pwr, width := 0, 1<<start, start
	for ; width < stop; width++ {
		if d.getbits(1) == 0 {
			break
		}
		plus += pwr
		pwr <<= 1
	}
	return d.getbits(uint(width)) + plus
}

// readPtLen reads the code lengths of the code-length code (nn = NT,
// special index 3) or of the position code (nn = NP).
func (d *arjDecoder) readPtLen(nn int, nbit uint, special int) bool {
	n := d.getbits(nbit)
	d.ptLen = [arjNT]byte{}
	if n == 0 {
		c := d.getbits(nbit)
		if c >= nn {
			return false
		}
		d.ptHuff = huff{constant: true, sym: c}
		return true
	}
	if n > nn {
		return false
	}
	for i := 0; i < n; {
		c := d.getbits(3)
		if c == 7 {
			for d.getbits(1) == 1 {
				c++
				if c > 16 {
					return false
				}
			}
		}
		d.ptLen[i] = byte(c)
		i++
		if i == special {
			for k := d.getbits(2); k > 0 && i < nn; k-- {
				d.ptLen[i] = 0
				i++
			}
		}
	}
	return d.ptHuff.build(d.ptLen[:nn])
}

func (d *arjDecoder) readCLen() bool {
	n := d.getbits(9)
	d.cLen = [arjNC]byte{}
	if n == 0 {
		c := d.getbits(9)
		if c >= arjNC {
			return false
		}
		d.cHuff = huff{constant: true, sym: c}
		return true
	}
	if n > arjNC {
		return false
	}
	for i := 0; i < n; {
		c, ok := d.ptHuff.decode(d)
		if !ok {
			return false
		}
		if c <= 2 {
			switch c {
			case 0:
				c = 1
			case 1:
				c = d.getbits(4) + 3
			default:
				c = d.getbits(9) + 20
			}
			for ; c > 0 && i < arjNC; c-- {
				d.cLen[i] = 0
				i++
			}
			continue
		}
		d.cLen[i] = byte(c - 2)
		i++
	}
	return d.cHuff.build(d.cLen[:])
}

// huff is a canonical Huffman decoder (codes of up to 16 bits, assigned
// shortest first and by symbol within a length, as LHA's make_table).
type huff struct {
	constant bool // a single symbol coded with no bits
	sym      int
	count    [17]uint16
	syms     []uint16
	// fast maps the next huffFast bits to symbol<<4 | length for codes of
	// up to huffFast bits (0: longer, decoded bit by bit).
	fast [1 << huffFast]uint16
}

const huffFast = 10

func (h *huff) build(lens []byte) bool {
	*h = huff{syms: h.syms[:0]}
	for _, l := range lens {
		if l > 16 {
			return false
		}
		h.count[l]++
	}
	h.count[0] = 0
	// a complete code fills the 16-bit space exactly
	space := 0
	for l := 1; l <= 16; l++ {
		space += int(h.count[l]) << (16 - l)
	}
	if space != 1<<16 {
		return false
	}
	code := 0
	for l := 1; l <= 16; l++ {
		for s, sl := range lens {
			if int(sl) != l {
				continue
			}
			h.syms = append(h.syms, uint16(s))
			if l <= huffFast {
				lo := code << (huffFast - l)
				for k := lo; k < lo+1<<(huffFast-l); k++ {
					h.fast[k] = uint16(s)<<4 | uint16(l)
				}
			}
			code++
		}
		code <<= 1
	}
	return true
}

func (h *huff) decode(d *arjDecoder) (int, bool) {
	if h.constant {
		return h.sym, true
	}
	d.fill(huffFast)
	if e := h.fast[d.bits>>(32-huffFast)]; e != 0 {
		l := uint(e & 15)
		d.bits <<= l
		d.nbits -= l
		return int(e >> 4), true
	}
	code, first, index := 0, 0, 0
	for l := 1; l <= 16; l++ {
		code |= d.getbits(1)
		cnt := int(h.count[l])
		if code-first < cnt {
			return int(h.syms[index+code-first]), true
		}
		index += cnt
		first = (first + cnt) << 1
		code <<= 1
	}
	return 0, false
}
