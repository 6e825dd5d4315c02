package bayesstore

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

var ctx = context.Background()

func dig(b byte) Digest { return MakeDigest("", []byte{b}) }

// exercise runs the same checks on any backend.
func exercise(t *testing.T, s Store) {
	t.Helper()
	keys := []uint64{1, 2, 3}
	look := func(class string, k uint64) Counts {
		out := make([]Counts, 1)
		if err := s.Lookup(ctx, class, []uint64{k}, out); err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	o, err := s.Learn(ctx, "", dig(1), keys, true)
	if err != nil || o != Learned {
		t.Fatalf("learn: %v %v", o, err)
	}
	if o, _ := s.Learn(ctx, "", dig(1), keys, true); o != AlreadyLearned {
		t.Fatalf("relearn same label: %v", o)
	}
	if c := look("", 2); c.Spam != 1 || c.Ham != 0 {
		t.Fatalf("counts %+v", c)
	}
	// Relearning as ham moves the message.
	if o, _ := s.Learn(ctx, "", dig(1), keys, false); o != Relearned {
		t.Fatalf("relearn: %v", o)
	}
	if c := look("", 2); c.Spam != 0 || c.Ham != 1 {
		t.Fatalf("after move %+v", c)
	}
	if tot, _ := s.Totals(ctx, ""); tot != (Totals{Spam: 0, Ham: 1}) {
		t.Fatalf("totals %+v", tot)
	}
	// Another class is separate.
	if _, err := s.Learn(ctx, "d:example.jp", MakeDigest("d:example.jp", []byte{1}), keys, true); err != nil {
		t.Fatal(err)
	}
	if c := look("d:example.jp", 2); c.Spam != 1 || c.Ham != 0 {
		t.Fatalf("class counts %+v", c)
	}
	if c := look("", 2); c.Spam != 0 || c.Ham != 1 {
		t.Fatalf("global changed by class: %+v", c)
	}
	// Weights add up.
	if err := s.AddWeights(ctx, "", keys, fill(len(keys), 0.25)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddWeights(ctx, "", keys[:1], []float64{-0.5}); err != nil {
		t.Fatal(err)
	}
	if c := look("", 1); c.Weight != -0.25 {
		t.Fatalf("weight %v", c.Weight)
	}
	// Forget.
	if ok, _ := s.Forget(ctx, "", dig(1), keys); !ok {
		t.Fatal("forget: not known")
	}
	if ok, _ := s.Forget(ctx, "", dig(1), keys); ok {
		t.Fatal("forget twice")
	}
	if c := look("", 2); c.Spam != 0 || c.Ham != 0 {
		t.Fatalf("after forget %+v", c)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Features == 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bayes.db")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, the state is the same.
	g, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	out := make([]Counts, 2)
	g.Lookup(ctx, "d:example.jp", []uint64{2, 9}, out)
	if out[0].Spam != 1 || out[1] != (Counts{}) {
		t.Fatalf("reopened: %+v", out)
	}
	w := make([]Counts, 1)
	g.Lookup(ctx, "", []uint64{1}, w)
	if w[0].Weight != -0.25 {
		t.Fatalf("weight after reopen %v", w[0].Weight)
	}
}

// Two writers on one file: each one's learning survives the other's sync.
func TestFileTwoWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bayes.db")
	a, _ := OpenFile(path)
	b, _ := OpenFile(path)
	a.Learn(ctx, "", dig(1), []uint64{10, 11}, true)
	b.Learn(ctx, "", dig(2), []uint64{10, 12}, false)
	b.AddWeights(ctx, "", []uint64{10}, []float64{1})
	a.AddWeights(ctx, "", []uint64{10}, []float64{2})
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(ctx); err != nil { // picks up b's
		t.Fatal(err)
	}
	for name, s := range map[string]*File{"a": a, "b": b} {
		out := make([]Counts, 3)
		s.Lookup(ctx, "", []uint64{10, 11, 12}, out)
		if out[0] != (Counts{Spam: 1, Ham: 1, Weight: 3}) || out[1].Spam != 1 || out[2].Ham != 1 {
			t.Errorf("%s: %+v", name, out)
		}
		if tot, _ := s.Totals(ctx, ""); tot != (Totals{1, 1}) {
			t.Errorf("%s: totals %+v", name, tot)
		}
	}
	a.Close()
	b.Close()
}

func TestFileCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bayes.db")
	f, _ := OpenFile(path)
	f.Learn(ctx, "", dig(1), []uint64{1, 2, 3}, true)
	f.Close()
	b, _ := os.ReadFile(path)
	for _, mut := range [][]byte{b[:len(b)-1], append(append([]byte{}, b[:10]...), 0xff, 0xff), []byte("junk")} {
		os.WriteFile(path, mut, 0o600)
		if _, err := OpenFile(path); err == nil {
			t.Errorf("corrupt file %x accepted", mut)
		}
	}
}

func TestRedis(t *testing.T) {
	url := redistest.Start(t)
	r, err := OpenRedis(ctx, url, "test:")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exercise(t, r)
	// A second client sees the first one's learning.
	r2, err := OpenRedis(ctx, url, "test:")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	r.Learn(ctx, "", dig(7), []uint64{42}, true)
	out := make([]Counts, 1)
	r2.Lookup(ctx, "", []uint64{42}, out)
	if out[0].Spam != 1 {
		t.Fatalf("second client: %+v", out[0])
	}
	fetchMatches(t, r2)
}

// fetchMatches: Fetch returns what Totals and Lookup return, for keys
// spread over many shards, known and unknown, in two classes, and it is
// one command to the server.
func fetchMatches(t *testing.T, r *Redis) {
	t.Helper()
	var keys []uint64
	for i := uint64(0); i < 600; i++ {
		keys = append(keys, i*0x9E3779B97F4A7C15)
	}
	if _, err := r.Learn(ctx, "d:example.org", dig(70), keys[:300], true); err != nil {
		t.Fatal(err)
	}
	if err := r.AddWeights(ctx, "d:example.org", keys[:5], fill(5, 0.25)); err != nil {
		t.Fatal(err)
	}
	classes := []string{"", "d:example.org"}
	rt := &roundTrips{}
	r.c.AddHook(rt)
	got := make([]Counts, len(keys))
	if _, err := r.Fetch(ctx, classes, "d:example.org", keys, got); err != nil { // loads the script
		t.Fatal(err)
	}
	rt.n.Store(0)
	tots, err := r.Fetch(ctx, classes, "d:example.org", keys, got)
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.n.Load(); n != 1 {
		t.Errorf("fetch cost %d round trips, want 1", n)
	}
	for i, c := range classes {
		want, _ := r.Totals(ctx, c)
		if tots[i] != want {
			t.Errorf("totals %q: %+v, want %+v", c, tots[i], want)
		}
	}
	want := make([]Counts, len(keys))
	for i, k := range keys {
		o := make([]Counts, 1)
		c := r.c.HMGet(ctx, r.shardKey(ClassKey("d:example.org", k)), field(ClassKey("d:example.org", k), 's'), field(ClassKey("d:example.org", k), 'h'), field(ClassKey("d:example.org", k), 'w')).Val()
		o[0] = Counts{Spam: uint32(parseCount(c[0])), Ham: uint32(parseCount(c[1])), Weight: parseWeight(c[2])}
		want[i] = o[0]
	}
	for i := range keys {
		if got[i] != want[i] {
			t.Fatalf("key %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].Spam != 1 || got[0].Weight != 0.25 || got[400] != (Counts{}) {
		t.Errorf("counts %+v %+v", got[0], got[400])
	}
}

func FuzzDecode(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "b.db")
	s, _ := OpenFile(path)
	s.Learn(ctx, "", dig(1), []uint64{1, 2, 300}, true)
	s.AddWeights(ctx, "", []uint64{1}, []float64{0.5})
	s.Close()
	b, _ := os.ReadFile(path)
	f.Add(b)
	f.Add([]byte("SKBAYES2"))
	// A format-1 file (no weights) and a "newer" magic.
	v1 := filepath.Join(dir, "v1.db")
	v1File(f, v1)
	if b, err := os.ReadFile(v1); err == nil {
		f.Add(b)
	}
	f.Add([]byte("SKBAYES3"))
	// The same store in scheme 1 (format 4) and a format 5 of an unknown
	// scheme.
	p1 := filepath.Join(dir, "s1.db")
	if s, err := OpenFile(p1); err == nil && s.SetScheme(SchemeText) == nil {
		s.Learn(ctx, "", dig(1), []uint64{1, 2, 300}, true)
		s.Close()
		if b, err := os.ReadFile(p1); err == nil {
			f.Add(b)
		}
	}
	f.Add(append([]byte("SKBAYES5\x09"), b[9:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x.db")
		os.WriteFile(p, b, 0o600)
		if s, err := OpenFile(p); err == nil {
			s.Lookup(ctx, "", []uint64{1, 2}, make([]Counts, 2))
		}
	})
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// roundTrips counts the commands and pipelines a client sends.
type roundTrips struct{ n atomic.Int64 }

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}
