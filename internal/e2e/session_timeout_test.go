package e2e

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSMTPSessionTimeoutBinary: an SMTP client that is never idle for
// idle_timeout (a NOOP a second) is still ended at session_timeout, with
// 421 4.4.2, through the real binary; a message sent whole before the
// limit is answered and relayed once.
func TestSMTPSessionTimeoutBinary(t *testing.T) {
	port, hop := freePort(t), startSink(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n", dir+"/data") +
		onlyFrontend("smtp", port, fmt.Sprintf("idle_timeout = \"2s\"\nsession_timeout = \"4s\"\nnext_hop = \"127.0.0.1:%d\"\n", hop.port)) + testWeights
	serveConfig(t, dir, cfg, ports{smtp: port}, sekishoBin(t))
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetDeadline(start.Add(60 * time.Second))
	r := bufio.NewReader(c)
	// reply reads one (multi-line) reply and returns its last line.
	reply := func() string {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return "EOF " + err.Error()
			}
			if len(l) < 4 || l[3] != '-' {
				return strings.TrimSpace(l)
			}
		}
	}
	cmd := func(s string) string {
		fmt.Fprintf(c, "%s\r\n", s)
		return reply()
	}
	if g := reply(); !strings.HasPrefix(g, "220") {
		t.Fatalf("greeting %q", g)
	}
	cmd("EHLO client.example")
	cmd("MAIL FROM:<tanaka@partner.example>")
	cmd("RCPT TO:<yamada@example.jp>")
	if r := cmd("DATA"); !strings.HasPrefix(r, "354") {
		t.Fatalf("DATA: %q", r)
	}
	c.Write(hamMsg("session-limit-1"))
	if r := cmd("."); !strings.HasPrefix(r, "250") {
		t.Fatalf("message before the session limit: %q", r)
	}
	var last string
	for time.Since(start) < 30*time.Second {
		time.Sleep(time.Second)
		last = cmd("NOOP")
		if !strings.HasPrefix(last, "250") {
			break
		}
	}
	d := time.Since(start)
	if !strings.HasPrefix(last, "421") || !strings.Contains(last, "4.4.2") {
		t.Fatalf("after %v: %q, want 421 4.4.2", d, last)
	}
	if d > 15*time.Second {
		t.Errorf("session of a busy client ended after %v, session_timeout 4s", d)
	}
	if r := reply(); !strings.HasPrefix(r, "EOF") {
		t.Errorf("connection still open after 421: %q", r)
	}
	t.Logf("busy client ended after %v: %s", d, last)
	hop.waitFor(t, "session-limit-1", 30*time.Second)
	n := 0
	for _, m := range hop.Messages() {
		if strings.Contains(string(m.Data), "Marker: session-limit-1\r") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("message relayed %d times, want once", n)
	}
}
