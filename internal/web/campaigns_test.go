package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestCampaignsPage: copies of a learned campaign are held as live mail;
// the page lists the campaign with its size (both languages), and
// releasing the campaign releases every held copy to the next hop.
func TestCampaignsPage(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) {
		cfg.Fuzzy.Enabled = true
		if cfg.Policy.Weights == nil {
			cfg.Policy.Weights = map[string]float64{}
		}
		cfg.Policy.Weights["FUZZY_KNOWN_SPAM"] = 20 // held whatever else is found
	})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := c.eng.Learn(ctx, testutil.Campaign(5, i), true); err != nil {
			t.Fatal(err)
		}
	}
	for i := 2; i < 5; i++ {
		raw := testutil.Campaign(5, i)
		r := c.eng.Scan(ctx, raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"alice@example.jp"},
			Frontend: pipeline.FrontendMilter, Flow: pipeline.FlowMail})
		if r.Verdict.Action != pipeline.ActionQuarantine && r.Verdict.Action != pipeline.ActionReject {
			t.Fatalf("copy %d not held: %+v", i, r.Verdict)
		}
		if _, err := c.st.Hold(ctx, raw, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	cl := c.client()
	cl.login("admin", c.password)
	for lang, title := range map[string]string{"en": "Spam campaigns", "ja": "スパムキャンペーン"} {
		cl.get("/lang/" + lang + "?next=/")
		resp, body := cl.get("/campaigns")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, title) {
			t.Fatalf("%s: %d, title missing", lang, resp.StatusCode)
		}
	}
	resp, body := cl.get("/campaigns")
	if resp.StatusCode != http.StatusOK || strings.Count(body, `id="camp-`) < 2 {
		t.Fatalf("no campaign listed:\n%s", body)
	}
	i := strings.Index(body, `action="/campaigns/`)
	id := body[i+len(`action="/campaigns/`):]
	id = id[:strings.IndexByte(id, '/')]
	row := body[strings.Index(body, `id="camp-`+id+`"`):]
	if !strings.Contains(row, `<td class="num">5</td><td class="num">3</td><td class="num">2</td>`) {
		t.Errorf("campaign row lacks size 5, held 3, learned 2:\n%s", row[:min(len(row), 600)])
	}
	resp, _ = cl.post("/campaigns/"+id+"/release", url.Values{"csrf": {csrfOf(t, body)}}, map[string]string{"Origin": c.srv.URL})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "msg=release&n=3") {
		t.Fatalf("release: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := len(c.sink.Received()); n != 3 {
		t.Errorf("%d copies released to the next hop, want 3", n)
	}
	// Recipients cannot see the page.
	if err := c.st.Accounts().CreateUser(ctx, "bob", "recipient", "pw-bob-123456", []string{"bob@example.jp"}); err != nil {
		t.Fatal(err)
	} else {
		rc := c.client()
		rc.login("bob", "pw-bob-123456")
		if resp, _ := rc.get("/campaigns"); resp.StatusCode == http.StatusOK {
			t.Error("recipient sees the campaigns page")
		}
	}
}
