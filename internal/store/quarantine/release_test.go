package quarantine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestReleaseRecipients (issue 14): a quoted recipient with ", " in it
// stays one recipient through storage and release; a recipient string
// carrying ESMTP parameters is refused locally, never sent; a recipient
// the next hop refuses does not stop the others; the result names each.
func TestReleaseRecipients(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, "sqlite", "")
	sink := testutil.SMTPSink(t)
	cfg.Quarantine.ReleaseHost = sink.Addr
	eng := newEngine(t, cfg)
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw := fixture(t, "phish-o365.eml")
	e := env("x@example.jp")
	e.Rcpts = []string{`"john, x"@corp.example`, "ok@example.jp", "refused@example.jp", "evil@example.jp> NOTIFY=NEVER ORCPT=rfc822;spy@evil.example"}
	r := eng.Scan(ctx, raw, e)
	id, err := st.Hold(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := st.Message(ctx, id, false)
	if err != nil || len(m.Rcpts) != 4 || m.Rcpts[0] != `"john, x"@corp.example` {
		t.Fatalf("stored recipients %q %v", m.Rcpts, err)
	}
	err = st.Release(ctx, id, "alice")
	var part *quarantine.PartialRelease
	if !errors.As(err, &part) || part.Delivered != 2 || len(part.Refused) != 2 {
		t.Fatalf("want a partial release (2 delivered, 2 refused), got %v", err)
	}
	got := sink.Wait(t, 10*time.Second)
	// (go-smtp's server hands over the quoted local part unquoted.)
	if len(got.Rcpts) != 2 || !strings.Contains(got.Rcpts[0], "john, x") || got.Rcpts[1] != "ok@example.jp" {
		t.Fatalf("delivered to %q", got.Rcpts)
	}
	if m, _ := st.Message(ctx, id, false); m.ReleasedAt.IsZero() {
		t.Errorf("partial release not recorded as released")
	}
}
