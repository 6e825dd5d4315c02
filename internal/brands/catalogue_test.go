package brands

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedCatalogue: every embedded file parses strictly, and every
// brand has names, domains and a known kind.
func TestEmbeddedCatalogue(t *testing.T) {
	ents, err := dataFS.ReadDir("data")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		files++
		b, _ := dataFS.ReadFile("data/" + e.Name())
		es, err := parseFile(b, e.Name())
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if len(es) == 0 {
			t.Errorf("%s: no brands", e.Name())
		}
		for _, x := range es {
			if len(x.Names)+len(x.StrictNames) == 0 || len(x.Domains)+len(x.WordDomains) == 0 || !kinds[x.Kind] {
				t.Errorf("%s: brand %q: names %v, domains %v, kind %q", e.Name(), x.Name, x.Names, x.Domains, x.Kind)
			}
		}
	}
	if files < 5 {
		t.Errorf("%d catalogue files embedded", files)
	}
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Brands()); n < 200 {
		t.Errorf("only %d brands", n)
	}
	for _, b := range c.Brands() {
		if len(b.Names) == 0 || len(b.Domains) == 0 || b.Sector == "" {
			t.Errorf("%s: names %v domains %v sector %q", b.Name, b.Names, b.Domains, b.Sector)
		}
	}
}

// TestOwnDomains: every brand owns its domains, ByDomain finds it (or a
// brand of its group for a shared parent), and no own domain is taken for
// a lookalike.
func TestOwnDomains(t *testing.T) {
	for _, b := range All() {
		for _, d := range b.Domains {
			if !b.Owns(d) || !b.Owns("mail."+d) {
				t.Errorf("%s does not own %s", b.Name, d)
			}
			got, ok := ByDomain(d)
			if !ok || (got.Name != b.Name && (b.Group == "" || got.Group != b.Group)) {
				t.Errorf("ByDomain(%s) = %q, %v; want %s", d, got.Name, ok, b.Name)
			}
			if l, ok := MatchLookalike(d, nil); ok {
				t.Errorf("%s (%s's) taken for a lookalike of %s (%s)", d, b.Name, l.Brand.Name, l.Kind)
			}
		}
	}
}

func TestByDomainTable(t *testing.T) {
	for d, want := range map[string]string{
		// Carrier mail belongs to its carrier.
		"docomo.ne.jp": "NTTドコモ", "ezweb.ne.jp": "au/KDDI", "au.com": "au/KDDI", "softbank.ne.jp": "SoftBank",
		"i.softbank.jp": "SoftBank", "ymobile.ne.jp": "SoftBank",
		// Bounces are the brand's own.
		"contoso.onmicrosoft.com": "Microsoft", "eur05.prod.protection.outlook.com": "Microsoft", "outlook.com": "Microsoft",
		"googlemail.com": "Google",
		// Sending domains.
		"mail.rakuten.com": "楽天", "rakuten.co.jp": "楽天", "amazonses.com": "Amazon", "bk.mufg.jp": "三菱UFJ銀行",
		"cr.mufg.jp": "三菱UFJニコス", "sc.mufg.jp": "三菱UFJモルガン・スタンレー証券", "jp-bank.japanpost.jp": "ゆうちょ銀行",
		"japanpost.jp": "日本郵便", "vpass.ne.jp": "三井住友カード", "d-card.jp": "dカード", "paypay.ne.jp": "PayPay",
		"sparkasse.de": "Sparkasse", "ing.nl": "ING", "ing.de": "ING", "laposte.fr": "La Poste", "correos.es": "Correos",
		"ctt.pt": "CTT", "hmrc.gov.uk": "HMRC", "correios.com.br": "Correios", "sat.gob.mx": "SAT", "bbva.mx": "BBVA",
		"keishicho.metro.tokyo.lg.jp": "警察庁", "nta.go.jp": "国税庁", "www.gov.br": "Receita Federal",
		"example.com": "", "tokyo.lg.jp": "", "bund.de": "", "naver.jp": "",
	} {
		b, ok := ByDomain(d)
		if (want == "") == ok || b.Name != want {
			t.Errorf("ByDomain(%s) = %q, %v; want %q", d, b.Name, ok, want)
		}
	}
	// A group's brands own each other's domains.
	card, _ := ByDomain("rakuten-card.co.jp")
	if card.Name != "楽天カード" || !card.Owns("rakuten.co.jp") || !card.Owns("mail.rakuten.com") {
		t.Errorf("楽天カード: %+v", card)
	}
	if nikko, _ := ByDomain("smbcnikko.co.jp"); !nikko.Owns("smbc.co.jp") || nikko.Owns("mufg.jp") {
		t.Errorf("SMBC日興証券 domains: %v", nikko.Domains)
	}
}

