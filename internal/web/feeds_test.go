package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/feed"
)

// TestFeedsPage: the admin sees each feed with its indicator count and
// the recorded retro-hunt matches (linking the stored message), in both
// languages.
func TestFeedsPage(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) {
		cfg.Feeds = []config.Feed{{Name: "partner", Type: "list", Path: "/nonexistent"}}
	})
	ctx := context.Background()
	st, err := feed.OpenStore(ctx, feed.StorePath(c.cfg.General.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	st.Apply(ctx, "partner", &feed.Batch{Indicators: []feed.Indicator{{Ref: "d", Terms: []feed.Term{{Kind: feed.KindDomain, Value: "bad.example"}}}}}, true, time.Now())
	st.SaveState(ctx, "partner", "", time.Now(), nil)
	st.AddMatches(ctx, []feed.Match{{StoreID: "abc123", MsgKind: "history", MessageID: "m1@sender.example", Received: time.Now(), Subject: "Invoice 42",
		Sender: "a@sender.example", Feed: "partner", Ref: "d", Kind: feed.KindDomain, Value: "bad.example", Where: "link bad.example", Found: time.Now()}})
	st.Close()
	cl := c.client()
	cl.login("admin", c.password)
	for lang, title := range map[string]string{"en": "Threat feeds and retro-hunt", "ja": "脅威フィードと遡及検索"} {
		cl.get("/lang/" + lang + "?next=/")
		resp, body := cl.get("/feeds")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, title) {
			t.Fatalf("%s: %d, title missing", lang, resp.StatusCode)
		}
		for _, want := range []string{`data-feed="partner"`, `<td>1</td>`, `href="/message/abc123"`, "Invoice 42", "m1@sender.example", "domain bad.example"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", lang, want)
			}
		}
	}
}
