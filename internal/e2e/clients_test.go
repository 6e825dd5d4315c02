package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRspamcSpamc: Debian's rspamc and spamc, unchanged, against `sekisho serve`.
func TestRspamcSpamc(t *testing.T) {
	needPeer(t, "rspamc", "spamc")
	sek := startSekisho(t, freePort(t), "")
	phish := writeMsg(t, "phish.eml", phishMsg("phish-rspamc"))
	spam := writeMsg(t, "spam.eml", spamMsg("spam-rspamc"))
	ham := writeMsg(t, "ham.eml", hamMsg("ham-rspamc"))
	rspamc := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("rspamc", append([]string{"-h", fmt.Sprintf("127.0.0.1:%d", sek.p.rspamd), "-t", "30"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("rspamc %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := rspamc("-i", "203.0.113.5", "--helo", "mail.hotmail.com", "-F", "micros0ftsupport@hotmail.com", "-r", "yamada@example.jp", phish)
	t.Logf("rspamc phishing:\n%s", out)
	mustContain(t, "rspamc phishing", out, "Action: reject", "Spam: true", "Score: 16.00 / 15.00", "Symbol: HDR_FROM_NAME_HAS_ADDRESS (16.00)")
	out = rspamc(spam)
	mustContain(t, "rspamc spam", out, "Action: rewrite subject", "Symbol: HDR_MISSING_DATE (4.00)", "Symbol: HDR_MISSING_MESSAGE_ID (4.50)")
	out = rspamc("-z", spam) // zstd-compressed request
	mustContain(t, "rspamc -z spam", out, "Action: rewrite subject", "HDR_MISSING_DATE")
	out = rspamc(ham)
	mustContain(t, "rspamc ham", out, "Action: no action", "Spam: false")
	// The controller port answers the same paths.
	st, err := exec.Command("rspamc", "-h", fmt.Sprintf("127.0.0.1:%d", sek.p.console), "stat").CombinedOutput()
	if err != nil {
		t.Errorf("rspamc stat: %v\n%s", err, st)
	}
	mustContain(t, "rspamc stat", string(st), "Messages scanned: 4")
	if r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/ping", sek.p.rspamd)); err != nil || r.StatusCode != 200 {
		t.Errorf("ping: %v", err)
	}

	spamc := func(file string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("spamc", append([]string{"-d", "127.0.0.1", "-p", fmt.Sprint(sek.p.spamd)}, args...)...)
		in, _ := readFile(file)
		cmd.Stdin = strings.NewReader(in)
		b, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(b), code
	}
	o, code := spamc(phish, "-c")
	if strings.TrimSpace(o) != "16.0/5.0" || code != 1 {
		t.Errorf("spamc -c phishing: %q exit %d", o, code)
	}
	o, code = spamc(ham, "-c")
	if strings.TrimSpace(o) != "0.0/5.0" || code != 0 {
		t.Errorf("spamc -c ham: %q exit %d", o, code)
	}
	o, _ = spamc(spam, "-R")
	t.Logf("spamc -R spam:\n%s", o)
	mustContain(t, "spamc -R", o, "8.5/5.0", "HDR_MISSING_DATE", "HDR_MISSING_MESSAGE_ID", "Content analysis details")
	o, _ = spamc(spam, "-y")
	if !strings.HasPrefix(strings.TrimSpace(o), "HDR_MISSING_MESSAGE_ID,HDR_MISSING_DATE") {
		t.Errorf("spamc -y: %q", o)
	}
	o, _ = spamc(spam)
	mustContain(t, "spamc (PROCESS)", o, "X-Spam-Flag: YES", "Subject: [spam] =?UTF-8?b?", "spam-rspamc")
	o, _ = spamc(spam, "--headers")
	mustContain(t, "spamc --headers", o, "X-Sekisho-Verdict: action=tag")
	if _, code = spamc(spam, "-K"); code != 0 {
		t.Errorf("spamc -K (PING) exit %d", code)
	}
}

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}
