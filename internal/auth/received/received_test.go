package received

import (
	"net/netip"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in               string
		helo, rdns, ip   string
		by, with, forStr string
	}{
		{"from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.jp (Postfix) with ESMTPS id 4ABC for <u@example.jp>; Tue, 13 May 2025 09:12:44 +0900 (JST)",
			"mail.example.com", "mail.example.com", "192.0.2.1", "mx.example.jp", "ESMTPS", "u@example.jp"},
		{"from mdkim-o09.ake-mailbk.plala.or.jp ([172.23.12.58]) by msa-o09.ake-mailbk.plala.or.jp with ESMTP id <x@y>; Tue, 13 May 2025 09:12:40 +0900",
			"mdkim-o09.ake-mailbk.plala.or.jp", "", "172.23.12.58", "msa-o09.ake-mailbk.plala.or.jp", "ESMTP", ""},
		{"from unknown (HELO n8.grp.scd.yahoo.com) (66.218.66.92) by m10.grp.scd.yahoo.com with QMQP; 28 Aug 2002 08:45:26 -0000",
			"n8.grp.scd.yahoo.com", "", "66.218.66.92", "m10.grp.scd.yahoo.com", "QMQP", ""},
		{"from [203.0.113.9] (helo=pc01) by smtp.example.net with esmtpa (Exim 4.96) id 1abc",
			"pc01", "", "203.0.113.9", "smtp.example.net", "ESMTPA", ""},
		{"from host.example.org (host.example.org [IPv6:2001:db8::25]) by mx.example.jp with ESMTP",
			"host.example.org", "host.example.org", "2001:db8::25", "mx.example.jp", "ESMTP", ""},
		{"from TYCPR01MB1234.jpnprd01.prod.outlook.com (2603:1096:400:1::5) by TY1PR01MB5678.jpnprd01.prod.outlook.com (2603:1096:403:2::6) with Microsoft SMTP Server",
			"tycpr01mb1234.jpnprd01.prod.outlook.com", "", "2603:1096:400:1::5", "ty1pr01mb5678.jpnprd01.prod.outlook.com", "MICROSOFT", ""},
		{"from friend (ppp-1.example.net [198.51.100.3] (may be forged)) by mail.example.com (8.12/8.12) with SMTP id g7S",
			"friend", "ppp-1.example.net", "198.51.100.3", "mail.example.com", "SMTP", ""},
		{"(qmail 4957 invoked from network); 28 Aug 2002 08:45:26 -0000", "", "", "", "", "", ""},
	}
	for _, c := range cases {
		h := Parse(c.in)
		ip := ""
		if h.IP.IsValid() {
			ip = h.IP.String()
		}
		if h.Helo != c.helo || h.RDNS != c.rdns || ip != c.ip || h.By != c.by || h.With != c.with || h.For != c.forStr {
			t.Errorf("%q:\n got helo=%q rdns=%q ip=%q by=%q with=%q for=%q", c.in, h.Helo, h.RDNS, ip, h.By, h.With, h.For)
		}
	}
	if h := Parse(cases[6].in); !h.Forged {
		t.Error("may be forged not noticed")
	}
	if h := Parse(cases[0].in); h.Date().IsZero() {
		t.Error("date not parsed")
	}
}

func TestFirstUntrusted(t *testing.T) {
	hops := []Hop{
		Parse("from mx1.example.jp (mx1.example.jp [192.0.2.10]) by mail.example.jp with ESMTP"),
		Parse("from sender.example.com (sender.example.com [198.51.100.77]) by mx1.example.jp with ESMTPS"),
		Parse("from pc ([10.0.0.5]) by sender.example.com with ESMTPSA"),
	}
	tr := Trust{Hosts: []string{"mail.example.jp"}, Nets: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	i, ok := FirstUntrusted(hops, tr)
	if !ok || i != 1 || hops[i].IP.String() != "198.51.100.77" {
		t.Fatalf("got %d %v", i, ok)
	}
	tr2 := Trust{Hosts: []string{".example.jp"}}
	if i, ok := FirstUntrusted(hops, tr2); !ok || i != 1 {
		t.Fatalf("suffix trust: %d %v", i, ok)
	}
	if _, ok := FirstUntrusted(hops, Trust{Hosts: []string{"other.example"}}); ok {
		t.Fatal("untrusted top hop accepted")
	}
	if _, ok := FirstUntrusted(hops, Trust{}); ok {
		t.Fatal("empty trust")
	}
	if o, ok := Origin(hops); !ok || o != 2 || !Reserved(hops[o].IP) {
		t.Fatalf("origin %d %v", o, ok)
	}
	for s, want := range map[string]bool{"10.1.2.3": true, "172.23.12.58": true, "100.64.1.1": true, "8.8.8.8": false, "::1": true, "2001:db8::1": true, "2400:4050::1": false} {
		if Reserved(netip.MustParseAddr(s)) != want {
			t.Errorf("Reserved(%s) != %v", s, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"from a (b [1.2.3.4]) by c with ESMTP id d for <e@f>; Tue, 13 May 2025 09:12:44 +0900",
		"from [IPv6:::1] (helo=x) by y",
		"from ((((( by", "(", ")", "from unknown (HELO", "from x ([1.2.3.4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := Parse(s)
		FirstUntrusted([]Hop{h, h}, Trust{Hosts: []string{h.By}})
		Origin([]Hop{h})
	})
}

func BenchmarkParse(b *testing.B) {
	s := "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.jp (Postfix) with ESMTPS id 4ABC for <u@example.jp>; Tue, 13 May 2025 09:12:44 +0900 (JST)"
	b.SetBytes(int64(len(s)))
	for i := 0; i < b.N; i++ {
		Parse(s)
	}
}
