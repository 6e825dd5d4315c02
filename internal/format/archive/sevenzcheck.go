package archive

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf16"

	"github.com/ulikunitz/xz/lzma"
)

// 7z header pre-check. The 7z reader allocates slices sized by counts
// read from the header; a 150-byte archive claiming billions of files
// would end the process with a fatal out-of-memory that no recover()
// catches. So before handing an archive to it, sekisho parses the header
// itself (7zFormat.txt: Header, StreamsInfo, Folder, FilesInfo), decoding
// an LZMA/LZMA2 (optionally 7zAES-encrypted) encoded header, and refuses
// archives whose counts exceed sane bounds.

var errSevenZipLimits = errors.New("archive: 7z header exceeds limits")

// aesCoderID is 7zAES's method id.
var aesCoderID = []byte{0x06, 0xf1, 0x07, 0x01}

// errKDFBudget: the message's key-derivation budget is spent (or its
// scan deadline passed); no more passwords are tried.
var errKDFBudget = errors.New("archive: password key-derivation budget spent")

const (
	max7zFiles   = 200000
	max7zFolders = 20000
	max7zStreams = 64
	max7zHeader  = 16 << 20
)

type szReader struct {
	b []byte
	p int
	// folders read so far, and how many of them have a 7zAES coder
	folders, aesFolders int
}

func (r *szReader) byte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, io.ErrUnexpectedEOF
	}
	c := r.b[r.p]
	r.p++
	return c, nil
}

// num reads a 7z variable-length number.
func (r *szReader) num() (uint64, error) {
	first, err := r.byte()
	if err != nil {
		return 0, err
	}
	mask := byte(0x80)
	var v uint64
	for i := 0; i < 8; i++ {
		if first&mask == 0 {
			hi := uint64(first) & (uint64(mask) - 1)
			return v | hi<<(8*i), nil
		}
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c) << (8 * i)
		mask >>= 1
	}
	return v, nil
}

func (r *szReader) count(max uint64) (int, error) {
	v, err := r.num()
	if err != nil {
		return 0, err
	}
	if v > max {
		return 0, fmt.Errorf("%w: count %d > %d", errSevenZipLimits, v, max)
	}
	return int(v), nil
}

func (r *szReader) skip(n uint64) error {
	if n > uint64(len(r.b)-r.p) {
		return io.ErrUnexpectedEOF
	}
	r.p += int(n)
	return nil
}

type szFolder struct {
	coders   []szCoder
	packed   int
	outTotal int
	aes      bool // a coder is 7zAES
}

type szCoder struct {
	id    []byte
	props []byte
}

func (r *szReader) digests(n int) error {
	all, err := r.byte()
	if err != nil {
		return err
	}
	defined := n
	if all == 0 {
		defined = 0
		for i := 0; i < n; i += 8 {
			c, err := r.byte()
			if err != nil {
				return err
			}
			for k := 0; k < 8 && i+k < n; k++ {
				if c&(0x80>>k) != 0 {
					defined++
				}
			}
		}
	}
	return r.skip(uint64(defined) * 4)
}

type szStreams struct {
	packPos   uint64
	packSizes []uint64
	folders   []szFolder
	unpack    []uint64
}

