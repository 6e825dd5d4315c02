package archive

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Microsoft Cabinet ([MS-CAB]): CFHEADER, CFFOLDER, CFFILE, CFDATA.
// Stored and MSZIP folders are decompressed; Quantum and LZX folders are
// listed with ErrUnsupported.

type cabFolder struct {
	dataOff  uint32
	nData    uint16
	compress uint16
	out      []byte // decompressed folder, filled lazily
	err      error
	done     bool
}

type cabFile struct {
	size, off uint32
	folder    uint16
	name      string
}

func le16(b []byte, o int) (uint16, bool) {
	if o < 0 || o+2 > len(b) {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b[o:]), true
}

func le32(b []byte, o int) (uint32, bool) {
	if o < 0 || o+4 > len(b) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[o:]), true
}

func cstr(b []byte, o int) (string, int, bool) {
	if o < 0 || o > len(b) {
		return "", 0, false
	}
	i := bytes.IndexByte(b[o:], 0)
	if i < 0 || i > 1024 {
		return "", 0, false
	}
	return string(b[o : o+i]), o + i + 1, true
}

// ParseCab lists a cabinet (exported for fuzzing).
func (w *walker) cab(b []byte) error {
	if len(b) < 36 || string(b[:4]) != "MSCF" {
		return fmt.Errorf("%w: cab: bad signature", ErrCorrupt)
	}
	coffFiles, _ := le32(b, 16)
	nFolders, _ := le16(b, 26)
	nFiles, _ := le16(b, 28)
	flags, _ := le16(b, 30)
	p := 36
	var cbFolderRes, cbDataRes int
	if flags&4 != 0 {
		h, ok := le16(b, p)
		if !ok || p+4 > len(b) {
			return fmt.Errorf("%w: cab: short header", ErrCorrupt)
		}
		cbFolderRes, cbDataRes = int(b[p+2]), int(b[p+3])
		p += 4 + int(h)
	}
	var ok bool
	for i, f := range []uint16{1, 2} {
		_ = i
		if flags&f != 0 {
			for k := 0; k < 2; k++ {
				if _, p, ok = cstr(b, p); !ok {
					return fmt.Errorf("%w: cab: bad cabinet names", ErrCorrupt)
				}
			}
		}
	}
	folders := make([]*cabFolder, 0, min(int(nFolders), 1024))
	for i := 0; i < int(nFolders); i++ {
		off, ok1 := le32(b, p)
		nd, ok2 := le16(b, p+4)
		ct, ok3 := le16(b, p+6)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("%w: cab: short folder table", ErrCorrupt)
		}
		folders = append(folders, &cabFolder{dataOff: off, nData: nd, compress: ct})
		p += 8 + cbFolderRes
	}
	p = int(coffFiles)
	for i := 0; i < int(nFiles); i++ {
		size, ok1 := le32(b, p)
		off, ok2 := le32(b, p+4)
		fi, ok3 := le16(b, p+8)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("%w: cab: short file table", ErrCorrupt)
		}
		name, np, ok := cstr(b, p+16)
		if !ok {
			return fmt.Errorf("%w: cab: bad file name", ErrCorrupt)
		}
		p = np
		cf := cabFile{size: size, off: off, folder: fi, name: strings.ReplaceAll(name, "\\", "/")}
		e := &Entry{Name: cf.name, Size: int64(size), CompSize: -1}
		if int(fi) >= len(folders) {
			e.Err = fmt.Errorf("%w: cab: continued folder %#x", ErrUnsupported, fi)
		} else {
			fo := folders[fi]
			if !fo.done {
				fo.done = true
				fo.out, fo.err = w.cabFolderData(b, fo, cbDataRes)
			}
			switch {
			case fo.err != nil:
				e.Err = fo.err
			case uint64(off)+uint64(size) > uint64(len(fo.out)):
				e.Err = fmt.Errorf("%w: cab: file beyond its folder", ErrCorrupt)
				if int(off) < len(fo.out) {
					e.Data = fo.out[off:]
				}
			default:
				e.Data = fo.out[off : off+size]
			}
			if int64(len(e.Data)) > w.opt.MaxFileBytes {
				e.Data, e.Truncated = e.Data[:w.opt.MaxFileBytes], true
			}
		}
		if err := w.emit(e); err != nil {
			return err
		}
		if errors.Is(e.Err, ErrBudget) {
			return ErrBudget // a bomb, or all scans at their bound (Budget.Busy)
		}
	}
	return nil
}

