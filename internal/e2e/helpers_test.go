package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"

	"golang.org/x/text/encoding/japanese"
)

// sekishoBin is the real binary, built once per test run.
func sekishoBin(t *testing.T) string { return testutil.Binary(t) }

// needPeer finds a peer program or skips (fails when SEKISHO_REQUIRE_PEERS=1).
func needPeer(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		testutil.LookPeer(t, n)
	}
}

func freePort(t *testing.T) int { return testutil.FreePort(t) }

func waitPort(t *testing.T, port int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("port %d never opened", port)
}

// ports of one sekisho instance.
type ports struct{ milter, smtp, rspamd, console, spamd, nextHop int }

type sekisho struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	p    ports
	done chan error
	cfg  string // configuration file
}

type syncBuf struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (s syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *sekisho) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// testWeights make the header analyzer's symbols heavy enough to reach
// every action with ordinary test messages. The front-end tests check the
// translation of verdicts, so every other analyzer is off: the scores stay
// what the tests expect whatever the analyzers learn to find.
const testWeights = analyzersOff + headerWeights

// analyzersOff turns off every analyzer but the header analyzer.
const analyzersOff = `
[auth]
enabled = false
[sender]
enabled = false
[url]
enabled = false
[rules]
enabled = false
[attach]
enabled = false
[bayes]
enabled = false
`

// headerWeights make the header symbols reach every action.
const headerWeights = `
[policy.weights]
HDR_MISSING_DATE = 4.0
HDR_MISSING_MESSAGE_ID = 4.5
HDR_FROM_NAME_HAS_ADDRESS = 16.0
HDR_FWD_NO_THREAD = 11.0
`

