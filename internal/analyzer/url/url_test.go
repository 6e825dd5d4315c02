package url

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/format/qr"
	"github.com/sekisho/sekisho/internal/link/lists"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// fakeBrands is a small brand list for tests (the real one lives in
// package brands, built in parallel).
type fakeBrands struct{ list []brands.Brand }

var testBrands = fakeBrands{list: []brands.Brand{
	{Name: "Microsoft", Names: []string{"Microsoft", "Office 365", "Outlook", "マイクロソフト"}, Domains: []string{"microsoft.com", "office.com", "outlook.com", "live.com", "microsoftonline.com"}, Keywords: []string{"microsoft", "office365"}},
	{Name: "Amazon", Names: []string{"Amazon", "アマゾン"}, Domains: []string{"amazon.com", "amazon.co.jp"}, Keywords: []string{"amazon"}},
	{Name: "KAGOYA", Names: []string{"KAGOYA", "カゴヤ"}, Domains: []string{"kagoya.jp", "kagoya.com"}, Keywords: []string{"kagoya"}},
	{Name: "Apple", Names: []string{"Apple", "iCloud"}, Domains: []string{"apple.com", "icloud.com"}, Keywords: []string{"apple"}},
}}

var fold = strings.NewReplacer("0", "o", "1", "l", "3", "e", "5", "s", "rn", "m", "vv", "w")

func (f fakeBrands) ByDomain(d string) (brands.Brand, bool) {
	for _, b := range f.list {
		if ownsDomain(b, d) {
			return b, true
		}
	}
	return brands.Brand{}, false
}

func (f fakeBrands) Claimed(text string) []brands.Brand {
	var out []brands.Brand
	low := strings.ToLower(text)
	for _, b := range f.list {
		for _, n := range b.Names {
			if strings.Contains(low, strings.ToLower(n)) {
				out = append(out, b)
				break
			}
		}
	}
	return out
}

func (f fakeBrands) MatchLookalike(d string, extra []string) (brands.Lookalike, bool) {
	if _, ok := f.ByDomain(d); ok {
		return brands.Lookalike{}, false
	}
	s := fold.Replace(d)
	for _, b := range f.list {
		for _, kw := range b.Keywords {
			if strings.Contains(s, kw) {
				return brands.Lookalike{Brand: b, Target: b.Domains[0], Kind: "typo"}, true
			}
		}
	}
	return brands.Lookalike{}, false
}

func run(t *testing.T, a *Analyzer, raw string) []string {
	t.Helper()
	m := mail.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mail.Limits{})
	task := pipeline.NewTask("test", m, pipeline.Envelope{}, nil)
	if err := (&QRAnalyzer{}).Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if err := a.Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range task.Hits() {
		out = append(out, h.Name)
	}
	sort.Strings(out)
	return out
}

func has(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func testAnalyzer() *Analyzer {
	a := NewAnalyzer()
	a.Brands = testBrands
	return a
}

func html(from, subject, body string) string {
	return "From: " + from + "\nTo: user@example.jp\nSubject: " + subject + "\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><body>" + body + "</body></html>\n"
}

func plain(from, subject, body string) string {
	return "From: " + from + "\nTo: user@example.jp\nSubject: " + subject + "\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"
}

type mailCase struct {
	name     string
	raw      string
	want     []string
	wantNot  []string
	analyzer *Analyzer
}

func check(t *testing.T, cases []mailCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.analyzer
			if a == nil {
				a = testAnalyzer()
			}
			got := run(t, a, c.raw)
			for _, w := range c.want {
				if !has(got, w) {
					t.Errorf("missing %s; got %v", w, got)
				}
			}
			for _, w := range c.wantNot {
				if has(got, w) {
					t.Errorf("unexpected %s; got %v", w, got)
				}
			}
		})
	}
}

