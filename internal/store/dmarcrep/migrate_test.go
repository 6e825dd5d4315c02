package dmarcrep

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store/migrate"
)

// TestMigrateFromV1: a row file of the first release (no schema_version)
// keeps its rows and records version 1.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dmarc.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema + `INSERT INTO rows VALUES ('s1', 1700000000, 'example.jp', 'mailto:d@example.jp', 'r', 'r', 'reject', 'reject', 100,
 '198.51.100.7', 'example.jp', 'example.jp', 'pass', 'pass', 1, 1, 'none');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Rows(ctx, time.Unix(1699999999, 0), time.Unix(1700000001, 0))
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows lost: %d %v", len(rows), err)
	}
	if v, err := migrate.Version(ctx, st.db, "sqlite", "dmarcrep"); err != nil || v != len(Migrations) {
		t.Fatalf("version %d %v", v, err)
	}
}
