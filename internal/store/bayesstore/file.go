package bayesstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// File format (all integers unsigned varints unless said otherwise):
//
//	magic "SKBAYES2" (format version 2; "SKBAYES1" files, without the
//	  per-key weight, are still read: their weights start at zero)
//	nclasses, then per class: len, name bytes, spam, ham
//	ndigests, then per digest: 16 bytes, label byte ('S' or 'H')
//	nkeys, then per key in ascending order: key delta from the previous, spam, ham,
//	  weight (zig-zag varint of the weight × 65536, rounded)
//	CRC-32 (IEEE, 4 bytes big-endian) of everything before it
var (
	fileMagic   = []byte("SKBAYES2")
	fileMagicV1 = []byte("SKBAYES1")
)

const weightScale = 65536

// Bounds when reading a file (a damaged or hostile file must not exhaust memory).
const (
	maxFileClasses = 1 << 20
	maxFileDigests = 1 << 26
	maxFileKeys    = 1 << 28
)

// File is the embedded backend: the whole table lives in memory and is
// written atomically (temporary file, fsync, rename) to one file. Several
// processes may share the file: each keeps its own changes since the last
// sync and merges them under an exclusive lock (flock on PATH.lock) into
// whatever the file holds then, so nobody's learning is lost.
type File struct {
	path string
	// MaxFeatures bounds the stored keys (0: unbounded); when exceeded, keys
	// seen in a single message are dropped at the next write.
	MaxFeatures int

	mu      sync.RWMutex
	counts  map[uint64]Counts
	totals  map[string]Totals
	digests map[Digest]byte

	// changes since the last sync
	dCounts  map[uint64][2]int32
	dWeights map[uint64]float64
	dTotals  map[string][2]int64
	dDigests map[Digest]byte
	dirty    bool

	stamp     fileStamp
	lastCheck time.Time
	size      int64
}

type fileStamp struct {
	size  int64
	mtime int64
	ino   uint64
}

func statStamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = s.Ino
	}
	return st, nil
}