func TestLookalikesNewBrands(t *testing.T) {
	for d, want := range map[string]string{
		"smbc-card-secure.top":     "三井住友カード",
		"mercari-jp.com":           "メルカリ",
		"rakuten-co-jp.xyz":        "楽天",
		"sparkasse-sicherheit.de":  "Sparkasse",
		"laposte-colis.fr":         "La Poste",
		"postnl-pakket.nl":         "PostNL",
		"correos-envio.com":        "Correos",
		"ctt-pt-encomenda.com":     "CTT",
		"paypay-bank-login.com":    "PayPay銀行",
		"mufg-card-secure.com":     "三菱UFJニコス",
		"ameli-compte.fr":          "Assurance Maladie",
		"coinbase-verify.net":      "Coinbase",
		"metamask-wallet-help.com": "MetaMask",
		"rabobank-verify.nl":       "Rabobank",
		"sparkase.de":              "Sparkasse",
		"eneos-card.jp":            "ENEOS",
		"docomo-mail.jp":           "NTTドコモ",
	} {
		l, ok := MatchLookalike(d, nil)
		if !ok || l.Brand.Name != want {
			t.Errorf("%s: got %v %q (%s), want %s", d, ok, l.Brand.Name, l.Kind, want)
		}
	}
	// Real domains of other companies, and ordinary words.
	for _, d := range []string{
		"sony.jp", "toyota.co.jp", "nintendo.co.jp", "panasonic.com", "canon.co.jp", "fujitsu.com", "hitachi.co.jp",
		"github.com", "gitlab.com", "atlassian.net", "slack.com", "salesforce.com", "stripe.com", "shopify.com",
		"mailchimp.com", "sendgrid.net", "zendesk.com", "aeonmall.com", "mizuno.jp", "sparkasse-koelnbonn.de",
		"oranje.nl", "free.de", "freedom.com", "orange.de", "visa.gov", "steam.org", "zoom.de", "chase.de",
		"ledger.net", "post.ch", "posteo.de", "line.co.kr", "lineage.com", "ingress.com", "office-depot.com",
		"sparda.de", "ing-architekten.de", "raiffeisen.it", "santos.com.br", "itaipu.gov.br", "dpd.ie",
		"orangecounty.gov", "caixa.pt", "correo.gob.ar", "nhk.de", "apple.de", "amazon.com.au",
		// Seen in the SpamAssassin ham.
		"tesco.ie", "www.citi.umich.edu", "kragen.invalid", "damien.morton.invalid", "kepco.co.kr", "www.jpost.com",
		"popup.jscentral.com", "us.i1.yimg.com", "team.mobile.de",
	} {
		if l, ok := MatchLookalike(d, nil); ok {
			t.Errorf("%s: taken for %s (%s, %s)", d, l.Brand.Name, l.Target, l.Kind)
		}
	}
}

