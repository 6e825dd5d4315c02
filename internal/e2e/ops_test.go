package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
