package action_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

// TestSealSecondHop: a message sealed by a first hop goes through the
// real auth analyzer and the processor of a second; the second seal's
// cv= comes from the verdict's typed ARC result (pass).
func TestSealSecondHop(t *testing.T) {
	srv := dnstest.Start(t)
	key1, _ := srv.DKIMKey(t, "hop1", "relay.example")
	key2, _ := srv.DKIMKey(t, "hop2", "gw.example.jp")
	res := srv.Resolver(t)
	raw := []byte("From: a@partner.example\r\nTo: b@example.jp\r\nSubject: hello\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <x@partner.example>\r\n\r\nbody\r\n")
	first := &action.Sealer{Domain: "relay.example", Selector: "hop1", Key: key1}
	o1 := &action.Outcome{Action: pipeline.ActionAccept, Headers: []pipeline.HeaderField{
		{Name: "Authentication-Results", Value: "relay.example; spf=pass smtp.mailfrom=partner.example"}}}
	hs, err := first.Seal(raw, o1, "relay.example")
	if err != nil || len(hs) != 3 {
		t.Fatalf("first seal: %v %v", hs, err)
	}
	sealed := action.ApplyToMessage(raw, append(hs, o1.Headers...), nil, nil)

	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	as, err := authz.NewWithResolver(cfg, res)
	if err != nil {
		t.Fatal(err)
	}
	p := &action.Processor{Engine: enginetest.Only(t, cfg, as...), Config: cfg, Log: slog.New(slog.DiscardHandler),
		Sealer: &action.Sealer{Domain: "gw.example.jp", Selector: "hop2", Key: key2}}
	o := p.Process(context.Background(), sealed, pipeline.Envelope{}, action.Options{Frontend: pipeline.FrontendMilter})
	var arcRes string
	if o.Result.Verdict.Auth != nil {
		for _, m := range o.Result.Verdict.Auth.Methods {
			if m.Method == "arc" {
				arcRes = m.Result
			}
		}
	}
	if arcRes != "pass" || !o.Result.Verdict.Has("ARC_PASS") {
		t.Fatalf("incoming chain: auth arc=%q, symbols %v", arcRes, o.Result.Verdict.Symbols)
	}
	var seal string
	for _, h := range o.Headers {
		if h.Name == "ARC-Seal" {
			seal = h.Value
		}
	}
	if !strings.Contains(seal, "i=2") || !strings.Contains(seal, "cv=pass") {
		t.Fatalf("second seal %q; headers %v", seal, o.Headers)
	}
}
