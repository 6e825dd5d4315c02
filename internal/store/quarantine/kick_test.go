package quarantine_test

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// TestWriterWindowKick: while the writer's batch window runs it does
// not read the queue; a full batch queued meanwhile is still written
// without waiting for the window's end, and so is what a Flush waits
// for (the window here is an hour).
func TestWriterWindowKick(t *testing.T) {
	t.Cleanup(quarantine.SetBatchWindow(time.Hour)) // after the store's Close (a cleanup registered later)
	st, raw, r := openRecording(t, testConfig(t, "sqlite", ""))
	// One scan starts the window; then a batch's worth (200 rows).
	for range 1 + 200 {
		if err := st.Record(context.Background(), raw, r); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for st.WriterStats().Written < 200 {
		if time.Now().After(deadline) {
			t.Fatalf("a full batch not written within the window: %+v", st.WriterStats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The rest waits for the window, or for a Flush.
	for range 5 {
		_ = st.Record(context.Background(), raw, r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if ws := st.WriterStats(); ws.Written != 206 || ws.Dropped != 0 || ws.Queued != 0 {
		t.Fatalf("after Flush: %+v", ws)
	}
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM messages WHERE kind = 'history'`).Scan(&n); err != nil || n != 206 {
		t.Fatalf("history rows %d, %v", n, err)
	}
}
