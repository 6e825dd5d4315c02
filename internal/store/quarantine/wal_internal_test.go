package quarantine

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestWALBounded: a stream of holds (each some 50 WAL pages) keeps the
// WAL file near the restart threshold instead of growing with every
// hold; the threshold is lowered so that a few hundred holds tell.
func TestWALBounded(t *testing.T) {
	defer func(c, r int) { walCheckpointPages, walRestartPages = c, r }(walCheckpointPages, walRestartPages)
	walCheckpointPages, walRestartPages = 200, 800
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Result{Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}}}
	r.Verdict.Action = pipeline.ActionQuarantine
	for i := range 20 {
		r.Verdict.Symbols = append(r.Verdict.Symbols, pipeline.SymbolResult{Name: fmt.Sprintf("SYM_%d", i), Score: 1})
	}
	const holds = 1000
	frames := 0
	for i := range holds {
		rr := *r
		rr.ID = fmt.Sprint(i)
		if _, err := st.Hold(context.Background(), fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i), &rr); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			mx, _, ok := walState(st.dbPath + "-shm")
			if !ok {
				t.Fatal("the wal-index header is not readable")
			}
			frames = mx / 11
		}
	}
	fi, err := os.Stat(st.dbPath + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Unbounded, the WAL would hold every hold's pages: a passive
	// checkpoint never completes while holds keep committing, so SQLite
	// never starts the WAL over. The checkpoints run beside the holds
	// and lag behind them by what is written during an fsync, and by
	// much more on a loaded machine (the writer goroutine waits for a
	// core: 7,875 of the 13,000 pages were seen at a load of 15 on two
	// cores): the bound checked is loose, what fails is a WAL that kept
	// nearly every hold's pages.
	pages := int(fi.Size() / 4096)
	t.Logf("%d pages per hold; WAL file %d pages", frames, pages)
	if pages > holds*frames*9/10 {
		t.Fatalf("WAL file of %d pages after %d holds of %d pages: never started over", pages, holds, frames)
	}
}

// TestHoldGivesUpOnContext: a hold waiting for the write lock returns an
// error when its context ends (the front end tempfails) instead of
// waiting for whoever holds the lock; the lock still works afterwards.
func TestHoldGivesUpOnContext(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Result{Env: pipeline.Envelope{Rcpts: []string{"tanaka@example.jp"}}}
	r.Verdict.Action = pipeline.ActionQuarantine
	unlock, err := st.lockWrite(context.Background()) // a writer that does not let go
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := st.Hold(ctx, raw, r)
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a hold whose context ended while it waited for the lock succeeded")
	}
	unlock()
	if _, err := st.Hold(context.Background(), raw, r); err != nil {
		t.Fatalf("hold after the lock was given back: %v", err)
	}
}
