package tokenize

import (
	"bytes"
	"errors"
	"os"
	"sync"
	"unsafe"

	"github.com/ikawaha/kagome-dict/ipa"
	"golang.org/x/sys/unix"
)

var dictMapped struct {
	sync.Mutex
	done bool
	mem  []byte
}

// MapDictionary moves the loaded IPA dictionary's three large tables —
// its index (a double-array trie, 10.8 MB), the connection costs
// (3.5 MB) and the entries' costs (2.4 MB) — out of the Go heap into a
// file created in dir without a name (or removed at once), mapped
// read-only. They have
// no pointers and never change, so nothing but where they live changes:
// the collector no longer counts them in the heap its target grows from
// (at the daemon's GOGC 50 they took half their size again in headroom),
// and they are clean file pages, which the kernel may drop under
// pressure and read back. They are not resident until Han or kana text
// is segmented, but then nearly all of them are: one short sentence
// touches pages all over the three tables, and the kernel maps the
// cached pages around each one it faults in (measured: 15 of the
// 16.7 MB after one sentence). It loads the dictionary first if need be
// and returns the bytes moved; on an error the tables stay in the heap.
// Only the first call moves anything. It must run before anything
// tokenizes concurrently (serve calls it at start).
func MapDictionary(dir string) (int64, error) {
	dictMapped.Lock()
	defer dictMapped.Unlock()
	if dictMapped.done || segmenter() == nil {
		return 0, nil
	}
	d := ipa.DictShrink()
	da, conn, morphs := asBytes(d.Index.Da), asBytes(d.Connection.Vec), asBytes(d.Morphs)
	if len(da) == 0 || len(conn) == 0 || len(morphs) == 0 {
		return 0, errors.New("tokenize: dictionary tables missing")
	}
	offConn := align8(len(da))
	offMorphs := align8(offConn + len(conn))
	size := align8(offMorphs + len(morphs))
	// A file without a name where the file system allows it (nothing is
	// left behind if the process dies here), else one whose name is
	// removed at once (the open file is all that is used).
	f, err := os.OpenFile(dir, os.O_RDWR|unix.O_TMPFILE, 0o600)
	if err != nil {
		if f, err = os.CreateTemp(dir, ".sekisho-ipa-*.tmp"); err != nil {
			return 0, err
		}
		os.Remove(f.Name())
	}
	defer f.Close()
	parts := []struct {
		b   []byte
		off int
	}{{da, 0}, {conn, offConn}, {morphs, offMorphs}}
	for _, p := range parts {
		if _, err := f.WriteAt(p.b, int64(p.off)); err != nil {
			return 0, err
		}
	}
	if err := f.Truncate(int64(size)); err != nil {
		return 0, err
	}
	// Read back before use (a file system that lost a write must not
	// change the segmentation), through the file rather than the
	// mapping: reading the mapping would make all of it resident while
	// the heap copy still is.
	buf := make([]byte, 64<<10)
	for _, p := range parts {
		for i := 0; i < len(p.b); i += len(buf) {
			n := min(len(buf), len(p.b)-i)
			if _, err := f.ReadAt(buf[:n], int64(p.off+i)); err != nil {
				return 0, err
			}
			if !bytes.Equal(buf[:n], p.b[i:i+n]) {
				return 0, errors.New("tokenize: dictionary file reads back different")
			}
		}
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return 0, err
	}
	d.Index.Da = sliceAt(d.Index.Da, mem, 0)
	d.Connection.Vec = sliceAt(d.Connection.Vec, mem, offConn)
	d.Morphs = sliceAt(d.Morphs, mem, offMorphs)
	dictMapped.done, dictMapped.mem = true, mem
	return int64(size), nil
}

func align8(n int) int { return (n + 7) &^ 7 }

// asBytes is the memory of s (elements without pointers).
func asBytes[S ~[]E, E any](s S) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// sliceAt is a slice of len(like) elements over mem[off:], which holds
// a copy of like.
func sliceAt[S ~[]E, E any](like S, mem []byte, off int) S {
	return S(unsafe.Slice((*E)(unsafe.Pointer(&mem[off])), len(like)))
}
