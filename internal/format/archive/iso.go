package archive

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// ISO 9660 (ECMA-119) with Joliet names when a supplementary volume
// descriptor carries them. Directory loops, counts and depth are bounded.

const isoSector = 2048

type isoWalk struct {
	w      *walker
	b      []byte
	joliet bool
	seen   map[uint32]bool
	dirs   int
}

func (w *walker) iso(b []byte) error {
	var root []byte
	joliet := false
	for s := 16; s < 64; s++ {
		o := s * isoSector
		if o+isoSector > len(b) {
			break
		}
		d := b[o : o+isoSector]
		if string(d[1:6]) != "CD001" {
			break
		}
		switch d[0] {
		case 1:
			if root == nil {
				root = d[156 : 156+34]
			}
		case 2:
			esc := string(d[88:91])
			if esc == "%/@" || esc == "%/C" || esc == "%/E" {
				root, joliet = d[156:156+34], true
			}
		case 255:
			s = 64
		}
	}
	if root == nil {
		return fmt.Errorf("%w: iso: no primary volume descriptor", ErrCorrupt)
	}
	iw := &isoWalk{w: w, b: b, joliet: joliet, seen: map[uint32]bool{}}
	return iw.dir(root, "", 0)
}

func (iw *isoWalk) dir(rec []byte, prefix string, depth int) error {
	if depth > 16 {
		return nil
	}
	lba := binary.LittleEndian.Uint32(rec[2:6])
	size := binary.LittleEndian.Uint32(rec[10:14])
	if iw.seen[lba] {
		return nil
	}
	iw.seen[lba] = true
	iw.dirs++
	if iw.dirs > 4096 {
		return ErrTooManyFiles
	}
	start := int64(lba) * isoSector
	end := start + int64(size)
	if start >= int64(len(iw.b)) || end > int64(len(iw.b)) || size > 16<<20 {
		return nil
	}
	d := iw.b[start:end]
	for p := 0; p < len(d); {
		n := int(d[p])
		if n == 0 { // records do not cross sectors: skip to the next one
			p = (p/isoSector + 1) * isoSector
			continue
		}
		if n < 34 || p+n > len(d) {
			break
		}
		r := d[p : p+n]
		p += n
		nl := int(r[32])
		if 33+nl > len(r) {
			continue
		}
		raw := r[33 : 33+nl]
		if nl == 1 && (raw[0] == 0 || raw[0] == 1) {
			continue // . and ..
		}
		name := iw.name(raw)
		full := name
		if prefix != "" {
			full = prefix + "/" + name
		}
		if r[25]&2 != 0 {
			if err := iw.dir(r, full, depth+1); err != nil {
				return err
			}
			continue
		}
		flba := binary.LittleEndian.Uint32(r[2:6])
		fsize := binary.LittleEndian.Uint32(r[10:14])
		e := &Entry{Name: full, Size: int64(fsize), CompSize: int64(fsize)}
		fs := int64(flba) * isoSector
		fe := fs + int64(fsize)
		if fs > int64(len(iw.b)) {
			e.Err = fmt.Errorf("%w: iso: extent beyond image", ErrCorrupt)
		} else {
			if fe > int64(len(iw.b)) {
				fe = int64(len(iw.b))
				e.Truncated = true
			}
			if fe-fs > iw.w.opt.MaxFileBytes {
				fe, e.Truncated = fs+iw.w.opt.MaxFileBytes, true
			}
			e.Data = iw.b[fs:fe]
		}
		if err := iw.w.emit(e); err != nil {
			return err
		}
	}
	return nil
}

func (iw *isoWalk) name(raw []byte) string {
	var s string
	if iw.joliet && len(raw)%2 == 0 {
		u := make([]uint16, len(raw)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(raw[2*i:])
		}
		s = string(utf16.Decode(u))
	} else {
		s = string(raw)
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
