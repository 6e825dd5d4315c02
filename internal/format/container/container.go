// Package container reads the old and odd containers mail still carries
// and that the archive walker does not open: cpio (binary little and big
// endian, "odc" portable ASCII, "newc"/"crc" SVR4), BinHex 4.0, MS-DOS
// COMPRESS.EXE (SZDD) and Symbian EPOC installers (SIS). Each reader
// returns the files inside, bounded by Limits; damaged input yields what
// could be read and ErrCorrupt, never a panic.
//
// Formats (public descriptions):
//   - cpio: the POSIX.1-1988 "odc" header (76 bytes, octal), the SVR4
//     "newc" header (110 bytes, hex; magic 070701 or 070702) and the old
//     binary header (26 bytes of 16-bit words, magic 070707 octal = 0x71C7
//     in either byte order); a "TRAILER!!!" entry ends the archive.
//   - BinHex 4.0 (RFC 1741 appendix): 6-bit text between ':' marks, then
//     run-length coding with 0x90, then a header (name, type, creator,
//     flags, data and resource fork lengths) and the forks.
//   - SZDD: "SZDD\x88\xf0\x27\x33", method 'A', the missing last letter
//     of the name, the expanded length, then LZSS with a 4096-byte window
//     filled with spaces and started at 4096-16.
//   - SIS (EPOC release 3 to 5): UID2 0x1000006D or UID3 0x10000419; the
//     files are zlib streams unless the no-compress option is set. The
//     reader takes the file records' data pointers when they parse and
//     otherwise inflates every zlib stream it finds.
package container

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ErrCorrupt reports a container that could only be read in part.
var ErrCorrupt = errors.New("container: damaged or truncated")

// Limits bound what a reader takes out.
type Limits struct {
	MaxFiles int   // most files returned; default 1000
	MaxBytes int64 // most bytes per file and in all; default 50 MiB
	// Mem, when set, holds the inflated bytes of SIS streams in the bound
	// of all scans together ([attach] max_bytes_all_scans).
	Mem Memory
}

// Memory is a byte reservation (archive.Budget's Reserve and GiveBack).
type Memory interface {
	Reserve(n int64) bool
	GiveBack(n int64)
}

func (l Limits) norm() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = 1000
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = 50 << 20
	}
	return l
}

// File is one file taken out of a container.
type File struct {
	Name      string
	Data      []byte
	Truncated bool // cut at Limits.MaxBytes
}

// Kinds returned by Identify.
const (
	CPIO   = "cpio"
	BinHex = "binhex"
	SZDD   = "szdd"
	SIS    = "sis"
	// ARJ is identified (header id 0x60 0xEA) here and opened by the
	// archive walker (internal/format/archive), not by Open.
	ARJ = "arj"
)

// ErrUnsupported reports a container that is identified but not opened.
var ErrUnsupported = errors.New("container: format identified but not opened")

// Identify names the container b holds, or "".
func Identify(b []byte) string {
	switch {
	case len(b) >= 6 && (string(b[:6]) == "070707" || string(b[:6]) == "070701" || string(b[:6]) == "070702"):
		return CPIO
	case len(b) >= 26 && (b[0] == 0xc7 && b[1] == 0x71 || b[0] == 0x71 && b[1] == 0xc7):
		return CPIO
	case len(b) >= 14 && string(b[:8]) == "SZDD\x88\xf0\x27\x33":
		return SZDD
	case len(b) >= 16 && (binary.LittleEndian.Uint32(b[4:]) == 0x1000006D || binary.LittleEndian.Uint32(b[8:]) == 0x10000419):
		return SIS
	case len(b) >= 11 && b[0] == 0x60 && b[1] == 0xea && binary.LittleEndian.Uint16(b[2:]) <= 2600 && b[10] == 2:
		return ARJ
	case binhexStart(b) >= 0:
		return BinHex
	}
	return ""
}

// Open reads the container Identify named.
func Open(kind string, b []byte, lim Limits) ([]File, error) {
	lim = lim.norm()
	switch kind {
	case CPIO:
		return readCPIO(b, lim)
	case BinHex:
		return readBinHex(b, lim)
	case SZDD:
		return readSZDD(b, lim)
	case SIS:
		return readSIS(b, lim)
	case ARJ:
		return nil, ErrUnsupported
	}
	return nil, ErrCorrupt
}

