package normalize

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		raw, host, reg, uni string
		trick               string
	}{
		{"hxxps://evil[.]example[.]com/login", "evil.example.com", "example.com", "", TrickDefanged},
		{"h**ps://active-japan-top.beak.host/Kagoya-mail.html", "active-japan-top.beak.host", "beak.host", "", TrickDefanged},
		{"http://evil(dot)example(dot)org/", "evil.example.org", "example.org", "", TrickDefanged},
		{"https://amazon.co.jp@evil.example/", "evil.example", "evil.example", "", TrickUserinfo},
		{"https://www.amazon.co.jp%2elogin@evil.example/x", "evil.example", "evil.example", "", TrickUserinfo},
		{"http://0xC0A80001/", "192.168.0.1", "", "", TrickNumericIP},
		{"http://3232235521/a", "192.168.0.1", "", "", TrickNumericIP},
		{"http://0300.0250.0.01/", "192.168.0.1", "", "", TrickNumericIP},
		{"http://192.168.0.1/", "192.168.0.1", "", "", ""},
		{"http://[::1]:8080/", "::1", "", "", ""},
		{"https:\\\\evil.example\\path", "evil.example", "evil.example", "", TrickBackslash},
		{"https://%65vil.example/", "evil.example", "evil.example", "", TrickPercent},
		{"https://evil&#46;example/", "evil.example", "evil.example", "", TrickEntity},
		{"https://evil&period;example/", "evil.example", "evil.example", "", TrickEntity},
		{"https://mícrosoft.com/", "xn--mcrosoft-c2a.com", "xn--mcrosoft-c2a.com", "mícrosoft.com", ""},
		{"https://аpple.com/", "xn--pple-43d.com", "xn--pple-43d.com", "аpple.com", ""},
		{"https://ＥＶＩＬ。example．com/", "evil.example.com", "example.com", "", TrickFullwidth},
		{"www.example.co.uk/path", "www.example.co.uk", "example.co.uk", "", ""},
		{"HTTPS://WWW.Example.COM:443/a?b=c", "www.example.com", "example.com", "", ""},
	}
	for _, c := range cases {
		l, ok := Parse(c.raw)
		if !ok {
			t.Errorf("%s: not parsed", c.raw)
			continue
		}
		if l.Host != c.host || l.Registrable != c.reg {
			t.Errorf("%s: host %q reg %q, want %q %q", c.raw, l.Host, l.Registrable, c.host, c.reg)
		}
		if c.uni != "" && l.HostUnicode != c.uni {
			t.Errorf("%s: unicode %q want %q", c.raw, l.HostUnicode, c.uni)
		}
		if c.trick != "" && !l.HasTrick(c.trick) {
			t.Errorf("%s: tricks %v, want %s", c.raw, l.Tricks, c.trick)
		}
		if c.trick == "" && len(l.Tricks) > 0 {
			t.Errorf("%s: unexpected tricks %v", c.raw, l.Tricks)
		}
	}
	// Plain mail-address userinfo is not a trick.
	if l, _ := Parse("ftp://user:pass@files.example.com/"); l.HasTrick(TrickUserinfo) {
		t.Errorf("user:pass flagged as userinfo trick")
	}
	for _, bad := range []string{"", "report.pdf", "hello", "http://", "http://exa mple.com/"} {
		if l, ok := Parse(bad); ok && l.Host != "" && bad != "report.pdf" {
			t.Logf("%q parsed as %q", bad, l.Host)
		}
	}
	if l, ok := Parse("javascript:alert(1)"); !ok || l.Scheme != "javascript" {
		t.Errorf("javascript: %v %v", l, ok)
	}
	if l, ok := Parse("data:text/html;base64,PHNjcmlwdD4="); !ok || l.Scheme != "data" {
		t.Errorf("data: %v %v", l, ok)
	}
}

