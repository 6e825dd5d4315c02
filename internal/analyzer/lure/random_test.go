package lure

import (
	"os"
	"strings"
	"testing"
)

func TestRandomness(t *testing.T) {
	random := []string{"ytbssrxxs6", "asdhbsvjldmopsfj20", "vy448tguxl", "nkn5zun99r", "lkjfqb", "rqorcqbhvtvtqcp",
		"npowd44w6n8", "mgq3z0h5os", "znsd9cu5tcsydt", "ipuhx6ila", "g1bhzg0r4g", "lrnpd0axu1", "c98cdgammn", "w737jjvqo8", "00p1yb9jcr", "51yzoga5zx", "qmolyzpyxh", "xkq3v9"}
	words := []string{"stayfriends", "newsletter", "rakuten", "smbc", "mercari", "kuronekoyamato", "sagawa", "docomo", "softbank",
		"microsoftonline", "protection", "outlook", "googlemail", "amazonses", "sendgrid", "mailchimp", "bnpparibas", "jpmorgan",
		"schwab", "mckinsey", "sparkasse", "rabobank", "bradesco", "correios", "postnl", "belastingdienst",
		"creditagricole", "intesasanpaolo", "vpass", "saisoncard", "eposcard", "yodobashi", "ekinet", "eki-net", "jreast",
		"nenkin", "nta", "mufg", "mizuhobank", "japanpost", "kddi", "ezweb", "isoftbank", "facebookmail", "linkedin",
		"spamassassin", "sourceforge", "slashdot", "freshmeat", "newsletter2024", "john1985", "web2py", "365scores",
		"bahn", "deutschebank", "commerzbank", "dkb", "zalando", "bol", "coolblue", "ziggo", "kpn", "xs4all",
		"schwarzkopf", "lufthansa", "tchibo", "rossmann", "otto", "baur", "netflix", "spotify", "github", "atlassian",
		"mcdonalds", "dropbox", "wetransfer", "rtl", "zdf", "heise", "golem", "t-online", "gmx", "sfr", "laposte",
		"ameli", "impots", "chronopost", "vodafone", "telekom", "nyt", "wsj", "ft", "bbc", "asahi", "nikkei", "yomiuri",
		"pwc", "kpmg", "ey", "hsbc", "bbva", "caixabank", "santander", "itau", "nubank", "shopify", "stripe", "paypal"}
	for _, s := range random {
		if r := randomness(s); r < randomThreshold {
			t.Errorf("%s: %.1f, want random", s, r)
		}
	}
	for _, s := range words {
		if r := randomness(s); r >= randomThreshold {
			t.Errorf("%s: %.1f, want word", s, r)
		}
	}
}

func TestRandomLabelFile(t *testing.T) {
	f := os.Getenv("LURE_DOMAINS")
	if f == "" {
		t.Skip("LURE_DOMAINS not set")
	}
	b, _ := os.ReadFile(f)
	n, hit := 0, 0
	for _, h := range strings.Fields(string(b)) {
		n++
		if l := randomLabel(h, registrable(h)); l != "" {
			hit++
			t.Logf("%s (%s %.1f)", h, l, randomness(l))
		}
	}
	t.Logf("%d of %d", hit, n)
}

func TestRandomnessAcronyms(t *testing.T) {
	for _, s := range []string{"freshrpms", "nmtbmedia", "pcworld"} {
		if r := randomness(s); r >= randomThreshold {
			t.Errorf("%s: %.1f", s, r)
		}
	}
}

func TestFromShapes(t *testing.T) {
	for v, want := range map[string]bool{
		`Amazon Gutschein, <service@x.example>`:  true,
		`WOW TV, jehd <service@x.example>`:       true,
		`Microsoft account team ,_<a@b.example>`: true,
		`"Doe, John" <john@x.example>`:           false,
		`John Doe <john@x.example>, b@y.example`: false,
		`Undisclosed recipients:;`:               false,
		`(Yamada, Taro) <taro@x.example>`:        false,
		`ADAC, <service@x.de.>, ADAC, <s@x.de>`:  true,
	} {
		if got := brokenList(v); got != want {
			t.Errorf("brokenList(%q) = %v", v, got)
		}
	}
	for d, want := range map[string]bool{"correios": false, "x.example": true, "%pedidos.net": false, "日本.jp": true, "[192.0.2.1]": true, "-a.com": false} {
		if got := validDomain(d); got != want {
			t.Errorf("validDomain(%q) = %v", d, got)
		}
	}
}

func TestStyledOrMixed(t *testing.T) {
	for s, want := range map[string]bool{
		"𝗟𝗔𝗦𝗧 𝗖𝗛𝗔𝗡𝗖𝗘":                  true,
		"Recent Lеԁgеr breach":         true,
		"Yоur аccоunt hаs been lоcked": true,
		"Am\u073faz\u073fon.com":       true,
		"pay\u200bpal":                 true,
		"Привет, как дела":             false,
		"Café résumé naïve":            false,
		"Ελληνικά γράμματα":            false,
		"【重要】お知らせ":                     false,
		"Your invoice":                 false,
	} {
		if got := styledOrMixed(s) != ""; got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}

func TestTypoBrand(t *testing.T) {
	for name, want := range map[string]bool{
		"Conta Microsft - Atendimento": true,
		"NetfIix Support":              true,
		"Microsoft account team":       false,
		"Micro Focus":                  false,
		"John Smith":                   false,
		"Amazon.co.jp":                 false,
		"PayPal Service":               false,
		"Kragen Sitaker":               false,
		"Jim Morton":                   false,
	} {
		if _, _, got := typoBrand(name); got != want {
			t.Errorf("%q: %v", name, got)
		}
	}
	for _, c := range [][2]string{{"microsft", "microsoft"}, {"mircosoft", "microsoft"}, {"microsofts", "microsoft"}, {"netflex", "netflix"}} {
		if !editDistance1(c[0], c[1]) {
			t.Errorf("%s %s", c[0], c[1])
		}
	}
	if editDistance1("outlook", "outback") {
		t.Error("outlook/outback")
	}
}
