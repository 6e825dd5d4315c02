package quarantine

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// benchMessages are the test messages of SEKISHO_CORPUS, or the
// package's fixtures when it is not set.
func benchMessages(b *testing.B) [][]byte {
	var files []string
	if dir := os.Getenv("SEKISHO_CORPUS"); dir != "" {
		for _, sub := range []string{"ham", "spam"} {
			fs, _ := filepath.Glob(filepath.Join(dir, "test", sub, "*"))
			files = append(files, fs...)
		}
	}
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join("testdata", "*.eml"))
	}
	var msgs [][]byte
	for _, f := range files {
		if m, err := os.ReadFile(f); err == nil {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		b.Skip("no messages")
	}
	return msgs
}

// benchResult is a scan result of the shape the history keeps: a dozen
// symbols, a few links.
func benchResult(i int) *pipeline.Result {
	r := &pipeline.Result{ID: fmt.Sprint("scan-", i), Time: time.Now(),
		Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}, MailFrom: "sender@example.net"}}
	r.Verdict.Action, r.Verdict.Score = pipeline.ActionAccept, 1.5
	for j := range 12 {
		r.Verdict.Symbols = append(r.Verdict.Symbols, pipeline.SymbolResult{Name: fmt.Sprintf("SYMBOL_%d", j), Score: float64(j) / 4, Options: []string{"opt"}})
	}
	return r
}

// BenchmarkInsertBatch is the history writer's database work alone, in
// one goroutine (no batching window): batches of 70 built entries
// (SEKISHO_CORPUS test messages when set) compressed and inserted, then
// the writer's WAL check. Deterministic enough for callgrind.
func BenchmarkInsertBatch(b *testing.B) {
	msgs := benchMessages(b)
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	cfg.Quarantine.HistoryMaxMessages = 1 << 30
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const batch = 70
	rs := make([]*pipeline.Result, batch)
	for i := range rs {
		rs[i] = benchResult(i)
	}
	b.ReportAllocs()
	n := 0
	es := make([]*entry, 0, batch)
	for b.Loop() {
		es = es[:0]
		for i := range batch {
			es = append(es, st.build(KindHistory, msgs[(n+i)%len(msgs)], rs[i], true, true))
		}
		n += batch
		if w, err := st.insertBatch(context.Background(), es); err != nil || w != batch {
			b.Fatal(w, err)
		}
		st.checkpoint()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}
