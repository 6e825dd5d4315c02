package quarantine

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// BenchmarkHistoryIDOrder writes history into a SQLite file that already
// holds 20,000 scans and reports the WAL pages written per scan
// (wal-pages/msg, from the wal-index header; checkpoints off): with
// time-prefixed ids ("time-ids") a scan's rows and index entries land
// on the last pages of each B-tree, with ids in random order
// ("random-ids", the 24 random hex characters of earlier releases) on
// pages all over the primary-key indexes of messages and msg_rcpt.
func BenchmarkHistoryIDOrder(b *testing.B) {
	for _, random := range []bool{false, true} {
		name := "time-ids"
		if random {
			name = "random-ids"
		}
		b.Run(name, func(b *testing.B) { historyIDOrder(b, random) })
	}
}

func historyIDOrder(b *testing.B, random bool) {
	defer func(c, r int) { walCheckpointPages, walRestartPages = c, r }(walCheckpointPages, walRestartPages)
	walCheckpointPages, walRestartPages = 1<<30, 1<<30
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	cfg.Quarantine.HistoryQueue = 1 << 20
	cfg.Quarantine.HistoryMaxMessages = 1 << 30
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	if err != nil {
		b.Fatal(err)
	}
	if random {
		// The ids of earlier releases: 12 random bytes.
		defer func(f func(time.Time) string) { makeID = f }(makeID)
		makeID = func(time.Time) string {
			var b [12]byte
			crand.Read(b[:])
			return hex.EncodeToString(b[:])
		}
	}
	t0 := time.Now()
	r := &pipeline.Result{Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp", "sato@example.jp"}}}
	r.Verdict.Action = pipeline.ActionTag
	for i := range 20 {
		r.Verdict.Symbols = append(r.Verdict.Symbols, pipeline.SymbolResult{Name: fmt.Sprintf("SYM_%d", i), Score: 1})
	}
	for i := range 6 {
		r.URLs = append(r.URLs, mail.URL{Raw: fmt.Sprintf("https://link%d.example/p", i)})
	}
	n := 0
	record := func() {
		rr := *r
		rr.ID, rr.Time = fmt.Sprint(n), t0.Add(time.Duration(n)*time.Millisecond)
		n++
		_ = st.Record(context.Background(), raw, &rr)
		if n%100 == 0 {
			_ = st.Flush(context.Background())
		}
	}
	for range 20000 {
		record()
	}
	_ = st.Flush(context.Background())
	before, _, ok := walState(st.dbPath + "-shm")
	if !ok {
		b.Fatal("wal-index header not readable")
	}
	start := n
	for b.Loop() {
		record()
	}
	_ = st.Flush(context.Background())
	after, _, _ := walState(st.dbPath + "-shm")
	b.ReportMetric(float64(after-before)/float64(n-start), "wal-pages/msg")
}
