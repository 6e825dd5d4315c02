package quarantine_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
	if meta != "2" {
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