func TestResolve(t *testing.T) {
	cases := []struct{ raw, final, via string }{
		{"https://www.google.com/url?sa=t&q=https%3A%2F%2Fevil.example%2Flogin&usg=x", "evil.example", "google"},
		{"https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fphish.example%2Fa&data=05%7C01", "phish.example", "safelinks"},
		{"https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_path&d=DwMF", "evil.example", "proofpoint"},
		{"https://urldefense.com/v3/__https://evil.example/x__;!!abc", "evil.example", "proofpoint"},
		{"https://l.facebook.com/l.php?u=https%3A%2F%2Fevil.example%2F&h=AT", "evil.example", "facebook"},
		{"https://click.tracker.example/c?redirect=https%3A%2F%2Fevil.example%2F", "evil.example", "param:redirect"},
		// Nested: Safe Links around Google around the target.
		{"https://eur01.safelinks.protection.outlook.com/?url=" + escape("https://www.google.com/url?q="+escape("https://deep.example/")), "deep.example", "google"},
		{"https://example.com/plain?id=3", "example.com", ""},
	}
	for _, c := range cases {
		ch, ok := Resolve(c.raw)
		if !ok {
			t.Errorf("%s: not resolved", c.raw)
			continue
		}
		if got := ch.Final().Host; got != c.final {
			t.Errorf("%s: final %q want %q (chain %d)", c.raw, got, c.final, len(ch.Links))
		}
		if c.via != "" && (len(ch.Via) == 0 || ch.Via[len(ch.Via)-1] != c.via) {
			t.Errorf("%s: via %v want %s", c.raw, ch.Via, c.via)
		}
		if c.via == "" && len(ch.Via) != 0 {
			t.Errorf("%s: unexpected unwrap %v", c.raw, ch.Via)
		}
	}
	// Depth is bounded.
	u := "https://final.example/"
	for i := 0; i < 20; i++ {
		u = "https://www.google.com/url?q=" + escape(u)
	}
	ch, _ := Resolve(u)
	if len(ch.Links) > MaxDepth+1 {
		t.Errorf("depth %d", len(ch.Links))
	}
}

func escape(s string) string {
	r := strings.NewReplacer("%", "%25", ":", "%3A", "/", "%2F", "?", "%3F", "=", "%3D", "&", "%26")
	return r.Replace(s)
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{"hxxps://evil[.]example/", "http://0x7f.1/", "https://a@b.c/", "https://www.google.com/url?q=https://x.y/",
		"https://xn--80ak6aa92e.com/", "http://[::1]/", "https:\\\\a\\b", "&#104;ttp://x.y", "data:,x", "http://4294967295/", "http://1.2.3.4.5/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ch, _ := Resolve(s)
		if len(ch.Links) == 0 || len(ch.Links) > MaxDepth+1 {
			t.Fatalf("chain length %d", len(ch.Links))
		}
		for _, l := range ch.Links {
			if len(l.URL) > 4*MaxLen+64 {
				t.Fatalf("URL grew: %d", len(l.URL))
			}
		}
	})
}

func BenchmarkResolve(b *testing.B) {
	in := "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fphish.example%2Fa%2Fb%3Fc%3Dd&data=05%7C01"
	for i := 0; i < b.N; i++ {
		Resolve(in)
	}
}

func TestEntityInQueryNotTrick(t *testing.T) {
	l, _ := Parse("https://www.example.org/a?b=1&amp;c=2")
	if l.HasTrick(TrickEntity) {
		t.Error("&amp; in the query flagged")
	}
	if l.RawQuery != "b=1&c=2" {
		t.Errorf("query %q", l.RawQuery)
	}
}

func TestBackslashInPathNotTrick(t *testing.T) {
	l, _ := Parse(`http://www.cnsnews.com\ViewPolitics.asp?Page=\Politics\archive`)
	if l.HasTrick(TrickBackslash) {
		t.Error("backslash after the host flagged")
	}
	l, _ = Parse(`https:\\evil.example\x`)
	if !l.HasTrick(TrickBackslash) {
		t.Error("backslash before the host not flagged")
	}
}