// startSekisho runs `sekisho serve --config` with every front end on free
// loopback ports; extra is appended to the configuration.
func startSekisho(t *testing.T, nextHop int, extra string) *sekisho {
	t.Helper()
	bin := sekishoBin(t)
	dir := t.TempDir()
	p := ports{milter: freePort(t), smtp: freePort(t), rspamd: freePort(t), console: freePort(t), spamd: freePort(t), nextHop: nextHop}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
[serve]
shutdown_timeout = "20s"
[serve.milter]
listen = "127.0.0.1:%d"
%s
[serve.smtp]
listen = "127.0.0.1:%d"
next_hop = "127.0.0.1:%d"
[serve.rspamd]
listen = "127.0.0.1:%d"
[serve.console]
listen = "127.0.0.1:%d"
[serve.spamd]
listen = "127.0.0.1:%d"
`, filepath.Join(dir, "data"), p.milter, milterExtra(extra), p.smtp, p.nextHop, p.rspamd, p.console, p.spamd) + testWeights
	return serveConfig(t, dir, cfg, p, bin)
}

// serveConfig runs `sekisho serve` on the configuration text cfg (written
// to dir) and waits for the ports of p that are set.
func serveConfig(t *testing.T, dir, cfg string, p ports, bin string) *sekisho {
	t.Helper()
	path := filepath.Join(dir, "sekisho.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &sekisho{log: &bytes.Buffer{}, mu: &sync.Mutex{}, p: p, done: make(chan error, 1), cfg: path}
	s.cmd = exec.Command(bin, "serve", "--config", path)
	s.cmd.Stdout = syncBuf{s.mu, s.log}
	s.cmd.Stderr = syncBuf{s.mu, s.log}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("sekisho did not stop cleanly: %v\n%s", err, s.Log())
			}
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			t.Errorf("sekisho did not stop in time")
		}
		if t.Failed() {
			t.Logf("sekisho log:\n%s", s.Log())
		}
	})
	// No fixed start-up budget (a loaded host is slow): wait until the
	// ports open, or fail at once when the process has exited.
	for _, port := range []int{p.milter, p.smtp, p.rspamd, p.console, p.spamd} {
		if port != 0 {
			s.waitPort(t, port)
		}
	}
	return s
}

func milterExtra(extra string) string { return extra }

// waitPort waits for port to accept connections while the process runs
// (up to startTimeout, a generous bound for a loaded host, not a timing
// claim).
// logShows waits up to d for the daemon's log to contain sub (a line is
// written just after the reply the test saw: poll, do not race it).
func (s *sekisho) logShows(sub string, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(s.Log(), sub) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func (s *sekisho) waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("sekisho exited before port %d opened: %v\n%s", port, err, s.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("port %d never opened in %v\n%s", port, startTimeout, s.Log())
}

// startTimeout bounds waiting for a started process to listen.
const startTimeout = 3 * time.Minute

// onlyFrontend is the [serve.*] configuration with one front end
// listening on port and the others off.
func onlyFrontend(name string, port int, extra string) string {
	var b strings.Builder
	for _, fe := range []string{"milter", "smtp", "rspamd", "console", "spamd"} {
		if fe == name {
			fmt.Fprintf(&b, "[serve.%s]\nlisten = \"127.0.0.1:%d\"\n%s", fe, port, extra)
		} else {
			fmt.Fprintf(&b, "[serve.%s]\nenabled = false\n", fe)
		}
	}
	return b.String()
}

// sink is the shared SMTP sink (testutil.Sink) standing in for the next
// hop / relayhost.
type sink struct {
	*testutil.Sink
	port int
}

func startSink(t *testing.T) *sink {
	t.Helper()
	k := testutil.SMTPSink(t)
	return &sink{Sink: k, port: k.Port()}
}

// Messages returns what the sink received so far.
func (s *sink) Messages() []testutil.Mail { return s.Received() }

// waitFor waits until the sink holds a message containing marker.
func (s *sink) waitFor(t *testing.T, marker string, d time.Duration) testutil.Mail {
	t.Helper()
	return s.WaitFor(t, marker, d)
}

// ---- test messages (seed-derived) ----

func iso2022(s string) string {
	b, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
}

// hamMsg: an ordinary Japanese business mail in ISO-2022-JP.
func hamMsg(marker string) []byte {
	subj := mime.BEncoding.Encode("ISO-2022-JP", iso2022("会議資料のご送付"))
	return crlf(fmt.Sprintf(`From: "Tanaka Ichiro" <tanaka@partner.example>
To: <yamada@example.jp>
Subject: %s
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s@partner.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

%s
Marker: %s
`, subj, marker, iso2022("お世話になっております。来週の会議資料をお送りします。"), marker))
}

// spamMsg: the "Amazon Shipping" lure of seed 003, a bulk mailer without
// Date or Message-ID, with a UTF-8 encoded-word subject.
func spamMsg(marker string) []byte {
	subj := mime.BEncoding.Encode("UTF-8", "お荷物の配達について")
	return crlf(fmt.Sprintf(`From: "Amazon Shipping" <amz@123fnord.com>
To: <yamada@example.jp>
Subject: %s
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

お荷物をお届けできませんでした。Your parcel could not be delivered.
Confirm your address: http://123fnord.com/track
Marker: %s
`, subj, marker))
}

// phishMsg: the Office 365 phishing of seed 003 (micros0ftsupport@hotmail.com
// showing a Microsoft address as its display name).
func phishMsg(marker string) []byte {
	return crlf(fmt.Sprintf(`From: "support@microsoft.com" <micros0ftsupport@hotmail.com>
To: <yamada@example.jp>
Subject: Office 365: your password expires today
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s@hotmail.com>
MIME-Version: 1.0
Content-Type: text/html; charset=UTF-8

<html><body><p>Your Office 365 password expires today.
<a href="http://active-japan-top.beak.host/login">Keep my password</a></p><!-- %s --></body></html>
`, marker, marker))
}

// eicar is the standard anti-virus test string, built at run time so the
// repository itself holds no scanner-triggering file.
func eicar() string {
	return `X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
}

// malwareMsg: the Emotet pattern of seed 000: "Fwd:" with no thread and a
// zip attachment (holding the EICAR test file).
func malwareMsg(marker string) []byte {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("invoice.xlsm")
	io.WriteString(w, eicar())
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(zb.Bytes())
	var lines []string
	for len(b64) > 76 {
		lines = append(lines, b64[:76])
		b64 = b64[76:]
	}
	lines = append(lines, b64)
	return crlf(fmt.Sprintf(`From: "Sato Hanako" <sato@partner.example>
To: <yamada@example.jp>
Subject: Fwd: invoice
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s@partner.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8

Please see the attached invoice. Password: 1234
Marker: %s
--b1
Content-Type: application/zip; name="invoice.zip"
Content-Disposition: attachment; filename="invoice.zip"
Content-Transfer-Encoding: base64

%s
--b1--
`, marker, marker, strings.Join(lines, "\n")))
}

func writeMsg(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
