package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestRemediateBrowser drives headless Chromium through the Clawback
// page: start a dry run, apply it (confirming the dialog), check the copy
// left the mailbox, and show the page in Japanese. Screenshots go to
// $SEKISHO_ARTIFACTS/console (or a temp dir); SEKISHO_DOC_SHOTS=1 writes
// them to docs/img/ as well.
func TestRemediateBrowser(t *testing.T) {
	exe := testutil.Chromium(t)
	c, rem, dc := remConsole(t)
	shots := artifacts(t)
	ctx := headless(t, exe)
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(true)) }()
		}
	})
	docShots := os.Getenv("SEKISHO_DOC_SHOTS") == "1"
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			if docShots {
				_ = os.WriteFile(filepath.Join("..", "..", "docs", "img", name+".png"), buf, 0o644)
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	run := func(step string, as ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, as...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	base := c.srv.URL
	run("sign in",
		chromedp.Navigate(base+"/lang/en?next=/remediate"),
		chromedp.WaitVisible("#login-submit", chromedp.ByQuery),
		chromedp.SendKeys("#user", "admin", chromedp.ByQuery),
		chromedp.SendKeys("#password", c.password, chromedp.ByQuery),
		chromedp.Click("#login-submit", chromedp.ByQuery),
		// #account-link exists only once signed in (#lang-switch is on the
		// sign-in page too).
		chromedp.WaitVisible("#account-link", chromedp.ByQuery),
		chromedp.Navigate(base+"/remediate"),
		chromedp.WaitVisible("#rem-form", chromedp.ByQuery),
	)
	run("dry run",
		chromedp.SendKeys("#rem-mid", "<"+remMID+">", chromedp.ByQuery),
		chromedp.SendKeys("#rem-mailbox", "alice@example.jp", chromedp.ByQuery),
		chromedp.SendKeys("#rem-reason", "reported by alice", chromedp.ByQuery),
		chromedp.Click("#rem-go", chromedp.ByQuery),
		chromedp.WaitVisible("#rem-msg", chromedp.ByQuery),
	)
	runs, _ := rem.Runs(context.Background(), 10)
	if len(runs) != 1 {
		t.Fatalf("runs: %d", len(runs))
	}
	run("apply",
		chromedp.Click("#apply-"+runs[0].ID, chromedp.ByQuery),
		chromedp.WaitVisible(`[id^="undo-"]`, chromedp.ByQuery),
		shot("remediate-en"),
	)
	if n := dc.Count(t, "alice@example.jp", "INBOX", "Message-ID", remMID); n != 0 {
		t.Fatalf("still in the inbox: %d", n)
	}
	var title string
	run("Japanese",
		chromedp.Click("#lang-switch", chromedp.ByQuery),
		chromedp.WaitReady(`html[lang="ja"] #rem-title`, chromedp.ByQuery),
		chromedp.Text("#rem-title", &title, chromedp.ByQuery),
		shot("remediate-ja"),
	)
	if !strings.Contains(title, "配信後の回収") {
		t.Fatalf("Japanese title %q", title)
	}
}
