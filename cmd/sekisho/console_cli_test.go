package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestQuarantineAndUserCLI drives the real binary: quarantine
// list/show/export/release/delete and user add/list/passwd/del on the
// SQLite store.
func TestQuarantineAndUserCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := sekishoBin(t)
	sink := testutil.SMTPSink(t)
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "sekisho.toml")
	if err := os.WriteFile(cfgPath, []byte("[general]\ndata_dir = \""+data+"\"\n[quarantine]\nrelease_host = \""+sink.Addr+"\"\nrelease_starttls = \"none\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../internal/store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := eng.Scan(context.Background(), raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), MailFrom: "micros0ftsupport@hotmail.com", Rcpts: []string{"tanaka@example.jp"}, Frontend: "smtp"})
	eng.Close()
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Hold(context.Background(), raw, r)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-c", cfgPath}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("sekisho %v: %v\n%s%s", args, err, out.String(), errb.String())
		}
		return out.String()
	}
	out := run("", "quarantine", "list", "--json")
	var row map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &row); err != nil || row["id"] != id {
		t.Fatalf("list: %v %q", err, out)
	}
	if out := run("", "quarantine", "list", "--subject", "office"); !strings.Contains(out, id) {
		t.Fatalf("list filter: %q", out)
	}
	if out := run("", "quarantine", "list", "--subject", "nothing-like-this"); strings.Contains(out, id) {
		t.Fatalf("list filter matched: %q", out)
	}
	out = run("", "quarantine", "show", id)
	for _, want := range []string{"micros0ft-login.example", "HDR_FROM_NAME_HAS_ADDRESS", "tanaka@example.jp"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if out := run("", "quarantine", "export", id); out != string(raw) {
		t.Fatal("export differs from the original")
	}
	run("", "quarantine", "release", "--by", "ops", id)
	got := sink.Wait(t, 10*time.Second)
	if !bytes.Equal(got.Data, raw) {
		t.Fatal("released bytes differ")
	}
	if out := run("", "quarantine", "show", "--json", id); !strings.Contains(out, `"released_by": "ops"`) {
		t.Fatalf("release not recorded:\n%s", out)
	}
	run("", "quarantine", "delete", id)
	if out := run("", "quarantine", "list", "--json"); strings.TrimSpace(out) != "" {
		t.Fatalf("after delete: %q", out)
	}

	run("s3cret-pass\n", "user", "add", "sato", "--address", "sato@example.jp", "--password-stdin")
	out = run("", "user", "add", "--role", "admin", "boss")
	if !strings.Contains(out, "password: ") {
		t.Fatalf("generated password not shown: %q", out)
	}
	out = run("", "user", "list")
	if !strings.Contains(out, "sato") || !strings.Contains(out, "recipient") || !strings.Contains(out, "boss") {
		t.Fatalf("user list: %q", out)
	}
	// Shorter than the console's 10 characters: refused.
	short := exec.Command(bin, "-c", cfgPath, "user", "passwd", "sato", "--password-stdin")
	short.Stdin = strings.NewReader("n3w-pass\n")
	if out, err := short.CombinedOutput(); err == nil || !strings.Contains(string(out), "at least 10") {
		t.Fatalf("short password accepted: %v %s", err, out)
	}
	run("n3w-pass-2026\n", "user", "passwd", "sato", "--password-stdin")
	st, err = quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Accounts().Authenticate(context.Background(), "sato", "n3w-pass-2026"); !ok {
		t.Fatal("new password not set")
	}
	st.Close()
	run("", "user", "del", "sato")
	if out := run("", "user", "list"); strings.Contains(out, "sato") {
		t.Fatalf("not deleted: %q", out)
	}
}
