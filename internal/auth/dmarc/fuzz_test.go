package dmarc

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"
)

type txtOnly []string

func (t txtOnly) LookupTXT(context.Context, string) ([]string, error) { return t, nil }

// FuzzRecord: a DMARC record from DNS (attacker-controlled for the
// sender's domain) is parsed and applied without panicking, and the
// result keeps to the closed set of statuses.
func FuzzRecord(f *testing.F) {
	for _, s := range []string{"v=DMARC1; p=reject; pct=50; rua=mailto:a@example.jp", "v=DMARC1; p=quarantine; sp=none; adkim=s; aspf=r",
		"v=DMARC1;", "v=DMARC1; p=none; pct=-1", "v=DMARC1; p=reject; fo=1:d:s; ri=0; rf=afrf"} {
		f.Add(s, "mail.example.jp")
	}
	f.Fuzz(func(t *testing.T, rec, from string) {
		r := Evaluate(context.Background(), txtOnly{rec}, Input{FromDomain: from, Seed: rec,
			SPF: Identifier{Domain: from, Status: "pass"}, DKIM: []Identifier{{Domain: "example.jp", Status: "pass"}}})
		switch r.Status {
		case Pass, Fail, None, TempError, PermError:
		default:
			t.Fatalf("status %q", r.Status)
		}
	})
}

// orgDomainPlain is OrgDomain straight from package publicsuffix.
func orgDomainPlain(d string) string {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	o, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return o
}

// FuzzOrgDomain compares OrgDomain (through the psl memo) with
// publicsuffix, twice (a miss, then a hit).
func FuzzOrgDomain(f *testing.F) {
	for _, d := range []string{"mail.example.co.jp", "EXAMPLE.COM.", "co.uk", "", ".", "a..b", "192.0.2.1", "x.y.ck", "a.blogspot.com", "xn--p1ai"} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		for range 2 {
			if got, want := OrgDomain(d), orgDomainPlain(d); got != want {
				t.Fatalf("OrgDomain(%q) = %q, publicsuffix %q", d, got, want)
			}
		}
	})
}
