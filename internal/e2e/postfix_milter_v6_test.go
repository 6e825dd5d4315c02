package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPostfixMilterHeaderTooBig: with milter protocol 6 Postfix waits for
// no reply per header field, so a header over max_message_bytes is refused
// at the first body chunk: the SMTP client still gets 552 5.3.4 at the end
// of DATA, nothing is delivered, and the next message passes.
func TestPostfixMilterHeaderTooBig(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	sk := startSink(t)
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\nhostname = \"sekisho.test\"\n[serve]\nmax_message_bytes = 4096\n",
		filepath.Join(dir, "data")) + onlyFrontend("milter", port, "") + testWeights
	serveConfig(t, dir, cfg, ports{milter: port}, sekishoBin(t))
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\n", port), "")
	long := "X-Long: " + strings.Repeat("word ", 12) + strings.Repeat("\r\n\t"+strings.Repeat("word ", 12), 100) + "\r\n"
	big := append([]byte(long), hamMsg("ham-bighdr")...)
	out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "big.eml", big))
	if ok || !strings.Contains(out, "552 5.3.4 Message header too big for the content filter") {
		t.Fatalf("a header over the bound was not refused with 552 5.3.4:\n%s", out)
	}
	out, ok = swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "ok.eml", hamMsg("ham-after")))
	if !ok {
		t.Fatalf("the next message was refused:\n%s", out)
	}
	sk.waitFor(t, "ham-after", time.Minute)
	for _, m := range sk.Messages() {
		if strings.Contains(string(m.Data), "ham-bighdr") {
			t.Errorf("the refused message was delivered")
		}
	}
}
