package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/netip"
	"strings"
	"testing"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/sekisho/sekisho/internal/action"
	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
)

const cfgText = `
[general]
domains = ["example.co.jp"]
[auth]
trusted_relays = ["mx.example.co.jp", "192.0.2.0/24"]
trusted_authserv_ids = ["mx.example.co.jp"]
authserv_id = "mx.example.co.jp"
arc_trusted_sealers = ["lists.example.org"]
[sender]
first_contact = false
learn_contacts = false
`

type env struct {
	srv *dnstest.Server
	eng *engine.Engine
	key *rsa.PrivateKey
}

func setup(t *testing.T) *env {
	t.Helper()
	srv := dnstest.Start(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	srv.TXT(t, "sender.example.com", "v=spf1 ip4:198.51.100.0/24 -all")
	srv.TXT(t, "s1._domainkey.sender.example.com", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	srv.TXT(t, "_dmarc.sender.example.com", "v=DMARC1; p=reject")
	srv.TXT(t, "example.co.jp", "v=spf1 ip4:192.0.2.0/24 -all")
	srv.TXT(t, "_dmarc.example.co.jp", "v=DMARC1; p=reject")
	srv.TXT(t, "spammy.example.net", "v=spf1 +all")
	srv.TXT(t, "out.sender.example.com", "v=spf1 ip4:198.51.100.7 -all")
	srv.TXT(t, "arc._domainkey.lists.example.org", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	srv.TXT(t, "lists.example.org", "v=spf1 ip4:51.15.0.10 -all")
	srv.TXT(t, "untrusted.example.net", "v=spf1 ip4:51.15.0.11 -all")
	srv.TXT(t, "arc._domainkey.untrusted.example.net", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	srv.Add(t, "7.100.51.198.in-addr.arpa. 300 IN PTR out.sender.example.com.", "out.sender.example.com. 300 IN A 198.51.100.7")
	srv.ServFail("down.example.org")
	srv.ServFail("_dmarc.down.example.org")
	cfg, err := config.Parse(cfgText)
	if err != nil {
		t.Fatal(err)
	}
	cfg.General.DataDir = t.TempDir()
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	authF := func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
		return authz.NewWithResolver(c, r)
	}
	eng, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{authF, sender.New}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &env{srv: srv, eng: eng, key: key}
}

func (e *env) sign(t *testing.T, msg string) string {
	var b bytes.Buffer
	if err := msgdkim.Sign(&b, strings.NewReader(msg), &msgdkim.SignOptions{Domain: "sender.example.com", Selector: "s1", Signer: e.key,
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed, BodyCanonicalization: msgdkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func msg(from, extra string) string {
	return extra + "From: " + from + "\r\nTo: staff@example.co.jp\r\nSubject: hello\r\nDate: Mon, 10 Mar 2025 10:00:00 +0900\r\nMessage-ID: <t1@example>\r\n\r\nHello.\r\n"
}

func symbols(r *pipeline.Result) map[string]bool {
	m := map[string]bool{}
	for _, s := range r.Verdict.Symbols {
		m[s.Name] = true
	}
	return m
}

func header(r *pipeline.Result) string {
	if r.Verdict.Auth == nil {
		return ""
	}
	return action.AuthenticationResults(r.Verdict.Auth)
}

func expect(t *testing.T, name string, r *pipeline.Result, want, not []string) {
	t.Helper()
	got := symbols(r)
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s: missing %s (got %v)", name, w, keys(got))
		}
	}
	for _, n := range not {
		if got[n] {
			t.Errorf("%s: unexpected %s", name, n)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestMailFlow: the analyzers in the mail flow, DNS from a real server on
// loopback.
func TestMailFlow(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	flow := func(ip, mailFrom string) pipeline.Envelope {
		return pipeline.Envelope{ClientIP: netip.MustParseAddr(ip), Helo: "out.sender.example.com", MailFrom: mailFrom, Frontend: "milter", Rcpts: []string{"staff@example.co.jp"}}
	}
	// Authenticated mail: SPF, DKIM and DMARC pass; the header says so.
	good := e.sign(t, msg("News <news@sender.example.com>", ""))
	r := e.eng.Scan(ctx, []byte(good), flow("198.51.100.7", "bounce@sender.example.com"))
	expect(t, "good", r, []string{authz.SymSPFPass, authz.SymDKIMPass, authz.SymDMARCPass}, []string{authz.SymSPFFail, authz.SymDMARCFailReject})
	ar := header(r)
	for _, w := range []string{"mx.example.co.jp;", "iprev=pass", "policy.iprev=198.51.100.7", "spf=pass", "smtp.mailfrom=bounce@sender.example.com", "dkim=pass", "header.d=sender.example.com", "header.s=s1", "dmarc=pass", "header.from=sender.example.com"} {
		if !strings.Contains(ar, w) {
			t.Errorf("Authentication-Results %q lacks %q", ar, w)
		}
	}
	// Forged sender domain from elsewhere: SPF fail, DMARC fail p=reject.
	r = e.eng.Scan(ctx, []byte(msg("News <news@sender.example.com>", "")), flow("45.8.227.97", "news@sender.example.com"))
	expect(t, "forged", r, []string{authz.SymSPFFail, authz.SymDMARCFailReject}, []string{authz.SymDMARCPass})
	if !strings.Contains(header(r), "dmarc=fail") {
		t.Errorf("forged: header %q", header(r))
	}
	// Our own domain forged from outside: BEC spoof.
	r = e.eng.Scan(ctx, []byte(msg("CEO <ceo@example.co.jp>", "")), flow("45.8.227.97", "ceo@example.co.jp"))
	expect(t, "own domain", r, []string{authz.SymSPFFail, authz.SymDMARCFailReject, sender.SymOrgSpoof}, nil)
	if r.Verdict.Category != pipeline.CategoryBEC && r.Verdict.Category != pipeline.CategoryPhishing {
		t.Errorf("own domain: category %s", r.Verdict.Category)
	}
	// Body changed in transit: body hash mismatch, DMARC still passes on SPF.
	r = e.eng.Scan(ctx, []byte(strings.Replace(good, "Hello.", "Hello!", 1)), flow("198.51.100.7", "bounce@sender.example.com"))
	expect(t, "body changed", r, []string{authz.SymDKIMBodyHash, authz.SymDMARCPass}, []string{authz.SymDKIMPass})
	// DNS failing: temporary results only, never a fail.
	r = e.eng.Scan(ctx, []byte(msg("x <x@down.example.org>", "")), flow("45.8.227.97", "x@down.example.org"))
	expect(t, "dns down", r, []string{authz.SymSPFTempError, authz.SymDMARCTempError}, []string{authz.SymSPFFail, authz.SymDMARCFailReject, authz.SymDMARCFailNone})
	// A client greeting with our own domain.
	helo := flow("45.8.227.97", "x@sender.example.com")
	helo.Helo = "mail.example.co.jp"
	r = e.eng.Scan(ctx, []byte(msg("x <x@sender.example.com>", "")), helo)
	expect(t, "forged helo", r, []string{authz.SymRcvdForgedHelo}, nil)
	// A client greeting with a name whose SPF does not allow it (RFC 7208 §2.3),
	// while MAIL FROM is from a domain with no SPF at all.
	helo2 := flow("45.8.227.97", "x@nospf.example.org")
	helo2.Helo = "out.sender.example.com"
	r = e.eng.Scan(ctx, []byte(msg("x <x@nospf.example.org>", "")), helo2)
	expect(t, "helo spf fail", r, []string{authz.SymSPFHeloFail}, []string{authz.SymSPFFail})
	// The same greeting from an address the HELO domain authorises.
	r = e.eng.Scan(ctx, []byte(msg("x <x@nospf.example.org>", "")), flow("198.51.100.7", "x@nospf.example.org"))
	expect(t, "helo spf pass", r, nil, []string{authz.SymSPFHeloFail, authz.SymSPFHeloSoftFail})
	// A record that lets everyone pass.
	r = e.eng.Scan(ctx, []byte(msg("x <x@spammy.example.net>", "")), flow("45.8.227.97", "x@spammy.example.net"))
	expect(t, "+all", r, []string{authz.SymSPFPass, authz.SymSPFPermissive}, nil)
	// An Authentication-Results header with our name, planted by the sender.
	r = e.eng.Scan(ctx, []byte(msg("x <x@sender.example.com>", "Authentication-Results: mx.example.co.jp; dmarc=pass header.from=sender.example.com\r\n")), flow("45.8.227.97", "x@sender.example.com"))
	expect(t, "planted header", r, []string{authz.SymAuthResultsForged}, nil)
	// Outbound mail is not authenticated.
	out := flow("192.0.2.9", "staff@example.co.jp")
	out.Outbound = true
	r = e.eng.Scan(ctx, []byte(msg("staff@example.co.jp", "")), out)
	if r.Verdict.Auth != nil || len(r.Verdict.Symbols) != 0 {
		t.Errorf("outbound: %+v", r.Verdict.Symbols)
	}
}

// TestARCOverride: a mailing list changes the body (DKIM breaks, DMARC
// fails) but seals what it saw; a trusted sealer's seal overrides.
func TestARCOverride(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	signed := e.sign(t, msg("News <news@sender.example.com>", ""))
	listed := strings.Replace(signed, "Hello.", "Hello.\r\n-- \r\nlist footer", 1)
	for _, c := range []struct {
		sealer, ip, mailFrom string
		override             bool
	}{
		{"lists.example.org", "51.15.0.10", "bounce@lists.example.org", true},
		{"untrusted.example.net", "51.15.0.11", "bounce@untrusted.example.net", false},
	} {
		sets, err := arc.Seal([]byte(listed), arc.SealOptions{Domain: c.sealer, Selector: "arc", Signer: e.key, AuthServID: c.sealer,
			Results: "dkim=pass header.d=sender.example.com; dmarc=pass header.from=sender.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		env := pipeline.Envelope{ClientIP: netip.MustParseAddr(c.ip), Helo: c.sealer, MailFrom: c.mailFrom, Frontend: "milter"}
		r := e.eng.Scan(ctx, []byte(sets+listed), env)
		if c.override {
			expect(t, c.sealer, r, []string{authz.SymARCPass, authz.SymDMARCARCOverride, authz.SymDKIMBodyHash}, []string{authz.SymDMARCFailReject})
		} else {
			expect(t, c.sealer, r, []string{authz.SymARCPass, authz.SymDMARCFailReject}, []string{authz.SymDMARCARCOverride})
		}
		if !strings.Contains(header(r), "arc=pass") {
			t.Errorf("%s: header %q", c.sealer, header(r))
		}
	}
}

// TestStoredFile: no envelope; the client comes from the trusted relay's
// Received field.
func TestStoredFile(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	rcvd := "Return-Path: <bounce@sender.example.com>\r\n" +
		"Received: from out.sender.example.com (out.sender.example.com [198.51.100.7]) by mx.example.co.jp (Postfix) with ESMTPS id 1; Mon, 10 Mar 2025 10:00:01 +0900\r\n"
	r := e.eng.Scan(ctx, []byte(rcvd+msg("News <news@sender.example.com>", "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "stored pass", r, []string{authz.SymSPFPass}, []string{authz.SymSPFFail})
	// The same from a forged origin.
	forged := strings.Replace(rcvd, "198.51.100.7", "45.8.227.97", 1)
	r = e.eng.Scan(ctx, []byte(forged+msg("News <news@sender.example.com>", "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "stored forged", r, []string{authz.SymSPFFail, authz.SymDMARCFailReject}, nil)
	// Handed to our relay from a private address it does not trust.
	priv := "Received: from mdkim-o09.ake-mailbk.plala.or.jp ([172.23.12.58]) by mx.example.co.jp with ESMTP id 2; Mon, 10 Mar 2025 10:00:01 +0900\r\n"
	r = e.eng.Scan(ctx, []byte(priv+msg("x <t_0205@cameo.plala.or.jp>", "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "private", r, []string{authz.SymRcvdUntrustedPriv}, nil)
	// Not through our relay at all.
	other := "Received: from a.example.net (a.example.net [198.51.100.9]) by b.example.net with ESMTP id 3; Mon, 10 Mar 2025 10:00:01 +0900\r\n"
	r = e.eng.Scan(ctx, []byte(other+msg("x <x@sender.example.com>", "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "no trusted hop", r, []string{authz.SymRcvdNoTrustedHop}, []string{authz.SymSPFPass, authz.SymSPFFail})
}

// TestTrustedAuthResults: a stored message whose path sekisho cannot
// check takes SPF from the topmost Authentication-Results of a trusted
// authserv-id, and DMARC follows; other hosts' fields are not believed.
func TestTrustedAuthResults(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	other := "Received: from a.example.net (a.example.net [198.51.100.9]) by b.example.net with ESMTP id 3; Mon, 10 Mar 2025 10:00:01 +0900\r\n"
	from := "News <news@sender.example.com>"
	ar := func(id, result string) string {
		return "Authentication-Results: " + id + "; spf=" + result + " smtp.mailfrom=bounce@sender.example.com\r\n"
	}
	r := e.eng.Scan(ctx, []byte(ar("mx.example.co.jp", "pass")+other+msg(from, "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "trusted pass", r, []string{authz.SymSPFPass, authz.SymDMARCPass}, []string{authz.SymDMARCFailReject})
	found := false
	for _, sym := range r.Verdict.Symbols {
		if sym.Name == authz.SymSPFPass && strings.Contains(strings.Join(sym.Options, " "), "via Authentication-Results of mx.example.co.jp") {
			found = true
		}
	}
	if !found {
		t.Errorf("SPF_PASS does not say where it came from: %+v", r.Verdict.Symbols)
	}
	r = e.eng.Scan(ctx, []byte(ar("mx.example.co.jp", "fail")+other+msg(from, "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "trusted fail", r, []string{authz.SymSPFFail, authz.SymDMARCFailReject}, []string{authz.SymSPFPass})
	// Someone else's word is not taken, wherever it stands.
	r = e.eng.Scan(ctx, []byte(ar("mx.attacker.example", "pass")+other+msg(from, "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "untrusted", r, nil, []string{authz.SymSPFPass, authz.SymDMARCPass})
	// The topmost trusted field counts (our MX added it last).
	r = e.eng.Scan(ctx, []byte(ar("mx.attacker.example", "pass")+ar("mx.example.co.jp", "softfail")+ar("mx.example.co.jp", "pass")+other+msg(from, "")), pipeline.Envelope{Frontend: "cli"})
	expect(t, "topmost", r, []string{authz.SymSPFSoftFail}, []string{authz.SymSPFPass})
	// In the mail flow sekisho checks SPF itself and ignores the field.
	r = e.eng.Scan(ctx, []byte(ar("mx.example.co.jp", "pass")+msg(from, "")), pipeline.Envelope{Frontend: "milter",
		ClientIP: netip.MustParseAddr("45.8.227.97"), Helo: "x.example", MailFrom: "bounce@sender.example.com"})
	expect(t, "flow", r, []string{authz.SymSPFFail}, []string{authz.SymSPFPass})
}
