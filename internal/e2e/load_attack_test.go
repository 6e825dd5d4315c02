package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestLoadUnderAttackBinary (issue 14, "load through each front end while
// attackers hold connections"): from 127.0.0.2, attackers hold every
// front end's per-client bound of connections (silent, slowloris,
// pipelining without reading a reply, huge bodies) and reopen what the
// server drops, while from 127.0.0.1 legitimate clients send N messages
// through each front end: the real Postfix through the milter, a plain
// SMTP client through the gateway, rspamc (Rspamd protocol), spamc
// (spamd) and HTTP (JSON API). Every legitimate message gets its answer,
// each is scanned exactly once (none lost, none twice) and what is
// delivered reaches the next hop exactly once. The daemon's peak RSS and
// CPU during the run are logged.
func TestLoadUnderAttackBinary(t *testing.T) {
	needPeer(t, "rspamc", "spamc")
	const n = 10        // legitimate messages per front end
	const perClient = 8 // max_connections_per_client of every front end
	sk := startSink(t)
	dir := t.TempDir()
	p := ports{milter: freePort(t), smtp: freePort(t), rspamd: freePort(t), console: freePort(t), spamd: freePort(t), nextHop: sk.port}
	fe := fmt.Sprintf("max_connections_per_client = %d\nread_timeout = \"5s\"\n", perClient)
	cfg := fmt.Sprintf(`[general]
data_dir = %q
hostname = "sekisho.test"
[serve]
shutdown_timeout = "10s"
max_message_bytes = 4194304
[serve.milter]
listen = "127.0.0.1:%d"
%shandshake_timeout = "3s"
session_timeout = "20s"
[serve.smtp]
listen = "127.0.0.1:%d"
next_hop = "127.0.0.1:%d"
max_connections_per_client = %d
idle_timeout = "5s"
session_timeout = "20s"
[serve.rspamd]
listen = "127.0.0.1:%d"
%s[serve.console]
listen = "127.0.0.1:%d"
%s[serve.spamd]
listen = "127.0.0.1:%d"
%s`, filepath.Join(dir, "data"), p.milter, fe, p.smtp, p.nextHop, perClient, p.rspamd, fe, p.console, fe, p.spamd, fe) + testWeights
	sek := serveConfig(t, dir, cfg, p, sekishoBin(t))
	pid := sek.cmd.Process.Pid

	// Postfix with the milter, when this host has it (the milter is then
	// loaded by the real MTA; without it the other front ends still run).
	var pf *postfix
	if havePostfix(t) {
		pf = startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\nmilter_connect_timeout = 10s\n", p.milter), "")
	}

	cpu0 := procCPU(pid)
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stats := &attackStats{m: map[string]*[2]int{}}
	for _, a := range []struct {
		port        int
		name, proto string
	}{{p.milter, "milter", "milter"}, {p.smtp, "smtp", "smtp"}, {p.rspamd, "rspamd", "http"}, {p.console, "console", "http"}, {p.spamd, "spamd", "spamd"}} {
		for i := 0; i < perClient; i++ {
			kind := []string{"silent", "slow", "pipeline", "huge"}[i%4]
			wg.Add(1)
			go func() {
				defer wg.Done()
				attacker(ctx, a.port, a.proto, a.name+"/"+kind, stats)
			}()
		}
	}
	time.Sleep(time.Second) // the attackers hold their connections

	// Legitimate clients, all front ends at once.
	var lwg sync.WaitGroup
	var mu sync.Mutex
	var problems []string
	fail := func(f string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(f, args...))
		mu.Unlock()
	}
	ids := map[string]int{}
	seen := func(id string) {
		mu.Lock()
		ids[id]++
		mu.Unlock()
	}
	send := func(name string, f func(i int)) {
		lwg.Add(1)
		go func() {
			defer lwg.Done()
			t0 := time.Now()
			for i := 0; i < n; i++ {
				f(i)
			}
			t.Logf("%s: %d messages answered in %v", name, n, time.Since(t0).Round(time.Millisecond))
		}()
	}
	msgFile := func(m string) string { return writeMsg(t, m+".eml", hamMsg(m)) }
	if pf != nil {
		send("milter (Postfix, swaks)", func(i int) {
			m := fmt.Sprintf("load-milter-%d", i)
			if out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", msgFile(m)); !ok {
				fail("%s refused by Postfix:\n%s", m, out)
			}
		})
	}
	send("smtp gateway", func(i int) {
		m := fmt.Sprintf("load-smtp-%d", i)
		if err := smtpSend(p.smtp, hamMsg(m)); err != nil {
			fail("%s: %v", m, err)
		}
	})
	send("rspamd (rspamc)", func(i int) {
		m := fmt.Sprintf("load-rspamd-%d", i)
		out, err := exec.Command("rspamc", "-h", fmt.Sprintf("127.0.0.1:%d", p.rspamd), "-t", "30", msgFile(m)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Action: no action") {
			fail("%s: rspamc %v:\n%s", m, err, out)
		}
	})
	send("spamd (spamc)", func(i int) {
		m := fmt.Sprintf("load-spamd-%d", i)
		cmd := exec.Command("spamc", "-d", "127.0.0.1", "-p", strconv.Itoa(p.spamd), "-c", "-t", "30")
		cmd.Stdin = bytes.NewReader(hamMsg(m))
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != "0.0/5.0" {
			fail("%s: spamc %v: %q", m, err, out)
		}
	})
	send("JSON API", func(i int) {
		m := fmt.Sprintf("load-api-%d", i)
		body, _ := json.Marshal(map[string]any{"message": string(hamMsg(m))})
		c := &http.Client{Timeout: time.Minute}
		resp, err := c.Post(fmt.Sprintf("http://127.0.0.1:%d/api/v1/scan", p.console), "application/json", bytes.NewReader(body))
		if err != nil {
			fail("%s: %v", m, err)
			return
		}
		defer resp.Body.Close()
		var r struct{ ID, Action string }
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || r.Action != "accept" {
			fail("%s: %d %+v %v", m, resp.StatusCode, r, err)
			return
		}
		seen(r.ID)
	})
	lwg.Wait()
	legit := time.Since(start)
	cancel()
	wg.Wait()
	cpu := procCPU(pid) - cpu0
	for _, pr := range problems {
		t.Error(pr)
	}
	for id, k := range ids {
		if k != 1 {
			t.Errorf("scan id %s answered %d times", id, k)
		}
	}

	// Nothing lost, nothing twice: one scan per message and front end (the
	// attackers' requests never reach a scan), one delivery per relayed
	// message.
	var delivered []string
	if pf != nil {
		delivered = append(delivered, "milter")
	}
	delivered = append(delivered, "smtp")
	for _, fe := range delivered {
		for i := 0; i < n; i++ {
			sk.waitFor(t, fmt.Sprintf("Marker: load-%s-%d\r", fe, i), time.Minute)
		}
	}
	time.Sleep(time.Second)
	for _, fe := range delivered {
		for i := 0; i < n; i++ {
			m := fmt.Sprintf("Marker: load-%s-%d\r", fe, i)
			k := 0
			for _, d := range sk.Messages() {
				if strings.Contains(string(d.Data), m) {
					k++
				}
			}
			if k != 1 {
				t.Errorf("load-%s-%d delivered %d times", fe, i, k)
			}
		}
	}
	log := sek.Log()
	scanFEs := []string{"smtp", "rspamd", "spamd", "api"}
	if pf != nil {
		scanFEs = append(scanFEs, "milter")
	}
	for _, fe := range scanFEs {
		k := 0
		for _, l := range strings.Split(log, "\n") {
			if strings.Contains(l, "msg=scanned") && strings.Contains(l, " frontend="+fe+" ") {
				k++
			}
		}
		if k != n {
			t.Errorf("front end %s: %d scans, want %d (one per legitimate message)", fe, k, n)
		}
	}
	t.Logf("legitimate traffic done in %v; attacker connections opened/ended by the server while it ran: %s",
		legit.Round(time.Millisecond), stats)
	t.Logf("daemon: peak RSS %d MiB, CPU %.1f s over %v", peakRSS(t, pid)>>20, cpu.Seconds(), time.Since(start).Round(time.Millisecond))
}

