package web_test

import (
	"context"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/chromiumtest"
)

// headless is chromiumtest.Headless (the one Chromium helper, shared with
// the tests through the real binary).
func headless(t *testing.T, exe string) context.Context {
	t.Helper()
	return chromiumtest.Headless(t, exe)
}
