package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sekisho/sekisho/internal/digest"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/chromiumtest"
)

// digestLink is one link of a received digest and what it says.
type digestLink struct {
	URL    string
	Claims digest.Claims
}

// readDigest decodes a digest mail's body and its links.
func readDigest(t *testing.T, raw []byte) (string, []digestLink) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
	if err != nil {
		t.Fatal(err)
	}
	var out []digestLink
	for _, u := range regexp.MustCompile(`https?://\S+/digest/\S+`).FindAllString(string(b), -1) {
		tok, _ := url.PathUnescape(u[strings.LastIndex(u, "/")+1:])
		p, _, _ := strings.Cut(tok, ".")
		pl, _ := base64.RawURLEncoding.DecodeString(p)
		f := strings.Split(string(pl), "\n")
		if len(f) != 6 {
			t.Fatalf("link %s: payload %q", u, pl)
		}
		out = append(out, digestLink{URL: u, Claims: digest.Claims{Action: f[1], QID: f[2], Rcpt: f[3], Nonce: f[5]}})
	}
	return string(b), out
}

// TestDigestBrowser: digests of a running `sekisho serve` go to an SMTP
// sink; headless Chromium opens the links read from the received mail, in
// English and in Japanese: a release link shows the held message, its
// button releases it (the message reaches the sink, once); the same link
// opened again is refused as used; a link from a digest whose links have
// expired is refused; malware gets no release link, and a validly signed
// release link for it is refused. The digest's sign-in link opens the
// recipient's own view of the console (their held mail only, no
// administration, malware not releasable). The link actions are counted
// on /metrics. SEKISHO_DOC_SHOTS=1 rewrites docs/img/digest-landing-*.png,
// digest-signin-*.png and digest-own-*.png.
func TestDigestBrowser(t *testing.T) {
	exe := testutil.Chromium(t)
	bin := sekishoBin(t)
	sk := startSink(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := ports{smtp: freePort(t), console: freePort(t), nextHop: sk.port}
	console := fmt.Sprintf("http://127.0.0.1:%d", p.console)
	// Every analyzer off but the header analyzer (spam) and the
	// attachment analyzer (the EICAR test file is malware).
	base := func(digestExtra string) string {
		return digestServeConf(data, p, sk.port, digestExtra, `[auth]
enabled = false
[sender]
enabled = false
[url]
enabled = false
[rules]
enabled = false
[bayes]
enabled = false
[policy]
reject_score = 1000
[policy.weights]`)
	}
	sek := serveConfig(t, dir, base(""), p, bin)
	// One configuration per language for `sekisho digest send` (the
	// recipients of en.example.jp read English, of ja.example.jp
	// Japanese), and one per language whose links live one second.
	cfgs := map[string]string{}
	for _, l := range []string{"en", "ja"} {
		for _, life := range []string{"72h", "1s"} {
			path := filepath.Join(dir, "digest-"+l+"-"+life+".toml")
			extra := fmt.Sprintf("default_language = %q\ndomains = [\"%s.example.jp\"]\nlink_lifetime = %q\n", l, l, life)
			if err := os.WriteFile(path, []byte(base(extra)), 0o644); err != nil {
				t.Fatal(err)
			}
			cfgs[l+life] = path
		}
	}
	digestSend := func(cfg string) {
		t.Helper()
		if out, err := exec.Command(bin, "--config", cfg, "digest", "send").CombinedOutput(); err != nil {
			t.Fatalf("digest send: %v\n%s", err, out)
		}
	}
	send := func(to string, msg []byte) {
		t.Helper()
		c, err := smtp.Dial(fmt.Sprintf("127.0.0.1:%d", p.smtp))
		if err == nil {
			defer c.Close()
			err = c.Mail("amz@123fnord.com")
		}
		if err == nil {
			err = c.Rcpt(to)
		}
		var w io.WriteCloser
		if err == nil {
			w, err = c.Data()
		}
		if err == nil {
			_, err = w.Write(msg)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			t.Fatalf("send to %s: %v\n%s", to, err, sek.Log())
		}
	}
	// digests waits for n digests to rcpt and returns them in order.
	digests := func(rcpt string, n int) [][]byte {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var got [][]byte
			for _, m := range sk.Messages() {
				if len(m.Rcpts) == 1 && m.Rcpts[0] == rcpt && bytes.Contains(m.Data, []byte("Auto-Submitted: auto-generated")) {
					got = append(got, m.Data)
				}
			}
			if len(got) >= n {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d digests for %s, want %d\n%s", len(got), rcpt, n, sek.Log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	rcpt := map[string]string{"en": "alice@en.example.jp", "ja": "bob@ja.example.jp"}
	for _, l := range []string{"en", "ja"} {
		send(rcpt[l], spamMsg("dg-"+l+"-rel"))
		send(rcpt[l], malwareMsg("dg-"+l+"-mal"))
	}
	if n := len(sk.Messages()); n != 0 {
		t.Fatalf("%d messages were relayed, want all held", n)
	}
	for _, l := range []string{"en", "ja"} {
		digestSend(cfgs[l+"72h"])
	}
	// Then one more held message each, listed by a digest whose links
	// expire after a second.
	for _, l := range []string{"en", "ja"} {
		send(rcpt[l], spamMsg("dg-"+l+"-exp"))
		digestSend(cfgs[l+"1s"])
	}
	key, err := os.ReadFile(filepath.Join(data, "digest.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyBytes, err := hex.DecodeString(strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatal(err)
	}

	ctx := chromiumtest.HeadlessFor(t, exe, 8*time.Minute)
	docShots := os.Getenv("SEKISHO_DOC_SHOTS") == "1"
	shots := t.TempDir()
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			if docShots {
				if err := os.WriteFile(filepath.Join(repoRoot(t), "docs", "img", name+".png"), buf, 0o644); err != nil {
					return err
				}
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	// Each step has its own bound; a failed step shows the page.
	run := func(step string, as ...chromedp.Action) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, as...); err != nil {
			var loc, html string
			_ = chromedp.Run(ctx, chromedp.Location(&loc), chromedp.OuterHTML("html", &html, chromedp.ByQuery))
			t.Fatalf("%s: %v\nat %s:\n%s", step, err, loc, html)
		}
	}
	// A fresh headless browser's first navigation is now and then reported
	// aborted although the page loads: try again.
	for i := 0; ; i++ {
		err := chromedp.Run(ctx, chromedp.Navigate(console+"/lang/en?next=/login"), chromedp.WaitVisible("#lang-switch", chromedp.ByQuery))
		if err == nil {
			break
		}
		if i == 4 {
			t.Fatalf("first page: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	errOf := func(link string) string {
		t.Helper()
		var code string
		var ok bool
		run("open "+link,
			chromedp.Navigate(link),
			chromedp.WaitVisible("#dg-err", chromedp.ByQuery),
			chromedp.AttributeValue("#dg-err", "data-err", &code, &ok, chromedp.ByQuery),
		)
		return code
	}
	done := map[string]string{"en": "released to your mailbox", "ja": "配送しました"}
	ids := map[string][]string{} // held message ids per language
	for _, l := range []string{"en", "ja"} {
		r := rcpt[l]
		ds := digests(r, 2)
		body, links := readDigest(t, ds[0])
		if l == "ja" && !strings.Contains(body, "保留しました") || l == "en" && !strings.Contains(body, "were held by sekisho") {
			t.Fatalf("%s digest body:\n%s", l, body)
		}
		var release, signin string
		acts := map[string][]string{} // QID → actions
		for _, k := range links {
			if k.Claims.Rcpt != r {
				t.Fatalf("%s's digest has a link for %s", r, k.Claims.Rcpt)
			}
			if k.Claims.Action == digest.ActSession {
				signin = k.URL
				continue
			}
			if !slices.Contains(ids[l], k.Claims.QID) {
				ids[l] = append(ids[l], k.Claims.QID)
			}
			acts[k.Claims.QID] = append(acts[k.Claims.QID], k.Claims.Action)
		}
		var malID, relID string
		for id, as := range acts {
			if slices.Equal(as, []string{digest.ActDelete}) {
				malID = id
			} else if slices.Contains(as, digest.ActRelease) {
				relID = id
			}
		}
		for _, k := range links {
			if k.Claims.QID == relID && k.Claims.Action == digest.ActRelease {
				release = k.URL
			}
		}
		if len(acts) != 2 || malID == "" || release == "" || signin == "" {
			t.Fatalf("%s digest: links %+v\n%s", l, links, body)
		}

		// The landing page in the recipient's language, then release.
		var subject, doneText string
		run(l+" release",
			chromedp.Navigate(console+"/lang/"+l+"?next=/login"),
			chromedp.WaitVisible(`html[lang="`+l+`"] #lang-switch`, chromedp.ByQuery),
			chromedp.Navigate(release),
			chromedp.WaitVisible("#dg-confirm", chromedp.ByQuery),
			chromedp.Text("#dg-subject", &subject, chromedp.ByQuery),
			shot("digest-landing-"+l),
			chromedp.Click("#dg-confirm", chromedp.ByQuery),
			chromedp.WaitVisible("#dg-done", chromedp.ByQuery),
			chromedp.Text("#dg-done", &doneText, chromedp.ByQuery),
		)
		if !strings.Contains(subject, "お荷物の配達について") || !strings.Contains(doneText, done[l]) {
			t.Errorf("%s: subject %q, done %q", l, subject, doneText)
		}
		got := sk.waitFor(t, "Marker: dg-"+l+"-rel", 30*time.Second)
		if len(got.Rcpts) != 1 || got.Rcpts[0] != r {
			t.Fatalf("released to %v", got.Rcpts)
		}
		// Once: the same link again, and the message's other link.
		if e := errOf(release); e != "used" {
			t.Errorf("%s: the used link again: %q", l, e)
		}
		for _, k := range links {
			if k.Claims.QID == relID && k.Claims.Action == digest.ActReleaseAllow {
				if e := errOf(k.URL); e != "used" {
					t.Errorf("%s: the release-and-allow link after release: %q", l, e)
				}
			}
		}
		// Malware: no release link in the mail, and a signed one is refused.
		forged := console + "/digest/" + digest.Sign(keyBytes, digest.Claims{Action: digest.ActRelease, QID: malID, Rcpt: r,
			Expires: time.Now().Add(time.Hour), Nonce: "forged-" + l})
		if e := errOf(forged); e != "refused" {
			t.Errorf("%s: release link for malware: %q", l, e)
		}
		req, _ := http.NewRequest("POST", forged, nil)
		req.Header.Set("Origin", console)
		if resp, err := http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
			if resp.StatusCode != http.StatusConflict {
				t.Errorf("%s: POST of the malware release link: %d", l, resp.StatusCode)
			}
		}
		// Expired: every link of the second digest.
		_, short := readDigest(t, ds[1])
		if len(short) < 3 {
			t.Fatalf("short-lived digest links: %+v", short)
		}
		time.Sleep(1100 * time.Millisecond)
		for _, k := range short {
			if k.Claims.Action == digest.ActRelease || k.Claims.Action == digest.ActSession {
				if e := errOf(k.URL); e != "expired" {
					t.Errorf("%s: expired %s link: %q", l, k.Claims.Action, e)
				}
			}
		}
		if short[1].Claims.Action != digest.ActRelease {
			t.Fatalf("second link of the short-lived digest: %+v", short[1])
		}
		req, _ = http.NewRequest("POST", short[1].URL, nil)
		req.Header.Set("Origin", console)
		if resp, err := http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
			if resp.StatusCode != http.StatusConflict {
				t.Errorf("%s: POST of an expired link: %d", l, resp.StatusCode)
			}
		}
		for _, k := range short {
			if k.Claims.Action != digest.ActSession && !slices.Contains(ids[l], k.Claims.QID) {
				ids[l] = append(ids[l], k.Claims.QID)
			}
		}
		time.Sleep(300 * time.Millisecond)
		for _, m := range sk.Messages() {
			if bytes.Contains(m.Data, []byte("Marker: dg-"+l+"-mal")) || bytes.Contains(m.Data, []byte("Marker: dg-"+l+"-exp")) {
				t.Fatalf("%s: malware or the expired link's message was released", l)
			}
		}

		// Sign in through the digest: the recipient's own view.
		var who string
		run(l+" sign in",
			chromedp.Navigate(signin),
			chromedp.WaitVisible("#dg-signin", chromedp.ByQuery),
			chromedp.Text("#dg-rcpt", &who, chromedp.ByQuery),
			shot("digest-signin-"+l),
			chromedp.Click("#dg-signin", chromedp.ByQuery),
			chromedp.WaitVisible("#bulk-form", chromedp.ByQuery),
			chromedp.WaitVisible("#account-link", chromedp.ByQuery),
		)
		if who != r {
			t.Errorf("%s: sign-in page for %q", l, who)
		}
		var listed []string
		var account string
		var adminNav, releaseBtn bool
		run(l+" own view",
			chromedp.Navigate(console+"/quarantine"),
			chromedp.WaitVisible("#bulk-form", chromedp.ByQuery),
			chromedp.Evaluate(`[...document.querySelectorAll("input.bulk-id")].map(e => e.value)`, &listed),
			chromedp.Text("#account-link", &account, chromedp.ByQuery),
			chromedp.Evaluate(`!!document.querySelector("#nav-audit")`, &adminNav),
			shot("digest-own-"+l),
			chromedp.Navigate(console+"/message/"+malID),
			chromedp.WaitVisible("#btn-delete", chromedp.ByQuery),
			chromedp.Evaluate(`!!document.querySelector("#btn-release")`, &releaseBtn),
		)
		slices.Sort(listed)
		want := slices.Clone(ids[l])
		slices.Sort(want)
		if !slices.Equal(listed, want) || !strings.Contains(account, "digest:"+r) || adminNav || releaseBtn {
			t.Errorf("%s own view: listed %v want %v, account %q, admin nav %v, malware release button %v", l, listed, want, account, adminNav, releaseBtn)
		}
		if l == "ja" {
			// Alice's mail is not Bob's to see.
			var title string
			run("other's message",
				chromedp.Navigate(console+"/message/"+ids["en"][0]),
				chromedp.WaitReady("body", chromedp.ByQuery),
				chromedp.Title(&title),
			)
			var body string
			run("other's message body", chromedp.Text("body", &body, chromedp.ByQuery))
			if strings.Contains(body, "お荷物の配達について") || strings.Contains(body, "123fnord") {
				t.Errorf("bob sees alice's message: %q", body)
			}
		}
	}

	// The actions were counted.
	resp, err := http.Get(console + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`sekisho_digest_link_actions_total{action="release",outcome="done"} 2`,
		`sekisho_digest_link_actions_total{action="release",outcome="refused"} 2`,
		`sekisho_digest_link_actions_total{action="session",outcome="done"} 2`,
		`sekisho_digest_link_actions_total{action="release",outcome="expired"} 2`,
		`sekisho_digests_total{outcome="sent"} 0`, // sent by `sekisho digest send`, another process
	} {
		if !strings.Contains(string(mb), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
