package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 with the
// given common name to cert and key.
func writeSelfSigned(t *testing.T, cn, cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	// Written beside and renamed over, as certbot and friends do.
	for _, f := range []struct {
		path string
		blk  *pem.Block
	}{{cert, &pem.Block{Type: "CERTIFICATE", Bytes: der}}, {key, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}}} {
		if err := os.WriteFile(f.path+".new", pem.EncodeToMemory(f.blk), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f.path+".new", f.path); err != nil {
			t.Fatal(err)
		}
	}
}

// servedCN connects to the console over TLS and returns the certificate's
// common name.
func servedCN(t *testing.T, port int) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS to the console: %v", err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// TestConsoleTLSReload: the console serves HTTPS from certificate files,
// `sekisho reload` (SIGHUP) swaps in a renewed certificate without a
// restart, and a broken renewal keeps the previous one.
func TestConsoleTLSReload(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "console.crt"), filepath.Join(dir, "console.key")
	writeSelfSigned(t, "first.sekisho.test", cert, key)
	sek := startSekisho(t, freePort(t), fmt.Sprintf("[web]\ntls_cert = %q\ntls_key = %q\n", cert, key))
	if cn := servedCN(t, sek.p.console); cn != "first.sekisho.test" {
		t.Fatalf("served %q", cn)
	}
	// HTTPS answers; plain HTTP does not get the console.
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := hc.Get(fmt.Sprintf("https://127.0.0.1:%d/healthz", sek.p.console))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok\n" {
		t.Fatalf("https /healthz: %d %q", resp.StatusCode, b)
	}
	if resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", sek.p.console)); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served on a TLS console port")
		}
	}
	// Keep a connection open across the reload: it must keep working.
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxIdleConnsPerHost: 1}
	keep := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	get := func(c *http.Client) {
		t.Helper()
		resp, err := c.Get(fmt.Sprintf("https://127.0.0.1:%d/healthz", sek.p.console))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get(keep)

	reload := func() {
		t.Helper()
		out, err := exec.Command(sekishoBin(t), "--config", sek.cfg, "reload").CombinedOutput()
		if err != nil {
			t.Fatalf("sekisho reload: %v\n%s", err, out)
		}
	}
	writeSelfSigned(t, "second.sekisho.test", cert, key)
	reload()
	waitCN(t, sek, "second.sekisho.test")
	get(keep)
	if !strings.Contains(sek.Log(), "console certificate reloaded") {
		t.Errorf("reload not logged:\n%s", sek.Log())
	}

	// A broken renewal: refused, the running certificate stays.
	os.WriteFile(cert, []byte("not a certificate"), 0o600)
	reload()
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(sek.Log(), "console certificate not reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("broken certificate not reported:\n%s", sek.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if cn := servedCN(t, sek.p.console); cn != "second.sekisho.test" {
		t.Fatalf("after a broken renewal served %q", cn)
	}
}

// waitCN polls until the console serves the certificate named cn (the
// reload is asynchronous: a signal).
func waitCN(t *testing.T, sek *sekisho, cn string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		got := servedCN(t, sek.p.console)
		if got == cn {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still serving %q, want %q\n%s", got, cn, sek.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
