package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/store/dmarcrep"
)

// DMARCCmd builds and sends DMARC aggregate reports.
type DMARCCmd struct {
	Since time.Duration `help:"Report the last DURATION (e.g. 24h) instead of the previous UTC day."`
	Out   string        `help:"Write the gzipped XML reports into this directory." type:"path"`
	Send  bool          `help:"Mail each report to its rua= addresses through the relay."`
	Relay string        `help:"host:port of the MTA that sends the reports (default [auth] dmarc_report_relay)."`
}

// Run implements the command.
func (c DMARCCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	if !cfg.Auth.DMARCReports {
		return errors.New("dmarc-report: nothing is recorded: set [auth] dmarc_reports = true")
	}
	if !c.Send && c.Out == "" {
		return errors.New("dmarc-report: give --out DIR and/or --send")
	}
	st, err := dmarcrep.Open(auth.ReportsPath(cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := reportOptions(cfg, c.Relay)
	if err != nil {
		return err
	}
	o.Begin, o.End = previousDay(time.Now())
	if c.Since > 0 {
		// Up to and including the current second (rows keep whole seconds).
		o.End = time.Now().Truncate(time.Second).Add(time.Second)
		o.Begin = o.End.Add(-c.Since)
	}
	o.OutDir, o.Send, o.Log = c.Out, c.Send, os.Stdout
	if o.Send && o.Relay == "" {
		return errors.New("dmarc-report: --send needs --relay or [auth] dmarc_report_relay")
	}
	reps, err := st.Run(context.Background(), o)
	if len(reps) == 0 && err == nil {
		fmt.Printf("no DMARC evaluations to report between %s and %s\n", o.Begin.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339))
	}
	return err
}

// reportOptions fills what every reporting run shares from the configuration.
func reportOptions(cfg *config.Config, relay string) (dmarcrep.RunOptions, error) {
	host := cfg.General.Hostname
	rep := dmarcrep.Reporter{OrgName: cfg.Auth.DMARCReportOrg, Email: cfg.Auth.DMARCReportEmail, Domain: host}
	if rep.OrgName == "" {
		rep.OrgName = host
	}
	if rep.Email == "" {
		rep.Email = "dmarc-noreply@" + host
	}
	if relay == "" {
		relay = cfg.Auth.DMARCReportRelay
	}
	r, err := dns.New(dns.Config{Servers: cfg.Auth.DNSServers, Timeout: cfg.Auth.DNSTimeout.Duration})
	if err != nil {
		return dmarcrep.RunOptions{}, err
	}
	return dmarcrep.RunOptions{Relay: relay, Helo: host, Reporter: rep, Resolver: r}, nil
}

// previousDay is the last full UTC day before now.
func previousDay(now time.Time) (time.Time, time.Time) {
	end := now.UTC().Truncate(24 * time.Hour)
	return end.Add(-24 * time.Hour), end
}
