package brands

import (
	"strings"
	"testing"
)

func TestMatchLookalike(t *testing.T) {
	cases := []struct {
		domain string
		brand  string
		kind   string
	}{
		{"micros0ft.com", "Microsoft", "confusable"},
		{"rnicrosoft.com", "Microsoft", "confusable"},
		{"arnazon.co.jp", "Amazon", "confusable"},
		{"paypa1.com", "PayPal", "confusable"},
		{"xn--pypal-4ve.com", "PayPal", "mixed_script"}, // pаypal with Cyrillic а
		{"microsoft-support.com", "Microsoft", "added_word"},
		{"micros0ftsupport.net", "Microsoft", "added_word"},
		{"secure-amazon-login.xyz", "Amazon", "added_word"},
		{"amazon.co.jp.evil-host.top", "Amazon", "brand_subdomain"},
		{"mercari.xyz", "メルカリ", "cousin_tld"},
		{"kagoya.top", "KAGOYA", "cousin_tld"},
		{"rakuteen.co.jp", "楽天", "typo"},
		{"kuronekoyamato.com", "ヤマト運輸", "cousin_tld"},
		{"smbc-card.net", "三井住友カード", "cousin_tld"},
		{"example.co.jp", "", ""},
		{"microsoft.com", "", ""},
		{"mail.kagoya.jp", "", ""},
		{"amazon.de", "", ""},
		{"digital.yahoo.com.au", "", ""},
		{"www.mail.com", "", ""}, // a webmail provider one edit from gmail.com // a global brand's country site, with a subdomain
		{"outlook.vendor-tools.biz", "Microsoft", "brand_subdomain"},
		{"beak.host", "", ""},
		{"plala.or.jp", "", ""},
		{"gmail.com", "", ""},
		{"linux.org", "", ""},
		{"python.org", "", ""},
	}
	for _, c := range cases {
		l, ok := MatchLookalike(c.domain, nil)
		if c.brand == "" {
			if ok {
				t.Errorf("%s: unexpected lookalike of %s (%s, %s)", c.domain, l.Brand.Name, l.Target, l.Kind)
			}
			continue
		}
		if !ok || l.Brand.Name != c.brand || l.Kind != c.kind {
			t.Errorf("%s: got %v %q %q, want %q %q", c.domain, ok, l.Brand.Name, l.Kind, c.brand, c.kind)
		}
	}
	if l, ok := MatchLookalike("examp1e-corp.co.jp", []string{"example-corp.co.jp"}); !ok || l.Target != "example-corp.co.jp" {
		t.Errorf("extra protected domain: %v %+v", ok, l)
	}
	if _, ok := MatchLookalike("example-corp.co.jp", []string{"example-corp.co.jp"}); ok {
		t.Errorf("own protected domain reported")
	}
}

func TestClaimed(t *testing.T) {
	cases := map[string]string{
		"KAGOYA | KAGOYAカスタマーサポート": "KAGOYA",
		"Amazon Shipping":      "Amazon",
		"Microsoft Office 365": "Microsoft",
		"Micros0ft Support":    "Microsoft",
		"三井住友カード株式会社":          "三井住友カード",
		"ｅｋｉ－ｎｅｔ":              "えきねっと",
		"えきねっと(JR東日本)":         "えきねっと",
		"ヤマト運輸":                "ヤマト運輸",
		"John Smith":           "",
		"Groups Team":          "",
		"Tapple dating":        "",
	}
	for text, want := range cases {
		got := Claimed(text)
		if want == "" {
			if len(got) != 0 {
				t.Errorf("%q: claimed %s", text, got[0].Name)
			}
			continue
		}
		if len(got) == 0 || got[0].Name != want {
			t.Errorf("%q: got %v, want %s", text, got, want)
		}
	}
}

func TestByDomain(t *testing.T) {
	for d, want := range map[string]string{"mail.kagoya.jp": "KAGOYA", "amazon.co.jp": "Amazon", "bk.mufg.jp": "三菱UFJ銀行", "example.com": ""} {
		b, ok := ByDomain(d)
		if (want == "") == ok || b.Name != want {
			t.Errorf("%s: %v %s", d, ok, b.Name)
		}
	}
}

func FuzzMatchLookalike(f *testing.F) {
	for _, s := range []string{"micros0ft.com", "xn--pypal-4ve.com", "amazon.co.jp.x.top", "", "..", "xn--", "a.b.c.d.e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		MatchLookalike(s, []string{"example.co.jp"})
		for _, b := range Claimed(s) {
			StartsWith(s, b)
		}
		MixedScripts(s)
	})
}

func BenchmarkMatchLookalike(b *testing.B) {
	ds := []string{"micros0ft-support.com", "example.co.jp", "mail.kagoya.jp", "rakuteen.co.jp", "xn--pypal-4ve.com", "lists.sourceforge.net"}
	for i := 0; i < b.N; i++ {
		MatchLookalike(ds[i%len(ds)], []string{"example.co.jp", "partner-corp.co.jp"})
	}
}

func BenchmarkClaimed(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Claimed("KAGOYA | KAGOYAカスタマーサポート")
	}
}

func TestStartsWith(t *testing.T) {
	amazon, _ := ByDomain("amazon.co.jp")
	smbc, _ := ByDomain("smbc-card.com")
	apple, _ := ByDomain("apple.com")
	for _, c := range []struct {
		name string
		b    Brand
		want bool
	}{
		{"Amazon Shipping", amazon, true},
		{"【重要】三井住友カード", smbc, true},
		{"[三井住友カード] お知らせ", smbc, true},
		{"Lockergnome Apple Core", apple, false},
		{"\"Apple\" Support", apple, true},
	} {
		if got := StartsWith(c.name, c.b); got != c.want {
			t.Errorf("StartsWith(%q, %s) = %v", c.name, c.b.Name, got)
		}
	}
}

// FuzzOwns holds Owns to its plain form.
func FuzzOwns(f *testing.F) {
	f.Add("mail.Example.COM.", "example.com")
	f.Add("xexample.com", "example.com")
	f.Add(".com", "com")
	f.Fuzz(func(t *testing.T, host, dom string) {
		b := Brand{Domains: []string{dom}}
		d := strings.TrimSuffix(strings.ToLower(host), ".")
		want := d == dom || strings.HasSuffix(d, "."+dom)
		if got := b.Owns(host); got != want {
			t.Fatalf("Owns(%q) over %q = %v, want %v", host, dom, got, want)
		}
	})
}
