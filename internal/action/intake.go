package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// Intaker takes report-phish mail (internal/report.Service).
type Intaker interface {
	Address() string
	Intake(ctx context.Context, raw []byte, env pipeline.Envelope) (string, error)
}

// intake hands mail addressed to the report address to the report
// intake. When the report address is its only recipient, the returned
// outcome is final (Taken). When others were addressed too, the report
// is taken and the mail goes on to them (rest) without the report address
// (drop).
func (p *Processor) intake(ctx context.Context, raw []byte, env pipeline.Envelope, opt Options) (o *Outcome, rest, drop []string) {
	if p.Reports == nil {
		return nil, nil, nil
	}
	addr := p.Reports.Address()
	if addr == "" {
		return nil, nil, nil
	}
	for _, r := range env.Rcpts {
		if strings.EqualFold(strings.Trim(strings.TrimSpace(r), "<>"), addr) {
			drop = append(drop, r)
		} else {
			rest = append(rest, r)
		}
	}
	if drop == nil {
		return nil, nil, nil
	}
	if int64(len(raw)) > p.Config.Serve.MaxMessageBytes {
		return nil, nil, nil // refused as too big by process
	}
	env.Frontend = opt.Frontend
	id, err := p.Reports.Intake(context.WithoutCancel(ctx), raw, env)
	if err != nil && id == "" {
		p.Log.Error("report intake failed", "frontend", opt.Frontend, "err", err)
		return &Outcome{ID: p.Engine.NewID(), Action: pipeline.ActionTempfail, Code: 451, Enhanced: "4.3.0",
			Text: "Report intake unavailable, try again later"}, nil, nil
	}
	if err != nil {
		p.Log.Warn("report stored, triage delayed", "report", id, "err", err)
	}
	p.Log.Info("report taken", "report", id, "frontend", opt.Frontend, "other_rcpts", len(rest))
	if len(rest) > 0 {
		return nil, rest, drop
	}
	return &Outcome{ID: id, Action: pipeline.ActionAccept, Taken: true, Code: 250, Enhanced: "2.0.0",
		Text: fmt.Sprintf("Ok: report received (%s)", id)}, nil, nil
}
