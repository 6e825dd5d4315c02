package quarantine_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/sekisho/sekisho/internal/store/quarantine"
	"modernc.org/sqlite"
)

// TestWALFramesCorpus reports the WAL frames (4 KiB pages) written per
// stored message over SEKISHO_CORPUS's test messages, written as
// BenchmarkStoreCorpus writes them (every ninth held, the writer flushed
// every 70), checkpoints off. SEKISHO_BENCH_SQL runs a statement first
// (benchStore; e.g. DROP INDEX …, to see what an index costs).
func TestWALFramesCorpus(t *testing.T) {
	if os.Getenv("SEKISHO_WALFRAMES") == "" {
		t.Skip("SEKISHO_WALFRAMES not set")
	}
	// A cleanup, not a defer: undone after benchStore's st.Close (the
	// writer reads the thresholds until it has stopped).
	t.Cleanup(quarantine.NoCheckpoints())
	st, eng := benchStore(t, testConfig(t, "sqlite", ""))
	ctx := context.Background()
	scans := corpusStoreScans(t, eng)
	// The tables hold a round of rows before the frames are counted.
	n := 0
	run := func(count int) {
		for range count {
			storeNth(t, st, scans, n)
			n++
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
