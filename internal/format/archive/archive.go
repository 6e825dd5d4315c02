// Package archive opens the archive and compression formats mail carries
// (zip with ZipCrypto and WinZip AES, rar, 7z, gzip, bzip2, xz, tar, cab,
// ISO 9660) and hands each inner file to a callback, with every read
// bounded: per-file bytes, a shared byte budget, file counts. It never
// writes to disk.
package archive

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ulikunitz/xz"
)

// Errors.
var (
	ErrTooManyFiles = errors.New("archive: too many files")
	ErrBudget       = errors.New("archive: decompression budget exhausted")
	ErrEncrypted    = errors.New("archive: encrypted")
	ErrUnsupported  = errors.New("archive: unsupported format or method")
	ErrCorrupt      = errors.New("archive: corrupt")
)

// Budget is the byte allowance shared by all archives of one message,
// and its allowance of password key derivations.
type Budget struct {
	Left int64
	Used int64
	// KDFLeft counts the password key derivations still allowed, in units
	// of one 7-Zip-strength derivation (2^19 SHA-256 rounds; a RAR try
	// and a 7z entry try cost one each). A try that would overrun it is
	// not made: the entry stays encrypted (ARCHIVE_ENCRYPTED, which the
	// fail-closed rule holds). Only counted when KDFLimited.
	KDFLeft    float64
	KDFLimited bool
	// KDFTries counts the derivations made; KDFSkipped the tries refused.
	KDFTries, KDFSkipped int
	keys                 map[kdfKey][]byte // 7zAES keys derived for this message

	// Shared, when set, bounds the bytes decompressed by all messages
	// scanned at once ([attach] max_bytes_all_scans): a read that does not
	// fit stops the walk with ErrBudget and sets Busy (the scan is retried
	// later, not judged a bomb). Release gives back what this message
	// holds.
	Shared *Shared
	Busy   bool
	held   int64
}

// Release returns the message's bytes to Shared.
func (b *Budget) Release() {
	if b != nil && b.Shared != nil {
		b.Shared.release(b.held)
		b.held = 0
	}
}

// Reserve reserves n bytes in Shared for the rest of the message's scan
// (readers outside this package report what they decompress through
// it: office parts, PDF streams, containers). When all scans together are
// at their bound it sets Busy and returns false: the reader stops there.
func (b *Budget) Reserve(n int64) bool {
	if b == nil || b.Shared == nil || n <= 0 {
		return true
	}
	if !b.Shared.acquire(n) {
		b.Busy = true
		return false
	}
	b.held += n
	return true
}

// GiveBack gives back n bytes of what Reserve reserved (a reader reserves the
// most a read may produce, then gives back what it did not use).
func (b *Budget) GiveBack(n int64) {
	if b == nil || b.Shared == nil || n <= 0 {
		return
	}
	n = min(n, b.held)
	b.Shared.release(n)
	b.held -= n
}

// Held returns the bytes the message holds in Shared.
func (b *Budget) Held() int64 {
	if b == nil {
		return 0
	}
	return b.held
}

// Shared is a bound on bytes held by all scans together.
type Shared struct {
	max, used atomic.Int64
}

// NewShared returns a bound of max bytes (0 or less: none).
func NewShared(max int64) *Shared {
	s := &Shared{}
	s.max.Store(max)
	return s
}

// SetMax changes the bound.
func (s *Shared) SetMax(max int64) { s.max.Store(max) }

// Used returns the bytes held now.
func (s *Shared) Used() int64 { return s.used.Load() }

