package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus parses every message of $SEKISHO_CORPUS (the SpamAssassin
// public corpus): no panic, invariants hold, and every message has a
// parsed From or gives the header analyzer a reason to flag it (From
// missing or holding no usable address).
func TestCorpus(t *testing.T) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		t.Skip("SEKISHO_CORPUS not set")
	}
	n, noFrom := 0, 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		m := Parse(raw, Limits{})
		checkInvariants(t, m, Limits{})
		n++
		if len(m.From) == 0 || m.From[0].Addr == "" {
			noFrom++
			if strings.Contains(m.FromHeader, "@") {
				t.Errorf("%s: From %q parsed to %+v", p, m.FromHeader, m.From)
			}
			t.Logf("%s: no usable From (%q)", filepath.Base(p), m.FromHeader)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("empty corpus")
	}
	t.Logf("%d messages, %d without a usable From", n, noFrom)
}