// havePostfix: Postfix can run here (else the milter part is left out,
// or the test fails under SEKISHO_REQUIRE_PEERS=1).
func havePostfix(t *testing.T) bool {
	for _, p := range []string{"postfix", "postcat", "postqueue", "swaks"} {
		if _, err := exec.LookPath(p); err != nil {
			testutil.PeerMissing(t, "no %s: milter front end not loaded through Postfix", p)
			return false
		}
	}
	if os.Geteuid() != 0 {
		testutil.PeerMissing(t, "Postfix needs root: milter front end not loaded through Postfix")
		return false
	}
	return true
}

// smtpSend sends msg through an SMTP server with a plain client.
func smtpSend(port int, msg []byte) error {
	nc, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 10*time.Second)
	if err != nil {
		return err
	}
	nc.SetDeadline(time.Now().Add(time.Minute))
	c, err := smtp.NewClient(nc, "127.0.0.1")
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		return err
	}
	if err := c.Mail("tanaka@partner.example"); err != nil {
		return err
	}
	if err := c.Rcpt("yamada@example.jp"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	w.Write(msg)
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// procCPU is the user and system CPU time pid has used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond // USER_HZ 100
}

// attackStats counts attacker connections opened and ended by the server,
// per protocol and kind.
type attackStats struct {
	mu sync.Mutex
	m  map[string]*[2]int
}

