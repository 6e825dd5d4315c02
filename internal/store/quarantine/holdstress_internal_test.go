package quarantine

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/mail"
)

// holdOutcome is what a Hold of the stress tests returned.
type holdOutcome struct {
	scan, key string // key: the message (holds of one key are retries)
	id        string
	err       error
	panicked  any
}

// stressHolds runs n Holds at once against st: retries of a few messages
// (same Message-ID and body), some whose context ends at a random
// moment, some failing on a constraint or panicking, with history
// records queued meanwhile. closeAt > 0 closes the store after that long.
func stressHolds(t *testing.T, st *Store, raw []byte, n int, seed uint64, closeAt time.Duration) []holdOutcome {
	rng := rand.New(rand.NewPCG(seed, 7))
	var clashID string
	{
		r := heldResult("clash-target")
		r.Msg = &mail.Message{MessageID: "<target@example.net>"}
		id, err := st.Hold(context.Background(), append(raw[:len(raw):len(raw)], "target\n"...), r)
		if err != nil {
			t.Fatal(err)
		}
		clashID = id
	}
	holdWriteHook = func(h *holdReq) {
		switch {
		case strings.HasPrefix(h.e.m.ScanID, "clash-"):
			h.e.m.ID = clashID
		case strings.HasPrefix(h.e.m.ScanID, "panic-"):
			panic("boom")
		}
	}
	t.Cleanup(func() { holdWriteHook = nil })
	out := make([]holdOutcome, n)
	var wg sync.WaitGroup
	for i := range n {
		kind := rng.IntN(10)
		key := fmt.Sprint("m", rng.IntN(n/3+1))
		var cancelAfter time.Duration = -1
		if rng.IntN(4) == 0 {
			cancelAfter = time.Duration(rng.IntN(3000)) * time.Microsecond
		}
		scan := fmt.Sprintf("ok-%d", i)
		switch kind {
		case 0:
			scan = fmt.Sprintf("clash-%d", i)
		case 1:
			scan = fmt.Sprintf("panic-%d", i)
		}
		out[i].scan, out[i].key = scan, key
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { out[i].panicked = recover() }()
			ctx := context.Background()
			if cancelAfter >= 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, cancelAfter)
				defer cancel()
			}
			r := heldResult(scan)
			r.Msg = &mail.Message{MessageID: "<" + key + "@example.net>"}
			m := append(raw[:len(raw):len(raw)], key...)
			out[i].id, out[i].err = st.Hold(ctx, m, r)
		}()
		if i%4 == 0 {
			_ = st.Record(context.Background(), raw, benchResult(1000+i))
		}
	}
	if closeAt > 0 {
		time.Sleep(closeAt)
		st.Close()
	}
	wg.Wait()
	return out
}

// checkHolds: every hold that returned an id has it in the database (a
// held row, of its own scan or of an earlier hold of the same message),
// every hold that failed wrote nothing, no message is held twice, and
// nothing panicked out of Hold.
func checkHolds(t *testing.T, db *sql.DB, out []holdOutcome) {
	t.Helper()
	keyID := map[string]string{}
	for _, o := range out {
		if o.panicked != nil {
			t.Errorf("%s: Hold panicked: %v", o.scan, o.panicked)
			continue
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM messages WHERE kind = ? AND scan_id = ?`, KindQuarantine, o.scan).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if o.err != nil {
			if n != 0 {
				t.Errorf("%s failed (%v) but its held row is committed", o.scan, o.err)
			}
			continue
		}
		var scan string
		if err := db.QueryRow(`SELECT scan_id FROM messages WHERE id = ? AND kind = ?`, o.id, KindQuarantine).Scan(&scan); err != nil {
			t.Errorf("%s acknowledged as %s: %v", o.scan, o.id, err)
			continue
		}
		if prev, ok := keyID[o.key]; ok && prev != o.id {
			t.Errorf("message %s held twice: %s and %s", o.key, prev, o.id)
		}
		keyID[o.key] = o.id
		if scan != o.scan && n != 0 {
			t.Errorf("%s returned the earlier copy %s but wrote its own too", o.scan, o.id)
		}
	}
	// No held row without a hold acknowledged for it.
	rows, err := db.Query(`SELECT id, scan_id FROM messages WHERE kind = ? AND scan_id <> 'clash-target'`, KindQuarantine)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	acked := map[string]bool{}
	for _, o := range out {
		if o.err == nil && o.panicked == nil {
			acked[o.id] = true
		}
	}
	for rows.Next() {
		var id, scan string
		if err := rows.Scan(&id, &scan); err != nil {
			t.Fatal(err)
		}
		if !acked[id] {
			t.Errorf("held row %s (scan %s) that no hold acknowledged", id, scan)
		}
	}
}

// TestHoldGroupStress: holds at once, with failures, panics, contexts
// ending and the history writer, acknowledge exactly what is committed.
func TestHoldGroupStress(t *testing.T) {
	st, raw := openHoldStore(t)
	out := stressHolds(t, st, raw, 40, uint64(time.Now().UnixNano()), 0)
	if err := st.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkHolds(t, st.db, out)
}

// TestHoldGroupClose: the store closed while holds are being written:
// each either fails with nothing written or is committed; none hangs.
func TestHoldGroupClose(t *testing.T) {
	st, raw := openHoldStore(t)
	path := st.dbPath
	out := stressHolds(t, st, raw, 30, uint64(time.Now().UnixNano()), time.Duration(rand.IntN(20))*time.Millisecond)
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkHolds(t, db, out)
}
