package policy

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_POLICY_OUTBOUND", Weight: 1, Group: "test", EN: "x", JA: "x", OutboundHold: true},
		pipeline.SymbolDef{Name: "TEST_POLICY_PLAIN", Weight: 1, Group: "test", EN: "x", JA: "x"},
	)
}

// The outbound hold is the policy's: the verdict that leaves DecideFor is
// final (front ends no longer look at symbol names).
func TestDecideForOutboundHold(t *testing.T) {
	user := pipeline.Envelope{AuthUser: "alice"}
	out := []pipeline.Hit{{Name: "TEST_POLICY_OUTBOUND"}}
	plain := []pipeline.Hit{{Name: "TEST_POLICY_PLAIN"}}
	cases := []struct {
		name     string
		hits     []pipeline.Hit
		env      pipeline.Envelope
		hold     OutboundHold
		disabled []string
		weights  map[string]float64
		want     pipeline.Action
		held     bool
	}{
		{"quarantine hold", out, user, NewOutboundHold("quarantine"), nil, nil, pipeline.ActionQuarantine, true},
		{"tempfail hold", out, user, NewOutboundHold("tempfail"), nil, nil, pipeline.ActionTempfail, true},
		{"default is quarantine", out, user, NewOutboundHold(""), nil, nil, pipeline.ActionQuarantine, true},
		{"not authenticated", out, pipeline.Envelope{}, NewOutboundHold("tempfail"), nil, nil, pipeline.ActionAccept, false},
		{"other symbol", plain, user, NewOutboundHold("tempfail"), nil, nil, pipeline.ActionAccept, false},
		{"disabled symbol holds nothing", out, user, NewOutboundHold("tempfail"), []string{"TEST_POLICY_OUTBOUND"}, nil, pipeline.ActionAccept, false},
		{"negative weight holds nothing", out, user, NewOutboundHold("tempfail"), nil, map[string]float64{"TEST_POLICY_OUTBOUND": -1}, pipeline.ActionAccept, false},
		{"zero weight still holds", out, user, NewOutboundHold("quarantine"), nil, map[string]float64{"TEST_POLICY_OUTBOUND": 0}, pipeline.ActionQuarantine, true},
		{"reject stays reject", []pipeline.Hit{{Name: "TEST_POLICY_OUTBOUND", Factor: 20}}, user, NewOutboundHold("quarantine"), nil, nil, pipeline.ActionReject, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pc := config.Default().Policy
			pc.FittedWeights = false
			pc.Disabled = c.disabled
			pc.Weights = c.weights
			p, err := New(pc)
			if err != nil {
				t.Fatal(err)
			}
			v := p.DecideFor(c.hits, nil, c.env, c.hold)
			if v.Action != c.want || v.OutboundHold != c.held {
				t.Errorf("action %s held %v, want %s %v", v.Action, v.OutboundHold, c.want, c.held)
			}
		})
	}
}
