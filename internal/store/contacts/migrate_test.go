package contacts

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/store/migrate"
)

// TestMigrateFromV1: a file of the first release (its schema, no
// schema_version) is opened with its rows kept and version 1 recorded.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema + `INSERT INTO pairs VALUES ('tanaka@example.jp', 'sato@partner.example', 'partner.example', 1700000000, 1700000000, 3);
INSERT INTO rcpts VALUES ('tanaka@example.jp', 3);`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := st.Known(ctx, "tanaka@example.jp", "sato@partner.example")
	if err != nil || !k.AddrSeen || k.RcptHistory != 3 {
		t.Fatalf("rows lost: %+v %v", k, err)
	}
	if v, err := migrate.Version(ctx, st.db, "sqlite", "contacts"); err != nil || v != len(Migrations) {
		t.Fatalf("version %d %v", v, err)
	}
}
