package spf_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/auth/spf"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// rfc7208Zone is the example zone of RFC 7208 Appendix A.
var rfc7208Zone = []string{
	"example.com. 300 IN MX 10 mail-a.example.com.",
	"example.com. 300 IN MX 20 mail-b.example.com.",
	"example.com. 300 IN A 192.0.2.10",
	"example.com. 300 IN A 192.0.2.11",
	"amy.example.com. 300 IN A 192.0.2.65",
	"bob.example.com. 300 IN A 192.0.2.66",
	"mail-a.example.com. 300 IN A 192.0.2.129",
	"mail-b.example.com. 300 IN A 192.0.2.130",
	"www.example.com. 300 IN CNAME example.com.",
	"example.org. 300 IN MX 10 mail-c.example.org.",
	"mail-c.example.org. 300 IN A 192.0.2.140",
	"10.2.0.192.in-addr.arpa. 300 IN PTR example.com.",
	"11.2.0.192.in-addr.arpa. 300 IN PTR example.com.",
	"65.2.0.192.in-addr.arpa. 300 IN PTR amy.example.com.",
	"66.2.0.192.in-addr.arpa. 300 IN PTR bob.example.com.",
	"129.2.0.192.in-addr.arpa. 300 IN PTR mail-a.example.com.",
	"130.2.0.192.in-addr.arpa. 300 IN PTR mail-b.example.com.",
	"140.2.0.192.in-addr.arpa. 300 IN PTR mail-c.example.org.",
	"4.3.2.10.in-addr.arpa. 300 IN PTR bob.example.com.",
}

func newResolver(t *testing.T, srv *dnstest.Server) *dns.Resolver {
	t.Helper()
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond, CacheEntries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRFC7208AppendixA evaluates the records of RFC 7208 Appendix A.1
// against the example zone, served by a real DNS server on loopback.
func TestRFC7208AppendixA(t *testing.T) {
	srv := dnstest.Start(t)
	srv.Add(t, rfc7208Zone...)
	r := newResolver(t, srv)
	all := []string{"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.141", "10.2.3.4"}
	cases := []struct {
		record string
		pass   []string // the rest fail
	}{
		{"v=spf1 +all", all},
		{"v=spf1 a -all", []string{"192.0.2.10", "192.0.2.11"}},
		{"v=spf1 a:example.org -all", nil},
		{"v=spf1 mx -all", []string{"192.0.2.129", "192.0.2.130"}},
		{"v=spf1 mx:example.org -all", []string{"192.0.2.140"}},
		{"v=spf1 mx mx:example.org -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
		{"v=spf1 mx/30 mx:example.org/30 -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.141"}},
		{"v=spf1 ptr -all", []string{"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130"}},
		{"v=spf1 ip4:192.0.2.128/28 -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.141"}},
	}
	for _, c := range cases {
		srv.Remove("example.com.txt-holder")
		setTXT(t, srv, "example.com", c.record)
		for _, ip := range all {
			want := spf.Fail
			for _, p := range c.pass {
				if p == ip {
					want = spf.Pass
				}
			}
			got := spf.Check(context.Background(), r, netip.MustParseAddr(ip), "mail.example.net", "user@example.com")
			if got.Status != want {
				t.Errorf("%q from %s: %s (%s), want %s", c.record, ip, got.Status, got.Reason, want)
			}
		}
	}
}

// setTXT replaces the TXT records of name (keeping its other records).
func setTXT(t *testing.T, srv *dnstest.Server, name, txt string) {
	t.Helper()
	srv.Remove(name)
	for _, l := range rfc7208Zone {
		if len(l) > len(name)+1 && l[:len(name)+1] == name+"." && l[len(name)+1] == ' ' {
			srv.Add(t, l)
		}
	}
	srv.TXT(t, name, txt)
}

