package quarantine_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

func benchSetup(b testing.TB) (*quarantine.Store, []byte, *pipeline.Result) {
	st, eng := benchStore(b, testConfig(b, "sqlite", ""))
	raw, r := benchScan(b, eng)
	return st, raw, r
}

// benchStore opens a store of cfg whose history queue and size never
// drop a benchmark's entries, and an engine of the same configuration.
func benchStore(b testing.TB, cfg *config.Config) (*quarantine.Store, *engine.Engine) {
	cfg.Quarantine.HistoryQueue = 1 << 20
	cfg.Quarantine.HistoryMaxMessages = 1 << 30
	eng := newEngine(b, cfg)
	if os.Getenv("SEKISHO_BENCH_NOWINDOW") != "" {
		// Batches end at the benchmark's Flush only, not after 100 ms
		// of wall-clock time: under callgrind (some 50 times slower)
		// the window would end batches after a few messages, more or
		// fewer with the machine's load.
		b.Cleanup(quarantine.SetBatchWindow(time.Hour)) // runs after st.Close
	}
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if q := os.Getenv("SEKISHO_BENCH_SQL"); q != "" {
		// A schema change tried out (e.g. DROP INDEX …).
		if _, err := st.DB().Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return st, eng
}

// benchScan is the phishing fixture and its scan.
func benchScan(b testing.TB, eng *engine.Engine) ([]byte, *pipeline.Result) {
	raw := fixture(b, "phish-o365.eml")
	return raw, eng.Scan(context.Background(), raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}})
}

// BenchmarkRecord is what a scan pays for the history: the call in the
// engine observer (copy and queue), not the database write.
func BenchmarkRecord(b *testing.B) {
	st, raw, r := benchSetup(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Record(context.Background(), raw, r)
	}
	b.StopTimer()
	_ = st.Flush(context.Background())
}

// BenchmarkHistoryWrite measures the writer end to end (compress, batch
// insert into SQLite): Record then Flush per 100 messages.
func BenchmarkHistoryWrite(b *testing.B) {
	st, raw, r := benchSetup(b)
	b.SetBytes(int64(len(raw)))
	n := 0
	for b.Loop() {
		_ = st.Record(context.Background(), raw, r)
		if n++; n%100 == 0 {
			_ = st.Flush(context.Background())
		}
	}
	_ = st.Flush(context.Background())
}

// BenchmarkHold is the synchronous quarantine write a front end waits for.
func BenchmarkHold(b *testing.B) {
	st, raw, r := benchSetup(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := st.Hold(context.Background(), raw, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordBuild is the observer's own work (copy, JSON of the
// verdict, link hashes) with the writer kept out of the way: the queue
// holds one entry, so nearly every call is dropped after being built.
func BenchmarkRecordBuild(b *testing.B) {
	cfg := testConfig(b, "sqlite", "")
	cfg.Quarantine.HistoryQueue = 1
	eng := newEngine(b, cfg)
	if os.Getenv("SEKISHO_BENCH_NOWINDOW") != "" {
		// Batches end at the benchmark's Flush only, not after 100 ms
		// of wall-clock time: under callgrind (some 50 times slower)
		// the window would end batches after a few messages, more or
		// fewer with the machine's load.
		b.Cleanup(quarantine.SetBatchWindow(time.Hour)) // runs after st.Close
	}
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	raw := fixture(b, "phish-o365.eml")
	r := eng.Scan(context.Background(), raw, pipeline.Envelope{Rcpts: []string{"tanaka@example.jp"}})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Record(context.Background(), raw, r)
	}
}

// BenchmarkHoldDistinct holds a new message each time (another
// body, another scan) in a quarantine that already holds
// thousands, the scan's history row written with it: what a front end
// waits for when it quarantines.
func BenchmarkHoldDistinct(b *testing.B) {
	st, raw, r := benchSetup(b)
	r.Verdict.Action = pipeline.ActionQuarantine
	hold := func(i int) {
		m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i) // another body: another retry key
		rr := *r
		rr.ID = fmt.Sprintf("bench-%d", i)
		if _, err := st.Hold(context.Background(), m, &rr); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 3000 {
		hold(-1 - i)
	}
	b.SetBytes(int64(len(raw)))
	i := 0
	for b.Loop() {
		hold(i)
		i++
	}
}

// BenchmarkHoldUnderHistory holds new messages while the history writer
// takes some 500 recorded scans a second: the hold's wait for the write
// lock is in its tail (reported as p50-ms, p99-ms and max-ms).
func BenchmarkHoldUnderHistory(b *testing.B) {
	st, raw, r := benchSetup(b)
	ham, err := os.ReadFile(filepath.Join("testdata", "ham-notes.eml"))
	if err != nil {
		b.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tk.C:
				rr := *r
				rr.ID, rr.Verdict.Action = fmt.Sprint("h", i), pipeline.ActionAccept
				_ = st.Record(context.Background(), ham, &rr)
			}
		}
	}()
	r.Verdict.Action = pipeline.ActionQuarantine
	var ds []time.Duration
	i := 0
	for b.Loop() {
		rr := *r
		rr.ID = fmt.Sprint("q", i)
		m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i)
		i++
		t0 := time.Now()
		if _, err := st.Hold(context.Background(), m, &rr); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	close(stop)
	<-done
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
	b.ReportMetric(ms(ds[len(ds)-1]), "max-ms")
}

