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

// queueHolds starts a Hold of each result, in order: each is queued
// (st.holds.pending) before the next starts, with the write lock taken
// by the test. It returns a function that waits for them: their ids,
// errors, and the panics that came out of Hold.
func queueHolds(t *testing.T, st *Store, raw []byte, ctxs []context.Context, rs []*pipeline.Result) func() ([]string, []error, []any) {
	t.Helper()
	ids := make([]string, len(rs))
	errs := make([]error, len(rs))
	panics := make([]any, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i)
			ids[i], errs[i] = st.Hold(ctxs[i], m, r)
		}()
		for {
			st.holds.mu.Lock()
			n := len(st.holds.pending)
			st.holds.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	return func() ([]string, []error, []any) {
		wg.Wait()
		return ids, errs, panics
	}
}

func heldResult(id string) *pipeline.Result {
	r := benchResult(0)
	r.ID = id
	r.Verdict.Action = pipeline.ActionQuarantine
	return r
}

func rowExists(t *testing.T, st *Store, id string) bool {
	t.Helper()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM messages WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestHoldGroupPanicAfterCommit: a group that fails is retried hold by
// hold; a hold that panics in its own transaction then must not make a
// hold committed before it report a failure (its caller would tempfail
// with the message held: the MTA's retry is held again), and the panic
// does not come out of the Hold of another message (the group's leader).
func TestHoldGroupPanicAfterCommit(t *testing.T) {
	st, raw := openHoldStore(t)
	r := heldResult("first")
	first, err := st.Hold(context.Background(), raw, r)
	if err != nil {
		t.Fatal(err)
	}
	holdWriteHook = func(h *holdReq) {
		switch h.e.m.ScanID {
		case "clash":
			h.e.m.ID = first // the primary key taken: the group fails
		case "panics":
			panic("boom")
		}
	}
	t.Cleanup(func() { holdWriteHook = nil })
	st.wsem <- struct{}{}
	bg := context.Background()
	wait := queueHolds(t, st, raw, []context.Context{bg, bg, bg}, []*pipeline.Result{heldResult("good"), heldResult("clash"), heldResult("panics")})
	<-st.wsem
	ids, errs, panics := wait()
	for i, p := range panics {
		if p != nil {
			t.Errorf("hold %d panicked: %v", i, p)
		}
	}
	if errs[0] != nil {
		t.Errorf("good hold: %v (its row committed: %v)", errs[0], ids[0] != "" && rowExists(t, st, ids[0]))
	}
	if errs[1] == nil || errs[2] == nil {
		t.Errorf("clash: %v, panics: %v; want errors", errs[1], errs[2])
	}
	if held, _ := heldCount(t, st); held != 2 {
		t.Errorf("%d held rows, want 2 (first, good)", held)
	}
	if errs[0] == nil && panics[0] == nil && !rowExists(t, st, ids[0]) {
		t.Errorf("good hold acknowledged, row %s not there", ids[0])
	}
}

// TestHoldGroupPanicAlone: a hold that panics in the group's transaction
// fails alone; the others of its group are written.
func TestHoldGroupPanicAlone(t *testing.T) {
	st, raw := openHoldStore(t)
	holdWriteHook = func(h *holdReq) {
		if h.e.m.ScanID == "panics" {
			panic("boom")
		}
	}
	t.Cleanup(func() { holdWriteHook = nil })
	st.wsem <- struct{}{}
	bg := context.Background()
	wait := queueHolds(t, st, raw, []context.Context{bg, bg, bg}, []*pipeline.Result{heldResult("a"), heldResult("panics"), heldResult("b")})
	<-st.wsem
	ids, errs, panics := wait()
	for i, p := range panics {
		if p != nil {
			t.Errorf("hold %d panicked: %v", i, p)
		}
	}
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors %v; want the panicking hold's only", errs)
	}
	for _, i := range []int{0, 2} {
		if !rowExists(t, st, ids[i]) {
			t.Errorf("hold %d acknowledged, row not there", i)
		}
	}
	if held, _ := heldCount(t, st); held != 2 {
		t.Errorf("%d held rows, want 2", held)
	}
}

// TestHoldGroupGaveUpBeforeTaken: a hold whose context has ended before
// the group's writer takes the queue is not written, and fails, however
// the two goroutines are scheduled.
func TestHoldGroupGaveUpBeforeTaken(t *testing.T) {
	st, raw := openHoldStore(t)
	st.wsem <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := queueHolds(t, st, raw, []context.Context{ctx, context.Background()}, []*pipeline.Result{heldResult("gives-up"), heldResult("writes")})
	cancel()
	<-st.wsem
	ids, errs, _ := wait()
	if errs[0] == nil {
		t.Errorf("a hold whose context ended before it was taken returned %s, no error", ids[0])
	}
	if errs[1] != nil {
		t.Fatal(errs[1])
	}
	if held, _ := heldCount(t, st); held != 1 {
		t.Errorf("%d held rows, want 1", held)
	}
	st.holds.mu.Lock()
	n := len(st.holds.pending)
	st.holds.mu.Unlock()
	if n != 0 {
		t.Errorf("%d holds still queued", n)
	}
}