// Seed 003 and 004 examples, and their legitimate counterparts.
func TestSeedMails(t *testing.T) {
	check(t, []mailCase{
		{name: "seed003_office365",
			raw: html(`"Microsoft Office 365" <micros0ftsupport@hotmail.com>`, "Your Office 365 email address will be disabled",
				`<p>Your email address violated our policy and will be disabled. Verify your account to keep it:</p>
<a href="https://micros0ft-login.com/owa/verify.php">https://login.microsoftonline.com/</a>`),
			want: []string{SymLookalike, SymAnchorBrandMismatch, SymBrandUnrelated, SymLoginSuspicious}},
		{name: "seed003_amazon_shipping",
			raw: plain(`"Amazon Shipping" <amz@123fnord.com>`, "Your Amazon order has shipped",
				"Your package could not be delivered. Track it here:\nhttp://123fnord.com/track/amazon/order?id=88231\n"),
			want: []string{SymBrandUnrelated, SymBrandInURL}},
		{name: "seed004_kagoya",
			raw: html(`"KAGOYA | KAGOYAカスタマーサポート" <t_0205@cameo.plala.or.jp>`, "【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ © KAGOYA JAPAN Inc",
				`平素は当社サービスをご利用いただき誠にありがとうございます。<br>◆Active! mail の脆弱性に関する重要なお知らせ<br>
<a href="https://active-japan-top.beak.host/Kagoya-active-Kagoya-mail-news/Activemailjp/home/Kagoya-mail.html#administrator@example.jp">https://www.kagoya.jp/news/active</a><br>
◆KAGOYA JAPAN お知らせ<br><a href="https://active-japan-top.beak.host/Kagoya-mail.html">https://www.kagoya.jp/newss/active</a>`),
			want: []string{SymBrandUnrelated, SymBrandInURL, SymAnchorBrandMismatch, SymSuspiciousDomain}},
		{name: "legit_kagoya",
			raw: html(`"KAGOYA JAPAN" <info@kagoya.jp>`, "【KAGOYA】メンテナンスのお知らせ",
				`<a href="https://www.kagoya.jp/news/maintenance">https://www.kagoya.jp/news/maintenance</a>`),
			wantNot: []string{SymBrandUnrelated, SymBrandInURL, SymAnchorBrandMismatch, SymAnchorMismatch, SymSuspiciousDomain, SymLookalike}},
		{name: "legit_amazon",
			raw: plain(`"Amazon.co.jp" <shipment-tracking@amazon.co.jp>`, "Amazon.co.jp ご注文の発送",
				"ご注文の商品を発送しました。\nhttps://www.amazon.co.jp/gp/your-account/order-details?orderID=123\n"),
			wantNot: []string{SymBrandUnrelated, SymBrandInURL, SymLookalike, SymLoginSuspicious}},
		{name: "news_subject_names_brand",
			raw: plain(`"Scripting News" <rss@userland.example>`, "Google buys a blog company",
				"Read the story and our comments:\nhttps://scripting.example/2002/09/google\n"),
			wantNot: []string{SymBrandUnrelated}},
		{name: "legit_newsletter_mentions_microsoft",
			raw: plain(`"Dev Weekly" <news@devweekly.example>`, "This week in tooling",
				"Microsoft released a new compiler; read our notes:\nhttps://devweekly.example/issues/42\n"),
			wantNot: []string{SymBrandUnrelated, SymLoginSuspicious}},
	})
}

