package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// httpGet returns the status and body of a GET on loopback.
func httpGet(t testing.TB, port int, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// TestHealthEndpoints: /healthz and /readyz answer on the console and
// Rspamd ports without a password, for load balancers.
func TestHealthEndpoints(t *testing.T) {
	sk := startSink(t)
	sek := startSekisho(t, sk.port, "")
	for _, port := range []int{sek.p.console, sek.p.rspamd} {
		if code, body := httpGet(t, port, "/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("port %d /healthz: %d %q", port, code, body)
		}
		// Ready once serve logged "sekisho serving": poll, no fixed time.
		deadline := time.Now().Add(startTimeout)
		for {
			code, body := httpGet(t, port, "/readyz")
			if code == 200 && body == "ready\n" {
				break
			}
			if code != 503 || time.Now().After(deadline) {
				t.Fatalf("port %d /readyz: %d %q", port, code, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// BenchmarkServeStart measures start-up: `sekisho serve` on a fresh data
// directory (new SQLite database, first admin account) until /readyz
// answers 200. Reports ms to ready.
//
//	go test ./internal/e2e -run '^$' -bench ServeStart -benchtime 5x
func BenchmarkServeStart(b *testing.B) {
	bin := testutil.Binary(b)
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		port := testutil.FreePort(b)
		cfg := fmt.Sprintf(`[general]
data_dir = %q
[serve.milter]
enabled = false
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.rspamd]
enabled = false
[serve.console]
listen = "127.0.0.1:%d"
`, filepath.Join(dir, "data"), port)
		path := filepath.Join(dir, "sekisho.toml")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		cmd := exec.Command(bin, "serve", "--config", path)
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		c := &http.Client{Timeout: time.Second}
		for {
			resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > startTimeout {
				cmd.Process.Kill()
				b.Fatal("never ready")
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-ready")
		cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
}

// TestRspamdQuarantineReply: over the Rspamd protocol a quarantined
// message is answered "reject" with a 5.7.1 text that says it is held
// (not "Ok"); an MTA's request stores one copy, a manual rspamc check
// stores none, however often it runs.
func TestRspamdQuarantineReply(t *testing.T) {
	needPeer(t, "rspamc")
	sk := startSink(t)
	sek := startSekisho(t, sk.port, "")
	mal := writeMsg(t, "mal.eml", malwareMsg("malware-rspamd-q"))
	raw, err := os.ReadFile(mal)
	if err != nil {
		t.Fatal(err)
	}
	check := func(ua string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/checkv2", sek.p.rspamd), bytes.NewReader(raw))
		req.Header.Set("User-Agent", ua)
		req.Header.Set("Queue-Id", "4dTEST")
		resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i := 0; i < 2; i++ {
		out, err := exec.Command("rspamc", "-h", fmt.Sprintf("127.0.0.1:%d", sek.p.rspamd), "-t", "60", mal).CombinedOutput()
		if err != nil {
			t.Fatalf("rspamc: %v\n%s", err, out)
		}
		if bytes.Contains(out, []byte("Ok")) {
			t.Errorf("rspamc reply claims Ok:\n%s", out)
		}
		r := check("rspamc-1.0")
		if r["action"] != "reject" || r["sekisho_quarantine_id"] != nil && r["sekisho_quarantine_id"] != "" {
			t.Fatalf("manual check: %v", r)
		}
		if msg := fmt.Sprint(r["messages"]); !strings.Contains(msg, "would be held in quarantine") {
			t.Errorf("manual check message: %s", msg)
		}
	}
	r := check("Haraka")
	msg := fmt.Sprint(r["messages"])
	if r["action"] != "reject" || r["sekisho_quarantine_id"] == "" || r["sekisho_quarantine_id"] == nil {
		t.Fatalf("MTA check: %v", r)
	}
	if !strings.Contains(msg, "5.7.1 Message held in quarantine") || strings.Contains(msg, "Ok") {
		t.Errorf("MTA check message: %s", msg)
	}
	// The log reaches the test through a pipe: wait for the MTA's copy
	// (logged after any earlier one), then count.
	want := "msg=quarantined msg_id=" + fmt.Sprint(r["sekisho_id"])
	for deadline := time.Now().Add(startTimeout); !strings.Contains(sek.Log(), want) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(sek.Log(), "msg_id="+fmt.Sprint(r["sekisho_id"])+" frontend=rspamd"); n != 1 {
		t.Errorf("message logged %d times as scanned, want once:\n%s", n, sek.Log())
	}
	if n := strings.Count(sek.Log(), "msg=quarantined"); n != 1 {
		t.Errorf("%d copies stored, want 1 (the MTA's)", n)
	}
}

// httpPost posts body and returns the status and reply.
func httpPost(t testing.TB, port int, path string, body []byte) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Post(fmt.Sprintf("http://127.0.0.1:%d%s", port, path), "message/rfc822", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(b)
}
