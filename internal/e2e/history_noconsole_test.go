package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestHistoryWithoutConsole: a daemon with only a scanning front end (the
// console off, as behind an MTA) keeps the scan history when [quarantine]
// history is on: a message scanned through the Rspamd protocol is listed
// by `quarantine list --history` after the daemon stops.
func TestHistoryWithoutConsole(t *testing.T) {
	bin := sekishoBin(t)
	dir := t.TempDir()
	port := freePort(t)
	cfgPath := filepath.Join(dir, "sekisho.toml")
	cfg := fmt.Sprintf(`[general]
data_dir = %q
[quarantine]
history = true
[bayes]
enabled = false
[serve.milter]
enabled = false
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.console]
enabled = false
[serve.rspamd]
enabled = true
listen = "127.0.0.1:%d"
`, filepath.Join(dir, "data"), port)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", cfgPath, "serve")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	waitPort(t, port, 60*time.Second)
	msg := "From: a@example.com\r\nTo: b@example.org\r\nSubject: history without console 8e1f\r\n\r\nhello\r\n"
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/checkv2", port), "message/rfc822", strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("checkv2: %s", resp.Status)
	}
	// Through rspamc (the real peer: skipped when it is not installed,
	// failed when SEKISHO_REQUIRE_PEERS=1): its --hostname is the
	// client's resolved name and -d the delivery recipient, which the
	// history keeps as the client host and the recipient.
	sent := false
	t.Run("rspamc", func(t *testing.T) {
		rspamc := testutil.LookPeer(t, "rspamc")
		eml := filepath.Join(dir, "hostname.eml")
		if err := os.WriteFile(eml, []byte("From: c@example.com\r\nTo: d@example.org\r\nSubject: rspamc hostname 41c7\r\n\r\nhello\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if o, err := exec.Command(rspamc, "-h", fmt.Sprintf("127.0.0.1:%d", port), "-t", "30", "-i", "198.51.100.7",
			"--hostname", "mx1.example.net", "-d", "tanaka@example.jp", eml).CombinedOutput(); err != nil {
			t.Fatalf("rspamc: %v\n%s", err, o)
		}
		sent = true
	})
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop\n%s", out.String())
	}
	list, err := exec.Command(bin, "--config", cfgPath, "quarantine", "list", "--history").CombinedOutput()
	if err != nil {
		t.Fatalf("list: %v\n%s", err, list)
	}
	if !strings.Contains(string(list), "history without console 8e1f") {
		t.Fatalf("scan not in the history:\n%s\nserve log:\n%s", list, out.String())
	}
	if !sent {
		return
	}
	js, err := exec.Command(bin, "--config", cfgPath, "quarantine", "list", "--history", "--json", "--subject", "rspamc hostname 41c7").CombinedOutput()
	if err != nil {
		t.Fatalf("list --json: %v\n%s", err, js)
	}
	for _, want := range []string{`"client_host":"mx1.example.net"`, `"tanaka@example.jp"`, `"client_ip":"198.51.100.7"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("history row of the rspamc scan lacks %s:\n%s", want, js)
		}
	}
}
