package fuzzy_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/fuzzy"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/fuzzystore"
	"github.com/sekisho/sekisho/internal/testutil"
)

var bg = context.Background()

func newAnalyzer(t testing.TB) (*fuzzy.Analyzer, *fuzzystore.Store) {
	t.Helper()
	cfg := config.Default()
	cfg.Fuzzy.Enabled = true
	st, err := fuzzystore.OpenSQLite(filepath.Join(t.TempDir(), "fuzzy.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := fuzzy.NewWithStore(cfg, st, nil)
	t.Cleanup(func() { a.Close() })
	return a, st
}

func task(raw []byte, flow pipeline.Flow) *pipeline.Task {
	return pipeline.NewTask("t", mail.Parse(raw, mail.Limits{}), pipeline.Envelope{Flow: flow}, nil)
}

func learn(t testing.TB, a *fuzzy.Analyzer, raw []byte, f pipeline.Feedback) {
	t.Helper()
	if err := a.Feedback(bg, task(raw, pipeline.FlowOffline), f); err != nil {
		t.Fatal(err)
	}
}

func hit(t testing.TB, a *fuzzy.Analyzer, raw []byte, sym string) bool {
	t.Helper()
	tk := task(raw, pipeline.FlowOffline)
	if err := a.Analyze(bg, tk); err != nil {
		t.Fatal(err)
	}
	return tk.Has(sym)
}

// 200 copies of one campaign, randomised per message; five are learned,
// the other 195 must be recognised.
func TestCampaignRecognised(t *testing.T) {
	a, st := newAnalyzer(t)
	const n, learned = 200, 5
	for i := 0; i < learned; i++ {
		learn(t, a, testutil.Campaign(7, i), pipeline.FeedbackSpam)
	}
	found := 0
	for i := learned; i < n; i++ {
		if hit(t, a, testutil.Campaign(7, i), fuzzy.SymKnownSpam) {
			found++
		}
	}
	t.Logf("campaign: %d of %d unlearned copies recognised after %d learned", found, n-learned, learned)
	if found < n-learned {
		t.Errorf("recognised %d of %d", found, n-learned)
	}
	cs, err := st.Campaigns(bg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Spam != learned {
		t.Fatalf("campaigns %+v: want one with %d learned copies", cs, learned)
	}
	// Another campaign (different seed: same template, new randomness)
	// is the same campaign; a different text is not.
	if !hit(t, a, testutil.Campaign(8, 0), fuzzy.SymKnownSpam) {
		t.Error("a copy from another generator run is not recognised")
	}
	ham := []byte("From: a@example.com\r\nSubject: lunch\r\n\r\nHi team, the quarterly planning meeting moved to Thursday afternoon in room four.\r\nPlease bring the budget sheets and the draft roadmap so we can finish the review before the holidays.\r\n")
	if hit(t, a, ham, fuzzy.SymKnownSpam) {
		t.Error("unrelated message matches")
	}
	// Ham feedback on the campaign outweighing spam unmarks it.
	for i := 0; i < learned; i++ {
		learn(t, a, testutil.Campaign(7, 1000+i), pipeline.FeedbackHam)
	}
	if hit(t, a, testutil.Campaign(7, 500), fuzzy.SymKnownSpam) {
		t.Error("campaign still known spam after as much ham feedback")
	}
}

// Held copies make a campaign known after held_to_known; live copies
// count as bulk.
func TestHeldAndBulk(t *testing.T) {
	a, st := newAnalyzer(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	for i := 0; i < 25; i++ {
		tk := task(testutil.Campaign(9, i), pipeline.FlowMail)
		tk.ID = "scan" + strconv.Itoa(i)
		if err := a.Analyze(bg, tk); err != nil {
			t.Fatal(err)
		}
		action := pipeline.ActionAccept
		if i < 5 {
			action = pipeline.ActionQuarantine
		}
		a.Observe(bg, &pipeline.Result{ID: tk.ID, Msg: tk.Msg, Env: tk.Env, Verdict: pipeline.Verdict{Action: action}, Values: tk.Values()})
	}
	tk := task(testutil.Campaign(9, 99), pipeline.FlowMail)
	if err := a.Analyze(bg, tk); err != nil {
		t.Fatal(err)
	}
	if !tk.Has(fuzzy.SymKnownSpam) {
		t.Error("campaign held 5 times is not known")
	}
	if !tk.Has(fuzzy.SymBulk) {
		t.Errorf("no FUZZY_BULK after 25 copies: %+v", tk.Hits())
	}
	cs, _ := st.Campaigns(bg, 10)
	if len(cs) != 1 || cs[0].Held != 5 {
		t.Fatalf("campaigns %+v", cs)
	}
	c, err := st.Campaign(bg, cs[0].ID)
	if err != nil || len(c.Scans) != 5 {
		t.Fatalf("held scans %v, %v", c, err)
	}
	// An hour later the copies are no longer bulk.
	now = now.Add(61 * time.Minute)
	if hit(t, a, testutil.Campaign(9, 100), fuzzy.SymBulk) {
		t.Error("bulk an hour later")
	}
}

// False matches over the SpamAssassin test ham, with the campaign and the
// whole SA training spam learned.
func TestCorpusFalseMatches(t *testing.T) {
	dir := testutil.Corpus(t)
	a, _ := newAnalyzer(t)
	for i := 0; i < 5; i++ {
		learn(t, a, testutil.Campaign(7, i), pipeline.FeedbackSpam)
	}
	for _, raw := range testutil.ReadMessages(t, filepath.Join(dir, "train", "spam")) {
		learn(t, a, raw, pipeline.FeedbackSpam)
	}
	fp := 0
	hams := testutil.ReadMessages(t, filepath.Join(dir, "test", "ham"))
	for _, raw := range hams {
		if hit(t, a, raw, fuzzy.SymKnownSpam) {
			fp++
		}
	}
	tp := 0
	spams := testutil.ReadMessages(t, filepath.Join(dir, "test", "spam"))
	for _, raw := range spams {
		if hit(t, a, raw, fuzzy.SymKnownSpam) {
			tp++
		}
	}
	t.Logf("false matches: %d of %d test ham; test spam matching learned train spam: %d of %d", fp, len(hams), tp, len(spams))
	if fp != 0 {
		t.Errorf("%d false matches", fp)
	}
}

// TestCampaignOneLearned measures (and logs) how many copies one learned
// copy catches, and the similarity of copies to each other.
func TestCampaignOneLearned(t *testing.T) {
	a, _ := newAnalyzer(t)
	learn(t, a, testutil.Campaign(7, 0), pipeline.FeedbackSpam)
	found := 0
	for i := 1; i < 200; i++ {
		if hit(t, a, testutil.Campaign(7, i), fuzzy.SymKnownSpam) {
			found++
		}
	}
	sig := func(i int) *fuzzystore.Entry {
		f := fuzzy.Extract(mail.Parse(testutil.Campaign(7, i), mail.Limits{}))
		return f.Entry()
	}
	lo, sum := 1.0, 0.0
	base := sig(0)
	for i := 1; i < 200; i++ {
		s := fuzzystore.Similarity(&base.Sig, &sig(i).Sig)
		lo, sum = min(lo, s), sum+s
	}
	t.Logf("one learned copy catches %d of 199; similarity to it: mean %.2f, lowest %.2f", found, sum/199, lo)
	if found < 150 {
		t.Errorf("one learned copy catches only %d of 199", found)
	}
}
