package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// postfix is one Postfix instance running from a temporary
// config_directory / queue_directory / data_directory.
type postfix struct {
	dir  string
	conf string
	port int
}

// startPostfix runs Debian's postfix as root from a temporary directory:
// loopback only, the given smtpd port, the sink as relayhost. extraMain
// and extraMaster are appended to main.cf and master.cf.
func startPostfix(t *testing.T, port, sinkPort int, extraMain, extraMaster string) *postfix {
	t.Helper()
	needPeer(t, "postfix", "postcat", "postqueue", "swaks")
	if os.Geteuid() != 0 {
		testutil.NoPeer(t, "postfix tests need root")
	}
	pu, err := user.Lookup("postfix")
	if err != nil {
		t.Skip("no postfix user")
	}
	dir, err := os.MkdirTemp("", "sekisho-pf")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	p := &postfix{dir: dir, conf: filepath.Join(dir, "etc"), port: port}
	for _, d := range []string{"etc", "queue", "data"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	uid, _ := strconv.Atoi(pu.Uid)
	os.Chown(filepath.Join(dir, "data"), uid, -1)
	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.test
mydomain = test
mydestination =
relay_domains = example.jp
relayhost = [127.0.0.1]:%[2]d
smtp_dns_support_level = disabled
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
local_header_rewrite_clients =
alias_maps =
alias_database =
local_transport = error:no local delivery
biff = no
syslog_name = pftest
milter_default_action = tempfail
`, dir, sinkPort) + extraMain
	master := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`, port) + extraMaster
	os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(main), 0o644)
	os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(master), 0o644)
	if out, err := exec.Command("postfix", "-c", p.conf, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		exec.Command("postfix", "-c", p.conf, "stop").Run()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Logf("postfix maillog:\n%s", log)
		}
		// master exits asynchronously; give it a moment before removing its queue
		for i := 0; i < 50; i++ {
			if _, err := os.Stat(filepath.Join(dir, "queue", "pid", "master.pid")); err != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		os.RemoveAll(dir)
	})
	waitPort(t, port, 20*time.Second)
	return p
}

// swaks sends one message file; it returns swaks' transcript and whether
// the server accepted it.
func swaks(t *testing.T, port int, from, to, file string, extra ...string) (string, bool) {
	t.Helper()
	args := append([]string{"--server", fmt.Sprintf("127.0.0.1:%d", port), "--from", from, "--to", to,
		"--data", file, "--timeout", "60"}, extra...)
	out, err := exec.Command("swaks", args...).CombinedOutput()
	return string(out), err == nil
}

type queued struct {
	QueueName string `json:"queue_name"`
	QueueID   string `json:"queue_id"`
}

// queue lists the Postfix queue (postqueue -j).
func (p *postfix) queue(t *testing.T) []queued {
	out, err := exec.Command("postqueue", "-c", p.conf, "-j").Output()
	if err != nil {
		t.Fatalf("postqueue: %v", err)
	}
	var qs []queued
	for _, l := range bytes.Split(out, []byte("\n")) {
		var q queued
		if json.Unmarshal(l, &q) == nil && q.QueueID != "" {
			qs = append(qs, q)
		}
	}
	return qs
}

// body prints a queued message's content (postcat -bh).
func (p *postfix) content(t *testing.T, id string) string {
	out, err := exec.Command("postcat", "-c", p.conf, "-bh", "-q", id).CombinedOutput()
	if err != nil {
		t.Fatalf("postcat: %v\n%s", err, out)
	}
	return string(out)
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s: missing %q in:\n%s", what, sub, s)
		}
	}
}

// checkDelivered checks the ham, spam and (for the milter) nothing else.
func checkHamSpam(t *testing.T, sk *sink, hamMarker, spamMarker string) {
	t.Helper()
	ham := sk.waitFor(t, hamMarker, 60*time.Second)
	hs := string(ham.Data)
	mustContain(t, "ham", hs, "X-Sekisho-Verdict: action=accept", "X-Spam-Flag: NO")
	// The ISO-2022-JP body arrives untouched.
	if !bytes.Contains(ham.Data, []byte(iso2022("お世話になっております。来週の会議資料をお送りします。"))) {
		t.Errorf("ham body changed:\n%s", hs)
	}
	spam := sk.waitFor(t, spamMarker, 60*time.Second)
	ss := string(spam.Data)
	mustContain(t, "spam", ss, "X-Sekisho-Verdict: action=tag", "X-Spam-Flag: YES", "HDR_MISSING_DATE",
		"Subject: [spam] =?UTF-8?b?")
}

