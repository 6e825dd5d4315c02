package dkim_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// RFC 6376 §3.4.5: the canonicalization examples.
func TestCanonRFC6376Example(t *testing.T) {
	hdr := []dkim.Field{{Name: "A", Raw: "A: X\r\n"}, {Name: "B ", Raw: "B : Y\t\r\n\tZ  \r\n"}}
	body := []byte(" C \r\nD \t E\r\n\r\n\r\n")
	var rel, sim strings.Builder
	for _, f := range hdr {
		rel.WriteString(dkim.CanonHeader(dkim.Relaxed, f))
		sim.WriteString(dkim.CanonHeader(dkim.Simple, f))
	}
	if got, want := rel.String(), "a:X\r\nb:Y Z\r\n"; got != want {
		t.Errorf("relaxed header: %q, want %q", got, want)
	}
	if got, want := sim.String(), "A: X\r\nB : Y\t\r\n\tZ  \r\n"; got != want {
		t.Errorf("simple header: %q, want %q", got, want)
	}
	if got, want := string(dkim.CanonBody(dkim.Relaxed, body)), " C\r\nD E\r\n"; got != want {
		t.Errorf("relaxed body: %q, want %q", got, want)
	}
	if got, want := string(dkim.CanonBody(dkim.Simple, body)), " C \r\nD \t E\r\n"; got != want {
		t.Errorf("simple body: %q, want %q", got, want)
	}
	// §3.4.3/§3.4.4: empty bodies.
	if got := string(dkim.CanonBody(dkim.Simple, nil)); got != "\r\n" {
		t.Errorf("simple empty body: %q", got)
	}
	if got := string(dkim.CanonBody(dkim.Relaxed, nil)); got != "" {
		t.Errorf("relaxed empty body: %q", got)
	}
}

// RFC 8463 Appendix A: the ed25519 example message and key.
const rfc8463Message = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n" +
	" d=football.example.com; i=@football.example.com;\r\n" +
	" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n" +
	" subject : date : message-id : from : subject : date;\r\n" +
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" +
	" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n" +
	" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n" +
	"From: Joe SixPack <joe@football.example.com>\r\n" +
	"To: Suzie Q <suzie@shopping.example.net>\r\n" +
	"Subject: Is dinner ready?\r\n" +
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" +
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n" +
	"\r\n" +
	"Hi.\r\n" +
	"\r\n" +
	"We lost the game.  Are you hungry yet?\r\n" +
	"\r\n" +
	"Joe.\r\n"

