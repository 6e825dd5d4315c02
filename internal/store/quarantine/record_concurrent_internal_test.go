package quarantine

import (
	"bytes"
	"context"
	"sync"
	"testing"
)

// Concurrent Records (several goroutines) with a small queue (drops), then Close
// while entries are still queued; every written row must equal the unpooled build.
func TestConcurrentRecordClose(t *testing.T) {
	ctx := context.Background()
	raws, rs := pooledScans(t)
	cfg := pooledConfig(t)
	cfg.Quarantine.HistoryQueue = 40
	st, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := openPooled(t, "sqlite")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 150 {
				i := (g*7 + k) % len(raws)
				mine := bytes.Clone(raws[i])
				_ = st.Record(ctx, mine, rs[i])
				clear(mine)
			}
		}()
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st2, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	got := historyRowIDs(t, st2)
	byScan := map[string]int{}
	for i, r := range rs {
		byScan[r.ID] = i
	}
	t.Logf("%d rows written", len(got))
	for _, r := range got {
		i := byScan[r.scan]
		e := ref.build(KindHistory, raws[i], rs[i], len(raws[i]) <= ref.cfg.Quarantine.HistoryMaxMessageBytes, false)
		e.m.ID = r.id
		if n, err := ref.insertSome(ctx, []*entry{e}, ref.prepare([]*entry{e}, false)); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		a, b := rowDump(t, st2, r.id), rowDump(t, ref, r.id)
		// times differ (Now): compare columns but received/expires
		if stripTimes(a) != stripTimes(b) {
			t.Fatalf("row %s:\n%s\nwant\n%s", r.id, a, b)
		}
	}
}

func stripTimes(s string) string {
	var out []string
	for _, l := range bytes.Split([]byte(s), []byte("\n")) {
		if bytes.HasPrefix(l, []byte("3=")) || bytes.HasPrefix(l, []byte("4=")) {
			continue
		}
		out = append(out, string(l))
	}
	return string(bytes.Join(func() [][]byte {
		var b [][]byte
		for _, o := range out {
			b = append(b, []byte(o))
		}
		return b
	}(), []byte("\n")))
}
