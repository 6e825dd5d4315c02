// Package redistest starts a real redis-server on a free loopback port
// for tests.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// Start runs redis-server for the test and returns its URL. Without the
// binary the test is skipped, unless SEKISHO_REQUIRE_PEERS=1.
func Start(t testing.TB) string {
	t.Helper()
	bin := testutil.LookPeer(t, "redis-server")
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := testutil.FreePort(t)
		dir := t.TempDir()
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--protected-mode", "yes")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if err := waitPing(addr, 10*time.Second); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			lastErr = err
			continue
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		return "redis://" + addr + "/0"
	}
	t.Fatalf("redis-server did not start: %v", lastErr)
	return ""
}

func waitPing(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		var c net.Conn
		c, err = net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte("PING\r\n"))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && line == "+PONG\r\n" {
				return nil
			}
			err = fmt.Errorf("reply %q: %v", line, rerr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}
