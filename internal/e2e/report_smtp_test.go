package e2e

import (
	"encoding/json"
	"fmt"
	"net/smtp"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/report"
)

// TestReportSMTPGateway: through the SMTP gateway, mail to the reporting
// address alone is accepted and never relayed; mail to the reporting
// address and someone else is relayed to the others only; both are
// taken as reports and answered.
func TestReportSMTPGateway(t *testing.T) {
	bin := sekishoBin(t)
	sk := startSink(t)
	dir := t.TempDir()
	p := ports{smtp: freePort(t), nextHop: sk.port}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
domains = ["example.jp"]
[serve]
shutdown_timeout = "20s"
%s
[quarantine]
release_starttls = "none"
[report]
address = "Phish-Report@example.jp"
smtp_host = "127.0.0.1:%d"
%s`, filepath.Join(dir, "data"), onlyFrontend("smtp", p.smtp, fmt.Sprintf("next_hop = \"127.0.0.1:%d\"\n", sk.port)), sk.port, testWeights)
	sek := serveConfig(t, dir, cfg, p, bin)
	send := func(from string, to []string, msg []byte) {
		t.Helper()
		c, err := smtp.Dial(fmt.Sprintf("127.0.0.1:%d", p.smtp))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Mail(from); err != nil {
			t.Fatal(err)
		}
		for _, r := range to {
			if err := c.Rcpt(r); err != nil {
				t.Fatal(err)
			}
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(msg)
		if err := w.Close(); err != nil {
			t.Fatalf("DATA: %v\n%s", err, sek.Log())
		}

	}
	send("carol@example.jp", []string{"phish-report@example.jp"}, hamMsg("only-report"))
	send("carol@example.jp", []string{"dave@example.jp", "PHISH-REPORT@example.jp"}, hamMsg("mixed-report"))
	relayed := sk.waitFor(t, "Marker: mixed-report", 30*time.Second)
	if strings.Join(relayed.Rcpts, ",") != "dave@example.jp" {
		t.Fatalf("relayed to %v", relayed.Rcpts)
	}
	var reports []*report.Report
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := exec.Command(bin, "--config", sek.cfg, "report", "list", "--json").Output()
		if err != nil {
			t.Fatalf("report list: %v", err)
		}
		reports = nil
		if err := json.Unmarshal(out, &reports); err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, r := range reports {
			if r.Answer == report.AnswerSent {
				done++
			}
		}
		if done == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reports %+v\n%s", reports, sek.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, r := range reports {
		if r.Reporter != "carol@example.jp" || r.Kind != report.KindRaw || r.Triage != report.TriageSafe || r.Source != "mail" {
			t.Errorf("report %+v", r)
		}
	}
	time.Sleep(500 * time.Millisecond)
	n := 0
	for _, m := range sk.Messages() {
		if strings.Contains(string(m.Data), "Marker: only-report") {
			t.Errorf("the report-only mail was relayed to %v", m.Rcpts)
		}
		if strings.Join(m.Rcpts, ",") == "carol@example.jp" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d answers to carol, want 2", n)
	}
}
