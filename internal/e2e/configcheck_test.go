package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// configCheck runs `sekisho config check` on text and returns its output.
func configCheck(t *testing.T, text string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "sekisho.toml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf("[general]\ndata_dir = %q\n", filepath.Join(dir, "data"))+text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sekishoBin(t), "config", "check", path).CombinedOutput()
	return string(out), err
}

// TestConfigCheckAllErrors: one run names every bad value, not the first.
func TestConfigCheckAllErrors(t *testing.T) {
	out, err := configCheck(t, `log_level = "loud"
[web]
default_language = "fr"
[quarantine]
driver = "mysql"
[policy]
tag_score = 20.0
`)
	if err == nil {
		t.Fatalf("bad configuration accepted:\n%s", out)
	}
	for _, want := range []string{"general.log_level", "web.default_language", "quarantine.driver", "tag_score <= quarantine_score"} {
		if !strings.Contains(out, want) {
			t.Errorf("not reported: %s\n%s", want, out)
		}
	}
}

// TestConfigCheckServices: config check connects to the configured
// PostgreSQL and Redis, says so, and fails on an address that answers
// nothing.
func TestConfigCheckServices(t *testing.T) {
	closed := freePort(t)
	out, err := configCheck(t, fmt.Sprintf("[quarantine]\ndriver = \"postgres\"\ndsn = \"postgres://sekisho:secret@127.0.0.1:%d/sekisho?connect_timeout=3\"\n", closed))
	if err == nil || !strings.Contains(out, "cannot connect to PostgreSQL") || strings.Contains(out, "secret") {
		t.Fatalf("unreachable PostgreSQL: err=%v\n%s", err, out)
	}
	dsn := testutil.Postgres(t)
	rurl := redistest.Start(t)
	out, err = configCheck(t, fmt.Sprintf("[quarantine]\ndriver = \"postgres\"\ndsn = %q\n[bayes]\nbackend = \"redis\"\nredis_url = %q\n", dsn, rurl))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"quarantine: PostgreSQL ", ": connected", "bayes: Redis at redis://127.0.0.1:", ": ok ("} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestConfigCheckConsoleCert: a console certificate that does not load is
// reported by config check, not first by serve.
func TestConfigCheckConsoleCert(t *testing.T) {
	dir := t.TempDir()
	out, err := configCheck(t, fmt.Sprintf("[web]\ntls_cert = %q\ntls_key = %q\n", filepath.Join(dir, "missing.crt"), filepath.Join(dir, "missing.key")))
	if err == nil || !strings.Contains(out, "console tls") {
		t.Fatalf("missing certificate accepted: %v\n%s", err, out)
	}
	cert, key := filepath.Join(dir, "c.crt"), filepath.Join(dir, "c.key")
	writeSelfSigned(t, "check.sekisho.test", cert, key)
	if out, err := configCheck(t, fmt.Sprintf("[web]\ntls_cert = %q\ntls_key = %q\n", cert, key)); err != nil {
		t.Fatalf("good certificate refused: %v\n%s", err, out)
	}
	if out, err := configCheck(t, fmt.Sprintf("[web]\ntls_cert = %q\n", cert)); err == nil || !strings.Contains(out, "set together") {
		t.Fatalf("certificate without key accepted: %v\n%s", err, out)
	}
}
