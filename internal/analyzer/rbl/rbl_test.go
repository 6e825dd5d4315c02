package rbl

import (
	"context"
	"encoding/base64"
	"net/netip"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

const testKey = "testdqskey0123"

// zones serves every built-in list's zone with real return codes,
// refusal codes included.
func zones(t *testing.T) *dnstest.Server {
	t.Helper()
	s := dnstest.Start(t)
	a := func(name, ip string) { s.Add(t, name+". 300 IN A "+ip) }
	// ZEN: SBL + XBL for one address, DROP, PBL, refusal codes.
	a("2.10.33.45.zen.spamhaus.org", "127.0.0.2")
	a("2.10.33.45.zen.spamhaus.org", "127.0.0.4")
	a("9.10.33.45.zen.spamhaus.org", "127.0.0.9")
	a("10.10.33.45.zen.spamhaus.org", "127.0.0.10")
	a("254.10.33.45.zen.spamhaus.org", "127.255.255.254") // public resolver
	a("255.10.33.45.zen.spamhaus.org", "127.255.255.255") // over quota
	a("66.10.33.45.zen.spamhaus.org", "198.51.100.7")     // NXDOMAIN-rewriting resolver
	s.ServFail("77.10.33.45.zen.spamhaus.org")
	// IPv6 nibble format: 2a01:4f8::1.
	a("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.f.4.0.1.0.a.2.zen.spamhaus.org", "127.0.0.3")
	a("2.10.33.45.bl.spamcop.net", "127.0.0.2")
	a("2.10.33.45.b.barracudacentral.org", "127.0.0.2")
	a("2.10.33.45.bl.mailspike.net", "127.0.0.10")
	a("2.10.33.45.dnsbl-1.uceprotect.net", "127.0.0.2")
	a("20.20.20.20.list.dnswl.org", "127.0.10.2")
	a("21.20.20.20.list.dnswl.org", "127.0.0.255") // DNSWL: blocked resolver
	// Domain lists.
	a("phish-login.example.dbl.spamhaus.org", "127.0.1.4")
	a("abused.example.dbl.spamhaus.org", "127.0.1.255") // DBL refusal
	a("phish-login.example.multi.surbl.org", "127.0.0.24")
	a("refused.example.multi.surbl.org", "127.0.0.1")
	a("phish-login.example.multi.uribl.com", "127.0.0.2")
	a("badsender.example.dbl.spamhaus.org", "127.0.1.2")
	return s
}

func analyzer(t *testing.T, s *dnstest.Server, mod func(*config.Config)) *Analyzer {
	t.Helper()
	cfg := config.Default()
	cfg.RBL.Enabled = true
	cfg.RBL.Timeout = config.Duration{Duration: 300 * time.Millisecond}
	if mod != nil {
		mod(cfg)
	}
	r, err := dns.New(dns.Config{Servers: []string{s.Addr}, Timeout: cfg.RBL.Timeout.Duration})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewWithResolver(cfg, r)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func scan(t *testing.T, a *Analyzer, raw string, env pipeline.Envelope) map[string][]string {
	t.Helper()
	msg := mail.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mail.Limits{})
	task := pipeline.NewTask("t", msg, env, nil)
	if err := a.Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, h := range task.Hits() {
		out[h.Name] = h.Options
	}
	return out
}

func names(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const plain = `From: a@sender.example
To: b@example.jp
Subject: hi

hello
`

func TestIPLists(t *testing.T) {
	s := zones(t)
	a := analyzer(t, s, nil)
	check := func(ip string, want ...string) {
		t.Helper()
		got := names(scan(t, a, plain, pipeline.Envelope{ClientIP: netip.MustParseAddr(ip)}))
		if len(want) == 0 {
			want = nil
		}
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", ip, got, want)
		}
	}
	check("45.33.10.2", SymBarracuda, SymMailspikeW, SymSpamhausSBL, SymSpamhausXBL, SymSpamCop, SymUCEProtect1)
	check("45.33.10.9", SymSpamhausDROP)
	check("45.33.10.10", SymSpamhausPBL)
	check("20.20.20.20", SymDNSWLMed)
	check("2a01:4f8::1", SymSpamhausCSS)
	// Refusal codes, a rewritten NXDOMAIN and SERVFAIL are never hits.
	check("45.33.10.254")
	check("45.33.10.255")
	check("45.33.10.66")
	check("45.33.10.77")
	check("20.20.20.21")
	// Reserved addresses are not asked.
	before := s.Queries()
	check("10.1.2.3")
	if s.Queries() != before {
		t.Errorf("a private address was queried")
	}
	var zen Stat
	for _, st := range a.Stats() {
		if st.List == "zen" {
			zen = st
		}
	}
	if zen.Hits != 4 || zen.Errors < 4 || zen.Queries < 9 {
		t.Errorf("zen stats %+v", zen)
	}
}

func TestReceivedHop(t *testing.T) {
	s := zones(t)
	a := analyzer(t, s, func(c *config.Config) { c.Auth.TrustedRelays = []string{"mx.example.jp", "192.168.0.0/16"} })
	msg := `Received: from outside.example (outside.example [45.33.10.9]) by mx.example.jp with ESMTP id 1; Mon, 16 Nov 2026 10:00:00 +0900
` + plain
	got := scan(t, a, msg, pipeline.Envelope{}) // a stored file: no client
	if o := got[SymSpamhausDROP]; len(o) != 1 || o[0] != "45.33.10.9 (received)" {
		t.Errorf("got %v", got)
	}
	// Behind our own relay: the hop, not the relay, is asked.
	got = scan(t, a, msg, pipeline.Envelope{ClientIP: netip.MustParseAddr("192.168.1.1")})
	if _, ok := got[SymSpamhausDROP]; !ok {
		t.Errorf("behind relay: got %v", got)
	}
}

func TestDomainLists(t *testing.T) {
	s := zones(t)
	a := analyzer(t, s, nil)
	msg := `From: x@mail.badsender.example
Reply-To: y@refused.example
To: b@example.jp
Subject: hi
Content-Type: text/html

<a href="https://login.phish-login.example/x?id=1">log in</a> <a href="http://www.abused.example/">x</a>
`
	got := scan(t, a, msg, pipeline.Envelope{})
	want := []string{SymDBLPhish, SymDBLSpam, SymSURBLMalware, SymSURBLPhish, SymURIBLBlack}
	if !reflect.DeepEqual(names(got), want) {
		t.Fatalf("got %v, want %v", names(got), want)
	}
	if o := got[SymDBLPhish]; len(o) != 1 || o[0] != "phish-login.example (link)" {
		t.Errorf("evidence %v", o)
	}
	if o := got[SymDBLSpam]; len(o) != 1 || o[0] != "badsender.example (from)" {
		t.Errorf("evidence %v", o)
	}
}

func TestHBL(t *testing.T) {
	s := zones(t)
	a := analyzer(t, s, func(c *config.Config) { c.RBL.Lists = []string{"hbl", "zen"}; c.RBL.DQSKey = testKey })
	wallet := "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	file := []byte("MZ evil payload")
	z := testKey + ".hbl.dq.spamhaus.net"
	s.Add(t,
		hashLabel([]byte("dropbox@fraud.example"))+"._email."+z+". 300 IN A 127.0.3.2",
		hashLabel([]byte(wallet))+"._cw."+z+". 300 IN A 127.0.3.20",
		hashLabel(file)+"._file."+z+". 300 IN A 127.0.3.10",
		"2.10.33.45."+testKey+".zen.dq.spamhaus.net. 300 IN A 127.0.0.2",
	)
	msg := `From: a@sender.example
Reply-To: DropBox+x@Fraud.example
To: b@example.jp
Subject: pay
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

Send 0.1 BTC to ` + wallet + `
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=a.exe
Content-Transfer-Encoding: base64

` + base64.StdEncoding.EncodeToString(file) + `
--b--
`
	got := scan(t, a, msg, pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2")})
	want := []string{SymHBLCryptoWlt, SymHBLEmail, SymHBLFileMal, SymSpamhausSBL}
	if !reflect.DeepEqual(names(got), want) {
		t.Fatalf("got %v, want %v", names(got), want)
	}
}

func TestCustomList(t *testing.T) {
	s := zones(t)
	s.Add(t, "2.10.33.45.bl.local.test. 60 IN A 127.0.0.2", "3.10.33.45.bl.local.test. 60 IN A 127.0.0.3",
		"2.10.33.45.wl.local.test. 60 IN A 127.0.0.5", "spam.example.dom.local.test. 60 IN A 127.0.0.2")
	a := analyzer(t, s, func(c *config.Config) {
		c.RBL.Lists = nil
		c.RBL.Custom = []config.RBLList{
			{Name: "LOCALTEST", Zone: "bl.local.test", Codes: []string{"127.0.0.2"}, Weight: 3},
			{Name: "LOCALWL", Zone: "wl.local.test", Weight: -2},
			{Name: "LOCALDOM", Zone: "dom.local.test", Kind: "domain"},
		}
	})
	got := names(scan(t, a, "From: a@spam.example\n"+plain[strings.Index(plain, "To:"):], pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2")}))
	if want := []string{"RBL_LOCALDOM", "RBL_LOCALTEST", "RWL_LOCALWL"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if d, ok := pipeline.Lookup("RWL_LOCALWL"); !ok || d.Weight != -2 {
		t.Errorf("allow list symbol %+v", d)
	}
	got = names(scan(t, a, plain, pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.3")}))
	if len(got) != 0 {
		t.Errorf("code outside codes counted: %v", got)
	}
}

// TestNoNetwork: a server that never answers costs one budget at most,
// then the lists rest and scans cost nothing.
func TestNoNetwork(t *testing.T) {
	s := zones(t)
	for _, z := range []string{"2.10.33.45.zen.spamhaus.org", "2.10.33.45.bl.spamcop.net", "2.10.33.45.b.barracudacentral.org",
		"2.10.33.45.bl.mailspike.net", "2.10.33.45.dnsbl-1.uceprotect.net", "2.10.33.45.list.dnswl.org",
		"sender.example.dbl.spamhaus.org", "sender.example.multi.surbl.org", "sender.example.multi.uribl.com"} {
		s.Silent(z)
	}
	a := analyzer(t, s, func(c *config.Config) {
		c.RBL.Timeout = config.Duration{Duration: 50 * time.Millisecond}
		c.RBL.Budget = config.Duration{Duration: 2 * time.Second}
	})
	env := pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2")}
	for i := 0; i < failLimit; i++ {
		if got := scan(t, a, plain, env); len(got) != 0 {
			t.Fatalf("time-out gave %v", got)
		}
	}
	before := s.Queries()
	if got := scan(t, a, plain, env); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	if s.Queries() != before {
		t.Errorf("resting lists were asked: %d queries", s.Queries()-before)
	}
	for _, st := range a.Stats() {
		if st.Errors < failLimit {
			t.Errorf("%s: errors %d", st.List, st.Errors)
		}
		if st.Hits != 0 {
			t.Errorf("%s: hits %d", st.List, st.Hits)
		}
	}
}

func TestQueryFormats(t *testing.T) {
	if got := reverseIP(netip.MustParseAddr("1.2.3.4")); got != "4.3.2.1" {
		t.Error(got)
	}
	if got := reverseIP(netip.MustParseAddr("::ffff:192.0.2.99")); got != "99.2.0.192" {
		t.Error(got)
	}
	if got := reverseIP(netip.MustParseAddr("2001:db8::567:89ab")); got != "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2" {
		t.Error(got)
	}
	if got := normEmail(" First.Last+tag@GoogleMail.com "); got != "firstlast@gmail.com" {
		t.Error(got)
	}
	if got := normEmail("first.last@example.com"); got != "first.last@example.com" {
		t.Error(got)
	}
	if l := hashLabel([]byte("x")); len(l) != 52 {
		t.Errorf("hash label %q", l)
	}
}

func TestOutboundNotAsked(t *testing.T) {
	s := zones(t)
	a := analyzer(t, s, nil)
	before := s.Queries()
	scan(t, a, plain, pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2"), AuthUser: "u", Outbound: true})
	if s.Queries() != before {
		t.Error("outbound mail was asked about")
	}
}
