package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/smtp"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/report"
)

// silentSMTP accepts connections and never answers: an answer sent to it
// hangs until its time-out.
func silentSMTP(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().(*net.TCPAddr).Port
}

// TestReportQueueRestart: reports are not lost when the triage queue is
// full or the process stops. The first report's answer hangs on a silent
// relay, so the next ones wait; past report.max_queue the SMTP gateway
// answers 451 (the sender tries again; nothing is taken and dropped).
// sekisho is stopped with the reports pending, started again (answers
// now going to a working relay), and every stored report is triaged and
// answered. /metrics counts the reports received, triaged and answered.
func TestReportQueueRestart(t *testing.T) {
	bin := sekishoBin(t)
	sk := startSink(t)
	silent := silentSMTP(t)
	data := filepath.Join(t.TempDir(), "data")
	conf := func(p ports, answerPort int) string {
		return fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
domains = ["example.jp"]
[serve]
shutdown_timeout = "20s"
[serve.milter]
enabled = false
[serve.rspamd]
enabled = false
[serve.spamd]
enabled = false
[serve.smtp]
listen = "127.0.0.1:%d"
next_hop = "127.0.0.1:%d"
[serve.console]
listen = "127.0.0.1:%d"
[quarantine]
release_starttls = "none"
release_timeout = "10m"
[report]
address = "phish-report@example.jp"
smtp_host = "127.0.0.1:%d"
max_queue = 3
%s`, data, p.smtp, sk.port, p.console, answerPort, testWeights)
	}
	p1 := ports{smtp: freePort(t), console: freePort(t), nextHop: sk.port}
	sek := serveConfig(t, t.TempDir(), conf(p1, silent), p1, bin)
	send := func(port int, marker string) error {
		c, err := smtp.Dial(fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Mail("carol@example.jp"); err != nil {
			return err
		}
		if err := c.Rcpt("phish-report@example.jp"); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		w.Write(hamMsg(marker))
		return w.Close()
	}
	list := func(cfg string) []*report.Report {
		t.Helper()
		out, err := exec.Command(bin, "--config", cfg, "report", "list", "--json").Output()
		if err != nil {
			t.Fatalf("report list: %v", err)
		}
		var rs []*report.Report
		if err := json.Unmarshal(out, &rs); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	for i := 1; i <= 3; i++ {
		if err := send(p1.smtp, fmt.Sprintf("queued-%d", i)); err != nil {
			t.Fatalf("report %d: %v\n%s", i, err, sek.Log())
		}
	}
	// The queue is full: the fourth is refused for now, not taken.
	err := send(p1.smtp, "queued-4")
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("report past max_queue: %v", err)
	}
	rs := list(sek.cfg)
	if len(rs) != 3 {
		t.Fatalf("%d reports stored, want 3", len(rs))
	}
	for _, r := range rs {
		if r.Triage != report.TriagePending {
			t.Fatalf("report triaged while its answer hangs: %+v", r)
		}
	}
	_, metrics := httpGet(t, p1.console, "/metrics")
	if !strings.Contains(metrics, `sekisho_reports_received_total{source="mail"} 3`+"\n") {
		t.Errorf("/metrics before the stop:\n%s", grepLines(metrics, "sekisho_report"))
	}

	// Stop with the reports pending (one in hand, two waiting).
	start := time.Now()
	sek.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-sek.done:
		sek.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("stop: %v\n%s", err, sek.Log())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("sekisho did not stop with a report in hand\n%s", sek.Log())
	}
	t.Logf("stopped with 3 pending reports in %v", time.Since(start).Round(time.Millisecond))
	for _, r := range list(sek.cfg) {
		if r.Triage != report.TriagePending || r.Answer != "" {
			t.Fatalf("after the stop: %+v", r)
		}
	}

	// Start again: the stored reports are triaged and answered.
	p2 := ports{smtp: freePort(t), console: freePort(t), nextHop: sk.port}
	dir2 := t.TempDir()
	sek2 := serveConfig(t, dir2, conf(p2, sk.port), p2, bin)
	deadline := time.Now().Add(90 * time.Second)
	for {
		rs := list(sek2.cfg)
		n := 0
		for _, r := range rs {
			if r.Triage == report.TriageSafe && r.Answer == report.AnswerSent {
				n++
			}
		}
		if n == 3 && len(rs) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %+v\n%s", rs, sek2.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	answers := 0
	for _, m := range sk.Messages() {
		if strings.Join(m.Rcpts, ",") == "carol@example.jp" {
			answers++
		}
	}
	if answers != 3 {
		t.Errorf("%d answers to carol, want 3", answers)
	}
	// The counters move just after the stored row: wait for them.
	wants := []string{
		`sekisho_reports_received_total{source="mail"} 0`,
		`sekisho_reports_triaged_total{verdict="safe"} 3`,
		`sekisho_report_answers_total{outcome="sent"} 3`,
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, metrics = httpGet(t, p2.console, "/metrics")
		missing := ""
		for _, want := range wants {
			if !strings.Contains(metrics, want+"\n") {
				missing = want
				break
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/metrics lacks %s:\n%s", missing, grepLines(metrics, "sekisho_report"))
			break
		}
	}
	// The fourth, tried again now, is taken.
	if err := send(p2.smtp, "queued-4"); err != nil {
		t.Fatalf("report 4 after the restart: %v", err)
	}
	if rs := list(sek2.cfg); len(rs) != 4 {
		t.Fatalf("%d reports after the fourth, want 4", len(rs))
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