// OpenFile opens (or creates on first write) the store file.
func OpenFile(path string) (*File, error) {
	f := &File{path: path}
	f.reset()
	f.clearDelta()
	unlock, err := f.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := f.load(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) reset() {
	f.counts = map[uint64]Counts{}
	f.totals = map[string]Totals{}
	f.digests = map[Digest]byte{}
}

func (f *File) clearDelta() {
	f.dCounts = map[uint64][2]int32{}
	f.dWeights = map[uint64]float64{}
	f.dTotals = map[string][2]int64{}
	f.dDigests = map[Digest]byte{}
	f.dirty = false
}

func (f *File) lock() (func(), error) {
	lf, err := os.OpenFile(f.path+".lock", os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		lf.Close()
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
		lf.Close()
	}, nil
}

// load reads the file into memory (replacing it). Missing file: empty.
func (f *File) load() error {
	st, err := statStamp(f.path)
	if errors.Is(err, os.ErrNotExist) {
		f.reset()
		f.stamp = fileStamp{}
		f.size = 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer fh.Close()
	counts, totals, digests, err := decode(bufio.NewReaderSize(fh, 1<<16), st.size)
	if err != nil {
		return fmt.Errorf("store: %s: %w", f.path, err)
	}
	f.counts, f.totals, f.digests = counts, totals, digests
	f.stamp = st
	f.size = st.size
	return nil
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

// decode reads a store file of size bytes. Every count in the file is
// checked against the bytes that could hold it before anything is
// allocated for it.
func decode(r *bufio.Reader, size int64) (map[uint64]Counts, map[string]Totals, map[Digest]byte, error) {
	if size <= 0 {
		size = 1 << 40
	}
	cr := &crcReader{r: r}
	magic := make([]byte, len(fileMagic))
	if _, err := cr.Read(magic); err != nil {
		return nil, nil, nil, ErrCorrupt
	}
	// Format versions: the last magic byte. Version 1 lacks the weights.
	hasWeights := true
	switch {
	case bytes.Equal(magic, fileMagic):
	case bytes.Equal(magic, fileMagicV1):
		hasWeights = false
	case bytes.HasPrefix(magic, fileMagic[:len(fileMagic)-1]) && magic[len(magic)-1] > fileMagic[len(fileMagic)-1]:
		return nil, nil, nil, ErrNewerFormat
	default:
		return nil, nil, nil, ErrCorrupt
	}
	uv := func(max uint64) (uint64, error) {
		v, err := binary.ReadUvarint(cr)
		if err != nil || v > max {
			return 0, ErrCorrupt
		}
		return v, nil
	}
	nc, err := uv(min(maxFileClasses, uint64(size)/3))
	if err != nil {
		return nil, nil, nil, err
	}
	totals := make(map[string]Totals, min(nc, 1024))
	for i := uint64(0); i < nc; i++ {
		l, err := uv(1024)
		if err != nil {
			return nil, nil, nil, err
		}
		name := make([]byte, l)
		if _, err := cr.Read(name); err != nil {
			return nil, nil, nil, ErrCorrupt
		}
		s, err := uv(1 << 62)
		if err != nil {
			return nil, nil, nil, err
		}
		h, err := uv(1 << 62)
		if err != nil {
			return nil, nil, nil, err
		}
		totals[string(name)] = Totals{Spam: s, Ham: h}
	}
	nd, err := uv(min(maxFileDigests, uint64(size)/17))
	if err != nil {
		return nil, nil, nil, err
	}
	digests := make(map[Digest]byte, min(nd, 1<<16))
	var rec [17]byte
	for i := uint64(0); i < nd; i++ {
		if _, err := cr.Read(rec[:]); err != nil {
			return nil, nil, nil, ErrCorrupt
		}
		var d Digest
		copy(d[:], rec[:16])
		digests[d] = rec[16]
	}
	nk, err := uv(min(maxFileKeys, uint64(size)/4))
	if err != nil {
		return nil, nil, nil, err
	}
	counts := make(map[uint64]Counts, min(nk, 1<<22))
	var key uint64
	for i := uint64(0); i < nk; i++ {
		d, err := binary.ReadUvarint(cr)
		if err != nil {
			return nil, nil, nil, ErrCorrupt
		}
		key += d
		s, err := uv(1 << 32)
		if err != nil {
			return nil, nil, nil, err
		}
		h, err := uv(1 << 32)
		if err != nil {
			return nil, nil, nil, err
		}
		var w int64
		if hasWeights {
			w, err = binary.ReadVarint(cr)
			if err != nil || w > 1<<40 || w < -1<<40 {
				return nil, nil, nil, ErrCorrupt
			}
		}
		counts[key] = Counts{Spam: uint32(s), Ham: uint32(h), Weight: float32(float64(w) / weightScale)}
	}
	want := cr.crc
	var sum [4]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil || binary.BigEndian.Uint32(sum[:]) != want {
		return nil, nil, nil, ErrCorrupt
	}
	return counts, totals, digests, nil
}

func encode(w io.Writer, counts map[uint64]Counts, totals map[string]Totals, digests map[Digest]byte, maxFeatures int) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
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
	keys := make([]uint64, 0, len(counts))
	prune := maxFeatures > 0 && len(counts) > maxFeatures
	for k, c := range counts {
		if c.Spam == 0 && c.Ham == 0 && c.Weight == 0 {
			continue
		}
		if prune && c.Spam+c.Ham <= 1 {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	uv(uint64(len(keys)))
	var prev uint64
	for _, k := range keys {
		c := counts[k]
		uv(k - prev)
		prev = k
		uv(uint64(c.Spam))
		uv(uint64(c.Ham))
		n := binary.PutVarint(buf[:], int64(math.Round(float64(c.Weight)*weightScale)))
		bw.Write(buf[:n])
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	_, err := w.Write(sum[:])
	return err
}

// Totals implements Store.
func (f *File) Totals(ctx context.Context, class string) (Totals, error) {
	f.maybeReload()
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.totals[class], nil
}

// Lookup implements Store.
func (f *File) Lookup(ctx context.Context, class string, keys []uint64, out []Counts) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for i, k := range keys {
		out[i] = f.counts[ClassKey(class, k)]
	}
	return nil
}

func addSat(v uint32, d int32) uint32 {
	n := int64(v) + int64(d)
	if n < 0 {
		return 0
	}
	if n > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(n)
}

func addTotal(v uint64, d int64) uint64 {
	if d < 0 && uint64(-d) > v {
		return 0
	}
	return uint64(int64(v) + d)
}

// apply changes memory (caller holds mu) and records the delta.
func (f *File) apply(class string, keys []uint64, ds, dh int32, record bool) {
	for _, k := range keys {
		k = ClassKey(class, k)
		c := f.counts[k]
		c.Spam = addSat(c.Spam, ds)
		c.Ham = addSat(c.Ham, dh)
		if c.Spam == 0 && c.Ham == 0 && c.Weight == 0 {
			delete(f.counts, k)
		} else {
			f.counts[k] = c
		}
		if record {
			d := f.dCounts[k]
			d[0] += ds
			d[1] += dh
			f.dCounts[k] = d
		}
	}
	t := f.totals[class]
	t.Spam = addTotal(t.Spam, int64(ds))
	t.Ham = addTotal(t.Ham, int64(dh))
	f.totals[class] = t
	if record {
		d := f.dTotals[class]
		d[0] += int64(ds)
		d[1] += int64(dh)
		f.dTotals[class] = d
		f.dirty = true
	}
}

// Learn implements Store.
func (f *File) Learn(ctx context.Context, class string, d Digest, keys []uint64, spam bool) (Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := label(spam)
	prev := f.digests[d]
	if prev == l {
		return AlreadyLearned, nil
	}
	out := Learned
	switch prev {
	case labelSpam:
		f.apply(class, keys, -1, 0, true)
		out = Relearned
	case labelHam:
		f.apply(class, keys, 0, -1, true)
		out = Relearned
	}
	if spam {
		f.apply(class, keys, 1, 0, true)
	} else {
		f.apply(class, keys, 0, 1, true)
	}
	f.digests[d] = l
	f.dDigests[d] = l
	return out, nil
}

// AddWeights implements Store.
func (f *File) AddWeights(ctx context.Context, class string, keys []uint64, deltas []float64) error {
	if len(deltas) != len(keys) {
		return fmt.Errorf("store: %d weights for %d keys", len(deltas), len(keys))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, k := range keys {
		delta := deltas[i]
		if delta == 0 {
			continue
		}
		k = ClassKey(class, k)
		c := f.counts[k]
		c.Weight += float32(delta)
		f.counts[k] = c
		f.dWeights[k] += delta
	}
	f.dirty = true
	return nil
}

// Forget implements Store.
func (f *File) Forget(ctx context.Context, class string, d Digest, keys []uint64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.digests[d] {
	case labelSpam:
		f.apply(class, keys, -1, 0, true)
	case labelHam:
		f.apply(class, keys, 0, -1, true)
	default:
		return false, nil
	}
	delete(f.digests, d)
	f.dDigests[d] = 0
	return true, nil
}

// Stats implements Store.
func (f *File) Stats(ctx context.Context) (Stats, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return Stats{Features: len(f.counts), Messages: len(f.digests), Bytes: f.size}, nil
}

// maybeReload picks up another process's writes (checked at most every
// two seconds; only when this process has no unsynced changes, which a
// Sync merges instead).
func (f *File) maybeReload() {
	f.mu.RLock()
	due := time.Since(f.lastCheck) > 2*time.Second && !f.dirty
	f.mu.RUnlock()
	if !due {
		return
	}
	st, err := statStamp(f.path)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastCheck = time.Now()
	if err != nil || st == f.stamp || f.dirty {
		return
	}
	counts, totals, digests, err := readFile(f.path)
	if err != nil {
		return
	}
	f.counts, f.totals, f.digests = counts, totals, digests
	f.stamp, f.size = st, st.size
}

func readFile(path string) (map[uint64]Counts, map[string]Totals, map[Digest]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	return decode(bufio.NewReaderSize(fh, 1<<16), fi.Size())
}

// Sync implements Store: under the file lock, reload the file if another
// process changed it (and replay this process's changes on top), then
// write the file if anything changed.
func (f *File) Sync(ctx context.Context) error {
	unlock, err := f.lock()
	if err != nil {
		return err
	}
	defer unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := statStamp(f.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	if st != f.stamp {
		counts, totals, digests, err := f.readOrEmpty()
		if err != nil {
			return fmt.Errorf("store: %s: %w", f.path, err)
		}
		f.counts, f.totals, f.digests = counts, totals, digests
		for k, d := range f.dCounts {
			c := f.counts[k]
			c.Spam = addSat(c.Spam, d[0])
			c.Ham = addSat(c.Ham, d[1])
			if c.Spam == 0 && c.Ham == 0 && c.Weight == 0 {
				delete(f.counts, k)
			} else {
				f.counts[k] = c
			}
		}
		for k, d := range f.dWeights {
			c := f.counts[k]
			c.Weight += float32(d)
			f.counts[k] = c
		}
		for cl, d := range f.dTotals {
			t := f.totals[cl]
			t.Spam = addTotal(t.Spam, d[0])
			t.Ham = addTotal(t.Ham, d[1])
			f.totals[cl] = t
		}
		for d, l := range f.dDigests {
			if l == 0 {
				delete(f.digests, d)
			} else {
				f.digests[d] = l
			}
		}
		f.stamp = st
		f.size = st.size
	}
	if !f.dirty {
		return nil
	}
	if err := f.write(); err != nil {
		return err
	}
	f.clearDelta()
	return nil
}

func (f *File) readOrEmpty() (map[uint64]Counts, map[string]Totals, map[Digest]byte, error) {
	c, t, d, err := readFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[uint64]Counts{}, map[string]Totals{}, map[Digest]byte{}, nil
	}
	return c, t, d, err
}

func (f *File) write() error {
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, ".bayes-*.tmp")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := encode(tmp, f.counts, f.totals, f.digests, f.MaxFeatures); err != nil {
		tmp.Close()
		return fmt.Errorf("store: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("store: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: write: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return fmt.Errorf("store: write: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("store: write: %w", err)
	}
	st, err := statStamp(f.path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	f.stamp, f.size = st, st.size
	return nil
}

// Close implements Store (it syncs).
func (f *File) Close() error {
	return f.Sync(context.Background())
}

var _ Store = (*File)(nil)