func TestLinkTricks(t *testing.T) {
	check(t, []mailCase{
		{name: "ip", raw: plain("a@b.example", "hi", "see http://203.0.113.7/a"), want: []string{SymIPHost}, wantNot: []string{SymNumericIP}},
		{name: "numeric_ip", raw: html("a@b.example", "hi", `<a href="http://3405803783/a">x</a>`), want: []string{SymIPHost, SymNumericIP}},
		{name: "userinfo", raw: html("a@b.example", "hi", `<a href="https://amazon.co.jp@evil.example/">here</a>`), want: []string{SymUserinfo}},
		{name: "userinfo_neg", raw: plain("a@b.example", "hi", "ftp://anonymous@ftp.example.org/pub/"), wantNot: []string{SymUserinfo}},
		{name: "obfuscated_host", raw: html("a@b.example", "hi", `<a href="https://%65vil.example/">x</a>`), want: []string{SymObfuscated}},
		{name: "shortener", raw: plain("a@b.example", "hi", "https://bit.ly/3abcDEF"), want: []string{SymShortener}},
		{name: "dyndns", raw: plain("a@b.example", "hi", "https://secure-login.duckdns.org/x"), want: []string{SymDynDNS}},
		{name: "free_hosting", raw: plain("a@b.example", "hi", "https://mail-update.000webhostapp.com/index.php"), want: []string{SymFreeHosting}},
		{name: "plain_links_neg", raw: plain("a@b.example", "hi", "https://github.com/golang/go and https://www.example.org/docs"),
			wantNot: []string{SymShortener, SymDynDNS, SymFreeHosting, SymIPHost, SymSuspiciousDomain, SymPunycode, SymRedirector}},
		{name: "data_uri", raw: html("a@b.example", "hi", `<a href="data:text/html;base64,PGgxPkxvZ2luPC9oMT4=">open</a>`), want: []string{SymDataURI}},
		{name: "data_image_neg", raw: html("a@b.example", "hi", `<img src="data:image/png;base64,iVBORw0KGgo=">`), wantNot: []string{SymDataURI}},
		{name: "javascript", raw: html("a@b.example", "hi", `<a href="javascript:document.location='https://evil.example/'">open</a>`), want: []string{SymJavascript}},
		{name: "mixed_script", raw: html("a@b.example", "hi", `<a href="https://xn--pple-43d.com/">apple</a>`), want: []string{SymPunycode, SymMixedScript}},
		{name: "japanese_idn_neg", raw: plain("a@b.example", "hi", "https://日本語ドメイン.jp/"), want: []string{SymPunycode}, wantNot: []string{SymMixedScript}},
		{name: "google_redirect", raw: plain("a@b.example", "hi", "https://www.google.com/url?q=https://micros0ft-login.com/&sa=D"), want: []string{SymRedirector, SymLookalike}},
		{name: "safelinks_no_redirector", raw: plain("a@b.example", "hi", "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.org%2F&data=1"), wantNot: []string{SymRedirector}},
		{name: "anchor_mismatch", raw: html("a@b.example", "hi", `<a href="https://track.other.example/c/1">www.shop.example</a>`), want: []string{SymAnchorMismatch}},
		{name: "anchor_suspicious", raw: html("a@b.example", "hi", `<a href="https://active-japan-top.beak.host/x">https://www.qualitia.com/news</a>`), want: []string{SymAnchorSuspicious}, wantNot: []string{SymAnchorMismatch}},
		{name: "anchor_match_neg", raw: html("a@b.example", "hi", `<a href="https://click.shop.example/c/1">www.shop.example</a> <a href="https://x.example/">invoice.pdf</a>`), wantNot: []string{SymAnchorMismatch, SymAnchorBrandMismatch}},
		{name: "anchor_through_redirector_neg", raw: html("a@b.example", "hi", `<a href="https://t.mail.example/r?url=https%3A%2F%2Fwww.shop.example%2F">www.shop.example</a>`), wantNot: []string{SymAnchorMismatch}},
		{name: "suspicious_domain", raw: plain("a@b.example", "hi", "https://secure-account-update.xyz/login"), want: []string{SymSuspiciousDomain}},
		{name: "login_suspicious", raw: plain("a@b.example", "Action required", "Please log in to verify your account: https://secure-account-update.xyz/login"), want: []string{SymLoginSuspicious}},
		{name: "login_ja", raw: plain("a@b.example", "重要なお知らせ", "本人確認のため、以下よりログインしてください。\nhttps://jp-account-verify.top/auth"), want: []string{SymLoginSuspicious}},
		{name: "login_known_neg", raw: plain("a@b.example", "Password reset", "Log in to reset your password: https://accounts.example.org/reset"), wantNot: []string{SymLoginSuspicious}},
	})
}

