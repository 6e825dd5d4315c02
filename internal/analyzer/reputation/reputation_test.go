package reputation_test

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/reputation"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/repstore"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

var bg = context.Background()

type rig struct {
	a   *reputation.Analyzer
	now time.Time
}

func newRig(t testing.TB, st repstore.Store) *rig {
	cfg := config.Default()
	cfg.Reputation.Enabled = true
	r := &rig{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r.a = reputation.NewWithStore(cfg, st, nil)
	r.a.Now = func() time.Time { return r.now }
	t.Cleanup(func() { r.a.Close() })
	return r
}

func msg(from, body string) []byte {
	return []byte("From: " + from + "\r\nTo: u@example.org\r\nSubject: s\r\n\r\n" + body + "\r\n")
}

// scanB is scan for benchmarks: signed, one recipient.
func (r *rig) scanB(b *testing.B, raw []byte, ip string) *pipeline.Task {
	return r.scan(b, raw, ip, true, 1)
}

// scan runs the analyzer with DKIM aligned to the From domain when signed.
func (r *rig) scan(t testing.TB, raw []byte, ip string, signed bool, rcpts int) *pipeline.Task {
	t.Helper()
	env := pipeline.Envelope{ClientIP: netip.MustParseAddr(ip), Flow: pipeline.FlowMail}
	for i := 0; i < rcpts; i++ {
		env.Rcpts = append(env.Rcpts, fmt.Sprintf("u%d@example.org", i))
	}
	tk := pipeline.NewTask("t", mail.Parse(raw, mail.Limits{}), env, nil)
	res := &auth.Results{}
	if signed {
		from, _ := tk.Msg.PrimaryFromAddress()
		res.DKIM = []dkim.Result{{Status: dkim.Pass, Domain: from.Domain}}
	}
	tk.Set(auth.KeyResults, res)
	if err := r.a.Analyze(bg, tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

// observe teaches a verdict of the given score.
func (r *rig) observe(tk *pipeline.Task, score float64) {
	r.a.Observe(bg, &pipeline.Result{ID: "x", Msg: tk.Msg, Env: tk.Env, Verdict: pipeline.Verdict{Score: score}, Values: tk.Values(), URLs: tk.URLs()})
}

func factor(tk *pipeline.Task, name string) float64 {
	for _, h := range tk.Hits() {
		if h.Name == name {
			return h.Factor
		}
	}
	return 0
}

func testReputation(t *testing.T, st repstore.Store) {
	r := newRig(t, st)
	good := msg("news@good.example", "hello https://docs.good.example/a")
	bad := msg("x@bad.test", "buy https://pills.bad-link.test/x")
	// Little evidence says nothing; more says more.
	var prev float64
	for i := 0; i < 30; i++ {
		tk := r.scan(t, good, "192.0.2.10", true, 1)
		f := factor(tk, reputation.SymGoodSender)
		if i < 3 && f != 0 {
			t.Fatalf("good after %d observations: %v", i, f)
		}
		if f < prev {
			t.Fatalf("score fell with more evidence: %v < %v", f, prev)
		}
		prev = f
		r.observe(tk, 0)
		tk = r.scan(t, bad, "198.51.100.7", false, 1)
		r.observe(tk, 12)
		r.now = r.now.Add(time.Minute)
	}
	if prev <= 0.5 {
		t.Fatalf("good sender factor %v after 30 ham", prev)
	}
	// One odd message does not spoil a good history.
	tk := r.scan(t, good, "192.0.2.10", true, 1)
	r.observe(tk, 12)
	tk = r.scan(t, good, "192.0.2.10", true, 1)
	for _, s := range []string{reputation.SymGoodSender, reputation.SymGoodDomain, reputation.SymGoodDKIM, reputation.SymGoodNetwork} {
		if !tk.Has(s) {
			t.Errorf("good sender lost %s after one spam: %+v", s, tk.Hits())
		}
	}
	// A forged From gets no good history (not authenticated), bad counts.
	tk = r.scan(t, good, "203.0.113.9", false, 1)
	if tk.Has(reputation.SymGoodSender) || tk.Has(reputation.SymGoodDomain) {
		t.Errorf("unauthenticated copy gets good history: %+v", tk.Hits())
	}
	tk = r.scan(t, bad, "198.51.100.99", false, 1)
	for _, s := range []string{reputation.SymBadSender, reputation.SymBadDomain, reputation.SymBadNetwork, reputation.SymBadLink} {
		if !tk.Has(s) {
			t.Errorf("bad sender lacks %s: %+v", s, tk.Hits())
		}
	}
	// Feedback outweighs verdicts: a few releases turn the bad domain.
	for i := 0; i < 10; i++ {
		if err := r.a.Feedback(bg, pipeline.NewTask("f", mail.Parse(bad, mail.Limits{}), pipeline.Envelope{}, nil), pipeline.FeedbackRelease); err != nil {
			t.Fatal(err)
		}
	}
	tk = r.scan(t, bad, "198.51.100.99", false, 1)
	if tk.Has(reputation.SymBadSender) {
		t.Errorf("released sender still bad: %+v", tk.Hits())
	}
	// Decay: half a year later the evidence is too weak to say anything.
	r.now = r.now.Add(24 * 30 * 6 * time.Hour)
	tk = r.scan(t, good, "192.0.2.10", true, 1)
	if tk.Has(reputation.SymGoodSender) {
		t.Errorf("history did not decay: %+v", tk.Hits())
	}
	// A new domain spraying many recipients.
	spray := msg("promo@fresh-domain.test", "new offer")
	tk = r.scan(t, spray, "198.51.100.50", true, 20)
	if tk.Has(reputation.SymNewDomSpray) {
		t.Fatal("spray on the first 20 recipients")
	}
	r.observe(tk, 0)
	tk = r.scan(t, spray, "198.51.100.50", true, 20)
	r.observe(tk, 0)
	tk = r.scan(t, spray, "198.51.100.50", true, 20)
	if !tk.Has(reputation.SymNewDomSpray) {
		t.Errorf("no spray at 60 recipients in a day: %+v", tk.Hits())
	}
	// An established domain writing to many is not spraying.
	tk = r.scan(t, good, "192.0.2.10", true, 100)
	if tk.Has(reputation.SymNewDomSpray) {
		t.Errorf("established domain flagged as spray")
	}
}

func TestReputationMem(t *testing.T) { testReputation(t, repstore.NewMem(720*time.Hour)) }

func TestReputationSQLite(t *testing.T) {
	st, err := repstore.OpenSQLite(filepath.Join(t.TempDir(), "rep.db"), 720*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	testReputation(t, st)
}

func TestReputationRedis(t *testing.T) {
	url := redistest.Start(t)
	st, err := repstore.OpenRedis(bg, url, "t:", 720*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	testReputation(t, st)
}

// Feedback on a stored message finds its network through the first
// untrusted Received hop when the relays are configured.
func TestFeedbackNetworkFromReceived(t *testing.T) {
	cfg := config.Default()
	cfg.Reputation.Enabled = true
	cfg.Auth.TrustedRelays = []string{"192.0.2.0/24"}
	st := repstore.NewMem(720 * time.Hour)
	a := reputation.NewWithStore(cfg, st, nil)
	raw := []byte("Received: from mx (mx.example.jp [192.0.2.5]) by gw\r\nReceived: from bad (bad.example [203.0.113.77]) by mx.example.jp\r\n" +
		"From: x@spam.test\r\nSubject: s\r\n\r\nbody\r\n")
	for i := 0; i < 2; i++ {
		if err := a.Feedback(bg, pipeline.NewTask("f", mail.Parse(raw, mail.Limits{}), pipeline.Envelope{}, nil), pipeline.FeedbackReport); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := st.Get(bg, []string{"n:203.0.113.0/24"}, time.Now())
	if cs[0].Bad < 1.99 {
		t.Fatalf("network of the untrusted hop not fed: %+v", cs[0])
	}
}
