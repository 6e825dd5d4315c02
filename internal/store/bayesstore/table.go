package bayesstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"syscall"
	"unsafe"
)

// File format, version 3 (integers are unsigned varints unless said
// otherwise):
//
//	magic "SKBAYES3"
//	nclasses, then per class: len, name bytes, spam, ham
//	ndigests, then per digest: 16 bytes, label byte ('S' or 'H')
//	nkeys
//	zero bytes up to the next multiple of 8 from the start of the file
//	nkeys keys: 8 bytes each, little-endian, strictly ascending
//	nkeys counts: 12 bytes each, little-endian: spam (uint32), ham
//	  (uint32), weight (IEEE 754 float32)
//	CRC-32 (IEEE, 4 bytes big-endian) of everything before it
//
// The key and count arrays have a fixed width so that the file can be
// mapped into memory and searched where it lies (outside the Go heap: the
// collector neither scans it nor counts it towards its goal, and pages are
// shared by processes reading the same file). Formats 1 and 2 (the
// same header, then per key in ascending order: key delta from the
// previous, spam, ham and, from format 2, the weight as a zig-zag varint of
// weight × 65536) are still read; OpenFile rewrites them in format 3.
var (
	fileMagic   = []byte("SKBAYES3")
	fileMagicV2 = []byte("SKBAYES2")
	fileMagicV1 = []byte("SKBAYES1")
)

const weightScale = 65536

// Bounds when reading a file (a damaged or hostile file must not exhaust memory).
const (
	maxFileClasses = 1 << 20
	maxFileDigests = 1 << 26
	maxFileKeys    = 1 << 28
)

// countSize is the bytes of one Counts in format 3 (and in memory).
const countSize = 12

// nativeLE: the arrays of a format-3 file can be used where they are
// mapped only on a little-endian machine with Counts laid out as in the
// file; elsewhere they are copied.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && unsafe.Sizeof(Counts{}) == countSize

// table is the learned counts as of the last read or write of the file:
// keys ascending with their counts, searched through a bucket index on the
// keys' top bits (the keys are hashes, so the buckets are even). It is
// immutable; changes since live in File.over.
type table struct {
	keys  []uint64
	vals  []Counts
	shift uint     // bucket of a key: key >> shift
	index []uint32 // index[b]: first position of bucket b; len = buckets+1
	// live counts the entries that are not all zero.
	live int
}

func newTable(keys []uint64, vals []Counts) *table {
	t := &table{keys: keys, vals: vals}
	// About 16 keys per bucket, at most 2^20 buckets (4 MiB of index).
	b := min(max(bits.Len(uint(len(keys)>>4)), 1), 20)
	t.shift = uint(64 - b)
	t.index = make([]uint32, 1<<b+1)
	j := 0
	for i := range t.index {
		for j < len(keys) && keys[j]>>t.shift < uint64(i) {
			j++
		}
		t.index[i] = uint32(j)
	}
	for _, c := range vals {
		if c != (Counts{}) {
			t.live++
		}
	}
	return t
}

// get returns a key's counts.
func (t *table) get(k uint64) Counts {
	b := k >> t.shift
	lo, hi := int(t.index[b]), int(t.index[b+1])
	ks := t.keys[lo:hi]
	// Buckets are short: a linear scan beats a binary search's branches.
	for i, x := range ks {
		if x >= k {
			if x == k {
				return t.vals[lo+i]
			}
			break
		}
	}
	return Counts{}
}

// getBatch is the number of keys getMany looks up together.
const getBatch = 16

// getMany sets out[i] to the counts of keys[i]^mix. It gives what get
// gives, a batch of keys at a time and each step for the whole batch
// (the bucket bounds, the buckets' first keys, the scans, the counts):
// the loads of a step do not wait for each other, so their cache misses
// overlap instead of coming one after the other.
func (t *table) getMany(keys []uint64, mix uint64, out []Counts) {
	n := len(t.keys)
	if n == 0 {
		clear(out[:len(keys)])
		return
	}
	var lo, hi, pos [getBatch]int
	var first [getBatch]uint64
	for base := 0; base < len(keys); base += getBatch {
		ks := keys[base:min(base+getBatch, len(keys))]
		o := out[base : base+len(ks)]
		for j, k := range ks {
			b := (k ^ mix) >> t.shift
			lo[j], hi[j] = int(t.index[b]), int(t.index[b+1])
		}
		for j := range ks {
			first[j] = t.keys[min(lo[j], n-1)]
		}
		for j, k := range ks {
			k ^= mix
			pos[j] = -1
			if lo[j] == hi[j] || first[j] > k {
				continue
			}
			for i, x := range t.keys[lo[j]:hi[j]] {
				if x >= k {
					if x == k {
						pos[j] = lo[j] + i
					}
					break
				}
			}
		}
		for j := range o {
			if p := pos[j]; p >= 0 {
				o[j] = t.vals[p]
			} else {
				o[j] = Counts{}
			}
		}
	}
}

