package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/smtp"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDigestSend: mail held by the SMTP gateway of a running `sekisho
// serve` is listed by `sekisho digest send` (a dry run sends nothing);
// the digest reaches the relay, and its release link, opened against the
// running console, shows a confirm page on GET and releases on POST,
// once.
func TestDigestSend(t *testing.T) {
	bin := sekishoBin(t)
	sk := startSink(t)
	dir := t.TempDir()
	p := ports{smtp: freePort(t), console: freePort(t), nextHop: sk.port}
	console := fmt.Sprintf("http://127.0.0.1:%d", p.console)
	cfg := digestServeConf(filepath.Join(dir, "data"), p, sk.port, "", analyzersOff+"[policy.weights]")
	sek := serveConfig(t, dir, cfg, p, bin)
	cli := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--config", sek.cfg}, args...)...).Output()
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
	send := func(to string, msg []byte) {
		t.Helper()
		c, err := smtp.Dial(fmt.Sprintf("127.0.0.1:%d", p.smtp))
		if err == nil {
			defer c.Close()
			err = c.Mail("amz@123fnord.com")
		}
		if err == nil {
			err = c.Rcpt(to)
		}
		var w io.WriteCloser
		if err == nil {
			w, err = c.Data()
		}
		if err == nil {
			_, err = w.Write(msg)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			t.Fatalf("send to %s: %v\n%s", to, err, sek.Log())
		}
	}
	send("alice@example.jp", spamMsg("digest-alice-1"))
	send("bob@example.jp", spamMsg("digest-bob-1"))
	send("someone@elsewhere.example", spamMsg("digest-other-1"))
	if n := len(sk.Messages()); n != 0 {
		t.Fatalf("%d messages were relayed, want all held", n)
	}

	type sent struct {
		Rcpt  string   `json:"rcpt"`
		Lang  string   `json:"lang"`
		Items []string `json:"items"`
	}
	var dry []sent
	if err := json.Unmarshal(cli("digest", "send", "--dry-run", "--json"), &dry); err != nil {
		t.Fatal(err)
	}
	if len(dry) != 2 || dry[0].Rcpt != "alice@example.jp" || dry[1].Rcpt != "bob@example.jp" || len(dry[0].Items) != 1 {
		t.Fatalf("dry run: %+v", dry)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(sk.Messages()); n != 0 {
		t.Fatalf("the dry run sent %d messages", n)
	}
	var real []sent
	if err := json.Unmarshal(cli("digest", "send", "--json"), &real); err != nil {
		t.Fatal(err)
	}
	if len(real) != 2 {
		t.Fatalf("digest send: %+v", real)
	}
	var digestMail []byte
	deadline := time.Now().Add(30 * time.Second)
	for digestMail == nil {
		for _, m := range sk.Messages() {
			if len(m.Rcpts) == 1 && m.Rcpts[0] == "alice@example.jp" && bytes.Contains(m.Data, []byte("Auto-Submitted: auto-generated")) {
				digestMail = m.Data
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no digest for alice: %d messages", len(sk.Messages()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	m, err := mail.ReadMessage(bytes.NewReader(digestMail))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
	rel := regexp.MustCompile(`Release: (\S+)`).FindSubmatch(body)
	if rel == nil || !strings.HasPrefix(string(rel[1]), console+"/digest/") || !strings.Contains(string(body), "123fnord.com") {
		t.Fatalf("digest body:\n%s", body)
	}
	link := string(rel[1])
	// A second run has nothing new.
	var again []sent
	if err := json.Unmarshal(cli("digest", "send", "--dry-run", "--json"), &again); err != nil || len(again) != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}

	// GET (what a link scanner does): a confirm page, nothing released.
	for i := 0; i < 2; i++ {
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`id="dg-confirm"`)) {
			t.Fatalf("GET: %d\n%s", resp.StatusCode, b)
		}
	}
	time.Sleep(300 * time.Millisecond)
	for _, m := range sk.Messages() {
		if bytes.Contains(m.Data, []byte("Marker: digest-alice-1")) {
			t.Fatal("released by GET")
		}
	}
	post := func() (int, string) {
		req, _ := http.NewRequest("POST", link, nil)
		req.Header.Set("Origin", console)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := post(); code != 200 || !strings.Contains(b, `id="dg-done"`) {
		t.Fatalf("POST: %d\n%s", code, b)
	}
	got := sk.waitFor(t, "Marker: digest-alice-1", 30*time.Second)
	if len(got.Rcpts) != 1 || got.Rcpts[0] != "alice@example.jp" {
		t.Fatalf("released to %v", got.Rcpts)
	}
	if code, b := post(); code != http.StatusConflict || !strings.Contains(b, `data-err="used"`) {
		t.Fatalf("second POST: %d\n%s", code, b)
	}
}

// digestServeConf is the daemon of the digest tests: SMTP gateway to the
// sink at sinkPort, console, release back to the sink, digest links at
// the console; digestExtra goes in [digest], analyzers after it (it ends
// with "[policy.weights]": the two header symbols that make the test
// mail spam follow).
func digestServeConf(data string, p ports, sinkPort int, digestExtra, analyzers string) string {
	console := fmt.Sprintf("http://127.0.0.1:%d", p.console)
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
release_host = "127.0.0.1:%d"
release_starttls = "none"
[digest]
base_url = %q
%s
%s
HDR_MISSING_DATE = 6.0
HDR_MISSING_MESSAGE_ID = 6.0
`, data, p.smtp, sinkPort, p.console, sinkPort, console, digestExtra, analyzers)
}
