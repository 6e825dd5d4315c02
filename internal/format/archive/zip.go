package archive

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/pbkdf2"
)

func (w *walker) zip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// No usable central directory: read the local headers, as
		// lenient unzip tools (and victims' Explorer) would.
		if n, lerr := w.localHeaders(data, nil); n > 0 || lerr != nil {
			return lerr
		}
		return fmt.Errorf("%w: zip: %v", ErrCorrupt, err)
	}
	zr.RegisterDecompressor(12, func(r io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(r)) })
	zr.RegisterDecompressor(93, zstdReader)
	zr.RegisterDecompressor(9, deflate64Reader)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		e := &Entry{Name: f.Name, Size: int64(f.UncompressedSize64), CompSize: int64(f.CompressedSize64)}
		if e.Size < 0 {
			e.Size = -1
		}
		if f.Flags&1 != 0 || f.Method == 99 {
			e.Encrypted = true
			w.openEncryptedZip(f, e)
		} else if f.Method == 6 {
			e.Data, e.Truncated, e.Err = w.readImploded(f)
		} else {
			rc, err := f.Open()
			if err != nil {
				e.Err = fmt.Errorf("%w: %v", ErrUnsupported, err)
			} else {
				e.Data, e.Truncated, e.Err = w.readSized(rc, e.Size)
				rc.Close()
				if errors.Is(e.Err, zip.ErrChecksum) {
					e.Err = nil // keep the bytes; a bad CRC is no reason to look away
				}
			}
		}
		if err := w.emit(e); err != nil {
			return err
		}
		if errors.Is(e.Err, ErrBudget) {
			return ErrBudget
		}
	}
	// Local entries the central directory does not list (concatenated
	// zips, padding tricks): some tools show them, so look at them too.
	listed := map[int64]bool{}
	for _, f := range zr.File {
		if off, err := f.DataOffset(); err == nil {
			listed[off] = true
		}
	}
	_, err = w.localHeaders(data, listed)
	return err
}

