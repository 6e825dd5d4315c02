package arc

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/testutil"
)

// dkimpy is Debian's python3-dkim: an independent ARC implementation
// (arcsign/arcverify). The script signs or verifies a message read from a
// file, answering the key lookup itself (no DNS).
const dkimpyScript = `
import sys, dkim
mode, path, pub = sys.argv[1], sys.argv[2], sys.argv[3]
msg = open(path, "rb").read()
def dnsfunc(name, timeout=5):
    return ("v=DKIM1; k=rsa; p=" + pub).encode()
if mode == "verify":
    cv, results, comment = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    sys.stdout.write(cv.decode() + " " + comment)
else:
    key = open(sys.argv[4], "rb").read()
    hdrs = dkim.arc_sign(msg, b"arc1", b"relay.example", key, b"relay.example",
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    sys.stdout.buffer.write(b"".join(hdrs) + msg)
`

func dkimpy(t *testing.T, args ...string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import dkim").Run(); err != nil {
		testutil.NoPeer(t, "python3-dkim missing: %v", err)
	}
	out, err := exec.Command(py, append([]string{"-c", dkimpyScript}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("dkimpy %v: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// TestInteropDkimpy: seals made here verify in dkimpy, and a chain that
// dkimpy starts verifies here (keys from a DNS server on loopback) and
// takes a second set from sekisho.
func TestInteropDkimpy(t *testing.T) {
	srv := dnstest.Start(t)
	key, pub := srv.DKIMKey(t, "arc1", "relay.example")
	srv.TXT(t, "s1._domainkey.gw.example.jp", "v=DKIM1; k=rsa; p="+pub)
	dns := srv.Resolver(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	msg := []byte("Authentication-Results: relay.example; spf=pass smtp.mailfrom=partner.example\r\n" +
		"From: Tanaka <tanaka@partner.example>\r\nTo: yamada@example.jp\r\nSubject: =?UTF-8?B?6KuL5rGC5pu4?=\r\n" +
		"Date: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <i1@partner.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nいつもお世話になっております。\r\n  trailing  spaces  \r\n\r\n\r\n")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}

	// 1. sekisho seals, dkimpy verifies.
	set, err := Seal(msg, SealOptions{Domain: "gw.example.jp", Selector: "s1", Signer: key, AuthServID: "gw.example.jp",
		Results: "spf=pass smtp.mailfrom=partner.example"})
	if err != nil {
		t.Fatal(err)
	}
	dns2 := func(p string) string { return dkimpy(t, "verify", p, pub) }
	if out := dns2(write("ours.eml", append([]byte(set), msg...))); !strings.HasPrefix(out, "pass") {
		t.Fatalf("dkimpy on sekisho's seal: %s", out)
	}

	// 2. dkimpy seals (i=1), sekisho verifies, sekisho adds i=2, dkimpy verifies the chain.
	theirs := []byte(dkimpy(t, "sign", write("in.eml", msg), pub, keyFile))
	if !bytes.Contains(theirs, []byte("ARC-Seal: i=1")) {
		t.Fatalf("dkimpy did not seal:\n%s", theirs)
	}
	if r := Verify(context.Background(), dns, theirs); r.Status != Pass {
		t.Fatalf("sekisho on dkimpy's seal: %+v", r)
	}
	set2, err := Seal(theirs, SealOptions{Domain: "gw.example.jp", Selector: "s1", Signer: key, AuthServID: "gw.example.jp",
		Results: "arc=pass", CV: Pass})
	if err != nil {
		t.Fatal(err)
	}
	two := append([]byte(set2), theirs...)
	if out := dns2(write("two.eml", two)); !strings.HasPrefix(out, "pass") {
		t.Fatalf("dkimpy on the two-set chain: %s", out)
	}
	if r := Verify(context.Background(), dns, two); r.Status != Pass {
		t.Fatalf("sekisho on the two-set chain: %+v", r)
	}
	// Tampering is seen by both.
	bad := bytes.Replace(two, []byte("いつも"), []byte("いつか"), 1)
	if out := dns2(write("bad.eml", bad)); strings.HasPrefix(out, "pass") {
		t.Errorf("dkimpy passed a tampered body: %s", out)
	}
	if r := Verify(context.Background(), dns, bad); r.Status == Pass {
		t.Error("sekisho passed a tampered body")
	}
}
