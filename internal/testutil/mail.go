package testutil

import (
	"testing"

	"github.com/sekisho/sekisho/internal/mailsrc"
)

// ReadMessages returns every message under dir; a read error or an empty
// directory fails the test.
func ReadMessages(t testing.TB, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	err := mailsrc.Walk([]string{dir}, func(it mailsrc.Item) error {
		if it.Err != nil {
			return it.Err
		}
		out = append(out, it.Raw)
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("%s: %d messages, %v", dir, len(out), err)
	}
	return out
}
