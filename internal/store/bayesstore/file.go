package bayesstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// File is the embedded backend: one file (format in table.go), mapped into
// memory, with the changes since it was read kept in a map and written
// atomically (temporary file, fsync, rename) at each sync. Several
// processes may share the file: each keeps its own changes since the last
// sync and merges them under an exclusive lock (flock on PATH.lock) into
// whatever the file holds then, so nobody's learning is lost.
type File struct {
	path string
	// MaxFeatures bounds the stored keys (0: unbounded); when exceeded, keys
	// seen in a single message are dropped at the next write.
	MaxFeatures int

	mu sync.RWMutex
	// tab is the counts as the file held them when last read or written
	// (mapped from the file); over holds the whole counts of every key
	// changed since (zero for a removed key); live is the number of keys
	// of the merged view that are not all zero.
	tab *table
	// scheme is the hash scheme of the keys (of the file read, or
	// SchemeNew while there is no file; atomic: every scan reads it).
	scheme  atomic.Int32
	over    map[uint64]Counts
	live    int
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

// OpenFile opens (or creates on first write) the store file. A file that
// does not exist yet is made with hash scheme SchemeNew.
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
	f.setStored(stored{tab: emptyTable(), totals: map[string]Totals{}, digests: map[Digest]byte{}, scheme: SchemeNew})
}

// setStored replaces the memory with what a file holds (changes dropped),
// and takes its scheme (keeping the current one for no file: s.scheme 0).
func (f *File) setStored(s stored) {
	if s.scheme != 0 {
		f.scheme.Store(int32(s.scheme))
	}
	f.tab, f.totals, f.digests = s.tab, s.totals, s.digests
	f.over = map[uint64]Counts{}
	f.live = s.tab.live
}

// get returns a key's counts (caller holds mu).
func (f *File) get(k uint64) Counts {
	if c, ok := f.over[k]; ok {
		return c
	}
	return f.tab.get(k)
}

// put sets a key's counts (caller holds mu for writing).
func (f *File) put(k uint64, c Counts) {
	old := f.get(k)
	if (old == Counts{}) != (c == Counts{}) {
		if c == (Counts{}) {
			f.live--
		} else {
			f.live++
		}
	}
	f.over[k] = c
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
// A file of an older format is rewritten in the current one (when the
// directory is writable; otherwise it is used as read).
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
	s, err := readStore(f.path)
	if err != nil {
		return fmt.Errorf("store: %s: %w", f.path, err)
	}
	f.setStored(s)
	f.stamp = st
	f.size = st.size
	if s.version < fileMagic[len(fileMagic)-1] {
		if err := f.write(); err == nil {
			if s, err := readStore(f.path); err == nil {
				f.setStored(s)
			}
		}
	}
	return nil
}

// Scheme implements Schemer.
func (f *File) Scheme() int { return int(f.scheme.Load()) }

