package bayesstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestFileSchemes: a new file is scheme 2 (format 5) and stays so; a
// scheme-1 store (format 4, as every file made before schemes) stays
// scheme 1 and format 4 through reopening and learning; a store with data
// cannot change its scheme.
func TestFileSchemes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		scheme int
		magic  string
	}{{SchemeNew, "SKBAYES5\x02"}, {SchemeText, "SKBAYES4"}} {
		path := filepath.Join(dir, c.magic[:8]+".db")
		f, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Scheme() != SchemeNew {
			t.Fatalf("new store: scheme %d", f.Scheme())
		}
		if err := f.SetScheme(c.scheme); err != nil {
			t.Fatal(err)
		}
		f.Learn(ctx, "", dig(1), []uint64{1, 2, 3}, true)
		f.AddWeights(ctx, "", []uint64{2}, []float64{0.5})
		if err := f.SetScheme(3 - c.scheme); !errors.Is(err, ErrSchemeMismatch) {
			t.Fatalf("scheme changed on a store with data: %v", err)
		}
		for round := range 2 {
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if !bytes.HasPrefix(b, []byte(c.magic)) {
				t.Fatalf("scheme %d: file starts %q, want %q", c.scheme, b[:9], c.magic)
			}
			if f, err = OpenFile(path); err != nil {
				t.Fatal(err)
			}
			if f.Scheme() != c.scheme {
				t.Fatalf("reopened: scheme %d, want %d", f.Scheme(), c.scheme)
			}
			out := make([]Counts, 3)
			f.Lookup(ctx, "", []uint64{1, 2, 3}, out)
			if out[0].Spam != uint32(1+round) || out[1].Weight != 0.5 {
				t.Fatalf("round %d: counts %+v", round, out)
			}
			f.Learn(ctx, "", dig(2), []uint64{1}, true)
		}
		f.Close()
	}
}

// TestFileSchemeMerge: a process's unsaved learning is not merged into a
// file another process replaced with a store of another scheme
// (ErrSchemeMismatch; the file is left as that process wrote it and its
// scheme taken), and a process without changes follows the new file's
// scheme when it reloads.
func TestFileSchemeMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bayes.db")
	a, _ := OpenFile(path) // new: scheme 2
	idle, _ := OpenFile(path)
	a.Learn(ctx, "", dig(1), []uint64{1, 2}, true)
	b, _ := OpenFile(path)
	b.SetScheme(SchemeText)
	b.Learn(ctx, "", dig(2), []uint64{7}, false)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := a.Sync(ctx); !errors.Is(err, ErrSchemeMismatch) {
		t.Fatalf("merge into another scheme's store: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("the other scheme's file was changed")
	}
	if a.Scheme() != SchemeText {
		t.Fatalf("after the refused merge: scheme %d", a.Scheme())
	}
	if err := a.Close(); err != nil {
		t.Fatalf("after the refused merge: %v", err)
	}
	// The idle process picks up the new file (and its scheme) on reload.
	idle.mu.Lock()
	idle.lastCheck = time.Time{}
	idle.mu.Unlock()
	if tot, _ := idle.Totals(ctx, ""); tot.Ham != 1 || idle.Scheme() != SchemeText {
		t.Fatalf("reloaded: totals %+v, scheme %d", tot, idle.Scheme())
	}
	idle.Close()
}

// TestFileSchemeFormat5: format 5's scheme is checked: an unknown (newer)
// scheme is refused as a newer format, scheme 1 in format 5 as damage, as
// is a newer magic.
func TestFileSchemeFormat5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bayes.db")
	f, _ := OpenFile(path)
	f.Learn(ctx, "", dig(1), []uint64{1}, true)
	f.Close()
	good, _ := os.ReadFile(path)
	if !bytes.HasPrefix(good, []byte("SKBAYES5\x02")) {
		t.Fatalf("new file starts %q", good[:9])
	}
	for _, c := range []struct {
		scheme byte
		want   error
	}{{9, ErrNewerFormat}, {1, ErrCorrupt}, {0, ErrCorrupt}} {
		b := append([]byte(nil), good...)
		b[8] = c.scheme
		putCRC(b)
		os.WriteFile(path, b, 0o600)
		if _, err := OpenFile(path); !errors.Is(err, c.want) {
			t.Errorf("scheme %d: %v, want %v", c.scheme, err, c.want)
		}
	}
	os.WriteFile(path, []byte("SKBAYES6 from the future"), 0o640)
	if _, err := OpenFile(path); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("SKBAYES6: %v", err)
	}
}

func putCRC(b []byte) {
	c := crc32IEEE(b[:len(b)-4])
	b[len(b)-4], b[len(b)-3], b[len(b)-2], b[len(b)-1] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
}

// TestRedisScheme: an empty database becomes scheme 2 and says so in
// PREFIX scheme, which a second client reads; data without the key (as
// every release before schemes left it) is scheme 1 (and the key is set
// to say so); a newer scheme is refused.
func TestRedisScheme(t *testing.T) {
	url := redistest.Start(t)
	r, err := OpenRedis(ctx, url, "s:")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Scheme() != SchemeNew {
		t.Fatalf("empty database: scheme %d", r.Scheme())
	}
	if v, _ := r.c.Get(ctx, "s:scheme").Result(); v != "2" {
		t.Fatalf("s:scheme = %q", v)
	}
	r2, err := OpenRedis(ctx, url, "s:")
	if err != nil {
		t.Fatal(err)
	}
	r2.Close()
	if r2.Scheme() != SchemeNew {
		t.Fatalf("second client: scheme %d", r2.Scheme())
	}
	// Old data: learned, then the key removed.
	for _, k := range []uint64{5, 6 << 56} {
		old, _ := OpenRedis(ctx, url, "old:")
		old.Learn(ctx, "", dig(byte(k)), []uint64{k}, true)
		old.c.Del(ctx, "old:scheme")
		old.Close()
	}
	o, err := OpenRedis(ctx, url, "old:")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if v, _ := o.c.Get(ctx, "old:scheme").Result(); o.Scheme() != SchemeText || v != "1" {
		t.Fatalf("old data: scheme %d, key %q", o.Scheme(), v)
	}
	// Only feature counts (every digest forgotten) are data too.
	o.c.Del(ctx, "old:scheme", "old:d", "old:n:")
	if o2, err := OpenRedis(ctx, url, "old:"); err != nil || o2.Scheme() != SchemeText {
		t.Fatalf("counts only: %v", err)
	} else {
		o2.Close()
	}
	for _, v := range []string{"9", "x"} {
		o.c.Set(ctx, "old:scheme", v, 0)
		if _, err := OpenRedis(ctx, url, "old:"); err == nil {
			t.Fatalf("scheme %q accepted", v)
		}
	}
}

// TestRedisClusterScheme: in a cluster the scheme key carries the
// digests' hash tag and is shared by the clients.
func TestRedisClusterScheme(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	cl := redistest.StartCluster(t, 3, 0)
	var seen []int
	for range 2 {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs})
		r, err := NewRedis(ctx, c, "cs:")
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.Scheme())
		if v, _ := c.Get(ctx, "cs:{d}scheme").Result(); v != "2" {
			t.Fatalf("cs:{d}scheme = %q", v)
		}
		r.Close()
	}
	if seen[0] != SchemeNew || seen[1] != SchemeNew {
		t.Fatalf("schemes %v", seen)
	}
}
