package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/observe"
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

// startDMARCReports wires [auth] dmarc_reports into serve: an observer of
// the final verdict records the report rows (with the action applied), and
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
	eng.Observe((&observe.DMARCReports{Store: st, Log: log}).Observe)
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