// TestPostfixMilter: Postfix with smtpd_milters pointing at `sekisho
// serve`; ham is delivered with headers, spam gets its subject tagged,
// phishing is rejected in the SMTP dialogue with 5.7.1 and the scan id,
// and the malware-like message is quarantined: sekisho keeps it and
// Postfix holds it whole in its hold queue (quarantine_mode = "hold").
func TestPostfixMilter(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	sk := startSink(t)
	sek := startSekisho(t, freePort(t), `quarantine_mode = "hold"`)
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\n", sek.p.milter), "")

	out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "ham.eml", hamMsg("ham-milter-1")))
	if !ok {
		t.Fatalf("ham refused:\n%s", out)
	}
	out, ok = swaks(t, pf.port, "amz@123fnord.com", "yamada@example.jp", writeMsg(t, "spam.eml", spamMsg("spam-milter-1")))
	if !ok {
		t.Fatalf("spam refused:\n%s", out)
	}
	out, ok = swaks(t, pf.port, "micros0ftsupport@hotmail.com", "yamada@example.jp", writeMsg(t, "phish.eml", phishMsg("phish-milter-1")))
	if ok {
		t.Errorf("phishing accepted:\n%s", out)
	}
	mustContain(t, "phishing reply", out, "550 5.7.1", "Message rejected as unsafe", "(id ")
	mal := malwareMsg("malware-milter-1")
	out, ok = swaks(t, pf.port, "sato@partner.example", "yamada@example.jp", writeMsg(t, "mal.eml", mal))
	if !ok {
		t.Fatalf("quarantined message refused (it must be accepted and held):\n%s", out)
	}
	checkHamSpam(t, sk, "ham-milter-1", "spam-milter-1")

	// The quarantined message: in Postfix's hold queue, whole, and known to sekisho.
	var held string
	for i := 0; i < 100 && held == ""; i++ {
		for _, q := range pf.queue(t) {
			if q.QueueName == "hold" {
				held = q.QueueID
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if held == "" {
		t.Fatalf("no message in the hold queue: %+v", pf.queue(t))
	}
	content := pf.content(t, held)
	mustContain(t, "held message", content, "X-Sekisho-Verdict: action=quarantine", "quarantine=")
	_, origBody := splitMsg(mal)
	_, heldBody := splitMsg([]byte(strings.ReplaceAll(content, "\r\n", "\n")))
	if strings.TrimSpace(string(heldBody)) != strings.TrimSpace(strings.ReplaceAll(string(origBody), "\r\n", "\n")) {
		t.Errorf("held body differs from the original:\n%s", content)
	}
	for _, m := range sk.Messages() {
		if bytes.Contains(m.Data, []byte("phish-milter-1")) || bytes.Contains(m.Data, []byte("malware-milter-1")) {
			t.Errorf("rejected or quarantined message was delivered")
		}
	}
	if !sek.logShows("msg=quarantined", 5*time.Second) {
		t.Errorf("sekisho did not log the quarantine")
	}
	if !strings.Contains(sek.Log(), "queue_id="+held) {
		t.Errorf("sekisho did not read the queue id macro {i} (%s)", held)
	}
	// The milter rebuilds the message with Postfix's CRLF line ends
	// throughout: neither the stored-mail nor the mixed line-end symbol.
	for _, s := range []string{"MIME_BARE_LF", "MIME_MIXED_EOL"} {
		if strings.Contains(sek.Log(), s) {
			t.Errorf("%s on mail from Postfix", s)
		}
	}
}

// TestPostfixProxyFilter: Postfix's smtpd_proxy_filter sends mail through
// sekisho's SMTP gateway (before queue) to a second Postfix smtpd, then to
// the sink.
func TestPostfixProxyFilter(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	sk := startSink(t)
	after := freePort(t)
	sek := startSekisho(t, after, "")
	front := freePort(t)
	master := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_proxy_filter= -o smtpd_milters= -o smtpd_authorized_xforward_hosts=127.0.0.0/8
  -o smtpd_client_restrictions= -o smtpd_helo_restrictions= -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=permit_mynetworks,reject -o mynetworks=127.0.0.0/8
`, after)
	pf := startPostfix(t, front, sk.port, fmt.Sprintf("smtpd_proxy_filter = 127.0.0.1:%d\nsmtpd_proxy_timeout = 120s\n", sek.p.smtp), master)

	out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "ham.eml", hamMsg("ham-proxy-1")))
	if !ok {
		t.Fatalf("ham refused:\n%s", out)
	}
	out, ok = swaks(t, pf.port, "amz@123fnord.com", "yamada@example.jp", writeMsg(t, "spam.eml", spamMsg("spam-proxy-1")))
	if !ok {
		t.Fatalf("spam refused:\n%s", out)
	}
	out, ok = swaks(t, pf.port, "micros0ftsupport@hotmail.com", "yamada@example.jp", writeMsg(t, "phish.eml", phishMsg("phish-proxy-1")))
	if ok {
		t.Errorf("phishing accepted:\n%s", out)
	}
	mustContain(t, "phishing reply", out, "550 5.7.1", "(id ")
	out, ok = swaks(t, pf.port, "sato@partner.example", "yamada@example.jp", writeMsg(t, "mal.eml", malwareMsg("malware-proxy-1")))
	if !ok {
		t.Fatalf("quarantined message refused:\n%s", out)
	}
	mustContain(t, "quarantine reply", out, "held in quarantine")
	checkHamSpam(t, sk, "ham-proxy-1", "spam-proxy-1")
	ham := sk.waitFor(t, "ham-proxy-1", time.Second)
	mustContain(t, "ham via gateway", string(ham.Data), "(sekisho) with ESMTP")
	// Postfix passed the real client through XFORWARD.
	if !strings.Contains(sek.Log(), "frontend=smtp") {
		t.Errorf("no smtp scans logged")
	}
	for _, m := range sk.Messages() {
		if bytes.Contains(m.Data, []byte("phish-proxy-1")) || bytes.Contains(m.Data, []byte("malware-proxy-1")) {
			t.Errorf("rejected or quarantined message was delivered")
		}
	}
	if !sek.logShows("msg=quarantined", 5*time.Second) {
		t.Errorf("sekisho did not log the quarantine")
	}
}

func splitMsg(b []byte) ([]byte, []byte) {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	i := strings.Index(s, "\n\n")
	if i < 0 {
		return []byte(s), nil
	}
	return []byte(s[:i+1]), []byte(s[i+2:])
}
