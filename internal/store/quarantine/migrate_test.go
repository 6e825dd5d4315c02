package quarantine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/migrate"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestMigrateFromV1SQLite opens a database written by the first release
// (testdata/schema-v1.sql: the .dump of a quarantine.db that release
// created, with a held phishing message, a history entry and an admin
// account) and checks that the upgrade keeps every row and records the
// new version.
func TestMigrateFromV1SQLite(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, "sqlite", "")
	path := filepath.Join(cfg.General.DataDir, "quarantine.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(fixture(t, "schema-v1.sql"))); err != nil {
		t.Fatal(err)
	}
	// The fixture's rows must not expire while the test runs, whatever
	// the date: move their expiry a year ahead (data unchanged otherwise).
	if _, err := db.Exec(`UPDATE messages SET expires_at = ?`, time.Now().Add(365*24*time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkMigrated(t, st)
	msgs, n, err := st.List(ctx, quarantine.Filter{})
	if err != nil || n != 2 || len(msgs) != 2 {
		t.Fatalf("messages after migration: %d %v", n, err)
	}
	var held string
	for _, m := range msgs {
		if m.Kind == quarantine.KindQuarantine {
			held = m.ID
		}
	}
	raw, err := st.Get(ctx, held)
	if err != nil || !bytes.Equal(raw, fixture(t, "phish-o365.eml")) {
		t.Fatalf("held message not kept byte for byte: %v", err)
	}
	if u, ok := st.Accounts().Authenticate(ctx, "admin", "correct horse battery"); !ok || u.Role != "admin" {
		t.Fatalf("admin account lost: %+v", u)
	}
	// Reopening is a no-op.
	st.Close()
	st2, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkMigrated(t, st2)
	st2.Close()
}

// checkMigrated: schema_version holds every step, meta.schema the last.
func checkMigrated(t *testing.T, st *quarantine.Store) {
	t.Helper()
	ctx := context.Background()
	v, err := migrate.Version(ctx, st.DB(), st.Dialect(), "quarantine")
	if err != nil || v != len(quarantine.Migrations) {
		t.Fatalf("version %d %v, want %d", v, err, len(quarantine.Migrations))
	}
	var n int
	st.DB().QueryRow(`SELECT COUNT(*) FROM schema_version WHERE component = 'quarantine'`).Scan(&n)
	if n != len(quarantine.Migrations) {
		t.Fatalf("schema_version rows %d", n)
	}
	var meta string
	st.DB().QueryRow(`SELECT v FROM meta WHERE k = 'schema'`).Scan(&meta)
	if meta != strconv.Itoa(len(quarantine.Migrations)) {
		t.Fatalf("meta.schema = %q", meta)
	}
}

// TestMigrateFromV1Postgres: the first release's tables on PostgreSQL,
// with rows, upgraded in place.
func TestMigrateFromV1Postgres(t *testing.T) {
	ctx := context.Background()
	dsn := testutil.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range quarantine.Migrations[0].SQL { // version 1, as that release created it
		if _, err := db.Exec(strings.ReplaceAll(q, "{blob}", "BYTEA")); err != nil {
			t.Fatal(err)
		}
	}
	exp := time.Now().Add(365 * 24 * time.Hour).UnixMilli()
	for _, q := range []string{
		`INSERT INTO meta (k, v) VALUES ('schema', '1')`,
		`INSERT INTO messages (id, kind, received_at, expires_at, subject, action, category, score) VALUES ('m1', 'quarantine', 1700000000000, ` + strconv.FormatInt(exp, 10) + `, 'Your mailbox is full', 'quarantine', 'phishing', 12.5)`,
		`INSERT INTO msg_rcpt (msg_id, addr) VALUES ('m1', 'tanaka@example.jp')`,
		`INSERT INTO audit (at, username, action, msg_id) VALUES (1700000000000, 'admin', 'release', 'm1')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t, "postgres", dsn)
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkMigrated(t, st)
	m, err := st.Message(ctx, "m1", false)
	if err != nil || m.Subject != "Your mailbox is full" || m.Score != 12.5 {
		t.Fatalf("row lost: %+v %v", m, err)
	}
	if ok, _ := st.CanSee(ctx, "m1", []string{"tanaka@example.jp"}); !ok {
		t.Fatal("recipient row lost")
	}
}

// TestMigrateRefusesNewer: a database written by a newer sekisho (a
// downgrade) is refused, not written to.
func TestMigrateRefusesNewer(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, "sqlite", "")
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO schema_version (component, version, name) VALUES ('quarantine', 99, 'from the future')`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = quarantine.Open(ctx, cfg, nil)
	if !errors.Is(err, migrate.ErrTooNew) {
		t.Fatalf("newer database opened: %v", err)
	}
}

// TestMigrateConcurrentPostgres: instances starting together on one
// PostgreSQL all open it; the schema is created once.
func TestMigrateConcurrentPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := testutil.Postgres(t)
	const n = 4
	errs := make(chan error, n)
	stores := make(chan *quarantine.Store, n)
	for i := 0; i < n; i++ {
		go func() {
			st, err := quarantine.Open(ctx, testConfig(t, "postgres", dsn), nil)
			errs <- err
			stores <- st
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
		if st := <-stores; st != nil {
			defer st.Close()
			checkMigrated(t, st)
		}
	}
}

// TestMigrateV2RowsFoundSQLite: rows written before version 3 (one
// msg_symbol row per symbol, link hashes in msg_hash, no symbols column)
// are still found by the symbol and hash filters and counted by
// TopSymbols, beside rows written since.
func TestMigrateV2RowsFoundSQLite(t *testing.T) {
	cfg := testConfig(t, "sqlite", "")
	path := filepath.Join(cfg.General.DataDir, "quarantine.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	v2RowsFound(t, cfg, db, "sqlite")
}

// TestMigrateV2RowsFoundPostgres is the same on PostgreSQL.
func TestMigrateV2RowsFoundPostgres(t *testing.T) {
	dsn := testutil.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	v2RowsFound(t, testConfig(t, "postgres", dsn), db, "postgres")
}

func v2RowsFound(t *testing.T, cfg *config.Config, db *sql.DB, dialect string) {
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, dialect, "quarantine", quarantine.Migrations[:2]); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exp := now.Add(365 * 24 * time.Hour).UnixMilli()
	sum := sha256.Sum256([]byte("https://old.example/x"))
	urlHash, attHash := hex.EncodeToString(sum[:]), strings.Repeat("d2", 32)
	urls := `[{"url":"https://old.example/x","host":"old.example","sha256":"` + urlHash + `"}]`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO messages (id, kind, received_at, expires_at, subject, action, category, score, urls) VALUES (?, 'history', ?, ?, 'old one', 'tag', 'spam', 7, ?)`,
			[]any{"0123456789abcdef01234567", now.Add(-time.Minute).UnixMilli(), exp, urls}},
		{`INSERT INTO msg_symbol (msg_id, name, score) VALUES (?, 'OLD_ONLY', 1), (?, 'SHARED_SYM', 2)`, []any{"0123456789abcdef01234567", "0123456789abcdef01234567"}},
		{`INSERT INTO msg_hash (msg_id, kind, value) VALUES (?, 'url', ?), (?, 'attachment', ?)`, []any{"0123456789abcdef01234567", urlHash, "0123456789abcdef01234567", attHash}},
	} {
		if _, err := db.Exec(migrate.Rebind(dialect, q.sql), q.args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkMigrated(t, st)
	var idx int
	if dialect == "sqlite" {
		st.DB().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'msg_symbol_name'`).Scan(&idx)
	} else {
		st.DB().QueryRow(`SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'msg_symbol_name'`).Scan(&idx)
	}
	if idx != 0 {
		t.Fatal("msg_symbol_name still there")
	}

	// A new row with the same link, another attachment and symbols in
	// the column (one name with a space keeps a msg_symbol row).
	r := &pipeline.Result{ID: "new-scan", Time: now}
	r.Verdict.Action, r.Verdict.Category, r.Verdict.Score = pipeline.ActionTag, pipeline.CategorySpam, 6
	r.Verdict.Symbols = []pipeline.SymbolResult{{Name: "SHARED_SYM", Score: 2}, {Name: "NEW_ONLY", Score: 1}, {Name: "NEW", Score: 1}, {Name: "ODD NAME", Score: 1}, {Name: "NEW_ONLY", Score: 1}}
	r.URLs = []mail.URL{{Raw: "https://old.example/x", Host: "old.example"}}
	r.Verdict.Attachments = []pipeline.AttachmentInfo{{Name: "a.html", SHA256: strings.ToUpper(strings.Repeat("e3", 32))}}
	if err := st.Record(ctx, []byte("Subject: new one\r\n\r\nbody\r\n"), r); err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	ms, _, err := st.List(ctx, quarantine.Filter{Symbol: "NEW_ONLY"})
	if err != nil || len(ms) != 1 {
		t.Fatalf("new row: %d %v", len(ms), err)
	}
	newID := ms[0].ID
	if len(newID) != quarantine.IDLen {
		t.Fatalf("new id %q", newID)
	}
	var col string
	st.DB().QueryRow(migrate.Rebind(dialect, `SELECT symbols FROM messages WHERE id = ?`), newID).Scan(&col)
	if col != " SHARED_SYM NEW_ONLY NEW " {
		t.Fatalf("symbols column %q", col)
	}
	var hashes, syms int
	st.DB().QueryRow(migrate.Rebind(dialect, `SELECT COUNT(*) FROM msg_hash WHERE msg_id = ?`), newID).Scan(&hashes)
	st.DB().QueryRow(migrate.Rebind(dialect, `SELECT COUNT(*) FROM msg_symbol WHERE msg_id = ?`), newID).Scan(&syms)
	if hashes != 1 || syms != 1 {
		t.Fatalf("new row: %d msg_hash rows (want the attachment's), %d msg_symbol rows (want the odd name's)", hashes, syms)
	}

	ids := func(f quarantine.Filter) string {
		t.Helper()
		ms, n, err := st.List(ctx, f)
		if err != nil || n != len(ms) {
			t.Fatalf("%+v: %d of %d: %v", f, len(ms), n, err)
		}
		var out []string
		for _, m := range ms {
			switch m.ID {
			case newID:
				out = append(out, "new")
			case "0123456789abcdef01234567":
				out = append(out, "old")
			default:
				out = append(out, m.ID)
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    quarantine.Filter
		want string
	}{
		{quarantine.Filter{Symbol: "OLD_ONLY"}, "old"},
		{quarantine.Filter{Symbol: "old_only"}, "old"},
		{quarantine.Filter{Symbol: "NEW_ONLY"}, "new"},
		{quarantine.Filter{Symbol: "NEW"}, "new"},
		{quarantine.Filter{Symbol: "SHARED_SYM"}, "new,old"},
		{quarantine.Filter{Symbol: "ODD NAME"}, "new"},
		{quarantine.Filter{Symbol: "SHARED"}, ""},
		{quarantine.Filter{Symbol: "ONLY"}, ""},
		{quarantine.Filter{Symbol: "NEW_"}, ""},
		{quarantine.Filter{Symbol: "SHARED_SYM NEW_ONLY"}, ""},
		{quarantine.Filter{Symbol: "%"}, ""},
		{quarantine.Filter{Hash: urlHash}, "new,old"},
		{quarantine.Filter{Hash: strings.ToUpper(urlHash)}, "new,old"},
		{quarantine.Filter{Hash: urlHash[:32]}, ""},
		{quarantine.Filter{Hash: attHash}, "old"},
		{quarantine.Filter{Hash: strings.Repeat("e3", 32)}, "new"},
		{quarantine.Filter{Kind: quarantine.KindHistory, Symbol: "SHARED_SYM", Hash: urlHash}, "new,old"},
	} {
		if got := ids(c.f); got != c.want {
			t.Errorf("%+v: got %q want %q", c.f, got, c.want)
		}
	}
	top, err := st.TopSymbols(ctx, now.Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []quarantine.SymbolCount{{Name: "SHARED_SYM", Count: 2}, {Name: "NEW", Count: 1}, {Name: "NEW_ONLY", Count: 1}, {Name: "ODD NAME", Count: 1}, {Name: "OLD_ONLY", Count: 1}}
	if !slices.Equal(top, want) {
		t.Fatalf("top symbols %v, want %v", top, want)
	}
	if top, _ := st.TopSymbols(ctx, now.Add(-time.Hour), 2); !slices.Equal(top, want[:2]) {
		t.Fatalf("top 2 %v", top)
	}
	// Deleting either shape leaves no side rows.
	for _, id := range []string{newID, "0123456789abcdef01234567"} {
		if err := st.Delete(ctx, id, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tbl := range []string{"msg_symbol", "msg_hash", "msg_rcpt"} {
		var n int
		st.DB().QueryRow(`SELECT COUNT(*) FROM ` + tbl).Scan(&n)
		if n != 0 {
			t.Errorf("%s: %d rows left", tbl, n)
		}
	}
}
