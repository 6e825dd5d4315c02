package policy

import (
	"github.com/sekisho/sekisho/internal/pipeline"
)

// OutboundHold is how the policy holds an authenticated sender's mail
// when outbound abuse tracking fires ([serve.outbound] hold_action). The
// zero value holds in quarantine.
type OutboundHold struct {
	// Tempfail answers "try again later" instead of quarantining.
	Tempfail bool
}

// NewOutboundHold reads [serve.outbound] hold_action ("quarantine", the
// default, or "tempfail"; config validation refuses anything else).
func NewOutboundHold(holdAction string) OutboundHold {
	return OutboundHold{Tempfail: holdAction == string(pipeline.ActionTempfail)}
}

// DecideFor is Decide for one message with its envelope: the verdict that
// leaves it is final, outbound hold included. Front ends apply it as it is.
func (p *Policy) DecideFor(hits []pipeline.Hit, tempfail []string, env pipeline.Envelope, hold OutboundHold) pipeline.Verdict {
	v := p.Decide(hits, tempfail)
	hold.apply(&v, env)
	return v
}

// apply holds the mail of an authenticated sender (SASL user) when a
// symbol marked OutboundHold scored (a disabled symbol is not on the
// verdict, so it holds nothing): tempfail, or at least quarantine.
func (h OutboundHold) apply(v *pipeline.Verdict, env pipeline.Envelope) {
	if env.AuthUser == "" {
		return
	}
	fired := false
	for _, s := range v.Symbols {
		if d, ok := pipeline.Lookup(s.Name); ok && d.OutboundHold && s.Score >= 0 {
			fired = true
			break
		}
	}
	if !fired {
		return
	}
	v.OutboundHold = true
	if h.Tempfail {
		v.Action = pipeline.ActionTempfail
	} else if v.Action.Rank() < pipeline.ActionQuarantine.Rank() {
		v.Action = pipeline.ActionQuarantine
	}
}
