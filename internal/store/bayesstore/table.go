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
	"sync/atomic"
	"syscall"
	"unsafe"
)

// File format, version 4 (integers are unsigned varints unless said
// otherwise):
//
//	magic "SKBAYES4" (format 5: "SKBAYES5", then the hash scheme)
//	nclasses, then per class: len, name bytes, spam, ham
//	ndigests, then per digest: 16 bytes, label byte ('S' or 'H')
//	nkeys, nhome, nlines, nbig
//	zero bytes up to the next multiple of 64 from the start of the file
//	nlines lines of 64 bytes, each 4 slots of 16 bytes, little-endian:
//	  key (uint64), spam (uint16), ham (uint16), weight (IEEE 754 float32)
//	nbig keys: 8 bytes each, little-endian, strictly ascending
//	nbig counts: 12 bytes each, little-endian: spam (uint32), ham
//	  (uint32), weight (float32)
//	CRC-32 (IEEE, 4 bytes big-endian) of everything before it
//
// The lines are a hash table with ordered linear probing: a key's home
// line is ⌊key × nhome / 2⁶⁴⌋ (the line of its share of the key space);
// the keys are laid out in ascending order, each in its home line or, when
// that is full, the first line after it with room, so the keys of a line
// are ascending and all smaller than the next line's. A lookup reads the
// home line, usually the only one: it stops at the first key not below
// the one sought. A free slot has key 2⁶⁴−1 and everything else zero (a
// stored key never has all-zero counts); the last line is all free slots,
// so every search ends there at the latest. nhome is nkeys / 3.2 rounded
// up (4 slots a line, 80 % full: as small as format 3's 20 bytes a key,
// see docs/performance.md). A key whose spam or ham count does not fit
// 16 bits has both set to 0xFFFF in its slot and its counts in the nbig
// arrays (searched by bisection).
//
// The file is mapped into memory and searched where it lies (outside the
// Go heap: the collector neither scans it nor counts it towards its goal,
// and pages are shared by processes reading the same file). Formats 1 and
// 2 (the same header, then per key in ascending order: key delta from the
// previous, spam, ham and, from format 2, the weight as a zig-zag varint
// of weight × 65536) and 3 (after nkeys and zero padding to a multiple of
// 8: the nkeys keys as 8 bytes each, ascending, then their counts as 12
// bytes each like the nbig counts above) are still read; OpenFile
// rewrites them in format 4.
//
// Format 5 is format 4 with the store's hash scheme (a varint, 2 or more:
// see SchemeText) right after its magic "SKBAYES5"; format 4 and older
// are scheme 1. A scheme-1 store is written in format 4 (as before
// format 5 existed: a release without format 5 still reads it), a store
// of a later scheme in format 5 (which such a release refuses as newer:
// it could not tokenize for it).
var (
	fileMagicV5 = []byte("SKBAYES5")
	fileMagic   = []byte("SKBAYES4")
	fileMagicV3 = []byte("SKBAYES3")
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

// countSize is the bytes of one Counts in the file (and in memory).
const countSize = 12

// Layout of format 4's lines.
const (
	lineSlots = 4
	slotSize  = 16
	lineSize  = lineSlots * slotSize
	// fillTenths is how full the home lines are made, in tenths (8: 3.2
	// keys a line on average).
	fillTenths = 8
	// bigCount marks a slot whose counts are in the big arrays.
	bigCount = 0xFFFF
	freeKey  = math.MaxUint64
)

// slot is one key of a line, as in the file.
type slot struct {
	key       uint64
	spam, ham uint16
	weight    float32
}

type line [lineSlots]slot

// nativeLE: the lines of a format-4 file can be used where they are mapped
// only on a little-endian machine with slots laid out as in the file;
// elsewhere they are copied.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && unsafe.Sizeof(slot{}) == slotSize &&
	unsafe.Sizeof(line{}) == lineSize && unsafe.Sizeof(Counts{}) == countSize

var freeSlot = slot{key: freeKey}

func (s *slot) free() bool { return *s == freeSlot }

// homeLines is the number of home lines for n keys.
func homeLines(n int) uint64 {
	return max(1, (uint64(n)*10+lineSlots*fillTenths-1)/(lineSlots*fillTenths))
}

// home is the home line of k among n.
func home(k, n uint64) uint64 {
	h, _ := bits.Mul64(k, n)
	return h
}

func isBig(c Counts) bool { return c.Spam >= bigCount || c.Ham >= bigCount }

// table is the learned counts as of the last read or write of the file
// (format 4's lines, mapped from the file or in the heap). It is
// immutable; changes since live in File.over.
type table struct {
	lines   []line
	nhome   uint64
	bigKeys []uint64
	bigVals []Counts
	// live counts the entries that are not all zero.
	live int
}

// placer lays keys out in lines in ascending order (the format's rule),
// handing each finished line to emit.
type placer struct {
	nhome uint64
	cur   uint64 // the line being filled
	used  int    // its slots in use
	ln    line
	emit  func(*line)
}

func newPlacer(nhome uint64, emit func(*line)) *placer {
	p := &placer{nhome: nhome, emit: emit}
	p.clear()
	return p
}

func (p *placer) clear() {
	for i := range p.ln {
		p.ln[i] = freeSlot
	}
	p.used = 0
}

func (p *placer) next() {
	p.emit(&p.ln)
	p.cur++
	p.clear()
}

// add places the next key (ascending).
func (p *placer) add(k uint64, c Counts) {
	for h := home(k, p.nhome); p.cur < h; {
		p.next()
	}
	if p.used == lineSlots {
		p.next()
	}
	s := slot{key: k, spam: uint16(c.Spam), ham: uint16(c.Ham), weight: c.Weight}
	if isBig(c) {
		s.spam, s.ham = bigCount, bigCount
	}
	p.ln[p.used] = s
	p.used++
}

// finish emits the last lines: up to the last home line, then one line of
// free slots. It returns the number of lines.
func (p *placer) finish() uint64 {
	if p.used > 0 {
		p.next()
	}
	for p.cur < p.nhome {
		p.next()
	}
	p.next()
	return p.cur
}

// newTable lays out keys (strictly ascending) with their counts in the heap.
func newTable(keys []uint64, vals []Counts) *table {
	t := &table{nhome: homeLines(len(keys))}
	t.lines = make([]line, 0, t.nhome+t.nhome/8+2)
	p := newPlacer(t.nhome, func(l *line) { t.lines = append(t.lines, *l) })
	for i, k := range keys {
		c := vals[i]
		p.add(k, c)
		if isBig(c) {
			t.bigKeys = append(t.bigKeys, k)
			t.bigVals = append(t.bigVals, c)
		}
		if c != (Counts{}) {
			t.live++
		}
	}
	p.finish()
	return t
}

func emptyTable() *table { return newTable(nil, nil) }

// counts returns a slot's counts.
func (t *table) counts(s *slot) Counts {
	if s.spam == bigCount && s.ham == bigCount {
		return t.big(s.key)
	}
	return Counts{Spam: uint32(s.spam), Ham: uint32(s.ham), Weight: s.weight}
}

// small returns a slot's counts when they are in the slot (counts
// without the call, for the lookups: both counts are bigCount, all ones,
// exactly when their AND is).
func (s *slot) small() (Counts, bool) {
	return Counts{Spam: uint32(s.spam), Ham: uint32(s.ham), Weight: s.weight}, s.spam&s.ham != bigCount
}

// big returns the counts of a key of the big arrays. (Not inlined: it is
// rare, and counts, inlined into the lookups, stays small without it.)
//
//go:noinline
func (t *table) big(k uint64) Counts {
	if i, ok := slices.BinarySearch(t.bigKeys, k); ok {
		return t.bigVals[i]
	}
	return Counts{}
}

// below is the number of keys of a line smaller than k (free slots,
// 2⁶⁴−1, never are), counted without branches: the line's keys are
// ascending, so it is the slot where k is or would be, or lineSlots when
// k is past the line.
func below(ln *line, k uint64) int {
	_, b0 := bits.Sub64(ln[0].key, k, 0)
	_, b1 := bits.Sub64(ln[1].key, k, 0)
	_, b2 := bits.Sub64(ln[2].key, k, 0)
	_, b3 := bits.Sub64(ln[3].key, k, 0)
	return int(b0 + b1 + b2 + b3)
}

// get returns a key's counts.
func (t *table) get(k uint64) Counts {
	for l := home(k, t.nhome); ; l++ {
		ln := &t.lines[l]
		if i := below(ln, k); i < lineSlots {
			if s := &ln[i]; s.key == k {
				return t.counts(s)
			}
			return Counts{}
		}
	}
}

// getBatch is the number of keys getMany looks up together.
const getBatch = 16

// Prefetching getMany (hasPrefetch): the lines of the batch prefetchAhead
// batches ahead are prefetched before a batch is searched, their
// addresses kept in a ring of prefetchRing batches.
const (
	prefetchAhead = 2
	prefetchRing  = 4 // a power of two above prefetchAhead
)

// getMany sets out[i] to the counts of keys[i]^mix. It gives what get
// gives, a batch of keys at a time and each step for the whole batch:
// the home lines and the lines after them are brought into the cache
// ahead (prefetched a few batches ahead where the machine has prefetch
// instructions, so that their cache misses overlap with the search of
// the batches before; elsewhere loaded, batch by batch, before the
// batch is searched: the loads do not wait for each other, so their
// misses overlap with each other), the home lines searched with the
// lines after them, then the keys not settled there (both lines full of
// smaller keys: rare) read on from the line after.
//
// The home lines are addressed without bounds checks: a home line is
// below nhome (the high word of k × nhome, when nhome is not 0), and a
// table has more lines than home lines (both checked once; the lines
// after a home line and the next are indexed as usual). The batch's arrays are indexed modulo their length
// (no checks either: a batch is never longer).
func (t *table) getMany(keys []uint64, mix uint64, out []Counts) {
	out = out[:len(keys)]
	nhome := t.nhome
	if nhome == 0 || uint64(len(t.lines)) <= nhome {
		// Not a table newTable or decodeV4 makes. (With nhome 0 every
		// key's home is line 0, not below nhome: the line after it need
		// not be one.)
		for i, k := range keys {
			out[i] = t.get(k ^ mix)
		}
		return
	}
	if !hasPrefetch {
		t.getManyLoaded(keys, mix, out)
		return
	}
	lp := unsafe.SliceData(t.lines)
	// ring[b%prefetchRing] holds the home lines of batch b.
	var ring [prefetchRing][getBatch]*line
	nb := (len(keys) + getBatch - 1) / getBatch
	issue := func(b int) {
		ks := keys[b*getBatch : min(b*getBatch+getBatch, len(keys))]
		prefetchHomes(&ks[0], len(ks), mix, nhome, lp, &ring[b%prefetchRing])
	}
	for b := range min(prefetchAhead, nb) {
		issue(b)
	}
	for b := range nb {
		if b+prefetchAhead < nb {
			issue(b + prefetchAhead)
		}
		base := b * getBatch
		ks := keys[base:min(base+getBatch, len(keys))]
		t.searchBatch(ks, mix, out[base:base+len(ks)], &ring[b%prefetchRing])
	}
}

// getManyLoaded is getMany's lookup where there are no prefetch
// instructions: the first keys of each batch's home lines and the lines
// after them are loaded before the batch is searched.
func (t *table) getManyLoaded(keys []uint64, mix uint64, out []Counts) {
	nhome := t.nhome
	lp := unsafe.Pointer(unsafe.SliceData(t.lines))
	var at [getBatch]*line
	for base := 0; base < len(keys); base += getBatch {
		ks := keys[base:min(base+getBatch, len(keys))]
		// Touch every home line and the line after it first: the loads
		// are independent, so their cache misses overlap instead of
		// coming one probe at a time. (The line after the home line is
		// where most keys not in their home line are, and that is most
		// keys: on the SpamAssassin store, 64 % of the lookups went on
		// to it. A home line is below nhome, so the next is a line.)
		// touched keeps the loads live (the compiler drops loads whose
		// values are unused).
		var x uint64
		for j, k := range ks {
			ln := (*line)(unsafe.Add(lp, uintptr(home(k^mix, nhome))*lineSize))
			at[j%getBatch] = ln
			x ^= ln[0].key ^ (*line)(unsafe.Add(unsafe.Pointer(ln), lineSize))[0].key
		}
		touched(x)
		t.searchBatch(ks, mix, out[base:base+len(ks)], &at)
	}
}

// searchBatch looks up a batch of keys (at most getBatch), ks[j]^mix in
// the home line at[j], into o (as long as ks).
//
// The home line and the next are searched together (they lie one after
// the other): the keys below k in both are where k is or would be, in
// the home line or the next (the next line's keys are all above the home
// line's, and above k when the home line has a key not below k or room),
// or past both.
func (t *table) searchBatch(ks []uint64, mix uint64, o []Counts, at *[getBatch]*line) {
	if !useSearchLines || len(ks) == 0 {
		t.searchBatchGo(ks, mix, o, at)
		return
	}
	o = o[:len(ks)]
	// The windows and the lines after them searched 4 slots a compare
	// (search_amd64.s); the keys it leaves (counts in the big arrays, or
	// past the table's last line: a damaged table) searched here as
	// searchBatchGo searches them.
	end := uintptr(unsafe.Pointer(unsafe.SliceData(t.lines))) + uintptr(len(t.lines))*lineSize
	for miss := searchLines(&ks[0], len(ks), mix, at, &o[0], end); miss != 0; miss &= miss - 1 {
		j := bits.TrailingZeros32(miss) % getBatch
		o[j] = t.searchFrom(ks[j]^mix, at[j])
	}
}

// useSearchLines: searchBatch has searchLines search the windows (the
// tests turn it off to check searchBatchGo on machines that have it).
var useSearchLines = hasSearchLines

// searchFrom returns k's counts, ln its home line (below nhome): the
// window of ln and the next line searched, then the lines after.
func (t *table) searchFrom(k uint64, ln *line) Counts {
	w := (*[2 * lineSlots]slot)(unsafe.Pointer(ln))
	if i := uint(below(ln, k) + below((*line)(w[lineSlots:]), k)); i < 2*lineSlots {
		if s := &w[i]; s.key == k {
			return t.counts(s)
		}
		return Counts{}
	}
	return t.searchPast(k, (uintptr(unsafe.Pointer(ln))-uintptr(unsafe.Pointer(unsafe.SliceData(t.lines))))/lineSize+2)
}

// searchBatchGo is searchBatch in Go: each key's window (its home line
// and the next) searched, then the keys past their windows.
func (t *table) searchBatchGo(ks []uint64, mix uint64, o []Counts, at *[getBatch]*line) {
	lp := unsafe.Pointer(unsafe.SliceData(t.lines))
	o = o[:len(ks)]
	var rest [getBatch]uint8
	nr := uint(0)
	for j, k := range ks {
		k ^= mix
		ln := at[j%getBatch]
		w := (*[2 * lineSlots]slot)(unsafe.Pointer(ln))
		if i := uint(below(ln, k) + below((*line)(w[lineSlots:]), k)); i < 2*lineSlots {
			c := Counts{}
			if s := &w[i]; s.key == k {
				if sc, ok := s.small(); ok {
					c = sc
				} else {
					c = t.big(k)
				}
			}
			o[j] = c
			continue
		}
		rest[nr%getBatch] = uint8(j)
		nr++
	}
	if nr == 0 {
		return
	}
	for _, j := range rest[:nr%(getBatch+1)] {
		o[j] = t.searchPast(ks[j]^mix, (uintptr(unsafe.Pointer(at[j%getBatch]))-uintptr(lp))/lineSize+2)
	}
}

// searchPast returns k's counts, k past the window before line l: the
// lines from l on searched.
func (t *table) searchPast(k uint64, l uintptr) Counts {
	for ; ; l++ {
		ln := &t.lines[l]
		if i := below(ln, k); i < lineSlots {
			if s := &ln[i]; s.key == k {
				return t.counts(s)
			}
			return Counts{}
		}
	}
}

// touchSink is written only when touched is given one particular value
// (about once in 2^64 batches): enough for the compiler to keep the loads
// that produce x.
var touchSink atomic.Uint64

// touched keeps x's loads: see getMany.
func touched(x uint64) {
	if x == 0x5ec15b0_7a6b1e5 {
		touchSink.Add(1)
	}
}

// cursor walks a table's keys in ascending order.
type cursor struct {
	t    *table
	l, i int
}

// next returns the next key and its counts.
func (c *cursor) next() (uint64, Counts, bool) {
	for c.l < len(c.t.lines) {
		ln := &c.t.lines[c.l]
		for c.i < lineSlots {
			s := &ln[c.i]
			c.i++
			if !s.free() {
				return s.key, c.t.counts(s), true
			}
		}
		c.l++
		c.i = 0
	}
	return 0, Counts{}, false
}

// stored is what a file holds.
type stored struct {
	tab     *table
	totals  map[string]Totals
	digests map[Digest]byte
	version byte // format version read ('1' to '5')
	scheme  int  // hash scheme (0: no file)
}

// readStore reads a store file: format 4 is mapped into memory when the
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
	v45 := bytes.Equal(head, fileMagic) || bytes.Equal(head, fileMagicV5)
	if v45 && nativeLE && size < 1<<40 {
		mem, err := syscall.Mmap(int(fh.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		if err == nil {
			s, err := decodeV4(mem, true)
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
	if v45 || bytes.Equal(head, fileMagicV3) {
		if size > 1<<34 {
			return stored{}, ErrCorrupt
		}
		b, err := io.ReadAll(fh)
		if err != nil {
			return stored{}, err
		}
		if head[len(head)-1] == '3' {
			return decodeV3(b)
		}
		return decodeV4(b, false)
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

// checked returns b's body (without its checksum) when b starts with
// magic and its checksum is right.
func checked(b, magic []byte) ([]byte, bool) {
	if len(b) < len(magic)+4 || !bytes.Equal(b[:len(magic)], magic) {
		return nil, false
	}
	body := b[:len(b)-4]
	return body, crc32.ChecksumIEEE(body) == binary.BigEndian.Uint32(b[len(b)-4:])
}

// zeros reports whether b is all zero bytes.
func zeros(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// decodeCounts reads n counts of 12 bytes.
func decodeCounts(vb []byte, n int) []Counts {
	vals := make([]Counts, n)
	for i := range vals {
		v := vb[countSize*i:]
		vals[i] = Counts{Spam: binary.LittleEndian.Uint32(v), Ham: binary.LittleEndian.Uint32(v[4:]),
			Weight: math.Float32frombits(binary.LittleEndian.Uint32(v[8:]))}
	}
	return vals
}

// decodeV3 reads a format-3 file held in b into the heap.
func decodeV3(b []byte) (stored, error) {
	body, ok := checked(b, fileMagicV3)
	if !ok {
		return stored{}, ErrCorrupt
	}
	r := bytes.NewReader(body[len(fileMagicV3):])
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
	if len(body)-off != n*(8+countSize) || !zeros(body[off-pad:off]) {
		return stored{}, ErrCorrupt
	}
	kb, vb := body[off:off+8*n], body[off+8*n:]
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = binary.LittleEndian.Uint64(kb[8*i:])
		if i > 0 && keys[i] <= keys[i-1] {
			return stored{}, ErrCorrupt
		}
	}
	return stored{tab: newTable(keys, decodeCounts(vb, n)), totals: totals, digests: digests, version: '3', scheme: SchemeText}, nil
}

// decodeV4 reads a format-4 file held in b. With inPlace the lines are
// b's bytes (b must stay valid as long as the table); otherwise they are
// copied. Everything a lookup relies on is checked: the layout rule (keys
// ascending, none before its home line, none after a line with room past
// its home line), free slots only at the end of a line, the last line
// free, the big arrays exactly the slots marked big.
func decodeV4(b []byte, inPlace bool) (stored, error) {
	magic, scheme := fileMagic, SchemeText
	if bytes.HasPrefix(b, fileMagicV5) {
		magic = fileMagicV5
	}
	body, ok := checked(b, magic)
	if !ok {
		return stored{}, ErrCorrupt
	}
	r := bytes.NewReader(body[len(magic):])
	if magic[len(magic)-1] == '5' {
		v, err := binary.ReadUvarint(r)
		switch {
		case err != nil || v <= SchemeText:
			return stored{}, ErrCorrupt
		case v > schemeMax:
			return stored{}, ErrNewerFormat
		}
		scheme = int(v)
	}
	read := func(p []byte) error { _, err := io.ReadFull(r, p); return err }
	totals, digests, err := readHeader(r, read, int64(len(b)))
	if err != nil {
		return stored{}, err
	}
	var nums [4]uint64 // nkeys, nhome, nlines, nbig
	for i := range nums {
		v, err := binary.ReadUvarint(r)
		if err != nil || v > maxFileKeys {
			return stored{}, ErrCorrupt
		}
		nums[i] = v
	}
	nk, nhome, nl, nbig := int(nums[0]), nums[1], int(nums[2]), int(nums[3])
	if nhome == 0 || uint64(nl) <= nhome || nbig > nk {
		return stored{}, ErrCorrupt
	}
	off := len(body) - r.Len()
	pad := (lineSize - off%lineSize) % lineSize
	off += pad
	if len(body)-off != nl*lineSize+nbig*(8+countSize) || !zeros(body[off-pad:off]) {
		return stored{}, ErrCorrupt
	}
	lb := body[off : off+nl*lineSize]
	kb := body[off+nl*lineSize : off+nl*lineSize+8*nbig]
	vb := body[off+nl*lineSize+8*nbig:]
	t := &table{nhome: nhome}
	if inPlace && nativeLE && uintptr(unsafe.Pointer(&lb[0]))%8 == 0 {
		t.lines = unsafe.Slice((*line)(unsafe.Pointer(&lb[0])), nl)
	} else {
		t.lines = make([]line, nl)
		for l := range t.lines {
			for i := range t.lines[l] {
				s := lb[l*lineSize+i*slotSize:]
				t.lines[l][i] = slot{key: binary.LittleEndian.Uint64(s), spam: binary.LittleEndian.Uint16(s[8:]),
					ham: binary.LittleEndian.Uint16(s[10:]), weight: math.Float32frombits(binary.LittleEndian.Uint32(s[12:]))}
			}
		}
	}
	t.bigKeys = make([]uint64, nbig)
	for i := range t.bigKeys {
		t.bigKeys[i] = binary.LittleEndian.Uint64(kb[8*i:])
	}
	t.bigVals = decodeCounts(vb, nbig)
	// The layout.
	n, nb := 0, 0
	var prev uint64
	run := 0 // first line of the run of full lines ending before this one
	for l := range t.lines {
		ln := &t.lines[l]
		used := 0
		for i := range ln {
			s := &ln[i]
			if s.free() {
				continue
			}
			if used != i || n > 0 && s.key <= prev {
				return stored{}, ErrCorrupt
			}
			h := home(s.key, nhome)
			if h > uint64(l) || h < uint64(l) && h < uint64(run) {
				return stored{}, ErrCorrupt
			}
			if s.spam == bigCount || s.ham == bigCount {
				if s.spam != s.ham || nb == nbig || t.bigKeys[nb] != s.key || !isBig(t.bigVals[nb]) {
					return stored{}, ErrCorrupt
				}
				nb++
			}
			c := t.counts(s)
			if c == (Counts{}) {
				return stored{}, ErrCorrupt
			}
			prev = s.key
			used++
			n++
		}
		if used < lineSlots {
			run = l + 1
		}
	}
	if n != nk || nb != nbig || !t.lines[nl-1][lineSlots-1].free() {
		return stored{}, ErrCorrupt
	}
	t.live = n
	return stored{tab: t, totals: totals, digests: digests, version: magic[len(magic)-1], scheme: scheme}, nil
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
	case bytes.HasPrefix(magic, fileMagicV5[:len(fileMagicV5)-1]) && magic[len(magic)-1] > fileMagicV5[len(fileMagicV5)-1]:
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
	return stored{tab: newTable(keys, vals), totals: totals, digests: digests, version: magic[len(magic)-1], scheme: SchemeText}, nil
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
// ok is over's keys, ascending.
func merged(t *table, over map[uint64]Counts, ok []uint64, fn func(k uint64, c Counts)) {
	cur := cursor{t: t}
	tk, tc, more := cur.next()
	j := 0
	for more || j < len(ok) {
		switch {
		case j == len(ok) || (more && tk < ok[j]):
			fn(tk, tc)
			tk, tc, more = cur.next()
		case !more || ok[j] < tk:
			fn(ok[j], over[ok[j]])
			j++
		default:
			fn(ok[j], over[ok[j]])
			tk, tc, more = cur.next()
			j++
		}
	}
}

// encode writes format 4 (scheme 1) or 5 (a later scheme): the table
// with over applied; with maxFeatures > 0 and more live keys than that,
// keys seen in a single message are dropped.
func encode(w io.Writer, t *table, over map[uint64]Counts, live int, totals map[string]Totals, digests map[Digest]byte, maxFeatures, scheme int) error {
	crc := crc32.NewIEEE()
	cw := &countWriter{w: io.MultiWriter(w, crc)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	var buf [binary.MaxVarintLen64]byte
	uv := func(v uint64) {
		n := binary.PutUvarint(buf[:], v)
		bw.Write(buf[:n])
	}
	if scheme <= SchemeText {
		bw.Write(fileMagic)
	} else {
		bw.Write(fileMagicV5)
		uv(uint64(scheme))
	}
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
	ok := make([]uint64, 0, len(over))
	for k := range over {
		ok = append(ok, k)
	}
	slices.Sort(ok)
	var bigKeys []uint64
	var bigVals []Counts
	n := 0
	merged(t, over, ok, func(k uint64, c Counts) {
		if keep(c) {
			n++
			if isBig(c) {
				bigKeys = append(bigKeys, k)
				bigVals = append(bigVals, c)
			}
		}
	})
	nhome := homeLines(n)
	// The number of lines, then the lines.
	p := newPlacer(nhome, func(*line) {})
	merged(t, over, ok, func(k uint64, c Counts) {
		if keep(c) {
			p.add(k, c)
		}
	})
	nl := p.finish()
	uv(uint64(n))
	uv(nhome)
	uv(nl)
	uv(uint64(len(bigKeys)))
	if err := bw.Flush(); err != nil {
		return err
	}
	if pad := (lineSize - cw.n%lineSize) % lineSize; pad > 0 {
		bw.Write(make([]byte, pad))
	}
	var lb [lineSize]byte
	p = newPlacer(nhome, func(l *line) {
		for i, s := range l {
			b := lb[i*slotSize:]
			binary.LittleEndian.PutUint64(b, s.key)
			binary.LittleEndian.PutUint16(b[8:], s.spam)
			binary.LittleEndian.PutUint16(b[10:], s.ham)
			binary.LittleEndian.PutUint32(b[12:], math.Float32bits(s.weight))
		}
		bw.Write(lb[:])
	})
	merged(t, over, ok, func(k uint64, c Counts) {
		if keep(c) {
			p.add(k, c)
		}
	})
	p.finish()
	for _, k := range bigKeys {
		bw.Write(binary.LittleEndian.AppendUint64(buf[:0], k))
	}
	for _, c := range bigVals {
		b := binary.LittleEndian.AppendUint32(buf[:0], c.Spam)
		b = binary.LittleEndian.AppendUint32(b, c.Ham)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(c.Weight))
		bw.Write(b)
	}
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
		return stored{tab: emptyTable(), totals: map[string]Totals{}, digests: map[Digest]byte{}, version: fileMagic[len(fileMagic)-1], scheme: 0}, nil
	}
	if err != nil {
		return stored{}, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}
