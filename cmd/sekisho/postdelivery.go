package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/digest"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/store/lists"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// postDelivery are serve's after-delivery services: the recipients'
// allow/block lists (honoured by the policy), the report-phish intake and
// the digests.
type postDelivery struct {
	lists   *lists.Store
	reports *report.Service
	digest  *digest.Service
	// digestOn: the digest schedule runs ([digest] enabled).
	digestOn bool
}

func startPostDelivery(ctx context.Context, cfg *config.Config, eng *engine.Engine, store *quarantine.Store, rem *remediate.Remediator, log *slog.Logger) (*postDelivery, func(), error) {
	ls, err := lists.Open(ctx, store.DB(), store.Dialect(), store.Now)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	eng.SetLists(ls.Match)
	rs, err := report.New(ctx, cfg, eng, store, rem, log)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	ds, err := digest.New(ctx, cfg, store, ls, log)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	rs.Pref = ds.Pref
	return &postDelivery{lists: ls, reports: rs, digest: ds, digestOn: cfg.Digest.Enabled}, func() { ds.Close(); rs.Close() }, nil
}

// start starts the report worker and the digest schedule: after the
// console (when on) has attached its metrics, so a report stored before
// a restart and triaged at once is counted.
func (pd *postDelivery) start() {
	pd.reports.Start()
	if pd.digestOn {
		pd.digest.Start()
	}
}

// ReportCmd lists report-phish reports.
type ReportCmd struct {
	List ReportListCmd `cmd:"" help:"List reports with their triage."`
	Show ReportShowCmd `cmd:"" help:"Show one report."`
}

// ReportListCmd lists reports.
type ReportListCmd struct {
	Limit int  `default:"50"`
	JSON  bool `name:"json"`
}

// ReportShowCmd shows a report.
type ReportShowCmd struct {
	ID   string `arg:""`
	JSON bool   `name:"json"`
}

func openReports(g *Globals) (*report.Service, func(), error) {
	cfg, err := g.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	log := g.Logger(cfg)
	st, err := quarantine.Open(context.Background(), cfg, log)
	if err != nil {
		return nil, nil, err
	}
	rs, err := report.New(context.Background(), cfg, nil, st, nil, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return rs, func() { st.Close() }, nil
}

// Run implements the command.
func (c ReportListCmd) Run(g *Globals) error {
	rs, done, err := openReports(g)
	if err != nil {
		return err
	}
	defer done()
	list, err := rs.List(context.Background(), c.Limit, nil)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []*report.Report{}
		}
		return json.NewEncoder(os.Stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tSOURCE\tKIND\tREPORTER\tTRIAGE\tCATEGORY\tANSWER\tSUBJECT")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Created.Format("2006-01-02 15:04:05"), r.Source, r.Kind, r.Reporter,
			r.Triage, r.Category, r.Answer, r.Subject)
	}
	return tw.Flush()
}

// Run implements the command.
func (c ReportShowCmd) Run(g *Globals) error {
	rs, done, err := openReports(g)
	if err != nil {
		return err
	}
	defer done()
	r, err := rs.Get(context.Background(), c.ID)
	if err != nil {
		return err
	}
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Printf("report %s  %s  source %s  kind %s  reporter %s (internal %v)\n", r.ID, r.Created.Format("2006-01-02 15:04:05"), r.Source, r.Kind, r.Reporter, r.Internal)
	fmt.Printf("reported: %s  from %s  message-id %s\n", r.Subject, r.Sender, r.MessageID)
	fmt.Printf("re-scan %s: %s %s score %.2f  symbols %s\n", r.ScanID, r.Action, r.Category, r.Score, strings.Join(r.Symbols, " "))
	fmt.Printf("triage %s  learned %s  remediation %s  answer %s (%s)\n", r.Triage, r.Learned, r.RunID, r.Answer, r.Lang)
	if r.Detail != "" {
		fmt.Printf("detail: %s\n", r.Detail)
	}
	return nil
}

// DigestCmd sends held-mail digests.
type DigestCmd struct {
	Send DigestSendCmd `cmd:"" help:"Send each recipient a digest of the mail held since the last digest."`
}

// DigestSendCmd sends digests.
type DigestSendCmd struct {
	DryRun bool `name:"dry-run" help:"Print what would be sent; send nothing and keep the schedule."`
	JSON   bool `name:"json"`
}

// Run implements the command.
func (c DigestSendCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	log := g.Logger(cfg)
	st, err := quarantine.Open(context.Background(), cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ls, err := lists.Open(context.Background(), st.DB(), st.Dialect(), st.Now)
	if err != nil {
		return err
	}
	ds, err := digest.New(context.Background(), cfg, st, ls, log)
	if err != nil {
		return err
	}
	sent, err := ds.Run(context.Background(), c.DryRun)
	if c.JSON {
		if sent == nil {
			sent = []digest.Sent{}
		}
		_ = json.NewEncoder(os.Stdout).Encode(sent)
	} else {
		for _, x := range sent {
			state := "sent"
			switch {
			case c.DryRun:
				state = "would send"
			case x.Error != "":
				state = "failed: " + x.Error
			}
			fmt.Printf("%s  %s  %d held  %s\n", x.Rcpt, x.Lang, len(x.Items), state)
		}
	}
	if err == nil {
		for _, x := range sent {
			if x.Error != "" {
				return fmt.Errorf("digest: some digests were not sent")
			}
		}
	}
	return err
}
