package e2e

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestPostfixMilterARCSeal: with [serve.arc] set, mail that Postfix
// delivers through the milter carries an ARC set over the message as
// delivered (headers added, subject tagged), which sekisho's verifier and
// dkimpy (Debian's python3-dkim, an independent implementation) accept.
func TestPostfixMilterARCSeal(t *testing.T) {
	needPeer(t, "postfix", "swaks")
	srv := dnstest.Start(t)
	key, pub := srv.DKIMKey(t, "arc2026", "gw.example.jp")
	dns := srv.Resolver(t)
	keyFile := filepath.Join(t.TempDir(), "arc.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)

	sk := startSink(t)
	sek := startSekisho(t, freePort(t), fmt.Sprintf("[serve.arc]\ndomain = \"gw.example.jp\"\nselector = \"arc2026\"\nkey_file = %q\n", keyFile))
	pf := startPostfix(t, freePort(t), sk.port, fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\n", sek.p.milter), "")
	if out, ok := swaks(t, pf.port, "tanaka@partner.example", "yamada@example.jp", writeMsg(t, "ham.eml", hamMsg("ham-arc-1"))); !ok {
		t.Fatalf("ham refused:\n%s", out)
	}
	if out, ok := swaks(t, pf.port, "amz@123fnord.com", "yamada@example.jp", writeMsg(t, "spam.eml", spamMsg("spam-arc-1"))); !ok {
		t.Fatalf("spam refused:\n%s", out)
	}
	py := "/usr/bin/python3"
	haveDkimpy := exec.Command(py, "-c", "import dkim").Run() == nil
	if !haveDkimpy {
		testutil.PeerMissing(t, "python3-dkim not installed: dkimpy's verdict on the seal")
	}
	for _, marker := range []string{"ham-arc-1", "spam-arc-1"} {
		m := sk.waitFor(t, marker, 60*time.Second)
		mustContain(t, marker, string(m.Data), "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=gw.example.jp; s=arc2026",
			"ARC-Authentication-Results: i=1;")
		if r := arc.Verify(context.Background(), dns, m.Data); r.Status != arc.Pass {
			t.Errorf("%s: sekisho's verifier: %+v\n%s", marker, r, m.Data)
		}
		if !haveDkimpy {
			continue
		}
		f := writeMsg(t, marker+".delivered.eml", m.Data)
		out, err := exec.Command(py, "-c", `
import sys, dkim
msg = open(sys.argv[1], "rb").read()
cv, res, comment = dkim.arc_verify(msg, dnsfunc=lambda name, timeout=5: ("v=DKIM1; k=rsa; p=" + sys.argv[2]).encode())
print(cv.decode(), comment)`, f, pub).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "pass") {
			t.Errorf("%s: dkimpy: %v %s", marker, err, out)
		}
	}
	// The tagged subject is what the seal covers.
	if m := sk.waitFor(t, "spam-arc-1", 60*time.Second); !strings.Contains(string(m.Data), "Subject: [spam]") {
		t.Errorf("spam not tagged")
	}
}
