package contacts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// uncached is Known without the cache: what is queued, then the file.
func (s *Store) uncached(ctx context.Context, rcpt, sender string) (Knowledge, error) {
	rcpt, sender = norm(rcpt), norm(sender)
	n, qaddr, qdomain := s.sh.known(rcpt, sender, domainOf(sender))
	var k Knowledge
	var addr, domain bool
	if err := s.known.QueryRowContext(ctx, rcpt, sender, domainOf(sender)).Scan(&k.RcptHistory, &addr, &domain); err != nil {
		return Knowledge{}, err
	}
	k.RcptHistory += n
	if k.RcptHistory == 0 {
		return Knowledge{}, nil
	}
	k.AddrSeen, k.DomainSeen = addr || qaddr, addr || qaddr || domain || qdomain
	return k, nil
}

// gen is the cache's generation and whether a batch is being written.
func (s *Store) gen() (uint64, bool) {
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	return s.sh.cache.gen, s.sh.inFlight()
}

// TestKnownCacheDifferential: random learning, commits, prunes and clock
// moves; every Known of the writing and of the read-only handle (cached)
// equals the uncached answer.
func TestKnownCacheDifferential(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.db")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rd, err := OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	r := rd.(*Store)
	clock := time.Unix(1_800_000_000, 0)
	w.sh.mu.Lock()
	w.sh.cache.now = func() time.Time { return clock }
	w.sh.mu.Unlock()
	rng := rand.New(rand.NewPCG(1, 2))
	rcpts := []string{"a@example.jp", "B@example.jp", "c@example.jp", "<d@example.jp>"}
	peers := []string{"x@one.example", "y@one.example", "z@two.example", "X@ONE.example", "w@three.example", "v@two.example"}
	hits, short := 0, 0
	for i := range 4000 {
		rc, p := rcpts[rng.IntN(len(rcpts))], peers[rng.IntN(len(peers))]
		switch op := rng.IntN(100); {
		case op < 25:
			at := clock.Add(-time.Duration(rng.IntN(100)) * time.Hour)
			if err := w.Learn(ctx, rc, p, fmt.Sprintf("id%d@x", i), at); err != nil {
				t.Fatal(err)
			}
		case op < 32:
			if err := w.sync(ctx); err != nil {
				t.Fatal(err)
			}
		case op < 33:
			if err := w.Prune(ctx, clock.Add(-time.Duration(rng.IntN(100))*time.Hour)); err != nil {
				t.Fatal(err)
			}
		case op < 35:
			clock = clock.Add(time.Duration(rng.IntN(12)) * time.Second)
		default:
			st := w
			if op%2 == 0 {
				st = r
			}
			st.sh.mu.Lock()
			_, _, _, hit, _ := st.sh.cache.lookup(norm(rc), norm(p), domainOf(norm(p)))
			st.sh.mu.Unlock()
			if hit {
				hits++
			}
			// The background writer may commit between the two calls,
			// and the uncached read counts a batch twice while it is
			// in the file and still queued (as it always could):
			// compare answers no write overlapped.
			min := rng.IntN(30)
			var got, gotMin, want Knowledge
			for try := 0; ; try++ {
				gen, busy := st.gen()
				if gotMin, err = st.KnownMin(ctx, rc, p, min); err != nil {
					t.Fatal(err)
				}
				if got, err = st.Known(ctx, rc, p); err != nil {
					t.Fatal(err)
				}
				if want, err = st.uncached(ctx, rc, p); err != nil {
					t.Fatal(err)
				}
				gen2, busy2 := st.gen()
				if (gen2 == gen && !busy && !busy2) || try == 100 {
					break
				}
			}
			if got != want {
				t.Fatalf("step %d: Known(%s, %s) = %+v, uncached %+v", i, rc, p, got, want)
			}
			// KnownMin: the same answer, but below min AddrSeen and
			// DomainSeen may be left out.
			if gotMin != want {
				if want.RcptHistory >= min || gotMin != (Knowledge{RcptHistory: want.RcptHistory}) {
					t.Fatalf("step %d: KnownMin(%s, %s, %d) = %+v, uncached %+v", i, rc, p, min, gotMin, want)
				}
				short++ // answered without the pair
			}
		}
	}
	if hits < 500 {
		t.Fatalf("only %d cache hits: the cache is not used", hits)
	}
	if short < 10 {
		t.Fatalf("only %d short KnownMin answers", short)
	}
}

// TestKnownCacheOtherProcess: learning another process writes into the
// file is seen once knownCacheTTL has passed (a second path to the file
// stands for another process: it shares neither queue nor cache).
func TestKnownCacheOtherProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "contacts.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := time.Unix(1_800_000_000, 0)
	s.sh.cache.now = func() time.Time { return clock }
	if err := s.Learn(ctx, "me@example.jp", "a@one.example", "", clock); err != nil {
		t.Fatal(err)
	}
	if err := s.sync(ctx); err != nil {
		t.Fatal(err)
	}
	k, _ := s.Known(ctx, "me@example.jp", "b@two.example") // cached
	if k.RcptHistory != 1 || k.AddrSeen || k.DomainSeen {
		t.Fatalf("%+v", k)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Skip(err)
	}
	other, err := Open(filepath.Join(link, "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	if other.sh == s.sh {
		t.Fatal("the second path shares the first's state")
	}
	if err := other.Learn(ctx, "me@example.jp", "b@two.example", "", clock); err != nil {
		t.Fatal(err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(knownCacheTTL - time.Second)
	if k, _ := s.Known(ctx, "me@example.jp", "b@two.example"); k.RcptHistory != 1 || k.AddrSeen {
		t.Fatalf("within the TTL: %+v (the cache answered from the file?)", k)
	}
	// KnownMin answers from the cached count within the TTL too.
	if k, _ := s.KnownMin(ctx, "me@example.jp", "c@three.example", 2); k.RcptHistory != 1 || k.AddrSeen {
		t.Fatalf("KnownMin within the TTL: %+v", k)
	}
	clock = clock.Add(time.Second)
	if k, _ := s.KnownMin(ctx, "me@example.jp", "b@two.example", 2); k.RcptHistory != 2 || !k.AddrSeen || !k.DomainSeen {
		t.Fatalf("KnownMin after the TTL: %+v", k)
	}
	if k, _ := s.Known(ctx, "me@example.jp", "b@two.example"); k.RcptHistory != 2 || !k.AddrSeen || !k.DomainSeen {
		t.Fatalf("after the TTL: %+v", k)
	}
}

// TestKnownCacheConcurrent: learning and lookups at once (for -race);
// once all is written, every answer equals the uncached one.
func TestKnownCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.db")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rd, err := OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rc := func(i int) string { return fmt.Sprintf("r%d@example.jp", i%5) }
	pe := func(i int) string { return fmt.Sprintf("p%d@d%d.example", i%13, i%7) }
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				if g == 0 {
					_ = w.Learn(ctx, rc(i), pe(i*3), "", time.Now())
					if i%50 == 0 {
						_ = w.sync(ctx)
					}
					continue
				}
				if _, err := rd.Known(ctx, rc(i+g), pe(i)); err != nil {
					t.Error(err)
				}
				if _, err := rd.KnownMin(ctx, rc(i+g+1), pe(i), 20); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.sync(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		for _, st := range []*Store{w, rd.(*Store)} {
			got, err := st.Known(ctx, rc(i), pe(i))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := st.uncached(ctx, rc(i), pe(i))
			if got != want {
				t.Fatalf("Known(%s, %s) = %+v, uncached %+v", rc(i), pe(i), got, want)
			}
		}
	}
}