func emptyTable() *table { return newTable(nil, nil) }

// stored is what a file holds.
type stored struct {
	tab     *table
	totals  map[string]Totals
	digests map[Digest]byte
	version byte // format version read ('1', '2', '3')
}

// readStore reads a store file: format 3 is mapped into memory when the
// machine allows, older formats are decoded into the heap.
func readStore(path string) (stored, error) {
	fh, err := os.Open(path)
	if err != nil {
		return stored{}, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return stored{}, err
	}
	size := fi.Size()
	head := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(fh, head); err != nil {
		return stored{}, ErrCorrupt
	}
	if bytes.Equal(head, fileMagic) && nativeLE && size < 1<<40 {
		mem, err := syscall.Mmap(int(fh.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		if err == nil {
			s, err := decodeV3(mem, true)
			if err != nil {
				_ = syscall.Munmap(mem)
				return stored{}, err
			}
			// The mapping goes when the table is no longer reachable
			// (readers hold the table while they search it).
			runtime.AddCleanup(s.tab, func(m []byte) { _ = syscall.Munmap(m) }, mem)
			return s, nil
		}
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return stored{}, err
	}
	if bytes.Equal(head, fileMagic) {
		if size > 1<<34 {
			return stored{}, ErrCorrupt
		}
		b, err := io.ReadAll(fh)
		if err != nil {
			return stored{}, err
		}
		return decodeV3(b, false)
	}
	return decodeOld(bufio.NewReaderSize(fh, 1<<16), size)
}

// header reads the classes and digests (every format has them).
func readHeader(r io.ByteReader, read func([]byte) error, size int64) (map[string]Totals, map[Digest]byte, error) {
	uv := func(max uint64) (uint64, error) {
		v, err := binary.ReadUvarint(r)
		if err != nil || v > max {
			return 0, ErrCorrupt
		}
		return v, nil
	}
	nc, err := uv(min(maxFileClasses, uint64(size)/3))
	if err != nil {
		return nil, nil, err
	}
	totals := make(map[string]Totals, min(nc, 1024))
	for i := uint64(0); i < nc; i++ {
		l, err := uv(1024)
		if err != nil {
			return nil, nil, err
		}
		name := make([]byte, l)
		if err := read(name); err != nil {
			return nil, nil, ErrCorrupt
		}
		s, err := uv(1 << 62)
		if err != nil {
			return nil, nil, err
		}
		h, err := uv(1 << 62)
		if err != nil {
			return nil, nil, err
		}
		totals[string(name)] = Totals{Spam: s, Ham: h}
	}
	nd, err := uv(min(maxFileDigests, uint64(size)/17))
	if err != nil {
		return nil, nil, err
	}
	digests := make(map[Digest]byte, min(nd, 1<<16))
	var rec [17]byte
	for i := uint64(0); i < nd; i++ {
		if err := read(rec[:]); err != nil {
			return nil, nil, ErrCorrupt
		}
		var d Digest
		copy(d[:], rec[:16])
		digests[d] = rec[16]
	}
	return totals, digests, nil
}

// decodeV3 reads a format-3 file held in b. With inPlace the key and count
// arrays are b's bytes (b must stay valid as long as the table); otherwise
// they are copied.
func decodeV3(b []byte, inPlace bool) (stored, error) {
	if len(b) < len(fileMagic)+4 || !bytes.Equal(b[:len(fileMagic)], fileMagic) {
		return stored{}, ErrCorrupt
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return stored{}, ErrCorrupt
	}
	r := bytes.NewReader(body[len(fileMagic):])
	read := func(p []byte) error { _, err := io.ReadFull(r, p); return err }
	totals, digests, err := readHeader(r, read, int64(len(b)))
	if err != nil {
		return stored{}, err
	}
	nk, err := binary.ReadUvarint(r)
	if err != nil || nk > maxFileKeys {
		return stored{}, ErrCorrupt
	}
	off := len(body) - r.Len()
	pad := (8 - off%8) % 8
	off += pad
	n := int(nk)
	if len(body)-off != n*(8+countSize) {
		return stored{}, ErrCorrupt
	}
	for _, c := range body[off-pad : off] {
		if c != 0 {
			return stored{}, ErrCorrupt
		}
	}
	var keys []uint64
	var vals []Counts
	kb, vb := body[off:off+8*n], body[off+8*n:]
	if inPlace && n > 0 && uintptr(unsafe.Pointer(&kb[0]))%8 == 0 {
		keys = unsafe.Slice((*uint64)(unsafe.Pointer(&kb[0])), n)
		vals = unsafe.Slice((*Counts)(unsafe.Pointer(&vb[0])), n)
	} else {
		keys = make([]uint64, n)
		vals = make([]Counts, n)
		for i := range keys {
			keys[i] = binary.LittleEndian.Uint64(kb[8*i:])
			v := vb[countSize*i:]
			vals[i] = Counts{Spam: binary.LittleEndian.Uint32(v), Ham: binary.LittleEndian.Uint32(v[4:]),
				Weight: math.Float32frombits(binary.LittleEndian.Uint32(v[8:]))}
		}
	}
	for i := 1; i < n; i++ {
		if keys[i] <= keys[i-1] {
			return stored{}, ErrCorrupt
		}
	}
	return stored{tab: newTable(keys, vals), totals: totals, digests: digests, version: '3'}, nil
}

// decodeOld reads a format 1 or 2 file of size bytes into the heap. Every
// count in the file is checked against the bytes that could hold it before
// anything is allocated for it.
func decodeOld(r *bufio.Reader, size int64) (stored, error) {
	if size <= 0 {
		size = 1 << 40
	}
	cr := &crcReader{r: r}
	magic := make([]byte, len(fileMagic))
	if _, err := cr.Read(magic); err != nil {
		return stored{}, ErrCorrupt
	}
	// Format versions: the last magic byte. Version 1 lacks the weights.
	hasWeights := true
	switch {
	case bytes.Equal(magic, fileMagicV2):
	case bytes.Equal(magic, fileMagicV1):
		hasWeights = false
	case bytes.HasPrefix(magic, fileMagic[:len(fileMagic)-1]) && magic[len(magic)-1] > fileMagic[len(fileMagic)-1]:
		return stored{}, ErrNewerFormat
	default:
		return stored{}, ErrCorrupt
	}
	read := func(p []byte) error { _, err := cr.Read(p); return err }
	totals, digests, err := readHeader(cr, read, size)
	if err != nil {
		return stored{}, err
	}
	uv := func(max uint64) (uint64, error) {
		v, err := binary.ReadUvarint(cr)
		if err != nil || v > max {
			return 0, ErrCorrupt
		}
		return v, nil
	}
	nk, err := uv(min(maxFileKeys, uint64(size)/4))
	if err != nil {
		return stored{}, err
	}
	keys := make([]uint64, 0, min(nk, 1<<22))
	vals := make([]Counts, 0, min(nk, 1<<22))
	var key uint64
	for i := uint64(0); i < nk; i++ {
		d, err := binary.ReadUvarint(cr)
		if err != nil {
			return stored{}, ErrCorrupt
		}
		key += d
		s, err := uv(1 << 32)
		if err != nil {
			return stored{}, err
		}
		h, err := uv(1 << 32)
		if err != nil {
			return stored{}, err
		}
		var w int64
		if hasWeights {
			w, err = binary.ReadVarint(cr)
			if err != nil || w > 1<<40 || w < -1<<40 {
				return stored{}, ErrCorrupt
			}
		}
		c := Counts{Spam: uint32(s), Ham: uint32(h), Weight: float32(float64(w) / weightScale)}
		// Ascending keys: a repeated key replaces the one before (as
		// the map these formats were read into did); a key that wrapped
		// around is damage.
		if n := len(keys); n > 0 && key <= keys[n-1] {
			if key < keys[n-1] {
				return stored{}, ErrCorrupt
			}
			vals[n-1] = c
			continue
		}
		keys = append(keys, key)
		vals = append(vals, c)
	}
	want := cr.crc
	var sum [4]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil || binary.BigEndian.Uint32(sum[:]) != want {
		return stored{}, ErrCorrupt
	}
	return stored{tab: newTable(keys, vals), totals: totals, digests: digests, version: magic[len(magic)-1]}, nil
}

type crcReader struct {
	r   *bufio.Reader
	crc uint32
}

func (c *crcReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.crc = crc32.Update(c.crc, crc32.IEEETable, []byte{b})
	}
	return b, err
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := io.ReadFull(c.r, p)
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p[:n])
	return n, err
}

