package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hostile clients on loopback against the real binary (issue 14): each
// holds or floods a front end; legitimate clients must still get answers.

// dialN opens n connections to port that send nothing.
func dialN(t *testing.T, port, n int) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		cs = append(cs, c)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// closedWithin reports how many of cs the server closed within d.
func closedWithin(cs []net.Conn, d time.Duration) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for _, c := range cs {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(d))
			_, err := io.Copy(io.Discard, c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	return n
}

// TestSilentMilterConnsBinary: 200 connections that never speak the milter
// protocol, from Postfix's own address (loopback) and still open when
// Postfix connects, do not block it: silent connections give way to new
// ones past the per-client bound, so mail through the real Postfix and the
// milter is scanned and delivered, once each; the silent connections are
// closed after handshake_timeout.
func TestSilentMilterConnsBinary(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	sk := startSink(t)
	sek := startSekisho(t, freePort(t), "handshake_timeout = \"15s\"\nmax_connections = 200\nmax_connections_per_client = 100")
	silent := dialN(t, sek.p.milter, 200)
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\nmilter_connect_timeout = 10s\n", sek.p.milter), "")
	start := time.Now()
	for i := 1; i <= 3; i++ {
		m := fmt.Sprintf("ham-silent-%d", i)
		out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, m+".eml", hamMsg(m)))
		if !ok {
			t.Fatalf("ham refused while 200 silent connections were open:\n%s", out)
		}
		sk.waitFor(t, m, time.Minute)
	}
	t.Logf("3 messages delivered in %v after the silent connections opened", time.Since(start))
	// Nothing lost, nothing twice.
	time.Sleep(2 * time.Second)
	for i := 1; i <= 3; i++ {
		n := 0
		for _, m := range sk.Messages() {
			if strings.Contains(string(m.Data), fmt.Sprintf("Marker: ham-silent-%d\r", i)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("ham-silent-%d delivered %d times", i, n)
		}
	}
	if !strings.Contains(sek.Log(), "frontend=milter") {
		t.Errorf("the mail did not go through the milter")
	}
	if n := closedWithin(silent, 30*time.Second); n != len(silent) {
		t.Errorf("%d of %d silent connections still open after 30 s", len(silent)-n, len(silent))
	}
}

// TestSlowBodyCutBinary: a request whose body trickles in is cut at
// read_timeout on the Rspamd port, while an ordinary request on the same
// port is answered meanwhile.
func TestSlowBodyCutBinary(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n", dir+"/data") + onlyFrontend("rspamd", port, "read_timeout = \"2s\"\n") + testWeights
	serveConfig(t, dir, cfg, ports{rspamd: port}, sekishoBin(t))
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := hamMsg("slow-body-1")
	fmt.Fprintf(c, "POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n", len(msg))
	start := time.Now()
	cut := make(chan time.Duration, 1)
	go func() {
		for i := 0; i < len(msg); i++ {
			if _, err := c.Write(msg[i : i+1]); err != nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		cut <- time.Since(start)
	}()
	go func() {
		io.Copy(io.Discard, c)
		cut <- time.Since(start)
	}()
	code, body := httpPost(t, port, "/checkv2", hamMsg("fast-1"))
	if code != 200 || !strings.Contains(body, "action") {
		t.Errorf("ordinary request while a slow one was held: %d %s", code, body)
	}
	select {
	case d := <-cut:
		t.Logf("slow body cut after %v", d)
	case <-time.After(60 * time.Second):
		t.Fatal("slow body not cut after 60 s (read_timeout 2s)")
	}
}

// TestRefusedRequestsBoundedBinary: 16 concurrent JSON requests that
// declare 63 MB bodies are refused with 413 from their Content-Length,
// before the body is read, and the process's peak memory stays far from
// 16 × 63 MB; a body that would pass the bytes-in-flight bound is answered
// 503 (try again later).
func TestRefusedRequestsBoundedBinary(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n[serve]\nmax_bytes_in_flight = 4194304\n", dir+"/data") +
		onlyFrontend("rspamd", port, "") + testWeights
	sek := serveConfig(t, dir, cfg, ports{rspamd: port}, sekishoBin(t))
	const size = 63 << 20
	chunk := []byte(`{"message_base64":"` + strings.Repeat("QUFB", 1<<18))
	var wg sync.WaitGroup
	codes := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				codes <- err.Error()
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /api/v1/scan HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
			c.Write(chunk) // a first MiB; the rest never comes
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			codes <- strings.TrimSpace(line)
		}()
	}
	wg.Wait()
	close(codes)
	for l := range codes {
		if !strings.Contains(l, " 413 ") {
			t.Errorf("want 413 from the declared length at once, got %q", l)
		}
	}
	// 6 MB of raw message: within max_message_bytes, over the 4 MiB in flight.
	code, _ := httpPost(t, port, "/checkv2", append(hamMsg("big-1"), []byte(strings.Repeat("x", 6<<20))...))
	if code != 503 {
		t.Errorf("over max_bytes_in_flight: got %d, want 503", code)
	}
	if code, _ := httpPost(t, port, "/checkv2", hamMsg("small-1")); code != 200 {
		t.Errorf("ordinary request after the refusals: %d", code)
	}
	if hwm := peakRSS(t, sek.cmd.Process.Pid); hwm > 0 {
		t.Logf("peak RSS %d MiB", hwm>>20)
		if hwm > 400<<20 {
			t.Errorf("peak RSS %d MiB after refused requests", hwm>>20)
		}
	}
}

// peakRSS reads VmHWM of pid (0 when unknown).
func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// TestPipeliningNonReaderDroppedBinary: an SMTP client that pipelines
// commands and never reads a reply is dropped after idle_timeout (the
// reply writes time out), and an ordinary client is served meanwhile.
func TestPipeliningNonReaderDroppedBinary(t *testing.T) {
	port, hop := freePort(t), startSink(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n", dir+"/data") +
		onlyFrontend("smtp", port, fmt.Sprintf("idle_timeout = \"2s\"\nnext_hop = \"127.0.0.1:%d\"\n", hop.port)) + testWeights
	serveConfig(t, dir, cfg, ports{smtp: port}, sekishoBin(t))
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	done := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		line := []byte(strings.Repeat("NOOP\r\n", 1000))
		for time.Since(start) < 90*time.Second {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(line); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue // our side full; the server must still drop us
				}
				break
			}
		}
		done <- time.Since(start)
	}()
	// Meanwhile an ordinary SMTP client gets its greeting.
	o, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	o.SetReadDeadline(time.Now().Add(30 * time.Second))
	greet, _ := bufio.NewReader(o).ReadString('\n')
	o.Close()
	if !strings.HasPrefix(greet, "220") {
		t.Errorf("ordinary client greeting: %q", greet)
	}
	d := <-done
	if d >= 90*time.Second {
		t.Fatalf("a client that never reads replies was still connected after %v", d)
	}
	t.Logf("non-reading client dropped after %v", d)
}