func TestClaimedLures(t *testing.T) {
	for text, want := range map[string]string{
		"【三井住友カード】ご利用確認のお願い":                    "三井住友カード",
		"Ihre Sparkasse: Sicherheitsupdate":     "Sparkasse",
		"Receita Federal: pendência":            "Receita Federal",
		"Uw Rabobank pas verloopt":              "Rabobank",
		"La Poste: votre colis":                 "La Poste",
		"ｄカード ご利用確認":                            "dカード",
		"SMBCカード":                               "三井住友カード",
		"Vpass":                                 "三井住友カード",
		"【au】ご利用料金のお知らせ":                        "au/KDDI",
		"auお客さまサポート":                            "au/KDDI",
		"Orange : votre facture est disponible": "Orange",
		"Orange":                                "Orange",
		"Service Client Orange":                 "Orange",
		"Free Mobile - votre facture":           "Free",
		"Free | Espace Abonné":                  "Free",
		"Mijn ING":                              "ING",
		"ING: uw betaalrekening":                "ING",
		"UPS":                                   "UPS",
		"Your UPS package is on its way":        "UPS",
		"Apple":                                 "Apple",
		"Apple Support":                         "Apple",
		"\"Apple\" Support":                     "Apple",
		"SMBC日興証券":                              "SMBC日興証券",
		"楽天カード株式会社":                             "楽天カード",
		"Yahoo! JAPAN":                          "Yahoo! JAPAN",
		"Caixa Econômica Federal":               "Caixa",
		"CAIXA: atualize seus dados":            "Caixa",
		"Correos: su paquete está retenido":     "Correos",
		"【LINE】本人確認のお願い":                        "LINE",
		"LINEアカウント":                             "LINE",
		"Amazon.co.jp":                          "Amazon",
		"Poste Italiane":                        "Poste Italiane",
		"Crédit Agricole : alerte":              "Crédit Agricole",
		"Caisse d’Epargne":                      "Caisse d'Epargne",
		"HMRC tax refund":                       "HMRC",
		"ETC利用照会サービス":                           "ETC利用照会サービス",
		"【ETC】未払い料金のお知らせ":                       "ETC利用照会サービス",
		"エポスカード":                                "エポスカード",
		"モバイルSuica":                             "モバイルSuica",
		"国税庁 e-Tax":                             "国税庁",
		"Microsoft Office 365":                  "Microsoft",
		"MINISTÉRIO DA FAZENDA":                 "Receita Federal",
		"Micros0ft Support":                     "Microsoft",
		"Katie from Ledger":                     "Ledger",
		"Fatura Digital ltaucard: 4763":         "Itaú",
		"Amܿazܿon.com":                          "Amazon",
		"Sаmsung Gаlаxy S23":                    "Samsung",
		"Noy @ Orange":                          "Orange",
	} {
		got := Claimed(text)
		if len(got) == 0 || got[0].Name != want {
			var names []string
			for _, b := range got {
				names = append(names, b.Name)
			}
			t.Errorf("Claimed(%q) = %v, want %s first", text, names, want)
		}
	}
	// A name inside a longer one of another brand does not claim.
	for text, not := range map[string]string{"SMBC日興証券": "三井住友銀行", "楽天カード": "楽天", "Yahoo! JAPAN": "Yahoo", "PayPay銀行": "PayPay"} {
		for _, b := range Claimed(text) {
			if b.Name == not {
				t.Errorf("Claimed(%q) includes %s", text, not)
			}
		}
	}
}

