package dmarc_test

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/auth/dmarc"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

func TestOrgDomainAndAlignment(t *testing.T) {
	for d, want := range map[string]string{
		"mail.example.co.jp": "example.co.jp", "a.b.example.com": "example.com", "example.com": "example.com",
		"x.s3.amazonaws.com": "x.s3.amazonaws.com",
	} {
		if got := dmarc.OrgDomain(d); got != want {
			t.Errorf("OrgDomain(%s) = %s, want %s", d, got, want)
		}
	}
	// RFC 7489 §3.1: relaxed aligns subdomains of the same organizational domain.
	if !dmarc.Aligned("mail.example.com", "example.com", false) || dmarc.Aligned("mail.example.com", "example.com", true) {
		t.Error("relaxed/strict alignment")
	}
	if dmarc.Aligned("example.net", "example.com", false) {
		t.Error("different domains aligned")
	}
}

// TestLoopbackDNS evaluates policies published on a real DNS server on
// loopback.
func TestLoopbackDNS(t *testing.T) {
	srv := dnstest.Start(t)
	srv.TXT(t, "_dmarc.relaxed.jp", "v=DMARC1; p=reject; rua=mailto:d@relaxed.jp")
	srv.TXT(t, "_dmarc.strict.jp", "v=DMARC1; p=quarantine; adkim=s; aspf=s")
	srv.TXT(t, "_dmarc.subdom.co.jp", "v=DMARC1; p=reject; sp=none")
	srv.TXT(t, "_dmarc.pct.jp", "v=DMARC1; p=reject; pct=0")
	srv.TXT(t, "_dmarc.monitor.jp", "v=DMARC1; p=none")
	srv.TXT(t, "_dmarc.broken.jp", "v=DMARC1; p=bogus")
	srv.TXT(t, "_dmarc.two.jp", "v=DMARC1; p=reject")
	srv.TXT(t, "_dmarc.two.jp", "v=DMARC1; p=none")
	srv.ServFail("_dmarc.down.jp")
	srv.Silent("_dmarc.slow.jp")
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	id := func(d, s string) dmarc.Identifier { return dmarc.Identifier{Domain: d, Status: s} }
	cases := []struct {
		name   string
		in     dmarc.Input
		status dmarc.Status
		disp   dmarc.Policy
	}{
		{"relaxed spf subdomain", dmarc.Input{FromDomain: "relaxed.jp", SPF: id("bounce.relaxed.jp", "pass")}, dmarc.Pass, dmarc.PolicyNone},
		{"relaxed dkim subdomain", dmarc.Input{FromDomain: "news.relaxed.jp", DKIM: []dmarc.Identifier{id("relaxed.jp", "pass")}}, dmarc.Pass, dmarc.PolicyNone},
		{"relaxed unaligned", dmarc.Input{FromDomain: "relaxed.jp", SPF: id("esp.example.com", "pass"), DKIM: []dmarc.Identifier{id("esp.example.com", "pass")}}, dmarc.Fail, dmarc.PolicyReject},
		{"relaxed dkim fail", dmarc.Input{FromDomain: "relaxed.jp", DKIM: []dmarc.Identifier{id("relaxed.jp", "fail")}}, dmarc.Fail, dmarc.PolicyReject},
		{"strict exact", dmarc.Input{FromDomain: "strict.jp", DKIM: []dmarc.Identifier{id("strict.jp", "pass")}}, dmarc.Pass, dmarc.PolicyNone},
		{"strict subdomain", dmarc.Input{FromDomain: "strict.jp", SPF: id("mail.strict.jp", "pass"), DKIM: []dmarc.Identifier{id("mail.strict.jp", "pass")}}, dmarc.Fail, dmarc.PolicyQuarantine},
		{"sp for subdomain", dmarc.Input{FromDomain: "a.subdom.co.jp", SPF: id("other.example", "pass")}, dmarc.Fail, dmarc.PolicyNone},
		{"p for the domain", dmarc.Input{FromDomain: "subdom.co.jp", SPF: id("other.example", "pass")}, dmarc.Fail, dmarc.PolicyReject},
		{"pct=0 falls back", dmarc.Input{FromDomain: "pct.jp", Seed: "x"}, dmarc.Fail, dmarc.PolicyQuarantine},
		{"monitor", dmarc.Input{FromDomain: "monitor.jp"}, dmarc.Fail, dmarc.PolicyNone},
		{"no record", dmarc.Input{FromDomain: "nothing.jp", SPF: id("x.example", "fail")}, dmarc.None, dmarc.PolicyNone},
		{"broken record", dmarc.Input{FromDomain: "broken.jp"}, dmarc.PermError, dmarc.PolicyNone},
		{"two records", dmarc.Input{FromDomain: "two.jp"}, dmarc.None, dmarc.PolicyNone},
		{"servfail", dmarc.Input{FromDomain: "down.jp"}, dmarc.TempError, dmarc.PolicyNone},
		{"timeout", dmarc.Input{FromDomain: "slow.jp"}, dmarc.TempError, dmarc.PolicyNone},
		{"aligned temperror", dmarc.Input{FromDomain: "relaxed.jp", DKIM: []dmarc.Identifier{id("relaxed.jp", "temperror")}}, dmarc.TempError, dmarc.PolicyNone},
	}
	for _, c := range cases {
		got := dmarc.Evaluate(context.Background(), r, c.in)
		if got.Status != c.status || got.Disposition != c.disp {
			t.Errorf("%s: %s/%s (%s), want %s/%s", c.name, got.Status, got.Disposition, got.Reason, c.status, c.disp)
		}
	}
	got := dmarc.Evaluate(context.Background(), r, dmarc.Input{FromDomain: "a.subdom.co.jp"})
	if got.PolicyDomain != "subdom.co.jp" || got.OrgDomain != "subdom.co.jp" {
		t.Errorf("organizational domain fallback: %+v", got)
	}
}
