package quarantine

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestBatchCacheRestored: a history batch larger than the page cache is
// written whole (every row, read back) through the connection whose cache
// grew for it, and every connection of the pool has the DSN's cache
// size again afterwards.
func TestBatchCacheRestored(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Quarantine.HistoryMaxMessages = 1 << 20
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var es []*entry
	for i := range batchMax {
		r := &pipeline.Result{ID: fmt.Sprint("scan-", i), Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}}}
		// Messages that do not compress away: the batch needs more
		// than the DSN's cache.
		body := raw[:len(raw):len(raw)]
		for j := range 600 {
			body = fmt.Appendf(body, "%08x%08x\n", i*7919+j*104729, j*j*31+i)
		}
		es = append(es, st.build(KindHistory, body, r, true, true))
	}
	if kib := batchCacheKiB(es, st.prepare(append([]*entry(nil), es...), false)); kib <= baseCacheKiB {
		t.Fatalf("batch needs %d KiB: the test does not grow the cache", kib)
	}
	n, err := st.insertBatch(context.Background(), es)
	if err != nil || n != len(es) {
		t.Fatalf("insertBatch: %d rows, %v", n, err)
	}
	var rows int
	if err := st.db.QueryRow(`SELECT count(*) FROM messages WHERE kind = ?`, KindHistory).Scan(&rows); err != nil || rows != len(es) {
		t.Fatalf("%d history rows (%v), want %d", rows, err, len(es))
	}
	// Take every connection of the pool at once (SetMaxOpenConns(4)).
	ctx := context.Background()
	for i := range 4 {
		c, err := st.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var size int
		if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != -baseCacheKiB {
			t.Fatalf("connection %d: cache_size %d, want %d", i, size, -baseCacheKiB)
		}
	}
}

// TestBatchCacheKiB: the cache grows with the batch's bytes, from the
// DSN's size, up to its bound; nil entries count nothing.
func TestBatchCacheKiB(t *testing.T) {
	if got := batchCacheKiB([]*entry{nil}, []prepared{{}}); got != baseCacheKiB {
		t.Fatalf("empty batch: %d KiB", got)
	}
	small := &entry{verdict: "{}"}
	if got := batchCacheKiB([]*entry{small}, []prepared{{}}); got < baseCacheKiB || got > baseCacheKiB+8 {
		t.Fatalf("one small row: %d KiB", got)
	}
	big := &entry{}
	pre := prepared{raw: make([]byte, 100<<20)}
	if got := batchCacheKiB([]*entry{big}, []prepared{pre}); got != maxBatchCacheKiB {
		t.Fatalf("100 MiB row: %d KiB, want the bound %d", got, maxBatchCacheKiB)
	}
}

// TestCompressMatchesEncodeAll: compress (through a reused scratch
// buffer, copied out) returns the encoder's bytes for messages of every
// size, each in a slice of its own, and they decompress to the message.
func TestCompressMatchesEncodeAll(t *testing.T) {
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
	var msgs [][]byte
	for _, n := range []int{0, 1, 100, len(raw)} {
		msgs = append(msgs, raw[:n])
	}
	big := make([]byte, 0, 3<<20)
	for i := 0; len(big) < 3<<20; i++ {
		big = fmt.Appendf(big, "%d %x\n", i, i*i*2654435761)
	}
	msgs = append(msgs, big, raw)
	var outs [][]byte
	for _, m := range msgs {
		got := st.compress(m)
		want := s2.Encode(nil, m)
		if string(got) != string(want) || len(got) != cap(got) {
			t.Fatalf("message of %d bytes: compress gives %d bytes (cap %d), s2.Encode %d", len(m), len(got), cap(got), len(want))
		}
		outs = append(outs, got)
	}
	for i, m := range msgs {
		back, err := st.decompress(codecS2, outs[i])
		if err != nil || string(back) != string(m) {
			t.Fatalf("message %d does not come back (%v): a later compress wrote over it?", i, err)
		}
	}
}

// TestBatchPanicReleases: a panic while the history writer's transaction
// is open (here a row without its message) unwinds at once, releasing
// the connection and the write lock: the connection the batch took for
// its page cache cannot be closed while the transaction holds it, so an
// open transaction left behind blocked the unwinding until the batch's
// context ended (the writer's: 60 s) with the write lock held.
func TestBatchPanicReleases(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		_, _ = st.insertBatch(context.Background(), []*entry{{}})
	}()
	select {
	case p := <-done:
		if p == nil {
			t.Fatal("insertBatch of a row without its message did not panic")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("insertBatch's panic does not unwind: blocked closing the connection of an open transaction")
	}
	lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock, err := st.lockWrite(lctx)
	if err != nil {
		t.Fatalf("the write lock is still held: %v", err)
	}
	unlock()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}