func (s *Shared) acquire(n int64) bool {
	max := s.max.Load()
	for {
		u := s.used.Load()
		if max > 0 && u+n > max {
			return false
		}
		if s.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

func (s *Shared) release(n int64) {
	if n > 0 {
		s.used.Add(-n)
	}
}

// AllScans is the process-wide bound the attachment analyzer uses.
var AllScans = NewShared(1 << 30)

type kdfKey struct {
	salt, pw string
	cycles   int
}

// kdf charges cost units of key derivation; false when the budget is
// spent (the try must not be made).
func (b *Budget) kdf(cost float64) bool {
	if b == nil || !b.KDFLimited {
		if b != nil {
			b.KDFTries++
		}
		return true
	}
	if b.KDFLeft < cost {
		b.KDFSkipped++
		return false
	}
	b.KDFLeft -= cost
	b.KDFTries++
	return true
}

// Options bound a walk.
type Options struct {
	MaxFileBytes int64    // most bytes read from one entry
	MaxFiles     int      // most entries handed to the callback (per archive)
	Passwords    []string // candidate passwords for encrypted entries
	Budget       *Budget  // shared; nil means MaxFileBytes*MaxFiles
	// Ctx, when set, stops password tries and reads once it is done (the
	// message's scan deadline).
	Ctx context.Context
}

// Entry is one inner file.
type Entry struct {
	Name      string
	Size      int64 // declared uncompressed size, -1 when unknown
	CompSize  int64 // compressed size, -1 when unknown
	Encrypted bool
	Password  string // the password that opened it, when one did
	Data      []byte // the bytes read (bounded); nil when it could not be opened
	Truncated bool   // reading stopped at MaxFileBytes or the budget
	Err       error  // why Data is nil or short (ErrEncrypted, a read error)
	Hidden    bool   // a zip entry the central directory does not list
}

// Func receives each entry; returning an error stops the walk.
type Func func(e *Entry) error

// Walk opens data as the archive kind ("zip", "rar", "7z", "gzip",
// "bzip2", "xz", "tar", "cab", "iso", "arj") and calls fn for each regular file.
// It returns ErrTooManyFiles or ErrBudget when a bound stopped it early,
// or a format error. It recovers from panics in the format readers.
func Walk(kind string, data []byte, opt Options, fn Func) (err error) {
	if opt.MaxFiles <= 0 {
		opt.MaxFiles = 1000
	}
	if opt.MaxFileBytes <= 0 {
		opt.MaxFileBytes = 50 << 20
	}
	if opt.Budget == nil {
		opt.Budget = &Budget{Left: opt.MaxFileBytes * 4}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s reader panicked: %v", ErrCorrupt, kind, r)
		}
	}()
	w := &walker{opt: opt, fn: fn}
	switch kind {
	case "zip":
		return w.zip(data)
	case "rar":
		return w.rar(data)
	case "7z":
		return w.sevenZip(data)
	case "gzip":
		return w.single(data, "gzip")
	case "bzip2":
		return w.single(data, "bzip2")
	case "xz":
		return w.single(data, "xz")
	case "tar":
		return w.tar(data)
	case "cab":
		return w.cab(data)
	case "iso":
		return w.iso(data)
	case "arj":
		return w.arj(data)
	}
	return ErrUnsupported
}

type walker struct {
	opt   Options
	fn    Func
	count int
}

// try reports whether one more password try (cost units of key
// derivation) may be made: the scan's deadline has not passed and the
// message's derivation budget allows it.
func (w *walker) try(cost float64) bool {
	if w.opt.Ctx != nil && w.opt.Ctx.Err() != nil {
		return false
	}
	return w.opt.Budget.kdf(cost)
}

// emit counts the entry and calls fn.
func (w *walker) emit(e *Entry) error {
	w.count++
	if w.count > w.opt.MaxFiles {
		return ErrTooManyFiles
	}
	return w.fn(e)
}

// read reads r into memory within the per-file and shared bounds.
func (w *walker) read(r io.Reader) ([]byte, bool, error) { return w.readSized(r, -1) }

// readSized is read of an entry declaring size bytes (-1: unknown): a
// declared size within the bounds is read straight into one buffer of
// that size (issue 14: the pooled chunks, then their copy, held each
// entry twice, beyond what the bound of all scans counts), and a stream
// longer than declared goes on in chunks.
func (w *walker) readSized(r io.Reader, size int64) ([]byte, bool, error) {
	limit := w.opt.MaxFileBytes
	if w.opt.Budget.Left < limit {
		limit = w.opt.Budget.Left
	}
	if limit <= 0 {
		return nil, true, ErrBudget
	}
	// The bound of all scans together: reserve the most this read may
	// hold, keep what it holds.
	sh := w.opt.Budget.Shared
	if sh != nil && !sh.acquire(limit) {
		w.opt.Budget.Busy = true
		return nil, true, ErrBudget
	}
	var b []byte
	var n int64
	var err error
	if size >= 0 && size <= limit {
		b = make([]byte, size)
		m, rerr := io.ReadFull(r, b)
		b, n = b[:m], int64(m)
		switch {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
		case rerr != nil:
			err = rerr
		default: // as declared: anything more?
			rest, rn, rerr := readChunked(io.LimitReader(r, limit+1-size))
			if rn > 0 {
				b = append(b, rest...)
			}
			n += rn
			err = rerr
		}
	} else {
		b, n, err = readChunked(io.LimitReader(r, limit+1))
	}
	truncated := n > limit
	if truncated {
		n = limit
	}
	if sh != nil {
		keep := min(int64(cap(b)), limit)
		sh.release(limit - keep)
		w.opt.Budget.held += keep
	}
	w.opt.Budget.Left -= n
	w.opt.Budget.Used += n
	if int64(len(b)) > n {
		b = b[:n]
	}
	if truncated {
		err = nil
	}
	return b, truncated, err
}

// chunkPool holds 1 MiB read buffers: a file is read into pooled chunks,
// then copied once into a slice of its exact size, so decompressing does
// not leave a trail of doubling buffers for the collector (with many
// concurrent scans that garbage, not the data, set the peak memory).
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func readChunked(r io.Reader) ([]byte, int64, error) {
	var chunks []*[]byte
	var lens []int
	var n int64
	var err error
	for {
		c := chunkPool.Get().(*[]byte)
		m, rerr := io.ReadFull(r, *c)
		chunks, lens = append(chunks, c), append(lens, m)
		n += int64(m)
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	out := make([]byte, 0, n)
	for i, c := range chunks {
		out = append(out, (*c)[:lens[i]]...)
		chunkPool.Put(c)
	}
	return out, n, err
}

func (w *walker) single(data []byte, kind string) error {
	var r io.Reader
	var err error
	switch kind {
	case "gzip":
		var g *gzip.Reader
		g, err = gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			g.Multistream(true)
			r = g
			defer g.Close()
		}
	case "bzip2":
		r = bzip2.NewReader(bytes.NewReader(data))
	case "xz":
		r, err = xz.NewReader(bytes.NewReader(data))
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, kind, err)
	}
	name := ""
	if kind == "gzip" {
		if g, ok := r.(*gzip.Reader); ok {
			name = g.Name
		}
	}
	b, trunc, rerr := w.read(r)
	e := &Entry{Name: name, Size: -1, CompSize: int64(len(data)), Data: b, Truncated: trunc, Err: rerr}
	if errors.Is(rerr, ErrBudget) {
		if err := w.emit(e); err != nil {
			return err
		}
		return ErrBudget
	}
	return w.emit(e)
}

func (w *walker) tar(data []byte) error {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: tar: %v", ErrCorrupt, err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA && h.Typeflag != tar.TypeGNUSparse {
			continue
		}
		b, trunc, rerr := w.readSized(tr, h.Size)
		if err := w.emit(&Entry{Name: h.Name, Size: h.Size, CompSize: h.Size, Data: b, Truncated: trunc, Err: rerr}); err != nil {
			return err
		}
		if errors.Is(rerr, ErrBudget) {
			return ErrBudget
		}
	}
}

// InnerName is the name a single-file compressor's content gets when the
// stream does not carry one: the outer name without its suffix.
func InnerName(outer string) string {
	base := path.Base(strings.ReplaceAll(outer, "\\", "/"))
	for _, suf := range []string{".tgz", ".tbz2", ".txz"} {
		if strings.HasSuffix(strings.ToLower(base), suf) {
			return base[:len(base)-len(suf)] + ".tar"
		}
	}
	for _, suf := range []string{".gz", ".bz2", ".xz", ".z"} {
		if strings.HasSuffix(strings.ToLower(base), suf) {
			return base[:len(base)-len(suf)]
		}
	}
	return base + ".out"
}