// localHeaders walks "PK\x03\x04" local file headers (APPNOTE 4.3.7)
// whose data offset is not in skip, marking them Hidden when skip is set.
func (w *walker) localHeaders(data []byte, skip map[int64]bool) (int, error) {
	n := 0
	for off := 0; off+30 <= len(data) && n < w.opt.MaxFiles; {
		i := bytes.Index(data[off:], []byte("PK\x03\x04"))
		if i < 0 || off+i+30 > len(data) {
			break
		}
		h := data[off+i:]
		off += i + 4
		flags := binary.LittleEndian.Uint16(h[6:])
		method := binary.LittleEndian.Uint16(h[8:])
		crc := binary.LittleEndian.Uint32(h[14:])
		csize := int64(binary.LittleEndian.Uint32(h[18:]))
		usize := int64(binary.LittleEndian.Uint32(h[22:]))
		nl := int(binary.LittleEndian.Uint16(h[26:]))
		xl := int(binary.LittleEndian.Uint16(h[28:]))
		if 30+nl+xl > len(h) || nl == 0 || nl > 1024 {
			continue
		}
		name := string(h[30 : 30+nl])
		dataOff := int64(off - 4 + 30 + nl + xl) // absolute
		if skip != nil && skip[dataOff] {
			continue
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		body := data[dataOff:]
		if flags&8 == 0 && csize <= int64(len(body)) {
			body = body[:csize]
		} else {
			csize = -1
		}
		e := &Entry{Name: name, Size: usize, CompSize: csize, Hidden: skip != nil}
		if flags&8 != 0 {
			e.Size = -1
		}
		switch {
		case flags&1 != 0 || method == 99:
			e.Encrypted, e.Err = true, ErrEncrypted
		case method == zip.Store:
			e.Data, e.Truncated, e.Err = w.read(bytes.NewReader(body))
		case method == zip.Deflate:
			e.Data, e.Truncated, e.Err = w.read(flate.NewReader(bytes.NewReader(body)))
			if e.Err != nil && len(e.Data) > 0 {
				e.Err = nil // short or trailing garbage: keep what inflated
			}
		case method == 9:
			e.Data, e.Truncated, e.Err = w.read(newDeflate64(body))
		default:
			e.Err = fmt.Errorf("%w: zip method %d", ErrUnsupported, method)
		}
		_ = crc
		n++
		if err := w.emit(e); err != nil {
			return n, err
		}
		if errors.Is(e.Err, ErrBudget) {
			return n, ErrBudget
		}
		if csize > 0 {
			off = int(dataOff + csize)
		}
	}
	return n, nil
}

// openEncryptedZip tries the candidate passwords on one entry.
func (w *walker) openEncryptedZip(f *zip.File, e *Entry) {
	e.Err = ErrEncrypted
	if len(w.opt.Passwords) == 0 {
		return
	}
	// Read the raw (encrypted) bytes once, bounded by the compressed size.
	if int64(f.CompressedSize64) > w.opt.MaxFileBytes || f.CompressedSize64 > 1<<31 {
		return
	}
	rr, err := f.OpenRaw()
	if err != nil {
		return
	}
	raw, err := io.ReadAll(io.LimitReader(rr, int64(f.CompressedSize64)))
	if err != nil {
		return
	}
	method := f.Method
	var aesStrength int
	if f.Method == 99 {
		v, ok := aesExtra(f.Extra)
		if !ok {
			e.Err = fmt.Errorf("%w: zip: AES entry without 0x9901 field", ErrCorrupt)
			return
		}
		aesStrength, method = v.strength, v.method
	}
	for _, pw := range w.opt.Passwords {
		var plain []byte
		if f.Method == 99 {
			plain = winzipAESDecrypt(raw, []byte(pw), aesStrength)
		} else {
			check := byte(f.CRC32 >> 24)
			if f.Flags&0x8 != 0 {
				check = byte(f.ModifiedTime >> 8)
			}
			plain = ZipCryptoDecrypt(raw, []byte(pw), check)
		}
		if plain == nil {
			continue
		}
		var r io.Reader
		switch method {
		case zip.Store:
			r = bytes.NewReader(plain)
		case zip.Deflate:
			r = flate.NewReader(bytes.NewReader(plain))
		case 12:
			r = bzip2.NewReader(bytes.NewReader(plain))
		case 93:
			r = zstdReader(bytes.NewReader(plain))
		case 9:
			r = newDeflate64(plain)
		default:
			e.Err = fmt.Errorf("%w: zip method %d", ErrUnsupported, method)
			return
		}
		// Check the CRC on a bounded trial read before charging the budget.
		b, trunc, rerr := w.read(r)
		if rerr != nil && !errors.Is(rerr, ErrBudget) {
			continue // wrong password that passed the one-byte check
		}
		if !trunc && f.CRC32 != 0 && crc32.ChecksumIEEE(b) != f.CRC32 {
			continue
		}
		e.Data, e.Truncated, e.Err, e.Password = b, trunc, rerr, pw
		return
	}
}

// ZipCrypto (PKWARE traditional encryption, APPNOTE 6.1).
type zipKeys [3]uint32

func newZipKeys(pw []byte) *zipKeys {
	k := &zipKeys{0x12345678, 0x23456789, 0x34567890}
	for _, c := range pw {
		k.update(c)
	}
	return k
}

func (k *zipKeys) update(c byte) {
	k[0] = crc32.IEEETable[byte(k[0])^c] ^ (k[0] >> 8)
	k[1] = (k[1]+(k[0]&0xff))*134775813 + 1
	k[2] = crc32.IEEETable[byte(k[2])^byte(k[1]>>24)] ^ (k[2] >> 8)
}

func (k *zipKeys) stream() byte {
	t := uint16(k[2] | 2)
	return byte((uint32(t) * uint32(t^1)) >> 8)
}

// ZipCryptoDecrypt decrypts a traditional-encryption entry (12-byte header
// then data) and returns the plain (still compressed) data, or nil when
// the header's check byte says the password is wrong.
func ZipCryptoDecrypt(raw, pw []byte, check byte) []byte {
	if len(raw) < 12 {
		return nil
	}
	k := newZipKeys(pw)
	var last byte
	for i := 0; i < 12; i++ {
		c := raw[i] ^ k.stream()
		k.update(c)
		last = c
	}
	if last != check {
		return nil
	}
	out := make([]byte, len(raw)-12)
	for i, b := range raw[12:] {
		c := b ^ k.stream()
		k.update(c)
		out[i] = c
	}
	return out
}

// ZipCryptoEncrypt is the inverse, for building test archives.
func ZipCryptoEncrypt(plain, pw []byte, check byte, header [11]byte) []byte {
	k := newZipKeys(pw)
	out := make([]byte, 0, len(plain)+12)
	in := append(append(header[:], check), plain...)
	for _, c := range in {
		out = append(out, c^k.stream())
		k.update(c)
	}
	return out
}

type aesInfo struct {
	strength int
	method   uint16
}

func aesExtra(extra []byte) (aesInfo, bool) {
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return aesInfo{}, false
		}
		if id == 0x9901 && n >= 7 {
			return aesInfo{strength: int(extra[4]), method: binary.LittleEndian.Uint16(extra[5:7])}, true
		}
		extra = extra[n:]
	}
	return aesInfo{}, false
}