func (r *szReader) streamsInfo() (*szStreams, error) {
	s := &szStreams{}
	for {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch id {
		case 0x00:
			return s, nil
		case 0x06: // PackInfo
			if s.packPos, err = r.num(); err != nil {
				return nil, err
			}
			n, err := r.count(max7zFolders * 4)
			if err != nil {
				return nil, err
			}
			for {
				t, err := r.byte()
				if err != nil {
					return nil, err
				}
				if t == 0 {
					break
				}
				switch t {
				case 0x09:
					for i := 0; i < n; i++ {
						v, err := r.num()
						if err != nil {
							return nil, err
						}
						s.packSizes = append(s.packSizes, v)
					}
				case 0x0a:
					if err := r.digests(n); err != nil {
						return nil, err
					}
				default:
					return nil, fmt.Errorf("%w: pack info property %#x", errSevenZipLimits, t)
				}
			}
		case 0x07: // UnPackInfo
			if t, err := r.byte(); err != nil || t != 0x0b {
				return nil, fmt.Errorf("%w: no folder list", errSevenZipLimits)
			}
			nf, err := r.count(max7zFolders)
			if err != nil {
				return nil, err
			}
			if ext, err := r.byte(); err != nil || ext != 0 {
				return nil, fmt.Errorf("%w: external folders", errSevenZipLimits)
			}
			totalOut := 0
			for i := 0; i < nf; i++ {
				f, err := r.folder()
				if err != nil {
					return nil, err
				}
				s.folders = append(s.folders, f)
				totalOut += f.outTotal
			}
			if t, err := r.byte(); err != nil || t != 0x0c {
				return nil, fmt.Errorf("%w: no unpack sizes", errSevenZipLimits)
			}
			for i := 0; i < totalOut; i++ {
				v, err := r.num()
				if err != nil {
					return nil, err
				}
				s.unpack = append(s.unpack, v)
			}
			for {
				t, err := r.byte()
				if err != nil {
					return nil, err
				}
				if t == 0 {
					break
				}
				if t != 0x0a {
					return nil, fmt.Errorf("%w: unpack info property %#x", errSevenZipLimits, t)
				}
				if err := r.digests(nf); err != nil {
					return nil, err
				}
			}
		case 0x08: // SubStreamsInfo
			total := 0
			nf := len(s.folders)
			counts := make([]int, nf)
			for i := range counts {
				counts[i] = 1
			}
			for {
				t, err := r.byte()
				if err != nil {
					return nil, err
				}
				if t == 0 {
					break
				}
				switch t {
				case 0x0d:
					for i := 0; i < nf; i++ {
						c, err := r.count(max7zFiles)
						if err != nil {
							return nil, err
						}
						counts[i] = c
					}
				case 0x09:
					for _, c := range counts {
						for k := 1; k < c; k++ {
							if _, err := r.num(); err != nil {
								return nil, err
							}
						}
					}
				case 0x0a:
					total = 0
					for _, c := range counts {
						total += c
					}
					if total > max7zFiles {
						return nil, errSevenZipLimits
					}
					if err := r.digests(total); err != nil {
						return nil, err
					}
				default:
					return nil, fmt.Errorf("%w: substreams property %#x", errSevenZipLimits, t)
				}
				total = 0
				for _, c := range counts {
					total += c
				}
				if total > max7zFiles {
					return nil, errSevenZipLimits
				}
			}
		default:
			return nil, fmt.Errorf("%w: streams info property %#x", errSevenZipLimits, id)
		}
	}
}

func (r *szReader) folder() (szFolder, error) {
	var f szFolder
	nc, err := r.count(max7zStreams)
	if err != nil {
		return f, err
	}
	if nc == 0 {
		return f, fmt.Errorf("%w: folder without coders", errSevenZipLimits)
	}
	totalIn := 0
	for i := 0; i < nc; i++ {
		flag, err := r.byte()
		if err != nil {
			return f, err
		}
		var c szCoder
		idSize := int(flag & 0x0f)
		if r.p+idSize > len(r.b) {
			return f, io.ErrUnexpectedEOF
		}
		c.id = r.b[r.p : r.p+idSize]
		r.p += idSize
		if bytes.Equal(c.id, aesCoderID) {
			f.aes = true
		}
		in, out := 1, 1
		if flag&0x10 != 0 {
			if in, err = r.count(max7zStreams); err != nil {
				return f, err
			}
			if out, err = r.count(max7zStreams); err != nil {
				return f, err
			}
		}
		if flag&0x20 != 0 {
			n, err := r.count(1 << 16)
			if err != nil {
				return f, err
			}
			if r.p+n > len(r.b) {
				return f, io.ErrUnexpectedEOF
			}
			c.props = r.b[r.p : r.p+n]
			r.p += n
		}
		totalIn += in
		f.outTotal += out
		f.coders = append(f.coders, c)
	}
	if f.outTotal > max7zStreams || totalIn > max7zStreams || f.outTotal == 0 {
		return f, errSevenZipLimits
	}
	for i := 0; i < f.outTotal-1; i++ {
		if _, err := r.num(); err != nil {
			return f, err
		}
		if _, err := r.num(); err != nil {
			return f, err
		}
	}
	f.packed = totalIn - (f.outTotal - 1)
	if f.packed < 1 {
		return f, errSevenZipLimits
	}
	if f.packed > 1 {
		for i := 0; i < f.packed; i++ {
			if _, err := r.num(); err != nil {
				return f, err
			}
		}
	}
	r.folders++
	if f.aes {
		r.aesFolders++
	}
	return f, nil
}