// BenchmarkHistoryWriteFilled is BenchmarkHistoryWrite into a history
// that already holds 20,000 scans (distinct ids and messages), on SQLite
// and on PostgreSQL: where the rows and index entries of a new scan land
// in tables that no longer fit in a few pages.
func BenchmarkHistoryWriteFilled(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { historyWriteFilled(b, testConfig(b, "sqlite", "")) })
	b.Run("postgres", func(b *testing.B) { historyWriteFilled(b, testConfig(b, "postgres", testutil.Postgres(b))) })
}

func historyWriteFilled(b *testing.B, cfg *config.Config) {
	st, eng := benchStore(b, cfg)
	raw, r := benchScan(b, eng)
	r.Verdict.Action = pipeline.ActionTag
	record := func(i int) {
		rr := *r
		rr.ID = fmt.Sprint("filled-", i)
		_ = st.Record(context.Background(), fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i), &rr)
	}
	const filled = 20000
	for i := range filled {
		record(-1 - i)
		if i%500 == 499 {
			_ = st.Flush(context.Background())
		}
	}
	_ = st.Flush(context.Background())
	b.SetBytes(int64(len(raw)))
	n := 0
	for b.Loop() {
		record(n)
		if n++; n%100 == 0 {
			_ = st.Flush(context.Background())
		}
	}
	_ = st.Flush(context.Background())
}

// BenchmarkHeldScan is what the history and the quarantine cost for a
// held scan, as the daemon does it: Record (the engine's observer), then
// Hold (the action step), the writer flushed every 100 scans.
func BenchmarkHeldScan(b *testing.B) {
	st, raw, r := benchSetup(b)
	r.Verdict.Action = pipeline.ActionQuarantine
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i) // another body: another retry key
		rr := *r
		rr.ID = fmt.Sprintf("bench-%d", i)
		_ = st.Record(context.Background(), m, &rr)
		if _, err := st.Hold(context.Background(), m, &rr); err != nil {
			b.Fatal(err)
		}
		if i++; i%100 == 0 {
			_ = st.Flush(context.Background())
		}
	}
	_ = st.Flush(context.Background())
}