func TestRFC8463Example(t *testing.T) {
	srv := dnstest.Start(t)
	srv.TXT(t, "brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	r := resolver(t, srv)
	res := dkim.Verify(context.Background(), r, []byte(rfc8463Message), dkim.Options{})
	if len(res) != 1 || res[0].Status != dkim.Pass || res[0].Domain != "football.example.com" || res[0].Selector != "brisbane" {
		t.Fatalf("RFC 8463 example: %+v", res)
	}
	// The same message with the body changed: body hash mismatch.
	bad := strings.Replace(rfc8463Message, "hungry", "angry", 1)
	res = dkim.Verify(context.Background(), r, []byte(bad), dkim.Options{})
	if len(res) != 1 || res[0].Status != dkim.Fail || !res[0].BodyHashMismatch {
		t.Fatalf("changed body: %+v", res)
	}
	// Stored with LF line ends (as on disk): still verifies.
	lf := strings.ReplaceAll(rfc8463Message, "\r\n", "\n")
	res = dkim.Verify(context.Background(), r, []byte(lf), dkim.Options{})
	if len(res) != 1 || res[0].Status != dkim.Pass {
		t.Fatalf("LF message: %+v", res)
	}
}

func resolver(t *testing.T, srv *dnstest.Server) *dns.Resolver {
	t.Helper()
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const testMessage = "From: Taro Yamada <taro@example.jp>\r\n" +
	"To: Hanako <hanako@example.net>\r\n" +
	"Subject: =?UTF-8?B?5LqI5a6a?=\r\n" +
	"Date: Mon, 10 Mar 2025 10:00:00 +0900\r\n" +
	"Message-ID: <m1@example.jp>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"Hello  there, \r\n" +
	"the meeting is at  10.\r\n" +
	"\r\n\r\n"

func rsaKeyRecord(t *testing.T, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

func sign(t *testing.T, msg string, domain, selector string, key crypto.Signer, hc, bc msgdkim.Canonicalization) string {
	t.Helper()
	var b bytes.Buffer
	err := msgdkim.Sign(&b, strings.NewReader(msg), &msgdkim.SignOptions{
		Domain: domain, Selector: selector, Signer: key,
		HeaderCanonicalization: hc, BodyCanonicalization: bc,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLoopbackDNS verifies signatures whose keys come from a real DNS
// server on loopback: relaxed and simple canonicalization, several
// signatures, a broken body hash, temperror and permerror.
func TestLoopbackDNS(t *testing.T) {
	srv := dnstest.Start(t)
	r := resolver(t, srv)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	srv.TXT(t, "s1._domainkey.example.jp", rsaKeyRecord(t, rk))
	srv.TXT(t, "ed._domainkey.example.jp", "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(ek.Public().(ed25519.PublicKey)))
	srv.TXT(t, "esp._domainkey.mailer.example.com", rsaKeyRecord(t, rk))
	srv.TXT(t, "revoked._domainkey.example.jp", "v=DKIM1; k=rsa; p=")
	srv.ServFail("down._domainkey.example.jp")
	srv.Silent("slow._domainkey.example.jp")
	ctx := context.Background()

	check := func(name, msg string, want ...dkim.Status) []dkim.Result {
		t.Helper()
		res := dkim.Verify(ctx, r, []byte(msg), dkim.Options{})
		if len(res) != len(want) {
			t.Fatalf("%s: %d results, want %d: %+v", name, len(res), len(want), res)
		}
		for i := range want {
			if res[i].Status != want[i] {
				t.Errorf("%s: signature %d: %s (%s), want %s", name, i, res[i].Status, res[i].Reason, want[i])
			}
		}
		return res
	}
	for _, c := range []struct{ hc, bc msgdkim.Canonicalization }{
		{msgdkim.CanonicalizationRelaxed, msgdkim.CanonicalizationRelaxed},
		{msgdkim.CanonicalizationRelaxed, msgdkim.CanonicalizationSimple},
		{msgdkim.CanonicalizationSimple, msgdkim.CanonicalizationSimple},
		{msgdkim.CanonicalizationSimple, msgdkim.CanonicalizationRelaxed},
	} {
		name := string(c.hc) + "/" + string(c.bc)
		check(name, sign(t, testMessage, "example.jp", "s1", rk, c.hc, c.bc), dkim.Pass)
		check(name+" ed25519", sign(t, testMessage, "example.jp", "ed", ek, c.hc, c.bc), dkim.Pass)
	}
	// Relaxed survives whitespace changes in the body, simple does not.
	relaxed := sign(t, testMessage, "example.jp", "s1", rk, msgdkim.CanonicalizationRelaxed, msgdkim.CanonicalizationRelaxed)
	check("relaxed whitespace", strings.Replace(relaxed, "Hello  there, ", "Hello there,", 1), dkim.Pass)
	simple := sign(t, testMessage, "example.jp", "s1", rk, msgdkim.CanonicalizationSimple, msgdkim.CanonicalizationSimple)
	res := check("simple whitespace", strings.Replace(simple, "Hello  there, ", "Hello there,", 1), dkim.Fail)
	if !res[0].BodyHashMismatch {
		t.Errorf("simple whitespace: body hash mismatch not reported")
	}
	// Several signatures: the author's and an ESP's.
	two := sign(t, relaxed, "mailer.example.com", "esp", rk, msgdkim.CanonicalizationRelaxed, msgdkim.CanonicalizationRelaxed)
	res = check("two signatures", two, dkim.Pass, dkim.Pass)
	if res[0].Domain != "mailer.example.com" || res[1].Domain != "example.jp" {
		t.Errorf("two signatures: domains %s, %s", res[0].Domain, res[1].Domain)
	}
	// Broken body hash: body changed after signing.
	res = check("broken body", strings.Replace(relaxed, "at  10", "at 11", 1), dkim.Fail)
	if !res[0].BodyHashMismatch {
		t.Errorf("broken body: mismatch not reported")
	}
	// Header changed: fail, body hash fine.
	res = check("header changed", strings.Replace(relaxed, "Hanako <hanako", "Hanako <attacker", 1), dkim.Fail)
	if res[0].BodyHashMismatch {
		t.Errorf("header changed: reported as body change")
	}
	// One good and one broken signature.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	srv.TXT(t, "esp2._domainkey.mailer.example.com", rsaKeyRecord(t, other))
	bad := sign(t, relaxed, "mailer.example.com", "esp2", rk, msgdkim.CanonicalizationRelaxed, msgdkim.CanonicalizationRelaxed)
	check("good and bad", bad, dkim.Fail, dkim.Pass)
	// Key problems.
	check("revoked", sign(t, testMessage, "example.jp", "revoked", rk, "", ""), dkim.PermError)
	check("no key", sign(t, testMessage, "example.jp", "nokey", rk, "", ""), dkim.PermError)
	check("servfail", sign(t, testMessage, "example.jp", "down", rk, "", ""), dkim.TempError)
	check("timeout", sign(t, testMessage, "example.jp", "slow", rk, "", ""), dkim.TempError)
	// Malformed signature.
	check("malformed", "DKIM-Signature: v=1; a=rsa-sha256; d=example.jp\r\n"+testMessage, dkim.PermError)
	// No signature.
	if res := dkim.Verify(ctx, r, []byte(testMessage), dkim.Options{}); len(res) != 0 {
		t.Errorf("unsigned: %+v", res)
	}
}

func TestParseTags(t *testing.T) {
	tags, err := dkim.ParseTags(" v=1; a=rsa-sha256;\r\n\td=example.jp ; h=From : To; b=ab cd\r\n ef; ")
	if err != nil {
		t.Fatal(err)
	}
	if tags.Value("d") != "example.jp" || tags.Value("b") != "abcdef" || len(dkim.SplitList(tags.Value("h"))) != 2 {
		t.Errorf("tags: %+v", tags)
	}
	for _, bad := range []string{"v=1; v=1", "=x", "1a=b", "a", "a=b\x00"} {
		if _, err := dkim.ParseTags(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got := dkim.RemoveB(" a=1; b=xyz ; c=2"); got != " a=1; b=; c=2" {
		t.Errorf("RemoveB: %q", got)
	}
}

func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"v=1; a=rsa-sha256; d=example.jp; b=abc", "v=DKIM1; k=ed25519; p=", ";;", "a=b;c", "x=\t\r\n y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := dkim.ParseTags(s)
		if err == nil {
			for _, tg := range tags {
				if tg.Name == "" {
					t.Fatal("empty tag name")
				}
			}
		}
		dkim.ParseKey(s)
		dkim.RemoveB(s)
		dkim.ParseCanon(s)
		dkim.SplitMessage([]byte(s), 100)
	})
}

func BenchmarkVerify(b *testing.B) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	mock := &dns.Mock{TXT: map[string][]string{"s1._domainkey.example.jp": {"v=DKIM1; p=" + base64.StdEncoding.EncodeToString(der)}}}
	var buf bytes.Buffer
	body := strings.Repeat("Hello there, the meeting is at 10.\r\n", 300)
	msgdkim.Sign(&buf, strings.NewReader(testMessage+body), &msgdkim.SignOptions{Domain: "example.jp", Selector: "s1", Signer: rk,
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed, BodyCanonicalization: msgdkim.CanonicalizationRelaxed})
	raw := buf.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := dkim.Verify(context.Background(), mock, raw, dkim.Options{})
		if len(res) != 1 || res[0].Status != dkim.Pass {
			b.Fatal(res)
		}
	}
}
