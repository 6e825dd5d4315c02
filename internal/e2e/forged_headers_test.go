package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// forgedMsg is an ordinary mail carrying copies of every header sekisho
// adds, forged to say it passed, plus another host's Authentication-Results.
func forgedMsg(marker string) []byte {
	return append(crlf("Authentication-Results: sekisho.test; spf=pass smtp.mailfrom=ceo@example.jp (forged-ar)\n"+
		"Authentication-Results: mx.partner.example; dkim=pass header.d=partner.example (other-ar)\n"+
		"X-Spam-Flag: NO (forged-flag)\n"+
		"X-Spam-Status: No, score=-100 (forged-status)\n"+
		"X-Sekisho-Verdict: action=accept; category=clean (forged-verdict)\n"+
		"X-Sekisho-Note:\n (forged-note)\n"), hamMsg(marker)...)
}

// checkForgedGone: the delivered copy lacks every forged field, keeps the
// other host's Authentication-Results and carries sekisho's own verdict.
func checkForgedGone(t *testing.T, data string) {
	t.Helper()
	for _, f := range []string{"forged-ar", "forged-flag", "forged-status", "forged-verdict", "forged-note"} {
		if strings.Contains(data, f) {
			t.Errorf("forged field (%s) delivered:\n%s", f, data)
		}
	}
	if !strings.Contains(data, "other-ar") {
		t.Errorf("another host's Authentication-Results was removed:\n%s", data)
	}
	if n := strings.Count(data, "X-Sekisho-Verdict:"); n != 1 || !strings.Contains(data, "id=") {
		t.Errorf("want exactly sekisho's own verdict header (%d):\n%s", n, data)
	}
}

// TestForgedHeadersStrippedMilter (issue 14): through the real Postfix and
// the milter, forged X-Spam-*, X-Sekisho-* and Authentication-Results
// claiming sekisho's authserv-id are removed before delivery.
func TestForgedHeadersStrippedMilter(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	sk := startSink(t)
	sek := startSekisho(t, freePort(t), "")
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\n", sek.p.milter), "")
	if out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "f.eml", forgedMsg("forged-milter-1"))); !ok {
		t.Fatalf("refused:\n%s", out)
	}
	checkForgedGone(t, string(sk.waitFor(t, "forged-milter-1", time.Minute).Data))
}

// TestForgedHeadersStrippedSMTP: the same through the SMTP gateway.
func TestForgedHeadersStrippedSMTP(t *testing.T) {
	needPeer(t, "swaks")
	sk := startSink(t)
	sek := startSekisho(t, sk.port, "")
	if out, ok := swaks(t, sek.p.smtp, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "f.eml", forgedMsg("forged-smtp-1"))); !ok {
		t.Fatalf("refused:\n%s", out)
	}
	checkForgedGone(t, string(sk.waitFor(t, "forged-smtp-1", time.Minute).Data))
}
