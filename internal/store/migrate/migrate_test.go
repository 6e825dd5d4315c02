package migrate

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var v1 = Step{Version: 1, Name: "people", SQL: []string{`CREATE TABLE IF NOT EXISTS people (name TEXT PRIMARY KEY, full TEXT NOT NULL, photo {blob})`}}

// v2 splits a column: a new shape with the data moved.
var v2 = Step{Version: 2, Name: "split names",
	SQL: []string{`ALTER TABLE people ADD COLUMN family TEXT NOT NULL DEFAULT ''`},
	Func: func(ctx context.Context, tx *sql.Tx, dialect string) error {
		_, err := tx.ExecContext(ctx, `UPDATE people SET family = substr(full, instr(full, ' ') + 1)`)
		return err
	}}

func TestUpgradeKeepsData(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if r, err := Apply(ctx, db, "sqlite", "people", []Step{v1}); err != nil || r.From != 0 || r.To != 1 {
		t.Fatalf("v1: %+v %v", r, err)
	}
	db.Exec(`INSERT INTO people (name, full) VALUES ('taro', 'Taro Yamada')`)
	r, err := Apply(ctx, db, "sqlite", "people", []Step{v1, v2})
	if err != nil || r.From != 1 || r.To != 2 {
		t.Fatalf("v2: %+v %v", r, err)
	}
	var fam string
	if err := db.QueryRow(`SELECT family FROM people WHERE name = 'taro'`).Scan(&fam); err != nil || fam != "Yamada" {
		t.Fatalf("data after v2: %q %v", fam, err)
	}
	// Again: nothing to do.
	if r, err := Apply(ctx, db, "sqlite", "people", []Step{v1, v2}); err != nil || r.From != 2 || r.To != 2 {
		t.Fatalf("again: %+v %v", r, err)
	}
	// Other components in the same database keep their own version.
	if v, _ := Version(ctx, db, "sqlite", "other"); v != 0 {
		t.Fatalf("other component at %d", v)
	}
	// A binary that knows only v1 refuses the v2 database.
	if _, err := Apply(ctx, db, "sqlite", "people", []Step{v1}); !errors.Is(err, ErrTooNew) {
		t.Fatalf("downgrade: %v", err)
	}
}

func TestFailedStepRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	bad := Step{Version: 2, Name: "broken", SQL: []string{`ALTER TABLE people ADD COLUMN x TEXT`, `THIS IS NOT SQL`}}
	if _, err := Apply(ctx, db, "sqlite", "people", []Step{v1, bad}); err == nil {
		t.Fatal("broken migration applied")
	}
	// Nothing of it stays: not even version 1 of the same run.
	if v, _ := Version(ctx, db, "sqlite", "people"); v != 0 {
		t.Fatalf("version %d after a failed run", v)
	}
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'people'`).Scan(&n)
	if n != 0 {
		t.Fatal("table of a rolled-back run remains")
	}
	if _, err := Apply(ctx, db, "sqlite", "people", []Step{{Version: 2}}); err == nil {
		t.Fatal("misnumbered steps accepted")
	}
}

func TestRebind(t *testing.T) {
	if got := Rebind("postgres", "a = ? AND b = ?"); got != "a = $1 AND b = $2" {
		t.Fatal(got)
	}
	if got := Rebind("sqlite", "a = ?"); got != "a = ?" {
		t.Fatal(got)
	}
}