func TestHTMLAttachments(t *testing.T) {
	att := func(name, ctype, body string) string {
		return "From: a@b.example\nTo: c@d.example\nSubject: doc\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain\n\nsee attached\n--BB\nContent-Type: " + ctype + "; name=\"" + name + "\"\nContent-Disposition: attachment; filename=\"" + name + "\"\nContent-Transfer-Encoding: base64\n\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\n--BB--\n"
	}
	check(t, []mailCase{
		{name: "password_form", raw: att("Invoice.html", "text/html", `<html><form action="https://collect.example/p.php" method="post"><input type="email" name="e"><input type="password" name="p"></form></html>`),
			want: []string{SymHTMLAttach, SymPasswordForm}, wantNot: []string{SymSmuggling}},
		{name: "smuggling", raw: att("scan.htm", "application/octet-stream", `<script>var b=atob("UEsDBAo=");var a=new Uint8Array(b.length);var blob=new Blob([a],{type:"application/zip"});var l=document.createElement("a");l.href=URL.createObjectURL(blob);l.download="scan.zip";l.click();</script>`),
			want: []string{SymHTMLAttach, SymSmuggling}},
		{name: "redirect", raw: att("fax.html", "text/html", `<meta http-equiv="refresh" content="0; url=https://secure-login.duckdns.org/">`),
			want: []string{SymHTMLRedirect, SymDynDNS}},
		{name: "benign_html_neg", raw: att("report.html", "text/html", `<html><body><h1>Report</h1><p>All fine.</p><a href="https://www.example.org/">home</a></body></html>`),
			want: []string{SymHTMLAttach}, wantNot: []string{SymPasswordForm, SymSmuggling, SymHTMLRedirect}},
		{name: "body_no_attachment_neg", raw: html("a@b.example", "hi", "<p>hello</p>"), wantNot: []string{SymHTMLAttach, SymPasswordForm}},
	})
}

func qrMail(t *testing.T, u string, text string) string {
	img, err := qr.Encode(u, 240)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	enc := base64.StdEncoding.EncodeToString(b.Bytes())
	var lines []string
	for len(enc) > 76 {
		lines = append(lines, enc[:76])
		enc = enc[76:]
	}
	lines = append(lines, enc)
	return "From: \"IT Support\" <it@b.example>\nTo: c@d.example\nSubject: Microsoft 365 MFA update required\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain; charset=utf-8\n\n" + text + "\n--BB\nContent-Type: image/png; name=\"mfa.png\"\nContent-Disposition: attachment; filename=\"mfa.png\"\nContent-Transfer-Encoding: base64\n\n" + strings.Join(lines, "\n") + "\n--BB--\n"
}

func TestQRCode(t *testing.T) {
	check(t, []mailCase{
		{name: "qr_lookalike", raw: qrMail(t, "https://micros0ft-login.com/mfa", "Scan the code to keep your account."),
			want: []string{SymQRURL, SymLookalike, SymQRSuspicious, SymQRSparseText}},
		{name: "qr_benign", raw: qrMail(t, "https://www.example.org/event", "Our event page."),
			want: []string{SymQRURL}, wantNot: []string{SymQRSuspicious, SymLookalike}},
	})
}

func TestLists(t *testing.T) {
	dir := t.TempDir()
	bf := filepath.Join(dir, "block.txt")
	af := filepath.Join(dir, "allow.txt")
	os.WriteFile(bf, []byte("bad.example\n*.cdn.example/*/login*\n"), 0o644)
	os.WriteFile(af, []byte("micros0ft-login.com # our own test domain\n"), 0o644)
	a := testAnalyzer()
	a.Block = lists.NewFileList([]string{bf}, 0, nil)
	a.Allow = lists.NewFileList([]string{af}, 0, nil)
	check(t, []mailCase{
		{name: "block_domain", analyzer: a, raw: plain("a@b.example", "hi", "https://www.bad.example/x"), want: []string{SymBlocklisted}},
		{name: "block_glob", analyzer: a, raw: plain("a@b.example", "hi", "https://x.cdn.example/a/login.html"), want: []string{SymBlocklisted}},
		{name: "block_neg", analyzer: a, raw: plain("a@b.example", "hi", "https://x.cdn.example/a/home.html"), wantNot: []string{SymBlocklisted}},
		{name: "allow", analyzer: a, raw: plain("a@b.example", "hi", "https://micros0ft-login.com/x"), want: []string{SymAllowlisted}, wantNot: []string{SymLookalike}},
	})
	// Reload on change.
	os.WriteFile(bf, []byte("other.example\n"), 0o644)
	later := time.Now().Add(3 * time.Second)
	os.Chtimes(bf, later, later)
	check(t, []mailCase{
		{name: "reloaded", analyzer: a, raw: plain("a@b.example", "hi", "https://other.example/ https://www.bad.example/"), want: []string{SymBlocklisted}},
	})
	// Feeds index.
	lists.Feeds.Add("feed-listed.example", "testfeed")
	defer func() { lists.Feeds = lists.NewIndex() }()
	check(t, []mailCase{{name: "feed", raw: plain("a@b.example", "hi", "https://feed-listed.example/"), want: []string{SymBlocklisted}}})
}