func aesKeyLen(strength int) int {
	switch strength {
	case 1:
		return 16
	case 2:
		return 24
	case 3:
		return 32
	}
	return 0
}

// winzipAESDecrypt checks the password verifier and HMAC-SHA1 of a WinZip
// AES entry (salt, 2-byte verifier, data, 10-byte MAC) and decrypts it
// (AES-CTR, little-endian counter from 1). nil means wrong password.
func winzipAESDecrypt(raw, pw []byte, strength int) []byte {
	kl := aesKeyLen(strength)
	if kl == 0 {
		return nil
	}
	sl := kl / 2
	if len(raw) < sl+2+10 {
		return nil
	}
	salt, ver, body, mac := raw[:sl], raw[sl:sl+2], raw[sl+2:len(raw)-10], raw[len(raw)-10:]
	dk := pbkdf2.Key(pw, salt, 1000, 2*kl+2, sha1.New)
	if subtle.ConstantTimeCompare(dk[2*kl:], ver) != 1 {
		return nil
	}
	h := hmac.New(sha1.New, dk[kl:2*kl])
	h.Write(body)
	if !hmac.Equal(h.Sum(nil)[:10], mac) {
		return nil
	}
	return winzipCTR(dk[:kl], body)
}

func winzipCTR(key, in []byte) []byte {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil
	}
	out := make([]byte, len(in))
	var ctr, ks [16]byte
	var n uint64
	for i := 0; i < len(in); i += 16 {
		n++
		binary.LittleEndian.PutUint64(ctr[:8], n)
		blk.Encrypt(ks[:], ctr[:])
		end := min(i+16, len(in))
		for j := i; j < end; j++ {
			out[j] = in[j] ^ ks[j-i]
		}
	}
	return out
}

// WinZipAESEncrypt builds an AE-2 entry body (for tests): salt must be
// half the key length.
func WinZipAESEncrypt(plain, pw, salt []byte, strength int) []byte {
	kl := aesKeyLen(strength)
	dk := pbkdf2.Key(pw, salt, 1000, 2*kl+2, sha1.New)
	body := winzipCTR(dk[:kl], plain)
	h := hmac.New(sha1.New, dk[kl:2*kl])
	h.Write(body)
	out := append(append(append([]byte{}, salt...), dk[2*kl:]...), body...)
	return append(out, h.Sum(nil)[:10]...)
}

var _ cipher.Block = (cipher.Block)(nil)

// readImploded reads an imploded entry (method 6), which needs the
// entry's flags and size.
func (w *walker) readImploded(f *zip.File) ([]byte, bool, error) {
	if int64(f.CompressedSize64) > w.opt.MaxFileBytes || f.CompressedSize64 > 1<<31 {
		return nil, false, fmt.Errorf("%w: imploded entry of %d bytes", ErrUnsupported, f.CompressedSize64)
	}
	rr, err := f.OpenRaw()
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	raw, err := io.ReadAll(io.LimitReader(rr, int64(f.CompressedSize64)))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	b, trunc, err := w.read(newExplode(raw, f.Flags, int64(f.UncompressedSize64)))
	if err == nil && !trunc && crc32.ChecksumIEEE(b) != f.CRC32 {
		err = fmt.Errorf("%w: implode: %s: bad CRC", ErrCorrupt, f.Name)
	}
	if err != nil && len(b) > 0 && !errors.Is(err, ErrBudget) {
		err = nil // keep the bytes, as for a bad deflate CRC
	}
	return b, trunc, err
}

// deflate64Reader decodes zip method 9 (the compressed bytes are in
// memory already: the archive is).
func deflate64Reader(r io.Reader) io.ReadCloser {
	b, err := io.ReadAll(r)
	if err != nil {
		return io.NopCloser(&errReader{err})
	}
	return newDeflate64(b)
}

// zstdReader decodes zip method 93 with a bounded window.
func zstdReader(r io.Reader) io.ReadCloser {
	d, err := zstd.NewReader(r, zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return io.NopCloser(&errReader{err})
	}
	return d.IOReadCloser()
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }
