package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// TestDMARCAggregateReports: mail through real Postfix and `sekisho
// serve` (milter) is evaluated against DMARC records on a loopback DNS
// server; `sekisho dmarc-report --send` then mails the gzipped XML back
// through Postfix to the rua= addresses that may receive it — the
// domain's own and an outside collector that published its consent — and
// skips an outside address without consent. The disposition is the
// action sekisho applied.
func TestDMARCAggregateReports(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	srv := dnstest.Start(t)
	srv.TXT(t, "sender.example", "v=spf1 ip4:127.0.0.1 -all")
	srv.TXT(t, "_dmarc.sender.example", "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example,mailto:reports@collector.example!10m")
	srv.TXT(t, "sender.example._report._dmarc.collector.example", "v=DMARC1")
	srv.TXT(t, "forged.example", "v=spf1 ip4:192.0.2.1 -all")
	srv.TXT(t, "_dmarc.forged.example", "v=DMARC1; p=reject; rua=mailto:dmarc@forged.example")
	srv.TXT(t, "other.example", "v=spf1 ip4:127.0.0.1 -all")
	srv.TXT(t, "_dmarc.other.example", "v=DMARC1; p=none; rua=mailto:x@unauthorised.example")
	sk := startSink(t)

	dir := t.TempDir()
	p := ports{milter: freePort(t)}
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\n", p.milter), "")
	cfg := fmt.Sprintf(`[general]
data_dir = %q
hostname = "mx.example.jp"
[auth]
dns_servers = [%q]
dmarc_reports = true
dmarc_report_org = "Example JP"
dmarc_report_email = "dmarc-reports@example.jp"
dmarc_report_relay = "127.0.0.1:%d"
[sender]
enabled = false
`, filepath.Join(dir, "data"), srv.Addr, pf.port) + onlyFrontend("milter", p.milter, "")
	bin := sekishoBin(t)
	serveConfig(t, dir, cfg, p, bin)
	send := func(from, marker string) {
		t.Helper()
		m := "From: <" + from + ">\r\nTo: <yamada@example.jp>\r\nSubject: " + marker + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <" + marker + "@x>\r\n\r\nhello\r\n"
		swaks(t, pf.port, from, "yamada@example.jp", writeMsg(t, marker+".eml", []byte(m)))
	}
	send("news@sender.example", "dmarc-pass-1")
	send("news@sender.example", "dmarc-pass-2")
	send("x@other.example", "dmarc-other-1")
	send("ceo@forged.example", "dmarc-forged-1")
	sk.waitFor(t, "dmarc-pass-2", 60*time.Second)
	sk.waitFor(t, "dmarc-other-1", 60*time.Second)
	time.Sleep(500 * time.Millisecond) // the forged one's disposition is written after its verdict

	out, err := exec.Command(bin, "-c", filepath.Join(dir, "sekisho.toml"), "dmarc-report", "--since", "1h", "--out", dir, "--send").CombinedOutput()
	t.Logf("dmarc-report:\n%s", out)
	if err != nil {
		t.Fatalf("dmarc-report: %v", err)
	}
	mustContain(t, "dmarc-report output", string(out), "sender.example: 2 messages", "sent to dmarc@sender.example",
		"sent to reports@collector.example", "other.example: 1 messages", "skipped x@unauthorised.example: external destination",
		"forged.example: 1 messages", "sent to dmarc@forged.example")
	if files, _ := filepath.Glob(filepath.Join(dir, "mx.example.jp!sender.example!*.xml.gz")); len(files) != 1 {
		t.Fatalf("report files: %v", files)
	}
	for _, to := range []string{"dmarc@sender.example", "reports@collector.example"} {
		m := sk.waitFor(t, "To: "+to+"\r\n", 60*time.Second)
		s := string(m.Data)
		mustContain(t, "report mail to "+to, s, "Subject: Report Domain: sender.example Submitter: mx.example.jp Report-ID: <",
			"Content-Type: application/gzip", "filename=\"mx.example.jp!sender.example!")
		xml := gunzipAttachment(t, s)
		mustContain(t, "report XML", xml, "<org_name>Example JP</org_name>", "<email>dmarc-reports@example.jp</email>",
			"<domain>sender.example</domain>", "<p>reject</p>", "<source_ip>127.0.0.1</source_ip>", "<count>2</count>",
			"<disposition>none</disposition>", "<spf>pass</spf>", "<scope>mfrom</scope>", "<header_from>sender.example</header_from>")
	}
	// The forged domain's report: the action sekisho took, not "none".
	xml := gunzipAttachment(t, string(sk.waitFor(t, "To: dmarc@forged.example\r\n", 60*time.Second).Data))
	mustContain(t, "forged report", xml, "<spf>fail</spf>", "<result>fail</result>")
	if strings.Contains(xml, "<disposition>none</disposition>") {
		t.Errorf("the forged message's disposition is none:\n%s", xml)
	}
	for _, m := range sk.Messages() {
		for _, r := range m.Rcpts {
			if strings.Contains(r, "unauthorised") {
				t.Errorf("report sent to an outside address without consent")
			}
		}
	}
}

// gunzipAttachment decodes the base64 gzip attachment of a report mail.
func gunzipAttachment(t *testing.T, mail string) string {
	t.Helper()
	i := strings.Index(mail, "Content-Transfer-Encoding: base64")
	if i < 0 {
		t.Fatalf("no attachment:\n%s", mail)
	}
	part := mail[i:]
	part = part[strings.Index(part, "\r\n\r\n")+4:]
	if j := strings.Index(part, "--=_dmarc--"); j >= 0 {
		part = part[:j]
	}
	gz, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(part))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	return string(b)
}
