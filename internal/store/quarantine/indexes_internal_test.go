package quarantine

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of q, one line per step.
func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

// TestRcptQueriesSkipAddrIndex: on SQLite no query of the store searches
// msg_rcpt by address alone (migration 5 dropped its addr index there):
// with the index put back, the filters by recipient and the restricted
// lists still go through the primary key (msg_id, addr), per message.
func TestRcptQueriesSkipAddrIndex(t *testing.T) {
	s := openPooled(t, "sqlite")
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `CREATE INDEX msg_rcpt_addr ON msg_rcpt (addr)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{
		{Rcpt: "tanaka"},
		{Restrict: []string{"tanaka@example.jp"}},
		{Restrict: []string{"tanaka@example.jp", "sato@example.jp"}, Kind: KindQuarantine},
		{Rcpt: "example.jp", Kind: KindHistory, Restrict: []string{"tanaka@example.jp"}},
	} {
		where, args := f.where(s.dialect)
		for _, q := range []string{`SELECT COUNT(*) FROM messages m` + where,
			`SELECT ` + listCols + ` FROM messages m` + where + ` ORDER BY ` + f.order() + ` LIMIT 50 OFFSET 0`} {
			p := queryPlan(t, s, q, args...)
			if strings.Contains(p, "msg_rcpt_addr") {
				t.Errorf("%+v: the plan uses msg_rcpt_addr:\n%s", f, p)
			}
		}
	}
	if p := queryPlan(t, s, `SELECT msg_id, addr FROM msg_rcpt WHERE msg_id IN (?, ?) ORDER BY addr`, "a", "b"); strings.Contains(p, "msg_rcpt_addr") {
		t.Errorf("Copies' recipients: the plan uses msg_rcpt_addr:\n%s", p)
	}
}

// TestScanIndexHeldOnly: ByScanIDs finds held messages by scan id, never
// the history rows of the same scans, through an index; migration 5's
// dropped indexes are gone on SQLite.
func TestScanIndexHeldOnly(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			s := openPooled(t, driver)
			s.cfg.Quarantine.History = true
			ctx := context.Background()
			raw := []byte("From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n")
			held := map[string]string{}
			for i, id := range []string{"scan-a", "scan-b", "scan-c"} {
				r := &pipeline.Result{ID: id, Env: pipeline.Envelope{Rcpts: []string{"tanaka@example.jp"}}}
				r.Verdict.Action = pipeline.ActionAccept
				if i < 2 {
					r.Verdict.Action = pipeline.ActionQuarantine
					hid, err := s.Hold(ctx, append(raw, byte('0'+i)), r)
					if err != nil {
						t.Fatal(err)
					}
					held[id] = hid
				}
				if err := s.Record(ctx, raw, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			ms, err := s.ByScanIDs(ctx, []string{"scan-a", "scan-b", "scan-c", "scan-x"})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 2 {
				t.Fatalf("ByScanIDs: %d messages, want the 2 held", len(ms))
			}
			for _, m := range ms {
				if m.Kind != KindQuarantine || held[m.ScanID] != m.ID {
					t.Errorf("ByScanIDs: %s %s %s", m.ID, m.Kind, m.ScanID)
				}
			}
			var n int
			if err := s.queryRow(ctx, `SELECT COUNT(*) FROM messages WHERE kind = 'history'`).Scan(&n); err != nil || n != 3 {
				t.Fatalf("history rows: %d %v", n, err)
			}
			q := `SELECT id FROM messages m WHERE m.kind = '` + KindQuarantine + `' AND m.scan_id IN (?, ?)`
			if driver == "postgres" {
				// The planner can use the partial index for the query as
				// written (a table this small is otherwise read whole, or
				// through messages_kind_time: both off here, rolled back).
				tx, err := s.db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.ExecContext(ctx, `DROP INDEX messages_kind_time`); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
					t.Fatal(err)
				}
				var plan []string
				rows, err := tx.QueryContext(ctx, `EXPLAIN `+s.rebind(q), "scan-a", "scan-b")
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var l string
					_ = rows.Scan(&l)
					plan = append(plan, l)
				}
				rows.Close()
				if p := strings.Join(plan, "\n"); !strings.Contains(p, "messages_scan_held") {
					t.Errorf("ByScanIDs cannot use messages_scan_held:\n%s", p)
				}
				return
			}
			// Without statistics SQLite searches the held messages through
			// messages_kind_time (as it did with the full messages_scan);
			// never the whole table.
			if p := queryPlan(t, s, q, "scan-a", "scan-b"); !strings.Contains(p, "SEARCH m USING INDEX messages_") {
				t.Errorf("ByScanIDs searches no index:\n%s", p)
			}
			for _, idx := range []string{"messages_scan", "msg_rcpt_addr"} {
				var c int
				if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, idx).Scan(&c); err != nil || c != 0 {
					t.Errorf("index %s still there (%d, %v)", idx, c, err)
				}
			}
		})
	}
}

// TestHoldLookupNotReprepared: the prepared hold lookup is not prepared
// again by SQLite at each hold (its plan must not depend on a bound
// value: see holdLookup). Counted by sqlite3_stmt_status(REPREPARE) of
// the statement on each connection (the driver's connection handle is
// read by reflection).
func TestHoldLookupNotReprepared(t *testing.T) {
	s := openPooled(t, "sqlite")
	s.cfg.Quarantine.History = true
	ctx := context.Background()
	for i := range 20 {
		raw := fmt.Appendf(nil, "From: a@example.com\r\nMessage-ID: <m%d@example.com>\r\nSubject: s\r\n\r\nbody %d\r\n", i, i)
		r := &pipeline.Result{ID: fmt.Sprint("scan-", i), Env: pipeline.Envelope{Rcpts: []string{"tanaka@example.jp"}},
			Msg: mail.Parse(raw, mail.DefaultLimits())}
		r.Verdict.Action = pipeline.ActionQuarantine
		if _, err := s.Hold(ctx, raw, r); err != nil {
			t.Fatal(err)
		}
	}
	stats := s.db.Stats()
	var conns []*sql.Conn
	for range stats.OpenConnections {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	found := 0
	for _, c := range conns {
		err := c.Raw(func(dc any) error {
			v := reflect.ValueOf(dc).Elem()
			db := uintptr(v.FieldByName("db").Uint())
			tlsf := v.FieldByName("tls")
			tls := (*libc.TLS)(unsafe.Pointer(tlsf.Pointer()))
			for p := sqlite3.Xsqlite3_next_stmt(tls, db, 0); p != 0; p = sqlite3.Xsqlite3_next_stmt(tls, db, p) {
				q := libc.GoString(sqlite3.Xsqlite3_sql(tls, p))
				if !strings.Contains(q, "CROSS JOIN messages") {
					continue
				}
				found++
				if n := sqlite3.Xsqlite3_stmt_status(tls, p, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0); n > 1 {
					t.Errorf("the hold lookup was prepared again %d times", n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if found == 0 {
		t.Fatal("the hold lookup is prepared on no connection")
	}
}