func pad(n, a int) int { return (n + a - 1) / a * a }

func readCPIO(b []byte, lim Limits) ([]File, error) {
	var out []File
	var total int64
	off := 0
	for off < len(b) && len(out) < lim.MaxFiles {
		var name string
		var hdr, nameSize, size, align int
		var dataAlign int
		h := b[off:]
		switch {
		case len(h) >= 110 && (string(h[:6]) == "070701" || string(h[:6]) == "070702"):
			hex := func(i int) (int, bool) {
				v, err := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
				return int(v), err == nil
			}
			var ok1, ok2 bool
			size, ok1 = hex(6)
			nameSize, ok2 = hex(11)
			if !ok1 || !ok2 {
				return out, ErrCorrupt
			}
			hdr, align, dataAlign = 110, 4, 4
		case len(h) >= 76 && string(h[:6]) == "070707":
			ns, err1 := strconv.ParseUint(string(h[59:65]), 8, 32)
			fs, err2 := strconv.ParseUint(string(h[65:76]), 8, 40)
			if err1 != nil || err2 != nil {
				return out, ErrCorrupt
			}
			hdr, nameSize, size, align, dataAlign = 76, int(ns), int(min(fs, 1<<40)), 1, 1
		case len(h) >= 26 && (h[0] == 0xc7 && h[1] == 0x71 || h[0] == 0x71 && h[1] == 0xc7):
			var bo binary.ByteOrder = binary.LittleEndian
			if h[0] == 0x71 {
				bo = binary.BigEndian
			}
			nameSize = int(bo.Uint16(h[20:]))
			size = int(bo.Uint16(h[22:]))<<16 | int(bo.Uint16(h[24:]))
			hdr, align, dataAlign = 26, 2, 2
		default:
			if len(out) == 0 {
				return nil, ErrCorrupt
			}
			return out, ErrCorrupt
		}
		if nameSize <= 0 || off+hdr+nameSize > len(b) {
			return out, ErrCorrupt
		}
		name = strings.TrimRight(string(b[off+hdr:off+hdr+nameSize]), "\x00")
		dataOff := pad(off+hdr+nameSize, align)
		if name == "TRAILER!!!" {
			return out, nil
		}
		if size < 0 || dataOff > len(b) {
			return out, ErrCorrupt
		}
		end := dataOff + size
		trunc := false
		if end > len(b) || end < dataOff {
			end, trunc = len(b), true
		}
		take := min(int64(end-dataOff), lim.MaxBytes, max(lim.MaxBytes-total, 0))
		if size > 0 {
			out = append(out, File{Name: name, Data: b[dataOff : dataOff+int(take)], Truncated: trunc || take < int64(end-dataOff)})
			total += take
		}
		if trunc {
			return out, ErrCorrupt
		}
		off = pad(end, dataAlign)
	}
	return out, nil
}

const binhexAlphabet = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"

var binhexMark = []byte("(This file must be converted with BinHex")

func binhexStart(b []byte) int {
	i := bytes.Index(b[:min(len(b), 4096)], binhexMark)
	if i < 0 {
		return -1
	}
	j := bytes.IndexByte(b[i+len(binhexMark):], '\n')
	if j < 0 {
		return -1
	}
	k := bytes.IndexByte(b[i+len(binhexMark)+j:], ':')
	if k < 0 {
		return -1
	}
	return i + len(binhexMark) + j + k + 1
}

