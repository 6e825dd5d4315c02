// Package chromiumtest drives headless Chromium in tests: the one browser
// helper of the console tests (internal/web) and of the tests through the
// real binary (internal/e2e).
package chromiumtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Headless starts Chromium (exe, from testutil.Chromium) with a throw-away
// profile and returns a browser context that ends after 150 s or with
// the test.
func Headless(t testing.TB, exe string) context.Context {
	t.Helper()
	return HeadlessFor(t, exe, 150*time.Second)
}

// HeadlessFor is Headless with the browser context ending after d.
func HeadlessFor(t testing.TB, exe string, d time.Duration) context.Context {
	t.Helper()
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
		chromedp.ExecPath(exe), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"), chromedp.UserDataDir(udd), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	t.Cleanup(func() { _ = chromedp.Cancel(ctx) })
	ctx, cancelT := context.WithTimeout(ctx, d)
	t.Cleanup(cancelT)
	return ctx
}
