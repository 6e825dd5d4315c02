package quarantine_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"modernc.org/sqlite"
)

// TestWALFramesCorpus reports the WAL frames (4 KiB pages) written per
// stored message over SEKISHO_CORPUS's test messages, written as
// BenchmarkStoreCorpus writes them (every ninth held, the writer flushed
// every 70), checkpoints off. SEKISHO_WALFRAMES_SQL runs a statement
// first (e.g. DROP INDEX …, to see what an index costs).
func TestWALFramesCorpus(t *testing.T) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" || os.Getenv("SEKISHO_WALFRAMES") == "" {
		t.Skip("SEKISHO_CORPUS and SEKISHO_WALFRAMES not set")
	}
	defer quarantine.NoCheckpoints()()
	ham, _ := filepath.Glob(filepath.Join(dir, "test", "ham", "*"))
	spam, _ := filepath.Glob(filepath.Join(dir, "test", "spam", "*"))
	var files []string
	for i := 0; i < max(len(ham), len(spam)) && len(files) < 1200; i++ {
		if i < len(ham) {
			files = append(files, ham[i])
		}
		if i < len(spam) {
			files = append(files, spam[i])
		}
	}
	st, eng := benchStore(t, testConfig(t, "sqlite", ""))
	if q := os.Getenv("SEKISHO_WALFRAMES_SQL"); q != "" {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	type scan struct {
		raw []byte
		r   *pipeline.Result
	}
	var scans []scan
	for _, f := range files {
		m, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		scans = append(scans, scan{m, eng.Scan(ctx, m, pipeline.Envelope{ClientIP: netip.MustParseAddr("192.0.2.10"), Helo: "client.example", Frontend: "rspamd"})})
	}
	// Warm: the tables hold some rows before counting.
	n := 0
	run := func(count int) {
		for range count {
			sc := scans[n%len(scans)]
			rr := *sc.r
			rr.ID = fmt.Sprint("store-", n)
			if n%9 == 8 {
				rr.Verdict.Action = pipeline.ActionQuarantine
			} else if rr.Verdict.Action == pipeline.ActionQuarantine {
				rr.Verdict.Action = pipeline.ActionReject
			}
			_ = st.Record(ctx, sc.raw, &rr)
			if rr.Verdict.Action == pipeline.ActionQuarantine {
				if _, err := st.Hold(ctx, sc.raw, &rr); err != nil {
					t.Fatal(err)
				}
			}
			if n++; n%70 == 0 {
				_ = st.Flush(ctx)
			}
		}
		_ = st.Flush(ctx)
	}
	run(len(scans))
	f0 := st.WALFrames()
	run(len(scans))
	f1 := st.WALFrames()
	t.Logf("%d messages: %.2f WAL frames per message (%d frames)", len(scans), float64(f1-f0)/float64(len(scans)), f1-f0)
	// Each idle connection's SQLite memory: page cache, schema, prepared
	// statements, lookaside.
	stats := st.DB().Stats()
	var conns []*sql.Conn
	for range stats.Idle {
		c, err := st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var cs int
		_ = c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cs)
		_ = c.Raw(func(dc any) error {
			ds, ok := dc.(interface {
				Status(sqlite.DBStatusOp, bool) (int, int, error)
			})
			if !ok {
				return nil
			}
			var kib [4]float64
			for j, op := range []sqlite.DBStatusOp{sqlite.DBStatusCacheUsed, sqlite.DBStatusSchemaUsed, sqlite.DBStatusStmtUsed, sqlite.DBStatusLookasideUsed} {
				cur, _, _ := ds.Status(op, false)
				kib[j] = float64(cur) / 1024
			}
			kib[3] *= 1024 // a count of slots
			t.Logf("connection %d of %d (cache_size %d): page cache %.0f KiB, schema %.0f KiB, statements %.0f KiB, lookaside slots in use %.0f",
				i+1, stats.OpenConnections, cs, kib[0], kib[1], kib[2], kib[3])
			return nil
		})
		c.Close()
	}
}