// With the real brand list (package brands, implemented in parallel):
// these pass once it knows Microsoft, Amazon and KAGOYA.
func TestRealBrands(t *testing.T) {
	if len(brands.All()) == 0 {
		t.Skip("package brands has no brand list yet")
	}
	check(t, []mailCase{
		{name: "microsoft_lookalike", analyzer: NewAnalyzer(), raw: plain("a@b.example", "hi", "https://micros0ft-login.com/"), want: []string{SymLookalike}},
		{name: "amazon_lookalike", analyzer: NewAnalyzer(), raw: plain("a@b.example", "hi", "https://amaz0n.co.jp/signin"), want: []string{SymLookalike}},
		{name: "amazon_real_neg", analyzer: NewAnalyzer(), raw: plain("a@b.example", "hi", "https://www.amazon.co.jp/"), wantNot: []string{SymLookalike}},
		{name: "kagoya_seed004", analyzer: NewAnalyzer(), raw: plain(`"KAGOYA | KAGOYAカスタマーサポート" <t_0205@cameo.plala.or.jp>`, "【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ", "https://active-japan-top.beak.host/Kagoya-mail.html"), want: []string{SymBrandUnrelated}},
	})
}

func TestHelpers(t *testing.T) {
	for _, s := range []string{"xkcdqwrtzp", "a8f3k29d7x", "qwrtplkmnb"} {
		if !randomLooking(s) {
			t.Errorf("%s not random", s)
		}
	}
	for _, s := range []string{"example", "microsoft", "kagoya", "yahoo", "nikkei", "rakuten", "mizuhobank", "smbc"} {
		if randomLooking(s) {
			t.Errorf("%s random", s)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	raw := strings.ReplaceAll(html(`"KAGOYA" <t@cameo.plala.or.jp>`, "【重要:KAGOYA】お知らせ", strings.Repeat(`<a href="https://active-japan-top.beak.host/Kagoya-mail.html">https://www.kagoya.jp/</a> text <a href="https://www.google.com/url?q=https://x.example/">x</a><br>`, 20)), "\n", "\r\n")
	m := mail.Parse([]byte(raw), mail.Limits{})
	a := testAnalyzer()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		task := pipeline.NewTask("b", m, pipeline.Envelope{}, nil)
		a.Analyze(context.Background(), task)
	}
}

// TestLoginPrefilter: every text loginRe matches passes mayBeLogin.
func TestLoginPrefilter(t *testing.T) {
	for _, s := range []string{
		"Please LOG IN TO YOUR account", "sign-on now to continue", "Verify your identity", "CONFIRM YOUR E-MAIL",
		"validate your mailbox", "reactivate your", "UN\u212ALOCK YOUR card", "reſtore your access", "update your billing",
		"reset your password", "Password will expire", "account has been suspended", "ログインして", "サインインして",
		"本人確認", "パスワードの変更", "アカウントの確認", "認証手続", "ご登録情報", "お客様情報の確認", "利用制限", "再開手続",
		"nothing here", "",
	} {
		if loginRe.MatchString(s) && !mayBeLogin(s) {
			t.Errorf("%q: loginRe matches, prefilter says no", s)
		}
	}
}