// cabFolderData decompresses one folder's CFDATA blocks within the
// message's budget and the bound of all scans together ([attach]
// max_bytes_all_scans): the blocks' headers give the most the folder can
// produce (a stored block its compressed size, an MSZIP block its
// declared size or 32 KiB), which is reserved and allocated once, and
// the blocks are inflated into it with one reused decompressor.
func (w *walker) cabFolderData(b []byte, fo *cabFolder, cbDataRes int) ([]byte, error) {
	typ := fo.compress & 0x0f
	if typ != 0 && typ != 1 {
		return nil, fmt.Errorf("%w: cab compression %d (Quantum/LZX)", ErrUnsupported, typ)
	}
	limit := min(w.opt.MaxFileBytes*4, w.opt.Budget.Left)
	// The most the blocks can produce, up to limit.
	var bound int64
	for i, p := 0, int(fo.dataOff); i < int(fo.nData) && bound <= limit; i++ {
		cb, ok1 := le16(b, p+4)
		cu, ok2 := le16(b, p+6)
		if !ok1 || !ok2 {
			break
		}
		switch {
		case typ == 0:
			bound += int64(cb)
		case cu == 0:
			bound += 32768
		default:
			bound += int64(cu)
		}
		p += 8 + cbDataRes + int(cb)
	}
	size := min(bound, limit)
	if size < 0 {
		size = 0
	}
	if !w.opt.Budget.Reserve(size) {
		return nil, ErrBudget
	}
	out := make([]byte, 0, size)
	var used int64
	defer func() { w.opt.Budget.GiveBack(size - used) }()
	var fr io.ReadCloser
	p := int(fo.dataOff)
	for i := 0; i < int(fo.nData); i++ {
		cb, ok1 := le16(b, p+4)
		cu, ok2 := le16(b, p+6)
		if !ok1 || !ok2 {
			used = int64(cap(out))
			return out, fmt.Errorf("%w: cab: short data block", ErrCorrupt)
		}
		start := p + 8 + cbDataRes
		end := start + int(cb)
		if end > len(b) || start > end {
			used = int64(cap(out))
			return out, fmt.Errorf("%w: cab: data block beyond end", ErrCorrupt)
		}
		blk := b[start:end]
		p = end
		n := int64(cu)
		if typ == 0 {
			n = int64(len(blk))
		} else if n == 0 {
			n = 32768
		}
		if int64(len(out))+n > size {
			w.charge(int64(len(out)))
			used = int64(cap(out))
			return out, ErrBudget
		}
		if typ == 0 {
			out = append(out, blk...)
			continue
		}
		if len(blk) < 2 || blk[0] != 'C' || blk[1] != 'K' {
			used = int64(cap(out))
			return out, fmt.Errorf("%w: cab: MSZIP block without CK", ErrCorrupt)
		}
		dict := out
		if len(dict) > 32768 {
			dict = dict[len(dict)-32768:]
		}
		if fr == nil {
			fr = flate.NewReaderDict(bytes.NewReader(blk[2:]), dict)
			defer fr.Close()
		} else if err := fr.(flate.Resetter).Reset(bytes.NewReader(blk[2:]), dict); err != nil {
			used = int64(cap(out))
			return out, fmt.Errorf("%w: cab: MSZIP: %v", ErrCorrupt, err)
		}
		m, err := io.ReadFull(fr, out[len(out):len(out)+int(n)])
		out = out[:len(out)+m]
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			used = int64(cap(out))
			return out, fmt.Errorf("%w: cab: MSZIP: %v", ErrCorrupt, err)
		}
	}
	w.charge(int64(len(out)))
	used = int64(cap(out))
	return out, nil
}

func (w *walker) charge(n int64) {
	w.opt.Budget.Left -= n
	w.opt.Budget.Used += n
}