// merged calls fn for every key of the table with the changes in over
// applied (over holds whole counts, zero for a removed key), ascending.
func merged(t *table, over map[uint64]Counts, fn func(k uint64, c Counts)) {
	ok := make([]uint64, 0, len(over))
	for k := range over {
		ok = append(ok, k)
	}
	slices.Sort(ok)
	i, j := 0, 0
	for i < len(t.keys) || j < len(ok) {
		switch {
		case j == len(ok) || (i < len(t.keys) && t.keys[i] < ok[j]):
			fn(t.keys[i], t.vals[i])
			i++
		case i == len(t.keys) || ok[j] < t.keys[i]:
			fn(ok[j], over[ok[j]])
			j++
		default:
			fn(ok[j], over[ok[j]])
			i++
			j++
		}
	}
}

// encode writes format 3: the table with over applied; with maxFeatures
// > 0 and more live keys than that, keys seen in a single message are
// dropped.
func encode(w io.Writer, t *table, over map[uint64]Counts, live int, totals map[string]Totals, digests map[Digest]byte, maxFeatures int) error {
	crc := crc32.NewIEEE()
	cw := &countWriter{w: io.MultiWriter(w, crc)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	var buf [binary.MaxVarintLen64]byte
	uv := func(v uint64) {
		n := binary.PutUvarint(buf[:], v)
		bw.Write(buf[:n])
	}
	bw.Write(fileMagic)
	names := make([]string, 0, len(totals))
	for k := range totals {
		names = append(names, k)
	}
	slices.Sort(names)
	uv(uint64(len(names)))
	for _, n := range names {
		uv(uint64(len(n)))
		bw.WriteString(n)
		uv(totals[n].Spam)
		uv(totals[n].Ham)
	}
	uv(uint64(len(digests)))
	for d, l := range digests {
		bw.Write(d[:])
		bw.WriteByte(l)
	}
	prune := maxFeatures > 0 && live > maxFeatures
	keep := func(c Counts) bool {
		if c.Spam == 0 && c.Ham == 0 && c.Weight == 0 {
			return false
		}
		return !prune || c.Spam+c.Ham > 1
	}
	n := 0
	merged(t, over, func(k uint64, c Counts) {
		if keep(c) {
			n++
		}
	})
	uv(uint64(n))
	if err := bw.Flush(); err != nil {
		return err
	}
	if pad := (8 - cw.n%8) % 8; pad > 0 {
		bw.Write(make([]byte, pad))
	}
	merged(t, over, func(k uint64, c Counts) {
		if keep(c) {
			bw.Write(binary.LittleEndian.AppendUint64(buf[:0], k))
		}
	})
	merged(t, over, func(k uint64, c Counts) {
		if keep(c) {
			b := binary.LittleEndian.AppendUint32(buf[:0], c.Spam)
			b = binary.LittleEndian.AppendUint32(b, c.Ham)
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(c.Weight))
			bw.Write(b)
		}
	})
	if err := bw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	_, err := w.Write(sum[:])
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// readOrEmpty reads the file, or an empty store when there is none.
func readOrEmpty(path string) (stored, error) {
	s, err := readStore(path)
	if errors.Is(err, os.ErrNotExist) {
		return stored{tab: emptyTable(), totals: map[string]Totals{}, digests: map[Digest]byte{}, version: '3'}, nil
	}
	if err != nil {
		return stored{}, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}
