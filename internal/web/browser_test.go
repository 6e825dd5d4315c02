package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/sekisho/sekisho/internal/testutil"
)

// pixelServer counts every request: opening a message must make none.
type pixelServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newPixelServer(t *testing.T) *pixelServer {
	p := &pixelServer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hits = append(p.hits, r.URL.Path)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a"))
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *pixelServer) Hits() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hits...)
}

func artifacts(t *testing.T) string {
	dir := os.Getenv("SEKISHO_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "console")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser drives headless Chromium through the console: sign in, the
// dashboard, find the quarantined Office 365 phishing message, open it (no
// script runs, no remote request is made), release it to an SMTP sink that
// receives it byte for byte, switch to Japanese. Screenshots of each page
// are saved (to $SEKISHO_ARTIFACTS/console or a temp dir).
func TestBrowser(t *testing.T) {
	exe := testutil.Chromium(t)
	pixel := newPixelServer(t)
	c := newConsole(t, nil)
	phish := fixture(t, "phish-o365.eml", pixel.URL)
	// A hostile message: markup in the subject, sender name and file name,
	// and script in the HTML, all aimed at the console itself.
	hostile := []byte(strings.ReplaceAll(fmt.Sprintf("From: \"<img src=%[1]s/from onerror=alert(1)>\" <x@evil.example>\nTo: tanaka@example.jp\nSubject: <script>fetch('%[1]s/subject')</script><img src=%[1]s/subj onerror=\"document.body.dataset.pwned=1\">\nDate: Mon, 20 Oct 2025 00:12:00 +0000\nMessage-ID: <hostile@evil.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<svg onload=\"fetch('%[1]s/svg')\"></svg><math><mtext><table><mglyph><style><img src=%[1]s/mxss onerror=alert(1)></style></mglyph></table></mtext></math><form action=%[1]s/form><button>go</button></form><meta http-equiv=refresh content=\"0;url=%[1]s/meta\"><link rel=stylesheet href=%[1]s/css><object data=%[1]s/obj></object><video poster=%[1]s/poster></video><a href=\"%[1]s/a\" ping=\"%[1]s/ping\">x</a>\n--b\nContent-Type: text/plain; name=\"<img src=%[1]s/fn onerror=alert(1)>.exe\"\nContent-Disposition: attachment; filename=\"<img src=%[1]s/fn onerror=alert(1)>.exe\"\n\nMZ\n--b--\n", pixel.URL), "\n", "\r\n"))
	id := c.hold(phish, "tanaka@example.jp")
	hid := c.hold(hostile, "tanaka@example.jp")
	c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "sato@example.jp")
	c.hold(fixture(t, "ham-notes.eml", ""), "sato@example.jp")

	shots := artifacts(t)
	// Chromium's helpers may still write to the profile for a moment after
	// it is stopped; remove it with retries rather than with t.TempDir.
	udd, err := os.MkdirTemp("", "sekisho-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if os.RemoveAll(udd) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(udd),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	defer func() { _ = chromedp.Cancel(ctx) }() // close the browser cleanly first
	ctx, cancelT := context.WithTimeout(ctx, 150*time.Second)
	defer cancelT()

	// Accept the confirm() dialogs of release/delete; record any alert().
	var dialogs []string
	var dmu sync.Mutex
	chromedp.ListenTarget(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dmu.Lock()
			dialogs = append(dialogs, string(d.Type)+": "+d.Message)
			dmu.Unlock()
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(d.Type == page.DialogTypeConfirm)) }()
		}
	})

	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	base := c.srv.URL
	var loc, title, lang, text string
	run := func(step string, as ...chromedp.Action) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Run(ctx, as...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		t.Logf("%s: %v", step, time.Since(start).Round(time.Millisecond))
	}

	run("sign-in page",
		chromedp.Navigate(base+"/dashboard"),
		chromedp.WaitVisible("#login-submit", chromedp.ByQuery),
		chromedp.Location(&loc),
		shot("01-login"),
	)
	if !strings.Contains(loc, "/login?next=") {
		t.Fatalf("no redirect to sign-in: %s", loc)
	}
	run("sign in",
		chromedp.SendKeys("#user", "admin", chromedp.ByQuery),
		chromedp.SendKeys("#password", c.password, chromedp.ByQuery),
		chromedp.Click("#login-submit", chromedp.ByQuery),
		chromedp.WaitVisible("#dashboard-title", chromedp.ByQuery),
		chromedp.Sleep(200*time.Millisecond),
		shot("02-dashboard"),
		chromedp.Text("#tile-quarantine", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "4") {
		t.Fatalf("dashboard quarantine tile: %q", text)
	}
	run("find the phishing message",
		chromedp.Click(`header nav a[href="/quarantine"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#f-subject", chromedp.ByQuery),
		chromedp.SendKeys("#f-subject", "Office 365", chromedp.ByQuery),
		chromedp.Click("#f-submit", chromedp.ByQuery),
		// Wait for the filtered page itself (the unfiltered list has rows too):
		// only it renders the search term as the field's value attribute.
		chromedp.WaitVisible(`#f-subject[value="Office 365"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#messages a.subject", chromedp.ByQuery),
		shot("03-quarantine-search"),
		chromedp.Text("#messages tbody", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "Office 365 password expires") || strings.Contains(text, "Meeting notes") {
		t.Fatalf("search result: %q", text)
	}
	run("open it",
		chromedp.Click("#messages a.subject", chromedp.ByQuery),
		chromedp.WaitVisible("#msg-subject", chromedp.ByQuery),
		chromedp.WaitVisible("#body-frame", chromedp.ByQuery),
		chromedp.Sleep(1500*time.Millisecond), // let the iframe load and anything it might fetch go out
		shot("04-message"),
		chromedp.ScrollIntoView("#body-frame", chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.CaptureScreenshot(&buf).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, "04b-message-html.png"), buf, 0o644)
		}),
		chromedp.Title(&title),
		chromedp.Text("#links", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "micros0ft-login.example") {
		t.Fatalf("links table: %q", text)
	}
	if strings.Contains(title, "PWNED") {
		t.Fatal("script ran")
	}
	// The message's script would have fetched /script-ran; its image /pixel.
	if h := pixel.Hits(); len(h) != 0 {
		t.Fatalf("opening the message made remote requests: %v", h)
	}
	run("open the hostile message",
		chromedp.Navigate(base+"/message/"+hid),
		chromedp.WaitVisible("#msg-subject", chromedp.ByQuery),
		chromedp.Sleep(1500*time.Millisecond),
		shot("05-hostile-message"),
		chromedp.Text("#msg-subject", &text, chromedp.ByQuery),
	)
	var pwned bool
	run("check no script ran", chromedp.Evaluate(`document.body.dataset.pwned === "1"`, &pwned))
	if pwned || !strings.Contains(text, "<script>") {
		t.Fatalf("hostile subject not shown as text (pwned=%v): %q", pwned, text)
	}
	dmu.Lock()
	if len(dialogs) != 0 {
		t.Fatalf("hostile content opened dialogs: %v", dialogs)
	}
	dmu.Unlock()
	run("list with hostile subject", chromedp.Navigate(base+"/quarantine"), chromedp.WaitVisible("#messages", chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond))
	if h := pixel.Hits(); len(h) != 0 {
		t.Fatalf("hostile message made remote requests: %v", h)
	}

	run("release",
		chromedp.Navigate(base+"/message/"+id),
		chromedp.WaitVisible("#btn-release", chromedp.ByQuery),
		chromedp.Click("#btn-release", chromedp.ByQuery),
		chromedp.WaitVisible("#released", chromedp.ByQuery),
		shot("06-released"),
	)
	got := c.sink.Wait(t, 10*time.Second)
	if !bytes.Equal(got.Data, phish) {
		t.Fatalf("released message differs from the original (%d vs %d bytes)", len(got.Data), len(phish))
	}
	if len(got.Rcpts) != 1 || got.Rcpts[0] != "tanaka@example.jp" {
		t.Fatalf("release envelope: %v", got.Rcpts)
	}
	// The page after a release may still be settling (redirect): start the
	// language switch from a fresh load of the message, and try the click
	// again if Chromium loses the node to a late navigation.
	var switchErr error
	for attempt := 0; attempt < 3; attempt++ {
		lang = ""
		switchErr = chromedp.Run(ctx,
			chromedp.Navigate(base+"/message/"+id),
			chromedp.WaitVisible("#lang-switch", chromedp.ByQuery),
			chromedp.AttributeValue("html", "lang", &lang, nil, chromedp.ByQuery),
		)
		if switchErr == nil && lang != "ja" {
			switchErr = chromedp.Run(ctx, chromedp.Click("#lang-switch", chromedp.ByQuery, chromedp.NodeVisible))
		}
		if switchErr == nil {
			switchErr = chromedp.Run(ctx,
				chromedp.WaitReady(`html[lang="ja"] #msg-subject`, chromedp.ByQuery),
				chromedp.AttributeValue("html", "lang", &lang, nil, chromedp.ByQuery),
				chromedp.Text("#btn-release", &text, chromedp.ByQuery),
			)
		}
		if switchErr == nil {
			break
		}
		t.Logf("switch language, attempt %d: %v", attempt+1, switchErr)
	}
	if switchErr != nil {
		t.Fatalf("switch language: %v", switchErr)
	}
	run("screenshot in Japanese", shot("07-message-ja"))
	if lang != "ja" || !strings.Contains(text, "解放") {
		t.Fatalf("language switch: lang=%q button=%q", lang, text)
	}
	run("Japanese dashboard and list",
		chromedp.Navigate(base+"/dashboard"),
		chromedp.WaitVisible("#dashboard-title", chromedp.ByQuery),
		chromedp.Text("#dashboard-title", &text, chromedp.ByQuery),
		shot("08-dashboard-ja"),
		chromedp.Navigate(base+"/quarantine?subject=容量"),
		chromedp.WaitVisible(`#f-subject[value="容量"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#messages", chromedp.ByQuery),
		shot("09-quarantine-ja"),
		chromedp.Click("#messages a.subject", chromedp.ByQuery),
		chromedp.WaitVisible("#msg-subject", chromedp.ByQuery),
		shot("10-message-kagoya-ja"),
		chromedp.Navigate(base+"/history"),
		chromedp.WaitVisible("#list-title", chromedp.ByQuery),
		shot("11-history-ja"),
	)
	if text != "ダッシュボード" {
		t.Fatalf("Japanese dashboard title %q", text)
	}
	run("add an account (Japanese console)",
		chromedp.Navigate(base+"/users"),
		chromedp.WaitVisible("#users-title", chromedp.ByQuery),
		chromedp.SendKeys("#new-name", "sato", chromedp.ByQuery),
		chromedp.SendKeys("#new-addresses", "sato@example.jp", chromedp.ByQuery),
		chromedp.SendKeys("#new-password", "correct horse 1", chromedp.ByQuery),
		chromedp.SendKeys("#new-again", "correct horse 1", chromedp.ByQuery),
		chromedp.Click("#user-add-submit", chromedp.ByQuery),
		chromedp.WaitVisible("#user-sato", chromedp.ByQuery),
		shot("12-accounts-ja"),
		chromedp.Text("#user-sato", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "受信者") || !strings.Contains(text, "sato@example.jp") {
		t.Fatalf("new account row: %q", text)
	}
	run("delete it (confirmed)",
		chromedp.Click("#del-sato", chromedp.ByQuery),
		chromedp.WaitNotPresent("#user-sato", chromedp.ByQuery),
	)
	if u, _ := c.st.Accounts().User(context.Background(), "sato"); u != nil {
		t.Fatal("account not deleted")
	}
	if h := pixel.Hits(); len(h) != 0 {
		t.Fatalf("remote requests: %v", h)
	}
	t.Logf("screenshots in %s", shots)
}