func (s *attackStats) add(key string, i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[key] == nil {
		s.m[key] = &[2]int{}
	}
	s.m[key][i]++
}

func (s *attackStats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-16s %4d / %4d", k, s.m[k][0], s.m[k][1])
	}
	return b.String()
}

// attacker holds one connection slot of port from 127.0.0.2 until ctx
// ends, reopening it whenever the server ends it.
func attacker(ctx context.Context, port int, proto, key string, stats *attackStats) {
	kind := key[strings.IndexByte(key, '/')+1:]
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	for ctx.Err() == nil {
		c, err := d.DialContext(ctx, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			sleepCtx(ctx, 200*time.Millisecond)
			continue
		}
		stats.add(key, 0)
		stop := context.AfterFunc(ctx, func() { c.Close() })
		attack(ctx, c, proto, kind)
		stop()
		c.Close()
		if ctx.Err() == nil {
			stats.add(key, 1)
			sleepCtx(ctx, 200*time.Millisecond)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// attack runs one attack on c until the server ends it or ctx ends.
func attack(ctx context.Context, c net.Conn, proto, kind string) {
	switch kind {
	case "silent":
		io.Copy(io.Discard, c)
	case "slow": // a plausible request, one byte at a time
		req := map[string]string{
			"smtp":   "EHLO slow.example\r\n" + strings.Repeat("NOOP\r\n", 1000),
			"http":   "POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000),
			"spamd":  "CHECK SPAMC/1.5\r\nContent-length: 100000\r\n\r\n" + strings.Repeat("x", 100000),
			"milter": string(milterOptNeg()) + strings.Repeat("\x00", 1000),
		}[proto]
		go io.Copy(io.Discard, c)
		for i := 0; i < len(req) && ctx.Err() == nil; i++ {
			if _, err := c.Write([]byte{req[i]}); err != nil {
				return
			}
			sleepCtx(ctx, 300*time.Millisecond)
		}
	case "pipeline": // requests as fast as possible, never a reply read
		req := map[string][]byte{
			"smtp":   []byte(strings.Repeat("NOOP\r\n", 1000)),
			"http":   []byte(strings.Repeat("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200)),
			"spamd":  []byte(strings.Repeat("PING SPAMC/1.5\r\n\r\n", 200)),
			"milter": bytes.Repeat(milterOptNeg(), 200),
		}[proto]
		for ctx.Err() == nil {
			c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.Write(req); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue
				}
				return
			}
		}
	case "huge": // a body far over max_message_bytes, sent at full speed
		head := map[string]string{
			"smtp":   "EHLO huge.example\r\nMAIL FROM:<a@huge.example>\r\nRCPT TO:<yamada@example.jp>\r\nDATA\r\n",
			"http":   "POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741824\r\n\r\n",
			"spamd":  "CHECK SPAMC/1.5\r\nContent-length: 1073741824\r\n\r\n",
			"milter": string(milterOptNeg()) + "\x7f\xff\xff\xffL", // a 2 GiB header packet
		}[proto]
		go io.Copy(io.Discard, c)
		if _, err := c.Write([]byte(head)); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte(strings.Repeat("x", 998)+"\r\n"), 64)
		for sent := 0; sent < 64<<20 && ctx.Err() == nil; sent += len(chunk) {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
		io.Copy(io.Discard, c)
	}
}

// milterOptNeg is a milter option negotiation packet (SMFIC_OPTNEG,
// version 6, every action and protocol bit).
func milterOptNeg() []byte {
	return []byte{0, 0, 0, 13, 'O', 0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff}
}