// SetScheme sets the hash scheme of a store that holds nothing yet (no
// learned message, class or key: tests, and tools that make a store of a
// given scheme); it fails with ErrSchemeMismatch otherwise.
func (f *File) SetScheme(scheme int) error {
	if scheme < SchemeText || scheme > schemeMax {
		return fmt.Errorf("store: unknown hash scheme %d", scheme)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if int(f.scheme.Load()) == scheme {
		return nil
	}
	if f.live != 0 || len(f.totals) != 0 || len(f.digests) != 0 || f.dirty {
		return fmt.Errorf("%w: %s holds scheme-%d data, not made scheme %d", ErrSchemeMismatch, f.path, f.scheme.Load(), scheme)
	}
	f.scheme.Store(int32(scheme))
	return nil
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
	mix := classMix(class)
	f.mu.RLock()
	defer f.mu.RUnlock()
	if len(f.over) == 0 {
		f.tab.getMany(keys, mix, out)
		return nil
	}
	for i, k := range keys {
		out[i] = f.get(k ^ mix)
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
		c := f.get(k)
		c.Spam = addSat(c.Spam, ds)
		c.Ham = addSat(c.Ham, dh)
		f.put(k, c)
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
	return f.learn(class, d, keys, spam), nil
}

// LearnAs implements SchemeWriter: the scheme is checked under mu, which
// a reload or Sync that changes it holds too.
func (f *File) LearnAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64, spam bool) (Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.Scheme(); s != scheme {
		return 0, schemeErr(scheme, s)
	}
	return f.learn(class, d, keys, spam), nil
}

// learn is Learn (caller holds mu for writing).
func (f *File) learn(class string, d Digest, keys []uint64, spam bool) Outcome {
	l := label(spam)
	prev := f.digests[d]
	if prev == l {
		return AlreadyLearned
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
	return out
}

// AddWeights implements Store.
func (f *File) AddWeights(ctx context.Context, class string, keys []uint64, deltas []float64) error {
	if len(deltas) != len(keys) {
		return fmt.Errorf("store: %d weights for %d keys", len(deltas), len(keys))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addWeights(class, keys, deltas)
	return nil
}

// AddWeightsAs implements SchemeWriter (as LearnAs).
func (f *File) AddWeightsAs(ctx context.Context, scheme int, class string, keys []uint64, deltas []float64) error {
	if len(deltas) != len(keys) {
		return fmt.Errorf("store: %d weights for %d keys", len(deltas), len(keys))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.Scheme(); s != scheme {
		return schemeErr(scheme, s)
	}
	f.addWeights(class, keys, deltas)
	return nil
}

// addWeights is AddWeights (caller holds mu for writing).
func (f *File) addWeights(class string, keys []uint64, deltas []float64) {
	for i, k := range keys {
		delta := deltas[i]
		if delta == 0 {
			continue
		}
		k = ClassKey(class, k)
		c := f.get(k)
		c.Weight += float32(delta)
		f.put(k, c)
		f.dWeights[k] += delta
	}
	f.dirty = true
}

// Forget implements Store.
func (f *File) Forget(ctx context.Context, class string, d Digest, keys []uint64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forget(class, d, keys), nil
}

// ForgetAs implements SchemeWriter (as LearnAs).
func (f *File) ForgetAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.Scheme(); s != scheme {
		return false, schemeErr(scheme, s)
	}
	return f.forget(class, d, keys), nil
}

// forget is Forget (caller holds mu for writing).
func (f *File) forget(class string, d Digest, keys []uint64) bool {
	switch f.digests[d] {
	case labelSpam:
		f.apply(class, keys, -1, 0, true)
	case labelHam:
		f.apply(class, keys, 0, -1, true)
	default:
		return false
	}
	delete(f.digests, d)
	f.dDigests[d] = 0
	return true
}

// Stats implements Store.
func (f *File) Stats(ctx context.Context) (Stats, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return Stats{Features: f.live, Messages: len(f.digests), Bytes: f.size}, nil
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
	s, err := readStore(f.path)
	if err != nil {
		return
	}
	f.setStored(s)
	f.stamp, f.size = st, st.size
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
		s, err := readOrEmpty(f.path)
		if err != nil {
			return err
		}
		if s.scheme != 0 && s.scheme != f.Scheme() {
			// Another process replaced the file with a store of another
			// hash scheme: this process's changes (of its scheme) cannot
			// be merged into it. They are dropped and the file is taken
			// as it is (the classifier follows its scheme).
			lost := f.dirty
			old := f.Scheme()
			f.setStored(s)
			f.clearDelta()
			f.stamp, f.size = st, st.size
			if lost {
				return fmt.Errorf("%w: %s was replaced by a scheme-%d store; this process's unsaved scheme-%d learning was not merged into it (learn those messages again)",
					ErrSchemeMismatch, f.path, s.scheme, old)
			}
			return nil
		}
		if s.scheme == 0 && !f.dirty {
			s.scheme = SchemeNew // the file is gone: a new store
		}
		f.setStored(s)
		for k, d := range f.dCounts {
			c := f.get(k)
			c.Spam = addSat(c.Spam, d[0])
			c.Ham = addSat(c.Ham, d[1])
			f.put(k, c)
		}
		for k, d := range f.dWeights {
			c := f.get(k)
			c.Weight += float32(d)
			f.put(k, c)
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
	// Search the file just written (mapped) instead of the changes.
	if s, err := readStore(f.path); err == nil {
		f.setStored(s)
	}
	return nil
}

func (f *File) write() error {
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, ".bayes-*.tmp")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := encode(tmp, f.tab, f.over, f.live, f.totals, f.digests, f.MaxFeatures, f.Scheme()); err != nil {
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

var (
	_ Store        = (*File)(nil)
	_ SchemeWriter = (*File)(nil)
)