// TestResults covers every result through the loopback server.
func TestResults(t *testing.T) {
	srv := dnstest.Start(t)
	r := newResolver(t, srv)
	srv.TXT(t, "pass.test.jp", "v=spf1 ip4:198.51.100.0/24 -all")
	srv.TXT(t, "soft.test.jp", "v=spf1 ip4:192.0.2.1 ~all")
	srv.TXT(t, "neutral.test.jp", "v=spf1 ?all")
	srv.TXT(t, "none.test.jp", "some other text")
	srv.Add(t, "nospf.test.jp. 300 IN A 192.0.2.1")
	srv.TXT(t, "syntax.test.jp", "v=spf1 ip4:300.1.1.1 -all")
	srv.TXT(t, "badmech.test.jp", "v=spf1 foo:bar -all")
	srv.TXT(t, "two.test.jp", "v=spf1 -all")
	srv.TXT(t, "two.test.jp", "v=spf1 +all")
	// Eleven nested includes: more than the 10 lookups of §4.6.4.
	for i := 0; i < 11; i++ {
		srv.TXT(t, fmt.Sprintf("l%d.loop.test.jp", i), fmt.Sprintf("v=spf1 include:l%d.loop.test.jp -all", i+1))
	}
	srv.TXT(t, "l11.loop.test.jp", "v=spf1 +all")
	srv.TXT(t, "loop.test.jp", "v=spf1 include:l0.loop.test.jp -all")
	srv.TXT(t, "void.test.jp", "v=spf1 a:v1.test.jp a:v2.test.jp a:v3.test.jp -all")
	srv.TXT(t, "incfail.test.jp", "v=spf1 include:servfail.test.jp -all")
	srv.ServFail("servfail.test.jp")
	srv.Silent("timeout.test.jp")
	srv.TXT(t, "helo.test.jp", "v=spf1 ip4:198.51.100.7 -all")

	ip := netip.MustParseAddr("198.51.100.7")
	cases := []struct {
		from string
		want spf.Status
	}{
		{"a@pass.test.jp", spf.Pass},
		{"a@soft.test.jp", spf.SoftFail},
		{"a@neutral.test.jp", spf.Neutral},
		{"a@none.test.jp", spf.None},
		{"a@nospf.test.jp", spf.None},
		{"a@nxdomain.test.jp", spf.None},
		{"a@syntax.test.jp", spf.PermError},
		{"a@badmech.test.jp", spf.PermError},
		{"a@two.test.jp", spf.PermError},
		{"a@loop.test.jp", spf.PermError},
		{"a@void.test.jp", spf.PermError},
		{"a@servfail.test.jp", spf.TempError},
		{"a@incfail.test.jp", spf.TempError},
		{"a@timeout.test.jp", spf.TempError},
		{"", spf.Pass}, // null sender: HELO identity
	}
	for _, c := range cases {
		got := spf.Check(context.Background(), r, ip, "helo.test.jp", c.from)
		if got.Status != c.want {
			t.Errorf("%q: %s (%s), want %s", c.from, got.Status, got.Reason, c.want)
		}
	}
	if got := spf.Check(context.Background(), r, ip, "helo.test.jp", ""); got.Identity != "helo" || got.Sender != "postmaster@helo.test.jp" {
		t.Errorf("null sender identity: %+v", got)
	}
	if got := spf.Check(context.Background(), r, ip, "helo.test.jp", "a@pass.test.jp"); got.Status != spf.Pass || got.Domain != "pass.test.jp" {
		t.Errorf("pass: %+v", got)
	}
}

func TestParseRecord(t *testing.T) {
	good := []string{
		"v=spf1 -all",
		"v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.com ~all",
		"v=spf1 a:mail.example.com/24//64 mx:%{d}/26 exists:%{ir}.%{l1r+-}._spf.%{d} ?all",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 ptr:example.com exp=explain.%{d} -all",
		"V=SPF1 +all",
	}
	for _, g := range good {
		if _, err := spf.ParseRecord(g); err != nil {
			t.Errorf("%q: %v", g, err)
		}
	}
	bad := []string{"", "v=spf2 -all", "v=spf1 foo", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:::1", "v=spf1 include", "v=spf1 a:%{z}", "v=spf1 redirect=a redirect=b", "v=spf1 all:x", "v=spf1 mx/40"}
	for _, b := range bad {
		if _, err := spf.ParseRecord(b); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
	rec, _ := spf.ParseRecord("v=spf1 ip4:1.2.3.4 +all")
	if !rec.Permissive() {
		t.Errorf("+all not permissive")
	}
	rec, _ = spf.ParseRecord("v=spf1 ip4:1.2.3.4 -all")
	if rec.Permissive() {
		t.Errorf("-all permissive")
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=spf1 -all", "v=spf1 a:%{d}/24//64 exists:%{ir}.%{l1r+-}._spf.%{d} ?all", "v=spf1 redirect=x", "v=spf1 ip6:::1/128", "v=spf1 %{", "v=spf1 ip4:1.2.3.4/"} {
		f.Add(s)
	}
	mock := &dns.Mock{TXT: map[string][]string{}}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := spf.ParseRecord(s)
		if err == nil && rec == nil {
			t.Fatal("nil record without error")
		}
		// The evaluator must not panic on the same text either.
		mock.TXT["fuzz.test"] = []string{s}
		spf.Check(context.Background(), mock, netip.MustParseAddr("192.0.2.1"), "helo.test", "a@fuzz.test")
	})
}
