package authres

import (
	"strings"
	"testing"
)

func TestFormatParse(t *testing.T) {
	v := Format("mx.example.jp", []Result{
		&SPFResult{Value: "pass", From: "a@example.com"},
		&DKIMResult{Value: "fail", Domain: "example.com", Reason: "bad signature"},
		&DMARCResult{Value: "fail", From: "example.com"},
		&ARCResult{Value: "pass", OldestPass: 1},
	})
	for _, want := range []string{"mx.example.jp;", "spf=pass", "smtp.mailfrom=a@example.com", "dkim=fail", "header.d=example.com", "dmarc=fail", "header.from=example.com", "arc=pass"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q lacks %q", v, want)
		}
	}
	p, ok := Parse(v)
	if !ok || p.AuthServID != "mx.example.jp" || len(p.Results) != 4 {
		t.Fatalf("parse back: %+v %v", p, ok)
	}
	if got := Format("mx.example.jp", nil); got != "mx.example.jp; none" {
		t.Errorf("no results: %q", got)
	}
	// RFC 8601 Appendix B.2-style examples.
	for _, ex := range []string{
		"example.com; none",
		"example.com; spf=pass smtp.mailfrom=example.net",
		"example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=pass smtp.mailfrom=example.net",
		"example.com; sender-id=fail header.from=example.com; dkim=pass (good signature) header.d=example.com",
	} {
		if p, ok := Parse(ex); !ok || p.AuthServID != "example.com" {
			t.Errorf("%q: %+v %v", ex, p, ok)
		}
	}
	if AuthServID("  MX.Example.JP ; spf=pass") != "mx.example.jp" {
		t.Error("AuthServID")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"example.com; none", "example.com; spf=pass smtp.mailfrom=example.net", "x; dkim=pass (c) header.d=a; arc=pass header.oldest-pass=0", ";", "a; b=", "a; arc=pass header.oldest-pass=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Parse(s)
		if ok {
			Format(p.AuthServID, p.Results)
		}
		AuthServID(s)
	})
}
