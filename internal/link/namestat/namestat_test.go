package namestat

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
		if r := Randomness(s); r < Threshold {
			t.Errorf("%s: %.1f, want random", s, r)
		}
	}
	for _, s := range words {
		if r := Randomness(s); r >= Threshold {
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
		if l := RandomLabel(h, Registrable(h)); l != "" {
			hit++
			t.Logf("%s (%s %.1f)", h, l, Randomness(l))
		}
	}
	t.Logf("%d of %d", hit, n)
}

func TestRandomnessAcronyms(t *testing.T) {
	for _, s := range []string{"freshrpms", "nmtbmedia", "pcworld", "lnksrv", "clktrk", "imgcdn", "trkmsg"} {
		if r := Randomness(s); r >= Threshold {
			t.Errorf("%s: %.1f", s, r)
		}
	}
}

func TestRandomTailAndToken(t *testing.T) {
	for _, c := range []struct{ name, local, want string }{
		{"Karen Thomas", "thomaskarenijqwfuib", "ijqwfuib"},
		{"James Turner", "jamesturnererngf", "erngf"},
		{"Perla Plumb", "perlaplumbhlhl", "hlhl"},
		{"Marcus Brandt", "marcusbrandt", ""},
		{"Marcus", "marcusbrandt", ""},
		{"Karen Thomas", "karen.thomas1985", ""},
		{"Anna", "anna", ""},
	} {
		if got := NameWithRandomTail(c.name, c.local); got != c.want {
			t.Errorf("NameWithRandomTail(%q, %q) = %q, want %q", c.name, c.local, got, c.want)
		}
	}
	for s, want := range map[string]string{
		"Crédito IR Liberado - maHSkh0WLRUIpDf6t":         "maHSkh0WLRUIpDf6t",
		"Notificação - qWrUAngJaLJzBndSE":                 "qWrUAngJaLJzBndSE",
		"Order 1Z999AA10123456784 shipped":                "",
		"PowerFlowNetworks update":                        "",
		"Re: SpamAssassin-talk digest":                    "",
		"iPhone MacBookPro JavaScriptCore XMLHttpRequest": "",
	} {
		if got := RandomToken(s); got != want {
			t.Errorf("RandomToken(%q) = %q, want %q", s, got, want)
		}
	}
}
