package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/feed"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// FeedsCmd manages the threat feeds ([[feeds]], docs/feeds.md).
type FeedsCmd struct {
	List   FeedsListCmd   `cmd:"" help:"List the configured feeds with their indicators and last update."`
	Update FeedsUpdateCmd `cmd:"" help:"Fetch feeds now (all, or those named) and retro-hunt the history and quarantine for new indicators."`
	Hunt   FeedsHuntCmd   `cmd:"" help:"Search the scan history and quarantine for the feeds' indicators and list the matches (message-ids for sekisho remediate)."`
}

// FeedsListCmd lists feeds.
type FeedsListCmd struct {
	JSON bool `name:"json"`
}

// FeedsUpdateCmd updates feeds.
type FeedsUpdateCmd struct {
	Names  []string `arg:"" optional:"" help:"Feed names (default: all)."`
	NoHunt bool     `name:"no-hunt" help:"Do not retro-hunt for the new indicators."`
	JSON   bool     `name:"json"`
}

// FeedsHuntCmd runs or lists retro-hunts.
type FeedsHuntCmd struct {
	Feed      []string      `name:"feed" help:"Only indicators of this feed (repeatable)."`
	Since     time.Duration `name:"since" help:"Only messages received within this long (default: everything stored)."`
	Max       int           `name:"max" default:"100000" help:"Messages searched at most (newest first)."`
	Recorded  bool          `name:"recorded" help:"List the matches recorded by earlier hunts (serve's included) instead of searching."`
	Remediate bool          `name:"remediate" help:"Start a dry-run remediation of the matches' Message-IDs (needs [remediate]); apply it with sekisho remediate apply."`
	JSON      bool          `name:"json" help:"JSON lines."`
}

func openFeeds(g *Globals) (*config.Config, *feed.Store, error) {
	cfg, err := g.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	if len(cfg.Feeds) == 0 {
		return nil, nil, errors.New("feeds: none configured ([[feeds]] tables)")
	}
	st, err := feed.OpenStore(context.Background(), feed.StorePath(cfg.General.DataDir))
	return cfg, st, err
}

