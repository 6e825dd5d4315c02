package feed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	ifeed "github.com/sekisho/sekisho/internal/feed"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestAnalyzer: the analyzer built from the store reports each feed's
// hits with the feed's weight as factor, a feed with own_symbol under
// FEED_<NAME>, counts queries, hits and indicators per feed, and picks up
// a store change on reload.
func TestAnalyzer(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Feeds = []config.Feed{{Name: "heavy", Type: "list", Path: "x", Weight: 2}, {Name: "own-list", Type: "list", Path: "y", OwnSymbol: true}}
	st, err := ifeed.OpenStore(ctx, ifeed.StorePath(cfg.General.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	one := func(kind, v string) ifeed.Indicator {
		return ifeed.Indicator{Ref: v, Terms: []ifeed.Term{{Kind: kind, Value: v}}}
	}
	st.Apply(ctx, "heavy", &ifeed.Batch{Indicators: []ifeed.Indicator{one(ifeed.KindDomain, "evil.example")}}, true, time.Now())
	st.Apply(ctx, "own-list", &ifeed.Batch{Indicators: []ifeed.Indicator{one(ifeed.KindEmail, "drop@mailbox.example")}}, true, time.Now())
	as, err := New(cfg, pipeline.Deps{DataDir: cfg.General.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	a := as[0].(*Analyzer)
	defer a.Close()
	scan := func(raw string) map[string]pipeline.Hit {
		task := pipeline.NewTask("t", mail.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mail.Limits{}), pipeline.Envelope{}, nil)
		if err := a.Analyze(ctx, task); err != nil {
			t.Fatal(err)
		}
		out := map[string]pipeline.Hit{}
		for _, h := range task.Hits() {
			out[h.Name] = h
		}
		return out
	}
	got := scan("From: a@sender.example\nReply-To: drop@mailbox.example\nSubject: x\n\nhttps://login.evil.example/\n")
	if h := got[SymDomain]; h.Factor != 2 || len(h.Options) != 1 || h.Options[0] != "heavy: domain evil.example (link login.evil.example)" {
		t.Errorf("FEED_DOMAIN %+v", h)
	}
	if h, ok := got["FEED_OWN_LIST"]; !ok || h.Options[0] != "own-list: email drop@mailbox.example (reply-to)" {
		t.Errorf("own symbol %+v (all %v)", h, got)
	}
	if d, ok := pipeline.Lookup("FEED_OWN_LIST"); !ok || d.EN == "" || d.JA == "" {
		t.Errorf("own symbol not registered with texts: %+v", d)
	}
	if got := scan("From: a@sender.example\nSubject: x\n\nhttps://good.example/\n"); len(got) != 0 {
		t.Errorf("clean: %v", got)
	}
	stats := map[string][3]uint64{}
	a.EachList(func(kind, list string, q, h, e uint64, _ time.Duration) { stats[list] = [3]uint64{q, h, e} })
	if stats["heavy"] != [3]uint64{2, 1, 0} || stats["own-list"] != [3]uint64{2, 1, 0} {
		t.Errorf("stats %v", stats)
	}
	st.Apply(ctx, "heavy", &ifeed.Batch{Indicators: []ifeed.Indicator{one(ifeed.KindDomain, "good.example")}}, true, time.Now())
	if err := a.reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := scan("From: a@sender.example\nSubject: x\n\nhttps://good.example/\n"); len(got) != 1 {
		t.Errorf("after reload: %v", got)
	}
	sizes := map[string]int64{}
	a.EachListSize(func(_, list string, n int64) { sizes[list] = n })
	if sizes["heavy"] != 1 || sizes["own-list"] != 1 {
		t.Errorf("sizes %v", sizes)
	}
}
