package quarantine

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestMain runs the package's tests with released buffers poisoned
// (bufpool.go): a row read back after its buffers went back to the pool
// and were reused would show it. Benchmarks run without.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		poisonReleased = true
	}
	os.Exit(m.Run())
}

// pooledScans are scan results and messages of the shapes the history
// keeps: links, attachments, symbols (one whose name the symbols column
// cannot hold), no message, an empty message, one above
// history_max_message_bytes.
func pooledScans(t *testing.T) (raws [][]byte, rs []*pipeline.Result) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	at := time.UnixMilli(1_765_000_000_000)
	for i := range 3 * len(files) {
		raw, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		raw = fmt.Appendf(raw, "\r\nline %d\r\n", i)
		r := &pipeline.Result{ID: fmt.Sprint("pooled-", i), Time: at.Add(time.Duration(i) * time.Second),
			Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"Tanaka@example.jp", fmt.Sprintf("<u%d@example.jp>", i%3)},
				MailFrom: "sender@example.net", Frontend: "rspamd", QueueID: fmt.Sprint("Q", i)},
			Msg: &mail.Message{Subject: fmt.Sprint("subject ", i), MessageID: fmt.Sprintf("<%d@example.net>", i), Size: len(raw),
				From: []mail.Address{{Name: "Sender", Addr: "sender@example.net"}}, To: []mail.Address{{Addr: "tanaka@example.jp"}}},
			Duration: time.Duration(i) * time.Millisecond}
		r.Verdict.Action, r.Verdict.Category, r.Verdict.Score = pipeline.ActionTag, pipeline.CategorySpam, float64(i)/3
		for j := range 3 + i%7 {
			r.Verdict.Symbols = append(r.Verdict.Symbols, pipeline.SymbolResult{Name: fmt.Sprintf("SYM_%d", (i+j)%9), Score: float64(j), Options: []string{"o", fmt.Sprint(j)}})
		}
		if i%5 == 0 {
			r.Verdict.Symbols = append(r.Verdict.Symbols, pipeline.SymbolResult{Name: "odd name", Score: 1})
		}
		for j := range i % 4 {
			r.URLs = append(r.URLs, mail.URL{Raw: fmt.Sprintf("https://ex%d.example/p?%d", j, i), Host: fmt.Sprintf("ex%d.example", j), Source: "html", Anchor: "click"})
		}
		if i%3 == 1 {
			r.Verdict.Attachments = []pipeline.AttachmentInfo{{Path: "2", Name: fmt.Sprint("a", i, ".pdf"), Size: int64(i), SHA256: fmt.Sprintf("%064x", i)}}
		}
		switch i {
		case 1:
			raw = nil // nothing received: no raw kept
		case 2:
			r.Msg = nil
		case 3:
			raw = bytes.Repeat([]byte("x"), 3<<10) // above the bound set below: not kept
		}
		raws, rs = append(raws, raw), append(rs, r)
	}
	return raws, rs
}

