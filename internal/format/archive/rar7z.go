package archive

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/bodgit/sevenzip"
	"github.com/nwaples/rardecode/v2"
)

func (w *walker) rar(data []byte) error {
	pws := append([]string{""}, w.opt.Passwords...)
	var lastErr error
	for i, pw := range pws {
		opts := []rardecode.Option{rardecode.MaxDictionarySize(64 << 20)}
		if pw != "" {
			if !w.try(1) {
				// Out of time or derivation budget: what needs a
				// password stays encrypted.
				return w.emit(&Entry{Name: "(encrypted)", Size: -1, CompSize: int64(len(data)), Encrypted: true, Err: ErrEncrypted})
			}
			opts = append(opts, rardecode.Password(pw))
		}
		done, err := w.rarOnce(data, pw, opts, i == len(pws)-1)
		if done {
			return err
		}
		lastErr = err
	}
	return lastErr
}

// rarOnce walks with one password. done=false asks for the next password
// (the archive is encrypted and this one did not open it).
func (w *walker) rarOnce(data []byte, pw string, opts []rardecode.Option, last bool) (bool, error) {
	rr, err := rardecode.NewReader(bytes.NewReader(data), opts...)
	if err != nil {
		if errors.Is(err, rardecode.ErrArchiveEncrypted) || errors.Is(err, rardecode.ErrBadPassword) {
			if !last {
				return false, nil
			}
			return true, w.emit(&Entry{Name: "(encrypted headers)", Size: -1, CompSize: int64(len(data)), Encrypted: true, Err: ErrEncrypted})
		}
		return true, fmt.Errorf("%w: rar: %v", ErrCorrupt, err)
	}
	var pending []*Entry
	needPW := false
	for {
		h, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, rardecode.ErrArchiveEncrypted) || errors.Is(err, rardecode.ErrBadPassword) {
				if !last {
					return false, nil
				}
				return true, w.emit(&Entry{Name: "(encrypted headers)", Size: -1, CompSize: int64(len(data)), Encrypted: true, Err: ErrEncrypted})
			}
			for _, e := range pending {
				if err := w.emit(e); err != nil {
					return true, err
				}
			}
			return true, fmt.Errorf("%w: rar: %v", ErrCorrupt, err)
		}
		if h.IsDir {
			continue
		}
		e := &Entry{Name: h.Name, Size: h.UnPackedSize, CompSize: h.PackedSize, Encrypted: h.Encrypted}
		if h.UnKnownSize {
			e.Size = -1
		}
		if h.Encrypted && pw == "" {
			e.Err = ErrEncrypted
			needPW = true
		} else {
			e.Data, e.Truncated, e.Err = w.readSized(rr, e.Size)
			if h.Encrypted {
				if e.Err != nil && !errors.Is(e.Err, ErrBudget) {
					e.Data, e.Err = nil, ErrEncrypted
					needPW = true
				} else {
					e.Password = pw
				}
			}
		}
		pending = append(pending, e)
		if len(pending) > w.opt.MaxFiles {
			break
		}
	}
	if needPW && !last {
		// Undo the budget of what was read; try the next password.
		for _, e := range pending {
			w.opt.Budget.Left += int64(len(e.Data))
			w.opt.Budget.Used -= int64(len(e.Data))
		}
		return false, nil
	}
	for _, e := range pending {
		if err := w.emit(e); err != nil {
			return true, err
		}
	}
	return true, nil
}