// TestClaimedOrdinaryWords: brand names that are ordinary words do not
// claim in ordinary text.
func TestClaimedOrdinaryWords(t *testing.T) {
	for _, text := range []string{
		"Get it free today", "Free shipping on all orders", "Free trial ends soon", "I bought an orange sweater",
		"Orange is my favourite colour", "apple pie recipe", "Apple pie recipe", "ups and downs", "UPS AND DOWNS OF THE MARKET",
		"post office hours", "Post your comments", "the bottom line", "Read the first line", "LINE UP FOR TICKETS",
		"au revoir, à bientôt", "Je vais au marché", "banking and hiking", "Working on Outlook for Q3", "the economic outlook",
		"Zoom in on the chart", "Meta description tags", "Visa application for Japan", "Chase your dreams",
		"Steam cleaning service", "Caixa de entrada cheia", "SNSで話題", "Tools, cables, ETC.", "SAT scores are out",
		"Lockergnome Apple Core", "Hermes and Zeus", "Ledger entries for March", "マイナスイオン", "Yahoo friend",
		"Sabadell city council", "Proton therapy", "Norton Street Pizza", "John Smith", "Groups Team", "Tapple dating",
		"Millennium celebrations", "BCP review meeting", "Citi of London walking tour", "Correos electrónicos", "Free!", "Open-Source Ingredients",
		"news from Ledger", "Ledger from Katie", "apples from Orange county", "the best from Free software",
	} {
		if got := Claimed(text); len(got) != 0 {
			t.Errorf("Claimed(%q) = %s", text, got[0].Name)
		}
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAdminFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "10-local.toml", `
# The local Sparkasse and a regional bank.
[[brand]]
name = "Sparkasse"
domains = ["sparkasse-koelnbonn.de"]
names = ["Sparkasse KölnBonn"]

[[brand]]
name = "Example Regionalbank"
kind = "bank"
country = "de"
names = ["Example Regionalbank", "ERB Online"]
domains = ["example-regionalbank.de"]
keywords = ["example-regionalbank"]
`)
	writeFile(t, dir, "20-off.toml", "[[brand]]\nname = \"Kraken\"\ndisable = true\n"+
		"[[brand]]\nname = \"Zimbra\"\ndisable = true\n"+
		"[[brand]]\nname = \"Zimbra\"\nkind = \"webmail\"\nnames = [\"Zimbra Mail\"]\ndomains = [\"zimbra.example.com\"]\n")
	c, err := Load([]string{filepath.Join(dir, "*.toml"), filepath.Join(dir, "none-*.toml")})
	if err != nil {
		t.Fatal(err)
	}
	Use(c)
	defer Use(nil)
	if b, ok := ByDomain("mail.sparkasse-koelnbonn.de"); !ok || b.Name != "Sparkasse" || !b.Owns("sparkasse.de") {
		t.Errorf("extended Sparkasse: %v %+v", ok, b)
	}
	if got := Claimed("Sparkasse KölnBonn"); len(got) != 1 || got[0].Name != "Sparkasse" {
		t.Errorf("claimed %v", got)
	}
	if l, ok := MatchLookalike("example-regionalbank-login.com", nil); !ok || l.Brand.Name != "Example Regionalbank" {
		t.Errorf("new brand lookalike: %v %+v", ok, l)
	}
	if _, ok := ByDomain("kraken.com"); ok {
		t.Error("disabled brand still listed")
	}
	if b, ok := ByDomain("zimbra.example.com"); !ok || b.Name != "Zimbra" || b.Owns("zimbra.com") {
		t.Errorf("brand disabled and defined anew: %v %+v", ok, b)
	}
	Use(nil)
	if _, ok := ByDomain("sparkasse-koelnbonn.de"); ok {
		t.Error("Use(nil) kept the admin catalogue")
	}
	if _, ok := ByDomain("kraken.com"); !ok {
		t.Error("Use(nil) did not restore the built-in catalogue")
	}
}

func TestAdminFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ text, want string }{
		"unknown-key": {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\ndomains = [\"xbank.example\"]\nurl = \"x\"\n", "unknown keys brand.url"},
		"no-kind":     {"[[brand]]\nname = \"X Bank\"\nnames = [\"X Bank\"]\ndomains = [\"xbank.com\"]\n", "kind is missing"},
		"bad-kind":    {"[[brand]]\nname = \"X Bank\"\nkind = \"banc\"\nnames = [\"X Bank\"]\ndomains = [\"xbank.com\"]\n", "unknown kind"},
		"upper":       {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\ndomains = [\"XBank.com\"]\n", "lower-case"},
		"suffix":      {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\ndomains = [\"co.jp\"]\n", "public suffix"},
		"taken":       {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\ndomains = [\"paypal.com\"]\n", "already \"PayPal\"'s"},
		"name-taken":  {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"PayPal\"]\ndomains = [\"xbank.com\"]\n", "already \"PayPal\"'s"},
		"no-domains":  {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\n", "no domains"},
		"disable":     {"[[brand]]\nname = \"No Such Brand\"\ndisable = true\n", "no known brand"},
		"keyword":     {"[[brand]]\nname = \"X Bank\"\nkind = \"bank\"\nnames = [\"X Bank\"]\ndomains = [\"xbank.com\"]\nkeywords = [\"X Bank\"]\n", "keyword"},
		"syntax":      {"[[brand]\nname = 1\n", "line 2"},
	} {
		p := writeFile(t, dir, name+".toml", c.text)
		_, err := Load([]string{p})
		if err == nil || !errors.Is(err, ErrCatalogue) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want %q naming the file", name, err, c.want)
		}
	}
	if _, err := Load([]string{filepath.Join(dir, "missing.toml")}); err == nil {
		t.Error("a plain path that does not exist is no error")
	}
}

func BenchmarkClaimedLong(b *testing.B) {
	text := strings.Repeat("Dear customer, your parcel could not be delivered on Monday. Please confirm your address and pay the fee within 24 hours. ", 32)
	text += "お客様のアカウントは一時的に制限されています。"
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		Claimed(text)
	}
}

func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := load(nil); err != nil {
			b.Fatal(err)
		}
	}
}
