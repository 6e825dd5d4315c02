package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestNestedTablesBrowser (issue 14): a message of 300,000 nested tables
// used to keep the console's message view loading for ever. In headless
// Chromium the message page and its sanitised body now load, simplified,
// with the notice, in bounded time.
func TestNestedTablesBrowser(t *testing.T) {
	exe := testutil.Chromium(t)
	c := newConsole(t, nil)
	raw := []byte("From: a@example.net\r\nTo: tanaka@example.jp\r\nSubject: nested\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\n" +
		"Message-ID: <nested@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		strings.Repeat("<table><tr><td>x", 300000) + "\r\n")
	id := c.hold(raw, "tanaka@example.jp")
	ctx := headless(t, exe)
	run := func(step string, as ...chromedp.Action) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Run(ctx, as...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		t.Logf("%s: %v", step, time.Since(start).Round(time.Millisecond))
	}
	base := c.srv.URL
	run("sign in",
		chromedp.Navigate(base+"/lang/en?next=/quarantine"),
		chromedp.WaitVisible("#login-submit", chromedp.ByQuery),
		chromedp.SendKeys("#user", "admin", chromedp.ByQuery),
		chromedp.SendKeys("#password", c.password, chromedp.ByQuery),
		chromedp.Click("#login-submit", chromedp.ByQuery),
		// #account-link exists only once signed in (#lang-switch is on the
		// sign-in page too).
		chromedp.WaitVisible("#account-link", chromedp.ByQuery),
	)
	run("message page",
		chromedp.Navigate(base+"/message/"+id),
		chromedp.WaitVisible("#body-frame", chromedp.ByQuery),
	)
	var notice string
	run("sanitised body",
		chromedp.Navigate(base+"/message/"+id+"/body"),
		chromedp.WaitVisible("#sekisho-truncated", chromedp.ByQuery),
		chromedp.Text("#sekisho-truncated", &notice, chromedp.ByQuery),
	)
	if !strings.Contains(notice, "simplified") {
		t.Errorf("notice %q", notice)
	}
}