// rowDump is everything stored of a message: its row (raw decompressed,
// then compressed bytes kept apart), recipients, symbols and hashes.
func rowDump(t *testing.T, st *Store, id string) string {
	t.Helper()
	ctx := context.Background()
	vals := make([]any, msgNCol)
	ptrs := make([]any, msgNCol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := st.queryRow(ctx, `SELECT `+msgColumns+` FROM messages WHERE id = ?`, id).Scan(ptrs...); err != nil {
		t.Fatalf("row %s: %v", id, err)
	}
	var b bytes.Buffer
	for i, v := range vals {
		if i == 27 && v != nil { // raw
			back, err := st.decompress(codecS2, v.([]byte))
			if err != nil {
				t.Fatalf("row %s: %v", id, err)
			}
			fmt.Fprintf(&b, "raw=%q s2=%x\n", back, v)
			continue
		}
		if bs, ok := v.([]byte); ok {
			v = string(bs)
		}
		fmt.Fprintf(&b, "%d=%T %v\n", i, v, v)
	}
	for _, q := range []string{`SELECT addr FROM msg_rcpt WHERE msg_id = ? ORDER BY addr`,
		`SELECT name || ' ' || CAST(score AS TEXT) FROM msg_symbol WHERE msg_id = ? ORDER BY name`,
		`SELECT kind || ' ' || value FROM msg_hash WHERE msg_id = ? ORDER BY kind, value`} {
		rows, err := st.query(ctx, q, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// deterministicIDs makes the ids of new rows a sequence, the clock
// fixed; the function returned starts the sequence again.
func deterministicIDs(t *testing.T, sts ...*Store) (restart func()) {
	n := new(atomic.Int64)
	old := makeID
	makeID = func(time.Time) string { return fmt.Sprintf("%032x", n.Add(1)) }
	t.Cleanup(func() { makeID = old })
	now := time.UnixMilli(1_765_000_000_000)
	for _, st := range sts {
		st.Now = func() time.Time { return now }
	}
	return func() { n.Store(0) }
}

// pooledConfig is the configuration of the pooled-buffer tests: a data
// directory of the test's, messages over 2 KiB kept without their raw
// bytes.
func pooledConfig(t testing.TB) *config.Config {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Quarantine.HistoryMaxMessageBytes = 2 << 10
	return cfg
}

func openPooled(t testing.TB, driver string) *Store {
	t.Helper()
	cfg := pooledConfig(t)
	cfg.Quarantine.Driver = driver
	if driver == "postgres" {
		cfg.Quarantine.DSN = testutil.Postgres(t)
	}
	cfg.Quarantine.HistoryMaxMessages = 1 << 20
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRecordPooledRowsSame: what Record writes from its pooled buffers
// is, row by row and byte by byte (the compressed message included),
// what the unpooled path writes (build copying into slices and strings
// of their own, compress copying out: the code before the buffers were
// pooled) — although the caller overwrites its message as soon as
// Record returns, and each buffer is poisoned when given back and
// reused by later entries.
func TestRecordPooledRowsSame(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			raws, rs := pooledScans(t)
			pooled, ref := openPooled(t, driver), openPooled(t, driver)
			restart := deterministicIDs(t, pooled, ref)
			var ids []string
			for round := range 3 { // later rounds reuse the buffers the first gave back
				for i, raw := range raws {
					mine := bytes.Clone(raw)
					if err := pooled.Record(ctx, mine, rs[i]); err != nil {
						t.Fatal(err)
					}
					for j := range mine {
						mine[j] = 'Z' // the caller's buffer reused at once
					}
					if i%10 == 9 {
						if err := pooled.Flush(ctx); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := pooled.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				_ = round
			}
			// The reference: ids made in the same order.
			restart()
			for range 3 {
				var es []*entry
				for i, raw := range raws {
					e := ref.build(KindHistory, raw, rs[i], len(raw) <= ref.cfg.Quarantine.HistoryMaxMessageBytes, false)
					ids = append(ids, e.m.ID)
					es = append(es, e)
					if e.rawBuf != nil || e.colBuf != nil {
						t.Fatal("an unpooled entry owns a pooled buffer")
					}
				}
				pre := ref.prepare(es, false)
				if n, err := ref.insertSome(ctx, es, pre); err != nil || n != len(es) {
					t.Fatalf("reference: %d rows, %v", n, err)
				}
			}
			for _, id := range ids {
				if got, want := rowDump(t, pooled, id), rowDump(t, ref, id); got != want {
					t.Fatalf("row %s:\n%s\nwant\n%s", id, got, want)
				}
			}
		})
	}
}

// TestRecordDroppedKeepsQueued: entries Record drops (the queue full)
// give their buffers back at once; the entries queued and in the
// writer's batch, whose buffers are others, are written intact while
// the dropped ones' buffers are poisoned and reused by later Records.
func TestRecordDroppedKeepsQueued(t *testing.T) {
	ctx := context.Background()
	raws, rs := pooledScans(t)
	cfg := pooledConfig(t)
	cfg.Quarantine.HistoryQueue = 3
	st, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := openPooled(t, "sqlite")
	deterministicIDs(t, st, ref)
	// The writer waits for the write lock: the queue fills.
	st.wsem <- struct{}{}
	recorded := map[string]int{}
	for round := range 4 {
		for i, raw := range raws {
			mine := bytes.Clone(raw)
			if st.Record(ctx, mine, rs[i]) == nil {
				recorded[rs[i].ID]++
			}
			clear(mine)
		}
		if round == 0 {
			time.Sleep(2 * batchWindow) // the first batch taken, waiting for the lock
		}
	}
	<-st.wsem
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	ws := st.WriterStats()
	if ws.Dropped == 0 || ws.Written == 0 {
		t.Fatalf("%+v: the test drops nothing or writes nothing", ws)
	}
	// Each written row is its scan's, as the unpooled path writes it.
	got := historyRowIDs(t, st)
	if uint64(len(got)) != ws.Written {
		t.Fatalf("%d rows, %d written", len(got), ws.Written)
	}
	byScan := map[string]int{}
	for i, r := range rs {
		byScan[r.ID] = i
	}
	for _, r := range got {
		i := byScan[r.scan]
		e := ref.build(KindHistory, raws[i], rs[i], len(raws[i]) <= ref.cfg.Quarantine.HistoryMaxMessageBytes, false)
		e.m.ID = r.id
		if n, err := ref.insertSome(ctx, []*entry{e}, ref.prepare([]*entry{e}, false)); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if a, b := rowDump(t, st, r.id), rowDump(t, ref, r.id); a != b {
			t.Fatalf("row %s:\n%s\nwant\n%s", r.id, a, b)
		}
	}
}

// TestHeldRowReleasedWithBatch: a held scan's history row that Hold has
// committed is taken out of the writer's batch and its buffers given
// back before the batch is compressed; the rest of the batch is written
// intact, and the held row is Hold's.
func TestHeldRowReleasedWithBatch(t *testing.T) {
	ctx := context.Background()
	raws, rs := pooledScans(t)
	cfg := pooledConfig(t)
	st, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := openPooled(t, "sqlite")
	deterministicIDs(t, st, ref)
	held := *rs[4]
	held.Verdict.Action = pipeline.ActionQuarantine
	st.wsem <- struct{}{} // the writer waits: Record's entries stay queued
	for i := range raws {
		r := rs[i]
		if i == 4 {
			r = &held
		}
		if err := st.Record(ctx, bytes.Clone(raws[i]), r); err != nil {
			t.Fatal(err)
		}
	}
	<-st.wsem
	if _, err := st.Hold(ctx, raws[4], &held); err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range raws {
		var id string
		q := `SELECT id FROM messages WHERE scan_id = ? AND kind = ?`
		if err := st.queryRow(ctx, q, rs[i].ID, KindHistory).Scan(&id); err != nil {
			t.Fatalf("scan %s: %v", rs[i].ID, err)
		}
		if i == 4 {
			if id != st.historyID(&held) {
				t.Fatalf("held scan's history row %s, want %s", id, st.historyID(&held))
			}
			continue
		}
		e := ref.build(KindHistory, raws[i], rs[i], len(raws[i]) <= ref.cfg.Quarantine.HistoryMaxMessageBytes, false)
		e.m.ID = id
		if n, err := ref.insertSome(ctx, []*entry{e}, ref.prepare([]*entry{e}, false)); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if a, b := rowDump(t, st, id), rowDump(t, ref, id); a != b {
			t.Fatalf("row %s:\n%s\nwant\n%s", id, a, b)
		}
	}
}

// TestInsertBatchReleasesOnError: a batch that fails gives its entries'
// buffers back too (and clears what pointed into them).
func TestInsertBatchReleasesOnError(t *testing.T) {
	raws, rs := pooledScans(t)
	st := openPooled(t, "sqlite")
	var es []*entry
	for i := range raws {
		es = append(es, st.build(KindHistory, raws[i], rs[i], true, true))
	}
	if es[0].rawBuf == nil || es[0].colBuf == nil {
		t.Fatal("Record's entries own no pooled buffer")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	all := append([]*entry(nil), es...)
	if _, err := st.insertBatch(ctx, es); err == nil {
		t.Fatal("insertBatch with an ended context wrote")
	}
	for i, e := range all {
		if e.rawBuf != nil || e.colBuf != nil || e.raw != nil || e.verdict != "" || e.symbols != "" {
			t.Fatalf("entry %d kept its buffers after the failed batch", i)
		}
	}
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows (%v)", n, err)
	}
}

// TestPooledColumnsMatch: the columns build writes into its pooled
// buffer are encodeColumns' and symbolColumn's.
func TestPooledColumnsMatch(t *testing.T) {
	raws, rs := pooledScans(t)
	st := openPooled(t, "sqlite")
	rs = append(rs, nil, &pipeline.Result{}, &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{{Name: ""}, {Name: "A"}, {Name: "A"}}}})
	raws = append(raws, nil, []byte("x"), []byte("y"))
	for i, r := range rs {
		p := st.build(KindHistory, raws[i], r, true, true)
		u := st.build(KindHistory, raws[i], r, true, false)
		type cols struct {
			V, U, A, S string
			Odd        []pipeline.SymbolResult
			Raw        []byte
			HasRaw     bool
		}
		a := cols{p.verdict, p.urls, p.atts, p.symbols, p.oddSyms, p.raw, p.m.HasRaw}
		b := cols{u.verdict, u.urls, u.atts, u.symbols, u.oddSyms, u.raw, u.m.HasRaw}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("scan %d: pooled %+v\nunpooled %+v", i, a, b)
		}
		p.release()
	}
}

// TestBatchContextEndsMidway: a batch whose context ends while it is
// written (after its first chunk of rows; its SQLite statements run
// without it: write.go) fails and leaves nothing of it, and the
// connection and the write lock are free again.
func TestBatchContextEndsMidway(t *testing.T) {
	raws, rs := pooledScans(t)
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			st := openPooled(t, driver)
			var es []*entry
			for i := range 3 * writeChunk {
				es = append(es, st.build(KindHistory, raws[i%len(raws)], rs[i%len(rs)], true, true))
			}
			pre := st.prepare(es, true)
			defer releasePrepared(pre)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			chunks := 0
			batchChunkHook = func() {
				if chunks++; chunks == 1 {
					cancel()
				}
			}
			defer func() { batchChunkHook = nil }()
			n, err := st.insertSome(ctx, es, pre)
			if err == nil || chunks != 1 {
				t.Fatalf("a batch whose context ended after its first chunk: %d rows, %v (%d chunks written)", n, err, chunks)
			}
			var rows int
			if err := st.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&rows); err != nil || rows != 0 {
				t.Fatalf("%d rows of the failed batch (%v)", rows, err)
			}
			batchChunkHook = nil
			if n, err := st.insertSome(context.Background(), es[:3], pre[:3]); err != nil || n != 3 {
				t.Fatalf("next batch: %d, %v", n, err)
			}
		})
	}
}

// historyRowIDs lists the history's rows (id and scan id) in the order
// the database returns them.
func historyRowIDs(t *testing.T, st *Store) []rowIDs {
	t.Helper()
	rows, err := st.db.Query(`SELECT id, scan_id FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []rowIDs
	for rows.Next() {
		var r rowIDs
		if err := rows.Scan(&r.id, &r.scan); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

type rowIDs struct{ id, scan string }
