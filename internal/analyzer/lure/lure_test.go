package lure

import (
	"strings"
	"testing"
)

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

// TestTeamPrefilter: every text reTeam matches passes mayBeTeam (the
// prefilter may only spare the regex where it cannot match).
func TestTeamPrefilter(t *testing.T) {
	for _, s := range []string{
		"Thanks,\nThe Netflix Team", "THE PAYPAL TEAM", "Équipe Orange", "ÉQUIPE ORANGE", "equipo de Santander",
		"Squadra Poste", "Service Client Free", "Ihr \u212Aundenservice", "kundenſervice der Bank", "Klantenservice ING",
		"Atendimento Itaú", "楽天カード事務局", "アマゾンカスタマーセンター", "サポートセンター", "お客様センター",
		"Team Apple", "teams", "Best regards, John", "", "お問い合わせ窓口",
	} {
		if reTeam.MatchString(s) && !mayBeTeam(s) {
			t.Errorf("%q: reTeam matches, prefilter says no", s)
		}
		if !reTeam.MatchString(s) && signOffText(s) != "" {
			t.Errorf("%q: sign-off text without a match", s)
		}
	}
}

// isUnsub answers as reUnsub does.
func TestIsUnsub(t *testing.T) {
	for _, s := range []string{"", "https://x.example/UnSubscribe?id=1 Click", "OPT-OUT", "optout", "opt out", "https://a.example/Preferences",
		"https://a.example/p Manage", "Désinscrire", "désinscrire", "配信停止はこちら", "https://a.example/ \u212Aanage", "MANAGE", "https://b.example/x y"} {
		if got, want := isUnsub(s), reUnsub.MatchString(s); got != want {
			t.Errorf("%q: %v want %v", s, got, want)
		}
	}
}

// FuzzIsUnsub compares isUnsub with reUnsub, also with the letters (?i)
// folds across scripts written so.
func FuzzIsUnsub(f *testing.F) {
	for _, s := range []string{"", "https://x.example/UnSubscribe?id=1 Click", "OPT-OUT", "Désinscrire", "DÉSINSCRIRE", "dÉsinscrire",
		"配信停止はこちら", "\xe9配信停止", "解\xff除", "https://a.example/ \u212Aanage", "UNſUB", "abbeſtell", "»manage«", "é" + "preferences"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []string{s, strings.ReplaceAll(s, "s", "ſ"), strings.ReplaceAll(s, "k", "\u212a"), strings.ReplaceAll(s, "e", "é") + "»"} {
			if got, want := isUnsub(v), reUnsub.MatchString(v); got != want {
				t.Fatalf("isUnsub(%q) = %v, regexp %v", v, got, want)
			}
		}
	})
}
