package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/testutil/dovecottest"
)

// reportConfig is the configuration of TestReportPhish: milter only,
// remediation over Dovecot, report intake answering through the sink;
// fromNameWeight sets how much a From display name holding an address
// weighs (the "knowledge" that changes between delivery and report).
func reportConfig(dataDir string, milter int, dc *dovecottest.Server, pwFile string, sinkPort int, fromNameWeight float64) string {
	return fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
log_level = "debug"
domains = ["example.jp"]
[serve]
shutdown_timeout = "20s"
%s
[auth]
enabled = false
[sender]
enabled = false
[url]
enabled = false
[rules]
enabled = false
[lure]
enabled = false
[remediate]
enabled = true
imap_addr = %q
tls = "none"
master_user = %q
master_password_file = %q
[report]
address = "phish-report@example.jp"
smtp_host = "127.0.0.1:%d"
[quarantine]
release_starttls = "none"
[policy.weights]
HDR_FROM_NAME_HAS_ADDRESS = %.1f
`, dataDir, onlyFrontend("milter", milter, ""), dc.IMAPAddr, dovecottest.MasterUser, pwFile, sinkPort, fromNameWeight)
}

// forwardAsAttachment wraps msg the way mail clients forward "as
// attachment", with the reporter's Accept-Language.
func forwardAsAttachment(from, to, lang, subject string, msg []byte) []byte {
	return crlf(fmt.Sprintf(`From: <%s>
To: <%s>
Subject: %s
Date: Tue, 17 Nov 2026 09:00:00 +0900
Message-ID: <report-%d@example.jp>
Accept-Language: %s
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fw1"

--fw1
Content-Type: text/plain; charset=UTF-8

Suspicious.
--fw1
Content-Type: message/rfc822
Content-Disposition: attachment; filename="reported.eml"

%s
--fw1--
`, from, to, mime.BEncoding.Encode("UTF-8", subject), time.Now().UnixNano(), lang, strings.ReplaceAll(string(msg), "\r\n", "\n")))
}

// TestReportPhish: mail delivered through Postfix → sekisho (milter) →
// Dovecot to alice and bob; later sekisho learns better (the weight of a
// symbol the mail carries rises, reloaded with SIGHUP). alice forwards the
// mail as an attachment to the reporting address: the report is taken
// out of the flow (nothing reaches a mailbox or the relay), re-scanned
// and confirmed, the classifier learns it as spam, a (dry-run)
// remediation lists both mailboxes, and alice
// gets an answer in Japanese. bob reports a harmless message as the raw
// message and is told in English that it looks safe; a report from
// outside the organisation is triaged but not answered.
func TestReportPhish(t *testing.T) {
	needPeer(t, "postfix", "swaks", "doveadm")
	users := map[string]string{"alice@example.jp": "a", "bob@example.jp": "b"}
	dc := dovecottest.Start(t, users)
	bin := sekishoBin(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "master.pw")
	os.WriteFile(pwFile, []byte(dovecottest.MasterPassword+"\n"), 0o600)
	p := ports{milter: freePort(t)}
	sk := startSink(t)
	dataDir := filepath.Join(dir, "data")
	sek := serveConfig(t, dir, reportConfig(dataDir, p.milter, dc, pwFile, sk.port, 0.5), p, bin)
	cfgPath := filepath.Join(dir, "sekisho.toml")
	pf := startPostfix(t, freePort(t), sk.port,
		fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\ntransport_maps = inline:{example.jp=lmtp:inet:%s}\n", sek.p.milter, dc.LMTPAddr),
		"lmtp unix - - n - - lmtp\n")
	cli := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--config", cfgPath}, args...)...).Output()
		if err != nil {
			ee, _ := err.(*exec.ExitError)
			var stderr []byte
			if ee != nil {
				stderr = ee.Stderr
			}
			t.Fatalf("sekisho %v: %v\n%s%s", args, err, out, stderr)
		}
		return out
	}
	waitCount := func(user, folder, id string, want int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			n := dc.Count(t, user, folder, "Message-ID", id)
			if n == want || n == -1 && want == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/%s: %d copies of %s, want %d\n%s", user, folder, n, id, want, dc.Log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// 1. Delivered: the display name holding an address weighs little yet.
	const id1 = "invoice-42@billing.example"
	phish := remediateMsg("billing@billing.example", "accounts@example.jp", "alice@example.jp", id1, "Invoice 42")
	if out, ok := swaks(t, pf.port, "billing@billing.example", "alice@example.jp,bob@example.jp", writeMsg(t, "m1.eml", phish)); !ok {
		t.Fatalf("first message refused:\n%s", out)
	}
	waitCount("alice@example.jp", "INBOX", id1, 1)
	waitCount("bob@example.jp", "INBOX", id1, 1)

	// 2. sekisho learns better: the weight rises; SIGHUP reloads it.
	if err := os.WriteFile(cfgPath, []byte(reportConfig(dataDir, p.milter, dc, pwFile, sk.port, 16)), 0o644); err != nil {
		t.Fatal(err)
	}
	sek.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(sek.Log(), "reloaded: configuration") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload\n%s", sek.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// 3. alice forwards it as an attachment; her client speaks Japanese.
	rep := forwardAsAttachment("alice@example.jp", "phish-report@example.jp", "ja-JP", "FW: Invoice 42", phish)
	if out, ok := swaks(t, pf.port, "alice@example.jp", "phish-report@example.jp", writeMsg(t, "r1.eml", rep)); !ok {
		t.Fatalf("report refused:\n%s", out)
	}
	// 4. bob reports a harmless message as it is (redirect).
	harmless := crlf(`From: "Sato" <sato@partner.example>
To: bob@example.jp
Subject: Lunch on Friday
Date: Tue, 17 Nov 2026 10:00:00 +0900
Message-ID: <lunch-1@partner.example>

Shall we meet at noon?
`)
	if out, ok := swaks(t, pf.port, "bob@example.jp", "phish-report@example.jp", writeMsg(t, "r2.eml", harmless)); !ok {
		t.Fatalf("raw report refused:\n%s", out)
	}
	// 5. Someone outside reports too: triaged, never answered.
	if out, ok := swaks(t, pf.port, "stranger@outside.example", "phish-report@example.jp",
		writeMsg(t, "r3.eml", forwardAsAttachment("stranger@outside.example", "phish-report@example.jp", "en", "fw", phish))); !ok {
		t.Fatalf("outside report refused:\n%s", out)
	}

	var reports []*report.Report
	deadline = time.Now().Add(90 * time.Second)
	for {
		reports = nil
		if err := json.Unmarshal(cli("report", "list", "--json"), &reports); err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, r := range reports {
			if r.Triage == report.TriagePending {
				pending++
			}
		}
		if len(reports) == 3 && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reports: %+v\n%s", reports, sek.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	by := map[string]*report.Report{}
	for _, r := range reports {
		by[r.Reporter] = r
	}
	a, b, x := by["alice@example.jp"], by["bob@example.jp"], by["stranger@outside.example"]
	if a == nil || b == nil || x == nil {
		t.Fatalf("reporters: %+v", reports)
	}
	if a.Kind != report.KindAttachment || a.Triage != report.TriageConfirmed || a.Category != "phishing" || a.MessageID != id1 ||
		a.Lang != "ja" || a.Answer != report.AnswerSent || a.RunID == "" || !a.Internal || a.Learned != "spam" {
		t.Errorf("alice's report: %+v", a)
	}
	if b.Kind != report.KindRaw || b.Triage != report.TriageSafe || b.Answer != report.AnswerSent || b.RunID != "" {
		t.Errorf("bob's report: %+v", b)
	}
	if x.Internal || x.Answer != report.AnswerSkipped || x.RunID != "" || x.Triage != report.TriageConfirmed {
		t.Errorf("outside report: %+v", x)
	}

	// The remediation run of alice's report: a dry run over both mailboxes.
	var run remediate.Run
	if err := json.Unmarshal(cli("remediate", "show", "--json", a.RunID), &run); err != nil {
		t.Fatal(err)
	}
	if run.Trigger != "report" || !run.DryRun || strings.Join(run.Mailboxes, ",") != "alice@example.jp,bob@example.jp" ||
		run.Counts()[remediate.ItemWouldMove] != 2 {
		t.Errorf("report run: %+v", run)
	}
	waitCount("alice@example.jp", "INBOX", id1, 1) // dry run: untouched

	// The answers: alice's in Japanese, bob's in English, from the
	// reporting address with a null envelope sender.
	ans := sk.waitFor(t, "Content-Language: ja", 30*time.Second)
	body := decodeAnswer(t, ans.Data)
	if ans.From != "" || len(ans.Rcpts) != 1 || ans.Rcpts[0] != "alice@example.jp" || !strings.Contains(body.subject, "危険なメール") ||
		!strings.Contains(body.text, "フィッシング") || !strings.Contains(body.text, a.ID) || body.header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("alice's answer: from %q to %v subject %q\n%s", ans.From, ans.Rcpts, body.subject, body.text)
	}
	ans = sk.waitFor(t, "Content-Language: en", 30*time.Second)
	body = decodeAnswer(t, ans.Data)
	if ans.Rcpts[0] != "bob@example.jp" || !strings.Contains(body.subject, "looks safe") || !strings.Contains(body.text, "Lunch on Friday") {
		t.Errorf("bob's answer: to %v subject %q\n%s", ans.Rcpts, body.subject, body.text)
	}
	// Nothing else reached the relay: the reports themselves were taken
	// out of the flow, the outsider got no answer.
	time.Sleep(time.Second)
	if n := len(sk.Messages()); n != 2 {
		for _, m := range sk.Messages() {
			t.Logf("sink: to %v\n%.300s", m.Rcpts, m.Data)
		}
		t.Errorf("sink holds %d messages, want the 2 answers", n)
	}
	for _, q := range pf.queue(t) {
		t.Errorf("left in the Postfix queue: %+v", q)
	}
}

type answerMail struct {
	header  mail.Header
	subject string
	text    string
}

func decodeAnswer(t *testing.T, raw []byte) answerMail {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	b := new(strings.Builder)
	dec := base64.NewDecoder(base64.StdEncoding, m.Body)
	buf := make([]byte, 64<<10)
	for {
		n, err := dec.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return answerMail{header: m.Header, subject: subj, text: b.String()}
}
