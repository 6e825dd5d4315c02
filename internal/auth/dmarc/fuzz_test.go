package dmarc

import (
	"context"
	"testing"
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
