package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/dmarcrep"
)

// nextReportRun is the next 00:05 UTC after now.
func nextReportRun(now time.Time) time.Time {
	next := now.UTC().Truncate(24 * time.Hour).Add(5 * time.Minute)
	if !next.After(now) {
		next = next.Add(24 * time.Hour)
	}
	return next
}

// dmarcDisposition is what a DMARC aggregate report calls the action
// applied: delivered is "none", tagged or held is "quarantine".
func dmarcDisposition(a pipeline.Action) (string, bool) {
	switch a {
	case pipeline.ActionAccept:
		return "none", true
	case pipeline.ActionTag, pipeline.ActionQuarantine:
		return "quarantine", true
	case pipeline.ActionReject:
		return "reject", true
	}
	return "", false // tempfail: the message comes back later
}

// startDMARCReports wires [auth] dmarc_reports into serve: the action
// finally applied is written on the rows the auth analyzer recorded, and
// with a relay the previous UTC day's reports are sent a few minutes after
// midnight. It returns a function that closes the store.
func startDMARCReports(ctx context.Context, cfg *config.Config, eng *engine.Engine, log *slog.Logger) (func(), error) {
	if !cfg.Auth.DMARCReports {
		return func() {}, nil
	}
	st, err := dmarcrep.Open(auth.ReportsPath(cfg))
	if err != nil {
		return nil, err
	}
	eng.Observe(func(r *pipeline.Result) {
		hasDMARC := false
		for _, s := range r.Verdict.Symbols {
			if strings.HasPrefix(s.Name, "DMARC_") {
				hasDMARC = true
				break
			}
		}
		if d, ok := dmarcDisposition(r.Verdict.Action); ok && hasDMARC {
			if err := st.SetDisposition(context.Background(), r.ID, d); err != nil {
				log.Warn("dmarc report: disposition not recorded", "msg_id", r.ID, "err", err)
			}
		}
	})
	if cfg.Auth.DMARCReportRelay != "" {
		o, err := reportOptions(cfg, "")
		if err != nil {
			st.Close()
			return nil, err
		}
		go func() {
			for {
				next := nextReportRun(time.Now())
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(next)):
				}
				o.Begin, o.End = previousDay(time.Now())
				o.Send = true
				var sb strings.Builder
				o.Log = &sb
				if _, err := st.Run(ctx, o); err != nil {
					log.Warn("dmarc report: sending failed", "err", err, "detail", sb.String())
				} else {
					log.Info("dmarc reports sent", "detail", sb.String())
				}
				if _, err := st.Prune(ctx, o.Begin.Add(-7*24*time.Hour)); err != nil {
					log.Warn("dmarc report: prune failed", "err", err)
				}
			}
		}()
	}
	return func() { st.Close() }, nil
}