func readBinHex(b []byte, lim Limits) ([]File, error) {
	start := binhexStart(b)
	if start < 0 {
		return nil, ErrCorrupt
	}
	var dec [256]int8
	for i := range dec {
		dec[i] = -1
	}
	for i := 0; i < len(binhexAlphabet); i++ {
		dec[binhexAlphabet[i]] = int8(i)
	}
	// 6-bit decode, then RLE (0x90 marker), bounded.
	maxOut := lim.MaxBytes + 1<<16
	var raw []byte
	var acc uint32
	var nb uint
	ended := false
	for _, c := range b[start:] {
		if c == ':' {
			ended = true
			break
		}
		if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
			continue
		}
		v := dec[c]
		if v < 0 {
			return nil, ErrCorrupt
		}
		acc = acc<<6 | uint32(v)
		nb += 6
		if nb >= 8 {
			nb -= 8
			raw = append(raw, byte(acc>>nb))
			if int64(len(raw)) > maxOut {
				break
			}
		}
	}
	var out []byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != 0x90 {
			out = append(out, c)
		} else if i+1 < len(raw) {
			i++
			n := int(raw[i])
			if n == 0 {
				out = append(out, 0x90)
			} else if len(out) > 0 {
				p := out[len(out)-1]
				for k := 1; k < n; k++ {
					out = append(out, p)
				}
			}
		}
		if int64(len(out)) > maxOut {
			break
		}
	}
	if len(out) < 1 {
		return nil, ErrCorrupt
	}
	nl := int(out[0])
	h := 1 + nl + 1 + 4 + 4 + 2
	if len(out) < h+10 {
		return nil, ErrCorrupt
	}
	name := string(out[1 : 1+nl])
	dlen := int64(binary.BigEndian.Uint32(out[h:]))
	rlen := int64(binary.BigEndian.Uint32(out[h+4:]))
	d0 := int64(h + 10)
	var files []File
	var err error
	if !ended {
		err = ErrCorrupt
	}
	take := func(nm string, from, n int64) {
		if n <= 0 || from >= int64(len(out)) {
			return
		}
		end := min(from+n, int64(len(out)))
		if end < from+n {
			err = ErrCorrupt
		}
		t := min(end-from, lim.MaxBytes)
		files = append(files, File{Name: nm, Data: out[from : from+t], Truncated: t < n})
	}
	take(name, d0, dlen)
	take(name+".rsrc", d0+dlen+2, rlen)
	return files, err
}

func readSZDD(b []byte, lim Limits) ([]File, error) {
	if len(b) < 14 || b[8] != 'A' {
		return nil, ErrCorrupt
	}
	want := int64(binary.LittleEndian.Uint32(b[10:]))
	limit := min(want, lim.MaxBytes)
	var win [4096]byte
	for i := range win {
		win[i] = ' '
	}
	pos := 4096 - 16
	out := make([]byte, 0, min(limit, 1<<20))
	in := b[14:]
	i := 0
	for i < len(in) && int64(len(out)) < limit {
		ctl := in[i]
		i++
		for bit := 0; bit < 8 && i < len(in) && int64(len(out)) < limit; bit++ {
			if ctl&(1<<bit) != 0 {
				c := in[i]
				i++
				out = append(out, c)
				win[pos] = c
				pos = (pos + 1) & 4095
				continue
			}
			if i+1 >= len(in) {
				i = len(in)
				break
			}
			p := int(in[i]) | int(in[i+1]&0xf0)<<4
			n := int(in[i+1]&0x0f) + 3
			i += 2
			for k := 0; k < n && int64(len(out)) < limit; k++ {
				c := win[(p+k)&4095]
				out = append(out, c)
				win[pos] = c
				pos = (pos + 1) & 4095
			}
		}
	}
	var err error
	if int64(len(out)) < limit {
		err = ErrCorrupt
	}
	return []File{{Name: "", Data: out, Truncated: limit < want}}, err
}

// readSIS inflates the zlib streams of an EPOC SIS. The file records are
// walked when they parse; otherwise every stream found is tried.
func readSIS(b []byte, lim Limits) ([]File, error) {
	var out []File
	var total int64
	for i := 16; i+2 <= len(b) && len(out) < lim.MaxFiles; i++ {
		if b[i] != 0x78 || (int(b[i])<<8|int(b[i+1]))%31 != 0 {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(b[i:]))
		if err != nil {
			continue
		}
		left := max(lim.MaxBytes-total, 0)
		if lim.Mem != nil && !lim.Mem.Reserve(left+1) {
			zr.Close()
			return out, ErrCorrupt
		}
		data, err := io.ReadAll(io.LimitReader(zr, left+1))
		zr.Close()
		if lim.Mem != nil {
			lim.Mem.GiveBack(left + 1 - int64(cap(data)))
		}
		if len(data) == 0 || err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			continue
		}
		trunc := int64(len(data)) > left
		if trunc {
			data = data[:left]
		}
		total += int64(len(data))
		out = append(out, File{Name: "file-" + strconv.Itoa(len(out)+1), Data: data, Truncated: trunc})
		if trunc {
			break
		}
	}
	if len(out) == 0 {
		return nil, ErrCorrupt
	}
	return out, nil
}
