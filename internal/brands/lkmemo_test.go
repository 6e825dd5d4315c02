package brands

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
)

// useFresh installs a freshly loaded built-in catalogue (an empty memo)
// for the test.
func useFresh(t *testing.T) *Catalogue {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	Use(c)
	t.Cleanup(func() { Use(nil) })
	return c
}

// memoHeap reports the live heap and the part of it the garbage collector
// scans, after a collection.
func memoHeap() (heap, scan uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return ms.HeapAlloc, s[0].Value.Uint64()
}

// TestLookalikeMemoHeap measures what a full memo of misses costs: the
// heap it holds and the part of it every collection scans.
func TestLookalikeMemoHeap(t *testing.T) {
	useFresh(t)
	domains := make([]string, maxLookalikeMemo-1)
	for i := range domains {
		domains[i] = fmt.Sprintf("host%d.unrelated-site-%d.example", i, i*7)
	}
	MatchLookalike("warmup.example", nil)
	h0, s0 := memoHeap()
	for _, d := range domains {
		MatchLookalike(d, nil)
	}
	h1, s1 := memoHeap()
	t.Logf("memo of %d misses: heap %+d KiB, scanned heap %+d KiB", len(domains), (int64(h1)-int64(h0))/1024, (int64(s1)-int64(s0))/1024)
	runtime.KeepAlive(domains)
}

// TestLookalikeMemoAnswers: a remembered answer, hit or miss, is the one
// computed afresh, before and after the memo fills and is emptied, with
// and without extra domains, from concurrent callers.
func TestLookalikeMemoAnswers(t *testing.T) {
	c := useFresh(t)
	ds := []string{"paypa1.com", "micros0ft-support.com", "example.org", "amaz0n.co.jp", "examp1e-corp.co.jp",
		"", "rnicrosoft.com", "xn--pypal-4ve.com", "mail.com", "apple.com"}
	extras := [][]string{nil, {"example-corp.co.jp"}, {"example-corp.co.jp", "partner.example"}}
	check := func(d string, extra []string) {
		want, wantOK := matchLookalike(c, d, extra)
		got, ok := MatchLookalike(d, extra)
		if ok != wantOK || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("MatchLookalike(%q, %q) = %v %v, want %v %v", d, extra, got, ok, want, wantOK)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 3 {
				for i := range maxLookalikeMemo/2 + 100 {
					d := ds[(i+g)%len(ds)]
					if i%3 == 0 {
						d = fmt.Sprintf("h%d-%d.example", i, round)
					}
					check(d, extras[i%len(extras)])
				}
			}
		})
	}
	wg.Wait()
}

// TestLookalikeMemoCollision: two keys with one hash — the second is
// answered afresh, never with the first's answer.
func TestLookalikeMemoCollision(t *testing.T) {
	var m lookalikeMemo
	hit := Lookalike{Target: "paypal.com", Kind: "typo"}
	m.put([]byte("paypa1.com"), hit, true)
	if l, found, ok := m.get([]byte("paypa1.com")); !ok || !found || l.Target != "paypal.com" {
		t.Fatalf("hit lost: %v %v %v", l, found, ok)
	}
	// Forge a collision: another key's span stored under this key's hash.
	h := m.spans
	for k, s := range h {
		m.arena = append(m.arena, "other.example"...)
		h[k] = memoSpan{off: s.off + s.n, n: uint32(len("other.example")), hit: -1}
	}
	if _, _, ok := m.get([]byte("paypa1.com")); ok {
		t.Fatal("a colliding key answered for another")
	}
	// Full: emptied, then the new key remembered.
	m = lookalikeMemo{}
	for i := range maxLookalikeMemo {
		m.put(fmt.Appendf(nil, "d%d", i), hit, i%2 == 0)
	}
	m.put([]byte("last"), Lookalike{}, false)
	if len(m.spans) != 1 || len(m.hits) != 0 {
		t.Fatalf("full memo not emptied: %d spans, %d hits", len(m.spans), len(m.hits))
	}
	if _, found, ok := m.get([]byte("last")); !ok || found {
		t.Fatal("last answer lost")
	}
	if _, _, ok := m.get([]byte("d2")); ok {
		t.Fatal("forgotten answer still there")
	}
}