// Run implements the command.
func (c FeedsListCmd) Run(g *Globals) error {
	cfg, st, err := openFeeds(g)
	if err != nil {
		return err
	}
	defer st.Close()
	states, err := st.States(context.Background())
	if err != nil {
		return err
	}
	type row struct {
		Name       string    `json:"name"`
		Type       string    `json:"type"`
		Source     string    `json:"source"`
		Indicators int64     `json:"indicators"`
		LastUpdate time.Time `json:"last_update,omitzero"`
		LastOK     time.Time `json:"last_ok,omitzero"`
		Updates    int64     `json:"updates"`
		Errors     int64     `json:"errors"`
		LastError  string    `json:"last_error,omitempty"`
	}
	var rows []row
	for _, f := range cfg.Feeds {
		s := states[f.Name]
		src := f.URL
		if src == "" {
			src = f.Path
		}
		rows = append(rows, row{f.Name, f.Type, src, s.Count, s.LastUpdate, s.LastOK, s.Updates, s.Errors, s.LastError})
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range rows {
			enc.Encode(r)
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tINDICATORS\tLAST UPDATE\tLAST OK\tERRORS\tLAST ERROR")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\n", r.Name, r.Type, r.Indicators, fmtTime(r.LastUpdate), fmtTime(r.LastOK), r.Errors, r.LastError)
	}
	return tw.Flush()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func feedFetcher() *feed.Fetcher {
	return &feed.Fetcher{Client: &http.Client{Timeout: 5 * time.Minute}}
}

// Run implements the command.
func (c FeedsUpdateCmd) Run(g *Globals) error {
	cfg, st, err := openFeeds(g)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	res, err := feed.UpdateAll(ctx, st, feedFetcher(), cfg.Feeds, c.Names, nil)
	if err != nil {
		return err
	}
	if len(c.Names) == 0 {
		// Indicators of feeds no longer configured go.
		states, err := st.States(ctx)
		if err != nil {
			return err
		}
		for name := range states {
			known := false
			for _, f := range cfg.Feeds {
				known = known || f.Name == name
			}
			if !known {
				if err := st.Forget(ctx, name); err != nil {
					return err
				}
				fmt.Printf("%s: no longer configured, indicators removed\n", name)
			}
		}
	}
	added := map[string][]feed.Indicator{}
	var failed []string
	for _, r := range res {
		if r.Err != nil {
			failed = append(failed, r.Feed)
			fmt.Fprintf(os.Stderr, "%s: %v\n", r.Feed, r.Err)
		}
		added[r.Feed] = r.Added
		if !c.JSON {
			fmt.Printf("%s: %d new, %d expired, %d skipped (%v)\n", r.Feed, len(r.Added), r.Expired, r.Skipped, r.Took.Round(time.Millisecond))
		}
	}
	if !c.NoHunt {
		q, err := quarantine.Open(ctx, cfg, g.Logger(cfg))
		if err != nil {
			return fmt.Errorf("feeds: hunt: %w", err)
		}
		ms, err := feed.HuntNew(ctx, st, q, feed.MailLimits(cfg), added)
		q.Close()
		if err != nil {
			return err
		}
		printMatches(ms, c.JSON)
	}
	if len(failed) > 0 {
		return fmt.Errorf("feeds: update failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// Run implements the command.
func (c FeedsHuntCmd) Run(g *Globals) error {
	cfg, st, err := openFeeds(g)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	var since time.Time
	if c.Since > 0 {
		since = time.Now().Add(-c.Since)
	}
	if c.Recorded {
		ms, err := st.Matches(ctx, time.Time{}, 10000)
		if err != nil {
			return err
		}
		var keep []feed.Match
		for _, m := range ms {
			if (len(c.Feed) == 0 || feedHas(c.Feed, m.Feed)) && !m.Received.Before(since) {
				keep = append(keep, m)
			}
		}
		printMatches(keep, c.JSON)
		return c.remediate(g, cfg, nil, keep)
	}
	want := map[string]bool{}
	for _, f := range c.Feed {
		want[f] = true
	}
	var rows []feed.Row
	if err := st.Each(ctx, feed.Now(), func(r feed.Row) {
		if len(want) == 0 || want[r.Feed] {
			rows = append(rows, r)
		}
	}); err != nil {
		return err
	}
	q, err := quarantine.Open(ctx, cfg, g.Logger(cfg))
	if err != nil {
		return fmt.Errorf("feeds: hunt: %w", err)
	}
	defer q.Close()
	ms, err := feed.Hunt(ctx, q, feed.NewMatcher(feed.Indicators(rows)), feed.MailLimits(cfg), since, c.Max)
	if err != nil {
		return err
	}
	if _, err := st.AddMatches(ctx, ms); err != nil {
		return err
	}
	printMatches(ms, c.JSON)
	return c.remediate(g, cfg, q, ms)
}

// remediate starts a dry-run remediation of the matches' Message-IDs.
func (c FeedsHuntCmd) remediate(g *Globals, cfg *config.Config, q *quarantine.Store, ms []feed.Match) error {
	if !c.Remediate {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, m := range ms {
		if m.MessageID != "" && !seen[m.MessageID] {
			seen[m.MessageID] = true
			ids = append(ids, m.MessageID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ctx := context.Background()
	if q == nil {
		var err error
		if q, err = quarantine.Open(ctx, cfg, g.Logger(cfg)); err != nil {
			return err
		}
		defer q.Close()
	}
	r, err := remediate.New(ctx, cfg, q, g.Logger(cfg))
	if err != nil {
		return fmt.Errorf("feeds: hunt --remediate: %w", err)
	}
	defer r.Close()
	run, err := r.Run(ctx, remediate.Request{MessageIDs: ids, DryRun: true, Trigger: "feed", By: "cli", Reason: "feed retro-hunt"})
	if err != nil {
		return fmt.Errorf("feeds: hunt --remediate: %w", err)
	}
	fmt.Fprintf(os.Stderr, "remediation %s: %s (apply it with: sekisho remediate apply %s)\n", run.ID, run.State, run.ID)
	return nil
}

func feedHas(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// printMatches lists matches and the message-ids to hand to
// `sekisho remediate run`.
func printMatches(ms []feed.Match, asJSON bool) {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Received.After(ms[j].Received) })
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, m := range ms {
			enc.Encode(m)
		}
		return
	}
	if len(ms) == 0 {
		fmt.Println("retro-hunt: no stored message carries the indicators")
		return
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STORED ID\tKIND\tRECEIVED\tMESSAGE-ID\tSENDER\tFEED\tINDICATOR\tWHERE")
	var ids []string
	seen := map[string]bool{}
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s %s\t%s\n", m.StoreID, m.MsgKind, fmtTime(m.Received), m.MessageID, m.Sender, m.Feed, m.Kind, m.Value, m.Where)
		if m.MessageID != "" && !seen[m.MessageID] {
			seen[m.MessageID] = true
			ids = append(ids, m.MessageID)
		}
	}
	tw.Flush()
	if len(ids) > 0 {
		var b strings.Builder
		b.WriteString("remediate: sekisho remediate run --trigger feed --reason \"feed retro-hunt\"")
		for _, id := range ids {
			fmt.Fprintf(&b, " --message-id '%s'", strings.ReplaceAll(id, "'", ""))
		}
		fmt.Println(b.String())
	}
}

// startFeeds runs the feed poller under serve: each feed is updated when
// its interval has passed since its last update (so a restart does not
// fetch everything again), and new indicators are retro-hunted in the
// history and quarantine, the matches recorded and logged.
func startFeeds(ctx context.Context, cfg *config.Config, q *quarantine.Store, log *slog.Logger) (func(), error) {
	if len(cfg.Feeds) == 0 {
		return func() {}, nil
	}
	st, err := feed.OpenStore(ctx, feed.StorePath(cfg.General.DataDir))
	if err != nil {
		return nil, fmt.Errorf("serve: feeds: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	fe := feedFetcher()
	limits := feed.MailLimits(cfg)
	var huntMu sync.Mutex
	for _, f := range cfg.Feeds {
		f = f.WithFeedDefaults()
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait := time.Duration(0)
			if sts, err := st.States(ctx); err == nil {
				if lu := sts[f.Name].LastUpdate; !lu.IsZero() {
					wait = max(0, time.Until(lu.Add(f.Interval.Duration)))
				}
			}
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				wait = f.Interval.Duration
				r := feed.Update(ctx, st, fe, f)
				if r.Err != nil {
					log.Warn("feed update failed", "feed", f.Name, "err", r.Err)
				} else {
					log.Info("feed updated", "feed", f.Name, "new", len(r.Added), "expired", r.Expired, "skipped", r.Skipped, "took", r.Took)
				}
				if len(r.Added) == 0 || ctx.Err() != nil {
					continue
				}
				huntMu.Lock()
				ms, err := feed.HuntNew(ctx, st, q, limits, map[string][]feed.Indicator{f.Name: r.Added})
				huntMu.Unlock()
				if err != nil {
					log.Warn("feed retro-hunt failed", "feed", f.Name, "err", err)
					continue
				}
				for _, m := range ms {
					log.Warn("feed retro-hunt: stored message carries a new indicator", "feed", m.Feed, "stored_id", m.StoreID,
						"kind", m.MsgKind, "message_id", m.MessageID, "indicator", m.Kind+" "+m.Value)
				}
			}
		}()
	}
	return func() {
		cancel()
		wg.Wait()
		st.Close()
	}, nil
}
