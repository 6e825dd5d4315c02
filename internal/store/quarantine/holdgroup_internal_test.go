package quarantine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func openHoldStore(t *testing.T) (*Store, []byte) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	if err != nil {
		t.Fatal(err)
	}
	return st, raw
}

func heldCount(t *testing.T, st *Store) (held, hist int) {
	if err := st.db.QueryRow(`SELECT count(*) FROM messages WHERE kind = ?`, KindQuarantine).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if err := st.db.QueryRow(`SELECT count(*) FROM messages WHERE kind = ?`, KindHistory).Scan(&hist); err != nil {
		t.Fatal(err)
	}
	return held, hist
}

// TestHoldGroup: holds that wait for the write lock together are written
// in one transaction by whichever takes the lock; each returns its own
// id (a retry of a message of the same group the first copy's), and
// every row is there when they return.
func TestHoldGroup(t *testing.T) {
	st, raw := openHoldStore(t)
	st.wsem <- struct{}{} // the lock is taken: the holds queue
	msgs := [][]byte{raw, fmt.Appendf(raw[:len(raw):len(raw)], "1\n"), fmt.Appendf(raw[:len(raw):len(raw)], "2\n"), raw}
	ids := make([]string, len(msgs))
	errs := make([]error, len(msgs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := benchResult(i)
			r.Verdict.Action = pipeline.ActionQuarantine
			r.Msg = &mail.Message{MessageID: "<group@example.net>"} // the retry key's
			ids[i], errs[i] = st.Hold(context.Background(), m, r)
		}()
		if i == 0 {
			// The first is queued first (the retry must find it).
			for st.holdsWaiting.Load() < 1 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	for {
		st.holds.mu.Lock()
		n := len(st.holds.pending)
		st.holds.mu.Unlock()
		if n == len(msgs) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	<-st.wsem
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("hold %d: %v", i, err)
		}
	}
	if ids[3] != ids[0] || ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Fatalf("ids %q: want three distinct, the retry the first's", ids)
	}
	if held, hist := heldCount(t, st); held != 3 || hist != 4 {
		t.Fatalf("%d held rows, %d history rows; want 3 and 4", held, hist)
	}
	for _, id := range ids {
		if _, err := st.Get(context.Background(), id); err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
	}
}

// TestHoldGroupGivesUp: a hold whose context ends while it waits for the
// lock returns an error and writes nothing, and the holds after it go on.
func TestHoldGroupGivesUp(t *testing.T) {
	st, raw := openHoldStore(t)
	st.wsem <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := benchResult(1)
	r.Verdict.Action = pipeline.ActionQuarantine
	if _, err := st.Hold(ctx, raw, r); err == nil {
		t.Fatal("hold returned no error with the lock taken and its context ended")
	}
	st.holds.mu.Lock()
	n := len(st.holds.pending)
	st.holds.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d holds still queued", n)
	}
	<-st.wsem
	if held, hist := heldCount(t, st); held != 0 || hist != 0 {
		t.Fatalf("%d held rows, %d history rows written by a hold that failed", held, hist)
	}
	r = benchResult(2)
	r.Verdict.Action = pipeline.ActionQuarantine
	if _, err := st.Hold(context.Background(), raw, r); err != nil {
		t.Fatal(err)
	}
	if held, _ := heldCount(t, st); held != 1 {
		t.Fatalf("%d held rows, want 1", held)
	}
}