func (w *walker) sevenZip(data []byte) error {
	enc, hdrPW, aesData, err := check7z(data, w.opt.Passwords, w)
	if err != nil {
		if errors.Is(err, errSevenZipLimits) {
			return fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return fmt.Errorf("%w: 7z: %v", ErrCorrupt, err)
	}
	if enc {
		return w.emit(&Entry{Name: "(encrypted headers)", Size: -1, CompSize: int64(len(data)), Encrypted: true, Err: ErrEncrypted})
	}
	ra := bytes.NewReader(data)
	zr, err := sevenzip.NewReader(ra, int64(len(data)))
	usedPW := ""
	if err != nil {
		// Encrypted headers: the password check7z found opens the
		// listing (the library derives the key again, once).
		if hdrPW != nil && w.try(1) {
			if z, e2 := sevenzip.NewReaderWithPassword(ra, int64(len(data)), *hdrPW); e2 == nil {
				zr, err, usedPW = z, nil, *hdrPW
			}
		}
		if err != nil {
			var re *sevenzip.ReadError
			if errors.As(err, &re) && re.Encrypted {
				return w.emit(&Entry{Name: "(encrypted headers)", Size: -1, CompSize: int64(len(data)), Encrypted: true, Err: ErrEncrypted})
			}
			return fmt.Errorf("%w: 7z: %v", ErrCorrupt, err)
		}
	}
	readers := map[string]*sevenzip.Reader{usedPW: zr}
	for i, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		e := &Entry{Name: f.Name, Size: int64(f.UncompressedSize), CompSize: -1}
		d0, trunc, rerr, enc := w.open7z(f)
		if !enc && aesData && usedPW == "" && errors.Is(rerr, errSevenZipCRC) {
			enc = true // decoded with no key: garbage, not damage (see check7z)
		}
		if enc {
			e.Encrypted = true
			e.Err = ErrEncrypted
			for _, pw := range w.opt.Passwords {
				if !w.try(1) {
					break
				}
				z := readers[pw]
				if z == nil {
					z2, err := sevenzip.NewReaderWithPassword(ra, int64(len(data)), pw)
					if err != nil {
						continue
					}
					z, readers[pw] = z2, z2
				}
				if i >= len(z.File) {
					continue
				}
				d, t, re, _ := w.open7z(z.File[i])
				if re == nil || errors.Is(re, ErrBudget) {
					e.Data, e.Truncated, e.Err, e.Password = d, t, re, pw
					break
				}
			}
		} else {
			e.Data, e.Truncated, e.Err = d0, trunc, rerr
			if usedPW != "" {
				e.Encrypted, e.Password = true, usedPW
			}
		}
		if err := w.emit(e); err != nil {
			return err
		}
		if errors.Is(e.Err, ErrBudget) {
			return ErrBudget
		}
	}
	return nil
}

// errSevenZipCRC: an entry's data does not match its CRC (damaged, or a
// wrong password).
var errSevenZipCRC = fmt.Errorf("%w: 7z entry CRC mismatch", ErrCorrupt)

func (w *walker) open7z(f *sevenzip.File) (data []byte, trunc bool, err error, encrypted bool) {
	rc, err := f.Open()
	if err != nil {
		var re *sevenzip.ReadError
		if errors.As(err, &re) && re.Encrypted {
			return nil, false, ErrEncrypted, true
		}
		return nil, false, err, false
	}
	defer rc.Close()
	size := int64(-1)
	if f.UncompressedSize > 0 && f.UncompressedSize < 1<<62 {
		size = int64(f.UncompressedSize)
	}
	data, trunc, err = w.readSized(rc, size)
	// The library does not check a file's CRC: a wrong password can decode
	// to garbage without an error, so check it here.
	if err == nil && !trunc && f.CRC32 != 0 && crc32.ChecksumIEEE(data) != f.CRC32 {
		w.opt.Budget.Left += int64(len(data))
		w.opt.Budget.Used -= int64(len(data))
		return nil, false, errSevenZipCRC, false
	}
	if err != nil && !errors.Is(err, ErrBudget) {
		var re *sevenzip.ReadError
		if errors.As(err, &re) && re.Encrypted {
			w.opt.Budget.Left += int64(len(data))
			w.opt.Budget.Used -= int64(len(data))
			return nil, false, ErrEncrypted, true
		}
	}
	return data, trunc, err, false
}