// header validates a plain header (after kHeader).
func (r *szReader) header() error {
	for {
		id, err := r.byte()
		if err != nil {
			return err
		}
		switch id {
		case 0x00:
			return nil
		case 0x02: // ArchiveProperties
			for {
				t, err := r.num()
				if err != nil {
					return err
				}
				if t == 0 {
					break
				}
				n, err := r.num()
				if err != nil {
					return err
				}
				if err := r.skip(n); err != nil {
					return err
				}
			}
		case 0x03, 0x04:
			if _, err := r.streamsInfo(); err != nil {
				return err
			}
		case 0x05: // FilesInfo
			if _, err := r.count(max7zFiles); err != nil {
				return err
			}
			for {
				t, err := r.num()
				if err != nil {
					return err
				}
				if t == 0 {
					break
				}
				n, err := r.num()
				if err != nil {
					return err
				}
				if err := r.skip(n); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%w: header property %#x", errSevenZipLimits, id)
		}
	}
}

// check7z validates an archive's headers. encrypted reports an encrypted
// header none of the passwords opened (the archive cannot be listed);
// pw is the password that opened an encrypted header. w (may be nil)
// bounds the password tries and caches derived keys. aesData reports
// every data folder behind 7zAES: an entry of such an archive whose data fails
// its CRC when opened without a password is encrypted, not damaged (the
// library decodes with an empty key, which may give garbage, not an error).
func check7z(data []byte, passwords []string, w *walker) (encrypted bool, pw *string, aesData bool, err error) {
	if len(data) < 32 {
		return false, nil, false, fmt.Errorf("%w: short 7z", ErrCorrupt)
	}
	off := binary.LittleEndian.Uint64(data[12:])
	size := binary.LittleEndian.Uint64(data[20:])
	if off > uint64(len(data)) || size > uint64(len(data))-off || 32+off+size > uint64(len(data)) {
		return false, nil, false, fmt.Errorf("%w: 7z next header beyond end", ErrCorrupt)
	}
	hdr := data[32+off : 32+off+size]
	for depth := 0; depth < 4; depth++ {
		r := &szReader{b: hdr}
		id, err := r.byte()
		if err != nil {
			return false, nil, false, nil // empty archive
		}
		switch id {
		case 0x01:
			err := r.header()
			// Every data folder encrypted (as 7-Zip's -p makes them): in
			// an archive that mixes the two, a CRC mismatch stays damage.
			return false, pw, r.aesFolders > 0 && r.aesFolders == r.folders, err
		case 0x17:
			s, err := r.streamsInfo()
			if err != nil {
				return false, nil, false, err
			}
			var used *string
			hdr, encrypted, used, err = decodeHeader(data, s, passwords, w)
			if err != nil || encrypted {
				return encrypted, nil, false, err
			}
			if used != nil {
				pw = used
			}
		default:
			return false, nil, false, fmt.Errorf("%w: 7z header type %#x", ErrCorrupt, id)
		}
	}
	return false, nil, false, errSevenZipLimits
}

// decodeHeader unpacks an encoded header: LZMA or LZMA2, optionally
// behind 7zAES (tried with the passwords).
func decodeHeader(data []byte, s *szStreams, passwords []string, w *walker) ([]byte, bool, *string, error) {
	if len(s.folders) != 1 || len(s.packSizes) < 1 || len(s.unpack) < 1 {
		return nil, false, nil, fmt.Errorf("%w: encoded header layout", errSevenZipLimits)
	}
	start := 32 + s.packPos
	if start > uint64(len(data)) || s.packSizes[0] > uint64(len(data))-start {
		return nil, false, nil, fmt.Errorf("%w: encoded header beyond end", ErrCorrupt)
	}
	packed := data[start : start+s.packSizes[0]]
	var comp, aesC *szCoder
	f := s.folders[0]
	for i := range f.coders {
		c := &f.coders[i]
		switch {
		case bytes.Equal(c.id, aesCoderID):
			aesC = c
		case bytes.Equal(c.id, []byte{0x03, 0x01, 0x01}), bytes.Equal(c.id, []byte{0x21}), bytes.Equal(c.id, []byte{0x00}):
			comp = c
		default:
			return nil, false, nil, fmt.Errorf("%w: header coder %x", errSevenZipLimits, c.id)
		}
	}
	if comp == nil && aesC != nil {
		comp = &szCoder{id: []byte{0x00}} // encrypted, not compressed
	}
	if comp == nil {
		return nil, false, nil, fmt.Errorf("%w: header without a known coder (%x)", errSevenZipLimits, f.coders)
	}
	// the compressor's output is the folder's last unpack size
	outSize := s.unpack[len(s.unpack)-1]
	if len(f.coders) == 2 {
		outSize = s.unpack[0]
	}
	if outSize > max7zHeader {
		return nil, false, nil, fmt.Errorf("%w: header of %d bytes", errSevenZipLimits, outSize)
	}
	try := func(in []byte) ([]byte, error) {
		return unpackHeader(comp, in, outSize)
	}
	if aesC == nil {
		out, err := try(packed)
		return out, false, nil, err
	}
	for i := range passwords {
		plain, err := sevenZipAESDecrypt(aesC.props, passwords[i], packed, w)
		if errors.Is(err, errKDFBudget) {
			break
		}
		if err != nil {
			continue
		}
		if out, err := try(plain); err == nil && validHeader(out) {
			return out, false, &passwords[i], nil
		}
	}
	return nil, true, nil, nil
}

// validHeader tells a header decrypted with the right password from the
// bytes a wrong one gives, which now and then decompress and even start
// with a header's id: only a real header parses.
func validHeader(b []byte) bool {
	r := &szReader{b: b}
	id, err := r.byte()
	if err != nil {
		return false
	}
	switch id {
	case 0x01:
		return r.header() == nil
	case 0x17:
		_, err := r.streamsInfo()
		return err == nil
	}
	return false
}

func unpackHeader(c *szCoder, in []byte, size uint64) ([]byte, error) {
	var r io.Reader
	switch {
	case bytes.Equal(c.id, []byte{0x00}):
		r = bytes.NewReader(in)
	case bytes.Equal(c.id, []byte{0x21}):
		if len(c.props) < 1 || c.props[0] > 40 {
			return nil, errSevenZipLimits
		}
		dc := (2 | (int(c.props[0]) & 1)) << (c.props[0]/2 + 11)
		lr, err := lzma.Reader2Config{DictCap: min(dc, max7zHeader)}.NewReader2(bytes.NewReader(in))
		if err != nil {
			return nil, err
		}
		r = lr
	default:
		if len(c.props) != 5 {
			return nil, errSevenZipLimits
		}
		h := append(append([]byte{}, c.props...), binary.LittleEndian.AppendUint64(nil, size)...)
		if binary.LittleEndian.Uint32(c.props[1:]) > max7zHeader {
			binary.LittleEndian.PutUint32(h[1:], max7zHeader)
		}
		lr, err := lzma.NewReader(io.MultiReader(bytes.NewReader(h), bytes.NewReader(in)))
		if err != nil {
			return nil, err
		}
		r = lr
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(size)))
	if err != nil && len(out) < int(size) {
		return nil, err
	}
	return out, nil
}

