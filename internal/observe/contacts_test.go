package observe_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/observe"
	"github.com/sekisho/sekisho/internal/pipeline"
)

const contactsConfig = `
[general]
domains = ["example.co.jp"]
[sender]
protected_domains = ["partner-corp.co.jp"]
min_history = 2
`

func contactsEngine(t *testing.T, weights map[string]float64) *engine.Engine {
	t.Helper()
	cfg, err := config.Parse(contactsConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.General.DataDir = t.TempDir()
	for k, v := range weights {
		if cfg.Policy.Weights == nil {
			cfg.Policy.Weights = map[string]float64{}
		}
		cfg.Policy.Weights[k] = v
	}
	// Only the sender analyzer; the registered observers (the contacts
	// learner among them) as in production.
	e, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{sender.New}, Observers: engine.RegisteredObservers()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func scanSyms(t *testing.T, e *engine.Engine, raw string, env pipeline.Envelope) map[string]float64 {
	t.Helper()
	r := e.Scan(context.Background(), []byte(strings.ReplaceAll(raw, "\n", "\r\n")), env)
	m := map[string]float64{}
	for _, s := range r.Verdict.Symbols {
		m[s.Name] = s.Score
	}
	return m
}

func msg(from, subject, body string) string {
	return "From: " + from + "\nTo: keiri@example.co.jp\nSubject: " + subject +
		"\nDate: Mon, 10 Mar 2025 10:00:00 +0900\nMessage-ID: <" + strings.ReplaceAll(from, " ", "") +
		"@t>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n" + body + "\n"
}

// TestContactsLearning: the history is learned after the verdict from the
// mail flow (pipeline.FlowMail) and from 'learn --ham', never from
// scan/eval; the sender analyzer only reads it.
func TestContactsLearning(t *testing.T) {
	e := contactsEngine(t, nil)
	flow := pipeline.Envelope{Frontend: pipeline.FrontendMilter, Flow: pipeline.FlowMail, Rcpts: []string{"keiri@example.co.jp"}}
	// No history yet: no first contact.
	if got := scanSyms(t, e, msg("A <a@one.example>", "hello", "hi"), flow); got[sender.SymFirstContact] != 0 {
		t.Errorf("first contact without history")
	}
	scanSyms(t, e, msg("B <b@two.example>", "hello", "hi"), flow)
	// Now the recipient has history: a new sender is a first contact...
	got := scanSyms(t, e, msg("C <c@three.example>", "hello", "hi"), flow)
	if got[sender.SymFirstContact] == 0 || got[sender.SymFirstContact] > 0.5 {
		t.Errorf("first contact: %v", got)
	}
	// ...but the learned ones and their domains are not.
	for _, from := range []string{"A <a@one.example>", "Other <other@two.example>"} {
		if got := scanSyms(t, e, msg(from, "hello", "hi"), flow); got[sender.SymFirstContact] != 0 {
			t.Errorf("%s: first contact after learning", from)
		}
	}
	// Outbound mail teaches its recipients.
	out := pipeline.Envelope{Frontend: pipeline.FrontendMilter, Flow: pipeline.FlowMail, Outbound: true, MailFrom: "keiri@example.co.jp", Rcpts: []string{"d@four.example"}}
	e.Scan(context.Background(), []byte("From: keiri@example.co.jp\r\nTo: d@four.example\r\nSubject: x\r\nMessage-ID: <out1@example.co.jp>\r\n\r\nx\r\n"), out)
	if got := scanSyms(t, e, msg("D <d@four.example>", "Re: x", "ok"), flow); got[sender.SymFirstContact] != 0 {
		t.Errorf("outbound correspondent is a first contact")
	}
	// An offline scan (scan, eval: FlowOffline, whatever the front-end
	// name) learns nothing.
	for _, fe := range []string{pipeline.FrontendCLI, pipeline.FrontendMilter} {
		off := pipeline.Envelope{Frontend: fe, Rcpts: []string{"keiri@example.co.jp"}}
		scanSyms(t, e, msg("E <e@five.example>", "hello", "hi"), off)
		if got := scanSyms(t, e, msg("E <e@five.example>", "hello", "hi"), off); got[sender.SymFirstContact] == 0 {
			t.Errorf("offline scan as %s learned", fe)
		}
	}
	// 'learn --ham' teaches.
	if err := e.Learn(context.Background(), []byte("From: F <f@six.example>\r\nTo: keiri@example.co.jp\r\nSubject: x\r\n\r\nx\r\n"), false); err != nil {
		t.Fatal(err)
	}
	if got := scanSyms(t, e, msg("F <f@six.example>", "hello", "hi"), pipeline.Envelope{Frontend: pipeline.FrontendCLI}); got[sender.SymFirstContact] != 0 {
		t.Errorf("learned ham sender is a first contact")
	}
	// A suspicious message is not learned.
	scanSyms(t, e, msg("Amazon Shipping <g@seven.example>", "hello", "hi"), flow)
	if got := scanSyms(t, e, msg("Amazon Shipping <g@seven.example>", "hello", "hi"), flow); got[sender.SymFirstContact] == 0 {
		t.Errorf("impersonating sender was learned")
	}
}

// TestContactsReadRealScore: the learner reads the policy's score, not
// default weights: with the brand symbol weighted down in
// [policy.weights], the same message teaches its sender.
func TestContactsReadRealScore(t *testing.T) {
	e := contactsEngine(t, map[string]float64{sender.SymDisplayBrand: 0.1, sender.SymFirstContact: 0, sender.SymFirstContactImp: 0})
	flow := pipeline.Envelope{Frontend: pipeline.FrontendMilter, Flow: pipeline.FlowMail, Rcpts: []string{"keiri@example.co.jp"}}
	scanSyms(t, e, msg("A <a@one.example>", "hello", "hi"), flow)
	scanSyms(t, e, msg("B <b@two.example>", "hello", "hi"), flow)
	first := scanSyms(t, e, msg("Amazon Shipping <g@seven.example>", "hello", "hi"), flow)
	if _, ok := first[sender.SymDisplayBrand]; !ok {
		t.Fatalf("brand not claimed: %v", first)
	}
	if _, ok := scanSyms(t, e, msg("Amazon Shipping <g@seven.example>", "hello", "hi"), flow)[sender.SymFirstContact]; ok {
		t.Errorf("sender under the warning score (policy weights) not learned")
	}
}

// TestContactsHeldOutboundTeachesNothing: outbound mail the policy held
// was not sent; its recipients are not correspondents.
func TestContactsHeldOutboundTeachesNothing(t *testing.T) {
	e := contactsEngine(t, nil)
	held := &pipeline.Result{ID: "x", Msg: e.Parse([]byte("From: keiri@example.co.jp\r\nTo: z@held.example\r\nSubject: x\r\n\r\nx\r\n")),
		Env:     pipeline.Envelope{Flow: pipeline.FlowMail, Outbound: true, MailFrom: "keiri@example.co.jp", Rcpts: []string{"z@held.example"}},
		Verdict: pipeline.Verdict{Action: pipeline.ActionQuarantine, OutboundHold: true}}
	cfg, _ := config.Parse(contactsConfig)
	cfg.General.DataDir = t.TempDir()
	obs, err := observe.NewContacts(cfg, pipeline.Deps{DataDir: cfg.General.DataDir})
	if err != nil || len(obs) != 1 {
		t.Fatal(obs, err)
	}
	c := obs[0].(*observe.Contacts)
	defer c.Close()
	c.Observe(context.Background(), held)
	if k, err := c.Store.Known(context.Background(), "keiri@example.co.jp", "z@held.example"); err != nil || k.AddrSeen {
		t.Fatalf("held outbound mail taught its recipient: %+v %v", k, err)
	}
	held.Verdict = pipeline.Verdict{Action: pipeline.ActionAccept}
	c.Observe(context.Background(), held)
	if k, err := c.Store.Known(context.Background(), "keiri@example.co.jp", "z@held.example"); err != nil || !k.AddrSeen {
		t.Fatalf("delivered outbound mail did not teach its recipient: %+v %v", k, err)
	}
}

// TestContactsLearnFromServedMail: what a front end hands the action step
// is the mail flow (the Processor sets FlowMail): it teaches the history;
// the same message scanned offline would not.
func TestContactsLearnFromServedMail(t *testing.T) {
	e := contactsEngine(t, nil)
	p := &action.Processor{Engine: e, Config: e.Config(), Log: slog.New(slog.DiscardHandler)}
	env := pipeline.Envelope{Rcpts: []string{"keiri@example.co.jp"}}
	serve := func(from string) {
		raw := []byte(strings.ReplaceAll(msg(from, "hello", "hi"), "\n", "\r\n"))
		if o := p.Process(context.Background(), raw, env, action.Options{Frontend: pipeline.FrontendSMTP}); o.Result == nil {
			t.Fatal("no result")
		}
	}
	serve("A <a@one.example>")
	serve("B <b@two.example>")
	if got := scanSyms(t, e, msg("A <a@one.example>", "hello", "hi"), env); got[sender.SymFirstContact] != 0 {
		t.Errorf("served sender not learned: %v", got)
	}
	if got := scanSyms(t, e, msg("C <c@three.example>", "hello", "hi"), env); got[sender.SymFirstContact] == 0 {
		t.Errorf("history not learned from served mail: %v", got)
	}
}
