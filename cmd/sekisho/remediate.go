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
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// startRemediate hooks automatic post-delivery remediation into serve
// when [remediate] is enabled.
func startRemediate(ctx context.Context, cfg *config.Config, eng *engine.Engine, store *quarantine.Store, log *slog.Logger) (*remediate.Remediator, func(), error) {
	if !cfg.Remediate.Enabled {
		return nil, func() {}, nil
	}
	r, err := remediate.New(ctx, cfg, store, log)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	r.Start()
	eng.Observe(r.Observe)
	// Remediation finds copies through the scan history (recorded by
	// the console, or by recordHistory without it).
	return r, r.Close, nil
}

// RemediateCmd manages post-delivery remediation.
type RemediateCmd struct {
	Run   RemediateRunCmd   `cmd:"" help:"Find delivered copies (by Message-ID, attachment SHA-256 or stored message) and move or delete them."`
	List  RemediateListCmd  `cmd:"" help:"List remediation runs."`
	Show  RemediateShowCmd  `cmd:"" help:"Show one run with what was done in each mailbox."`
	Apply RemediateApplyCmd `cmd:"" help:"Carry out a dry run."`
	Undo  RemediateUndoCmd  `cmd:"" help:"Put the copies of a run back where they were."`
}

// RemediateRunCmd starts a run.
type RemediateRunCmd struct {
	MessageID []string `name:"message-id" help:"Message-ID to look for (repeatable)."`
	Hash      []string `name:"hash" help:"Attachment SHA-256 to look for in the scan history (repeatable)."`
	Stored    string   `name:"stored" help:"Id of a stored message (history or quarantine): its Message-ID and attachments."`
	Mailbox   []string `name:"mailbox" help:"Also search this mailbox (repeatable)."`
	Action    string   `name:"action" enum:",move,delete" default:"" help:"move or delete (default: remediate.action)."`
	DryRun    bool     `name:"dry-run" help:"Only record what would be done."`
	Trigger   string   `name:"trigger" default:"cli" help:"What decided it: cli, feed, campaign, report (recorded)."`
	Reason    string   `name:"reason" help:"Why (recorded)."`
	JSON      bool     `name:"json" help:"Print the run as JSON."`
}

// RemediateListCmd lists runs.
type RemediateListCmd struct {
	Limit int  `default:"50"`
	JSON  bool `name:"json"`
}

// RemediateShowCmd shows a run.
type RemediateShowCmd struct {
	ID   string `arg:""`
	JSON bool   `name:"json"`
}

// RemediateApplyCmd applies a dry run.
type RemediateApplyCmd struct {
	ID   string `arg:""`
	JSON bool   `name:"json"`
}

// RemediateUndoCmd undoes a run.
type RemediateUndoCmd struct {
	ID   string `arg:""`
	JSON bool   `name:"json"`
}

func openRemediator(g *Globals) (*remediate.Remediator, func(), error) {
	cfg, err := g.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	if !cfg.Remediate.Enabled {
		return nil, nil, remediate.ErrDisabled
	}
	log := g.Logger(cfg)
	st, err := quarantine.Open(context.Background(), cfg, log)
	if err != nil {
		return nil, nil, err
	}
	r, err := remediate.New(context.Background(), cfg, st, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return r, func() { r.Close(); st.Close() }, nil
}

// Run implements the command.
func (c RemediateRunCmd) Run(g *Globals) error {
	r, done, err := openRemediator(g)
	if err != nil {
		return err
	}
	defer done()
	run, err := r.Run(context.Background(), remediate.Request{MessageIDs: c.MessageID, Hashes: c.Hash, SourceID: c.Stored,
		Mailboxes: c.Mailbox, Action: c.Action, DryRun: c.DryRun, Trigger: c.Trigger, By: cliUser(), Reason: c.Reason})
	if run != nil {
		printRun(run, c.JSON)
	}
	if err == nil && run.State != remediate.RunDone && run.State != remediate.RunDryRun {
		err = fmt.Errorf("remediate: run %s %s", run.ID, run.State)
	}
	return err
}

// Run implements the command.
func (c RemediateListCmd) Run(g *Globals) error {
	r, done, err := openRemediator(g)
	if err != nil {
		return err
	}
	defer done()
	runs, err := r.Runs(context.Background(), c.Limit)
	if err != nil {
		return err
	}
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(runs)
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tTRIGGER\tBY\tACTION\tSTATE\tMAILBOXES")
	for _, x := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", x.ID, x.Created.Format("2006-01-02 15:04:05"), x.Trigger, x.By, x.Action, x.State, len(x.Mailboxes))
	}
	return tw.Flush()
}

// Run implements the command.
func (c RemediateShowCmd) Run(g *Globals) error {
	r, done, err := openRemediator(g)
	if err != nil {
		return err
	}
	defer done()
	run, err := r.Get(context.Background(), c.ID)
	if err != nil {
		return err
	}
	printRun(run, c.JSON)
	return nil
}

// Run implements the command.
func (c RemediateApplyCmd) Run(g *Globals) error {
	r, done, err := openRemediator(g)
	if err != nil {
		return err
	}
	defer done()
	run, err := r.Apply(context.Background(), c.ID, cliUser())
	if run != nil {
		printRun(run, c.JSON)
	}
	return err
}

// Run implements the command.
func (c RemediateUndoCmd) Run(g *Globals) error {
	r, done, err := openRemediator(g)
	if err != nil {
		return err
	}
	defer done()
	run, err := r.Undo(context.Background(), c.ID, cliUser())
	if run != nil {
		printRun(run, c.JSON)
	}
	return err
}

func printRun(run *remediate.Run, asJSON bool) {
	if asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(run)
		return
	}
	fmt.Printf("run %s  trigger %s  by %s  action %s  dry-run %v  state %s\n", run.ID, run.Trigger, run.By, run.Action, run.DryRun, run.State)
	fmt.Printf("message-ids: %s\n", strings.Join(run.MessageIDs, " "))
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MAILBOX\tFOLDER\tMESSAGE-ID\tSTATE\tERROR")
	for _, it := range run.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Mailbox, it.Folder, it.MessageID, it.State, it.Error)
	}
	tw.Flush()
}