// sevenZipAESDecrypt implements 7zAES (AES-256-CBC, key = SHA-256 over
// 2^cycles rounds of salt, UTF-16LE password and a round counter).
//
// Keys are cached per message (w's budget): the same password, salt and
// round count (40 copies of one archive) derive once. A derivation is
// charged to the budget (2^cycles/2^19 units) and refused with
// errKDFBudget when it is spent or the scan's deadline passed.
func sevenZipAESDecrypt(props []byte, pw string, in []byte, w *walker) ([]byte, error) {
	if len(props) < 1 {
		return nil, errSevenZipLimits
	}
	cycles := int(props[0] & 0x3f)
	var salt, iv []byte
	if props[0]&0xc0 != 0 {
		if len(props) < 2 {
			return nil, errSevenZipLimits
		}
		ss := int(props[0]>>7&1) + int(props[1]>>4)
		is := int(props[0]>>6&1) + int(props[1]&0x0f)
		if len(props) < 2+ss+is {
			return nil, errSevenZipLimits
		}
		salt, iv = props[2:2+ss], props[2+ss:2+ss+is]
	}
	if cycles > 20 && cycles != 0x3f { // 7-Zip uses 19; more is a CPU trap
		return nil, errSevenZipLimits
	}
	var pwb []byte
	for _, c := range utf16.Encode([]rune(pw)) {
		pwb = binary.LittleEndian.AppendUint16(pwb, c)
	}
	var key []byte
	var b *Budget
	if w != nil {
		b = w.opt.Budget
	}
	id := kdfKey{salt: string(salt), pw: pw, cycles: cycles}
	if b != nil && b.keys != nil {
		key = b.keys[id]
	}
	switch {
	case key != nil:
	case cycles == 0x3f:
		key = append(append([]byte{}, salt...), pwb...)
		for len(key) < 32 {
			key = append(key, 0)
		}
		key = key[:32]
	default:
		if w != nil && !w.try(max(float64(uint64(1)<<cycles)/(1<<19), 0.01)) {
			return nil, errKDFBudget
		}
		key = sevenZipKey(salt, pwb, cycles)
		if b != nil && len(b.keys) < 1000 {
			if b.keys == nil {
				b.keys = map[kdfKey][]byte{}
			}
			b.keys[id] = key
		}
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	ivb := make([]byte, 16)
	copy(ivb, iv)
	n := len(in) / 16 * 16
	out := make([]byte, n)
	cipher.NewCBCDecrypter(blk, ivb).CryptBlocks(out, in[:n])
	return out, nil
}

// sevenZipKey hashes 2^cycles rounds of salt, password and round counter,
// many rounds per write (the hash is the same as one write per round).
func sevenZipKey(salt, pwb []byte, cycles int) []byte {
	h := sha256.New()
	rl := len(salt) + len(pwb) + 8
	const batch = 256
	buf := make([]byte, 0, rl*batch)
	for i := 0; i < batch; i++ {
		buf = append(append(append(buf, salt...), pwb...), 0, 0, 0, 0, 0, 0, 0, 0)
	}
	total := uint64(1) << cycles
	for i := uint64(0); i < total; i += batch {
		n := min(uint64(batch), total-i)
		for j := uint64(0); j < n; j++ {
			binary.LittleEndian.PutUint64(buf[int(j)*rl+rl-8:], i+j)
		}
		h.Write(buf[:int(n)*rl])
	}
	return h.Sum(nil)
}

var _ = crc32.ChecksumIEEE