// BenchmarkHistoryWriteCorpus writes the scan history of a corpus's test
// messages (SEKISHO_CORPUS, e.g. /work/data/sa) as the daemon does under
// load: a scan result recorded per message (the fixture's verdict under
// the message's id) and a batch written every 70 (what the writer's
// 100 ms window collects at some 700 messages a second). Run it under
// strace -c to count the WAL writes and reads per message.
func BenchmarkHistoryWriteCorpus(b *testing.B) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		b.Skip("SEKISHO_CORPUS not set")
	}
	var msgs [][]byte
	for _, sub := range []string{"ham", "spam"} {
		files, _ := filepath.Glob(filepath.Join(dir, "test", sub, "*"))
		for _, f := range files {
			if m, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, m)
			}
		}
	}
	if len(msgs) == 0 {
		b.Skip("no messages under SEKISHO_CORPUS/test")
	}
	st, _, r := benchSetup(b)
	r.Verdict.Action = pipeline.ActionAccept
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		m := msgs[n%len(msgs)]
		rr := *r
		rr.ID = fmt.Sprint("corpus-", n)
		_ = st.Record(context.Background(), m, &rr)
		if n++; n%70 == 0 {
			_ = st.Flush(context.Background())
		}
	}
	_ = st.Flush(context.Background())
}

// BenchmarkHoldParallel holds new messages from 4 goroutines at once
// (a front end with several connections quarantining): SQLite's holds
// that wait for the write lock together are committed together.
func BenchmarkHoldParallel(b *testing.B) {
	st, raw, r := benchSetup(b)
	r.Verdict.Action = pipeline.ActionQuarantine
	var n atomic.Int64
	b.SetParallelism(2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i)
			rr := *r
			rr.ID = fmt.Sprint("par-", i)
			if _, err := st.Hold(context.Background(), m, &rr); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStoreCorpus is what the daemon's history and quarantine cost
// per message on a corpus (SEKISHO_CORPUS): its test messages, ham and
// spam alternated, are scanned at set-up (at most 1,200); each iteration
// stores one scan as the daemon does (storeNth: recorded, every ninth
// held, the writer flushed every 70 messages). Run it at most as many times as
// there are scans (a message held twice would be a retry). For
// callgrind: instructions per message are those of N runs minus 1.
func BenchmarkStoreCorpus(b *testing.B) {
	st, eng := benchStore(b, testConfig(b, "sqlite", ""))
	scans := corpusStoreScans(b, eng)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		storeNth(b, st, scans, n)
		n++
	}
	_ = st.Flush(context.Background())
}

// storeScan is a scan of a corpus message and the message.
type storeScan struct {
	raw []byte
	r   *pipeline.Result
}

// corpusStoreScans scans SEKISHO_CORPUS's test messages, ham and spam
// alternated, at most 1,200, as the Rspamd front end would have them
// scanned; it skips the test when there are none.
func corpusStoreScans(tb testing.TB, eng *engine.Engine) []storeScan {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		tb.Skip("SEKISHO_CORPUS not set")
	}
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
	var scans []storeScan
	for _, f := range files {
		m, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		r := eng.Scan(context.Background(), m, pipeline.Envelope{ClientIP: netip.MustParseAddr("192.0.2.10"), Helo: "client.example", Frontend: "rspamd"})
		scans = append(scans, storeScan{m, r})
	}
	if len(scans) == 0 {
		tb.Skip("no messages under SEKISHO_CORPUS/test")
	}
	return scans
}

// storeNth stores the n-th message of scans (counting from 0) as the
// daemon does: recorded, and held when its verdict is quarantine —
// every ninth here (about the share the SA test corpus gets held under
// `sekisho bench`), under an id of its own so that no hold is a retry of
// another; the writer flushed after every 70th.
func storeNth(tb testing.TB, st *quarantine.Store, scans []storeScan, n int) {
	sc := scans[n%len(scans)]
	rr := *sc.r
	rr.ID = fmt.Sprint("store-", n)
	if n%9 == 8 {
		rr.Verdict.Action = pipeline.ActionQuarantine
	} else if rr.Verdict.Action == pipeline.ActionQuarantine {
		rr.Verdict.Action = pipeline.ActionReject
	}
	_ = st.Record(context.Background(), sc.raw, &rr)
	if rr.Verdict.Action == pipeline.ActionQuarantine {
		if _, err := st.Hold(context.Background(), sc.raw, &rr); err != nil {
			tb.Fatal(err)
		}
	}
	if (n+1)%70 == 0 {
		_ = st.Flush(context.Background())
	}
}
