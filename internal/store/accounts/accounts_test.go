package accounts_test

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store/accounts"
)

// The accounts' queries run in the quarantine store's suite on SQLite and
// PostgreSQL (internal/store/quarantine TestStoreSQLite, TestStorePostgres:
// "users and sessions", audit of release and delete), over the database
// they share.

// TestPasswordHash checks the argon2id format round trip.
func TestPasswordHash(t *testing.T) {
	h := accounts.HashPassword("パスワード")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || !accounts.CheckPassword(h, "パスワード") || accounts.CheckPassword(h, "x") {
		t.Fatal(h)
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "$bcrypt$x$y$z$w"} {
		if accounts.CheckPassword(bad, "x") {
			t.Fatal(bad)
		}
	}
}
