package url

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/link/normalize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// hitsOf runs a over raw and returns its symbols with their scores and
// options, and the checked links.
func hitsOf(a *Analyzer, raw string) string {
	m := mail.Parse([]byte(raw), mail.Limits{})
	task := pipeline.NewTask("t", m, pipeline.Envelope{}, nil)
	_ = a.Analyze(context.Background(), task)
	var b strings.Builder
	for _, h := range task.Hits() {
		fmt.Fprintf(&b, "%+v\n", h)
	}
	if v, ok := task.Get(TaskKeyLinks); ok {
		fmt.Fprintf(&b, "%+v\n", v)
	}
	return b.String()
}

// FuzzLazyClaims compares the analyzer that reads the body's brands only
// when they may count (claimSet.head, keywordFilter, bodyMayCount) and
// checks each host once (hostMemo) with the plain one that reads them up
// front and checks every hop (Analyzer.plain), with the package's
// catalogue.
func FuzzLazyClaims(f *testing.F) {
	f.Add("PayPal Service", "Your account is limited", "Log in to PayPal now http://paypal-secure.example.com/login", "https://bit.ly/abc", false)
	f.Add("Amazon", "注文の確認", "Amazonのアカウント http://amazon.co.jp.example.net/signin 楽天カード", "http://x7kq9zz.top/amazon", true)
	f.Add("Bob", "hello", "Sign in to your Microsoft account https://microsoft.com/ and https://office365-verify.example/", "http://198.51.100.7/login", true)
	f.Add("Apple Support", "security alert", "Apple ID verify http://secure-appleid.example/ Netflix DHL", "https://docs.google.com/forms/x", false)
	f.Add("info", "Newsletter", "Sparkasse Volksbank Deutsche Post DHL ING PayPal eBay Amazon Apple Microsoft Google Netflix Chase Wells Fargo http://example.org/", "https://news.example.com/paypal", false)
	f.Add("PayPal", "notice", "http://a.example/ http://paypal.com.a.example/ http://bit.ly/x http://a.example/login http://xn--pypal-4ve.com/ http://a.example/", "http://a.example/paypal", false)
	f.Fuzz(func(t *testing.T, name, subject, body, link string, html bool) {
		for _, s := range []string{name, subject} {
			if strings.ContainsAny(s, "\r\n") {
				return
			}
		}
		ct := "text/plain"
		if html {
			ct = "text/html"
			body = "<a href=\"" + link + "\">" + body + "</a>"
		} else {
			body += "\n" + link + "\n" + link + "/2 " + link + "?x=1"
		}
		raw := "From: " + name + " <notice@paypal.com>\nTo: user@example.jp\nSubject: " + subject + "\nMIME-Version: 1.0\nContent-Type: " + ct + "; charset=utf-8\n\n" + body + "\n"
		lazy := NewAnalyzer()
		plain := NewAnalyzer()
		plain.plain = true
		if got, want := hitsOf(lazy, raw), hitsOf(plain, raw); got != want {
			t.Fatalf("lazy:\n%s\nplain:\n%s", got, want)
		}
	})
}

// TestKeywordFilter: the filter says yes to every brand keyword of the
// catalogue, alone and inside a host, and no to a host without one.
func TestKeywordFilter(t *testing.T) {
	kf := catalogueKeywords()
	n := 0
	for _, b := range brands.All() {
		for _, kw := range brandKeywords(b) {
			n++
			if !kf.holds(kw) || !kf.holds("xx-"+kw+".example") {
				t.Errorf("%s: keyword %q ruled out", b.Name, kw)
			}
		}
	}
	if n == 0 {
		t.Fatal("no keywords")
	}
	for _, s := range []string{"zzqx.example", "amazo.example", "yaho", ""} {
		if kf.holds(s) {
			t.Errorf("%q holds a keyword", s)
		}
	}
	if catalogueKeywords() != kf {
		t.Error("filter rebuilt for the same catalogue")
	}
}

// FuzzKeywordFilter: holds says whether some brand keyword is in s.
func FuzzKeywordFilter(f *testing.F) {
	f.Add("login.microsoft-support.example")
	f.Add("amazon")
	f.Add("")
	f.Add("www.yaho.amazo")
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		for _, b := range brands.All() {
			for _, kw := range brandKeywords(b) {
				want = want || strings.Contains(s, kw)
			}
		}
		if got := catalogueKeywords().holds(s); got != want {
			t.Fatalf("%q: holds %v, plain %v", s, got, want)
		}
	})
}

// anyRandomPlain is anyRandom looking at every link's domain.
func anyRandomPlain(ls []*link) bool {
	for _, l := range ls {
		f := l.final()
		if namestat.RandomLabel(f.Host, f.Registrable) != "" {
			return true
		}
		if i := strings.Index(f.URL, f.Host); i >= 0 && f.Host != "" && namestat.KitPath(f.URL[i+len(f.Host):]) {
			return true
		}
	}
	return false
}

// FuzzAnyRandom compares anyRandom (each domain looked at once) with
// the plain per-link check, over '|'-separated links.
func FuzzAnyRandom(f *testing.F) {
	f.Add("http://a.example/|http://b.example/x|http://a.example/y|http://xkqzvbw.com/|http://c.example/")
	f.Add("http://1.example|http://2.example|http://3.example|http://4.example|http://5.example|http://6.example|http://7.example|http://8.example|http://9.example|http://qxzkvwj.example/")
	f.Add("https://example.org/wp-admin/x/login.php|https://example.org/")
	f.Fuzz(func(t *testing.T, s string) {
		var ls []*link
		for _, raw := range strings.Split(s, "|") {
			if ch, ok := normalize.Resolve(raw); ok {
				ls = append(ls, &link{chain: ch})
			}
		}
		if got, want := anyRandom(ls), anyRandomPlain(ls); got != want {
			t.Fatalf("%q: anyRandom %v, plain %v", s, got, want)
		}
	})
}

// FuzzKeywordFilterUnowned: holdsUnowned says whether s holds a keyword
// of a brand that does not own the host.
func FuzzKeywordFilterUnowned(f *testing.F) {
	f.Add("login.microsoft-support.example", "login.microsoft-support.example")
	f.Add("www.amazon.co.jp", "www.amazon.co.jp")
	f.Add("amazon", "amazon.com")
	f.Add("paypal", "www.paypal.com")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, host string) {
		lowHost := strings.ToLower(host)
		want := false
		for _, b := range brands.All() {
			for _, kw := range brandKeywords(b) {
				want = want || strings.Contains(s, kw) && !ownsDomain(b, host)
			}
		}
		if got := catalogueKeywords().holdsUnowned(s, lowHost); got != want {
			t.Fatalf("%q on %q: holdsUnowned %v, plain %v", s, host, got, want)
		}
	})
}
