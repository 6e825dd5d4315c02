// Package fuzzy recognises campaigns: messages that are near-duplicates
// of spam that was learned, reported or held, even when each copy is
// randomised (names, numbers, tracking tokens in links, shuffled
// paragraphs, word salad), and bulk mail arriving in many copies.
//
// A message's features (sig.go) are word shingles of its visible text,
// its HTML tag skeleton and its link domains, summarised by a MinHash
// signature (Broder 1997: the share of equal minima estimates the
// Jaccard similarity of the sets), plus attachment hashes. The store
// (internal/store/fuzzystore) finds the campaign of a signature through
// locality-sensitive hashing of its bands.
package fuzzy

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/fuzzystore"
)

const keyEntry = "fuzzy.entry"

// Analyzer matches messages against campaigns and learns them from the
// verdict and from feedback.
type Analyzer struct {
	st        *fuzzystore.Store
	log       *slog.Logger
	threshold float64
	heldKnown int
	bulk      int
	Now       func() time.Time
}

var (
	_ pipeline.Analyzer         = (*Analyzer)(nil)
	_ pipeline.Observer         = (*Analyzer)(nil)
	_ pipeline.Learner          = (*Analyzer)(nil)
	_ pipeline.FeedbackReceiver = (*Analyzer)(nil)
	_ pipeline.Closer           = (*Analyzer)(nil)
)

// Open opens the store [fuzzy] configures (also for the console).
func Open(cfg *config.Config, dataDir string) (*fuzzystore.Store, error) {
	c := cfg.Fuzzy
	ret := time.Duration(c.RetentionDays) * 24 * time.Hour
	var st *fuzzystore.Store
	var err error
	if c.Redis != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err = fuzzystore.OpenRedis(ctx, c.Redis, c.RedisPrefix, ret)
	} else {
		st, err = fuzzystore.OpenSQLite(fuzzystore.Path(dataDir))
	}
	if err != nil {
		return nil, fmt.Errorf("fuzzy: %w", err)
	}
	_ = st.Prune(context.Background(), time.Now().Add(-ret))
	return st, nil
}

// New builds the analyzer from [fuzzy].
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Fuzzy.Enabled {
		return nil, nil
	}
	st, err := Open(cfg, deps.DataDir)
	if err != nil {
		return nil, err
	}
	return []pipeline.Analyzer{NewWithStore(cfg, st, deps.Logger)}, nil
}

// NewWithStore builds the analyzer over a store (tests).
func NewWithStore(cfg *config.Config, st *fuzzystore.Store, log *slog.Logger) *Analyzer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := cfg.Fuzzy
	return &Analyzer{st: st, log: log, threshold: c.Threshold, heldKnown: c.HeldToKnown, bulk: c.BulkCopies, Now: time.Now}
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "fuzzy" }

// Close implements pipeline.Closer.
func (a *Analyzer) Close() error { return a.st.Close() }

func (a *Analyzer) entry(t *pipeline.Task) *fuzzystore.Entry {
	f := Extract(t.Msg)
	e := f.Entry()
	e.Subject, e.ScanID = t.Msg.Subject, t.ID
	return e
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	if t.Env.Outbound || t.Env.AuthUser != "" {
		return nil
	}
	e := a.entry(t)
	sc := &scanned{e: e}
	t.Set(keyEntry, sc)
	if !e.HasSig && len(e.Attach) == 0 {
		return nil
	}
	m, err := a.st.Lookup(ctx, e, a.threshold, a.Now())
	if err != nil {
		return fmt.Errorf("fuzzy: %w", err)
	}
	if m.Campaign != nil {
		sc.campaign, sc.sim = m.Campaign.ID, m.Similarity
	}
	if c := m.Campaign; c != nil && c.Known(a.heldKnown) {
		how := "similarity " + strconv.FormatFloat(m.Similarity, 'f', 2, 64)
		if m.ByAttach {
			how = "same attachment"
		}
		t.AddScaled(SymKnownSpam, m.Similarity, "campaign "+c.ID, how, strconv.Itoa(c.Size)+" copies")
	}
	if n := m.Copies + 1; n >= a.bulk {
		t.Add(SymBulk, strconv.Itoa(n)+" copies in the last hour")
	}
	return nil
}

// Observe implements pipeline.Observer: live inbound mail counts in the
// bulk counters and in the campaign it belongs to; held mail (quarantine
// or reject) joins or starts a campaign with its scan id, so the console
// can act on the held copies of a campaign.
func (a *Analyzer) Observe(ctx context.Context, r *pipeline.Result) {
	if r.Env.Flow != pipeline.FlowMail || r.Env.Outbound || r.Env.AuthUser != "" {
		return
	}
	v, _ := r.Get(keyEntry)
	sc, _ := v.(*scanned)
	if sc == nil || !sc.e.HasSig && len(sc.e.Attach) == 0 {
		return
	}
	e := sc.e
	now := a.Now()
	if err := a.st.CountBulk(ctx, e, now); err != nil {
		a.log.Warn("fuzzy bulk", "msg_id", r.ID, "err", err)
	}
	k := fuzzystore.Seen
	if r.Verdict.Action == pipeline.ActionQuarantine || r.Verdict.Action == pipeline.ActionReject {
		k = fuzzystore.Held
	}
	var err error
	switch {
	case sc.campaign != "":
		err = a.st.RecordIn(ctx, sc.campaign, sc.sim, e, k, now)
	case k == fuzzystore.Held:
		_, err = a.st.Record(ctx, e, k, a.threshold, now)
	}
	if err != nil {
		a.log.Warn("fuzzy record", "msg_id", r.ID, "err", err)
	}
}

// scanned is what Analyze leaves for Observe.
type scanned struct {
	e        *fuzzystore.Entry
	campaign string
	sim      float64
}

// Learn implements pipeline.Learner.
func (a *Analyzer) Learn(ctx context.Context, t *pipeline.Task, spam bool) error {
	f := pipeline.FeedbackHam
	if spam {
		f = pipeline.FeedbackSpam
	}
	return a.Feedback(ctx, t, f)
}

// Feedback implements pipeline.FeedbackReceiver: learned or reported spam
// joins or starts a campaign; ham and releases count against the campaign
// they match (a campaign with as much ham as spam is not known spam).
func (a *Analyzer) Feedback(ctx context.Context, t *pipeline.Task, f pipeline.Feedback) error {
	e := a.entry(t)
	k := fuzzystore.Ham
	switch f {
	case pipeline.FeedbackSpam:
		k = fuzzystore.Learned
	case pipeline.FeedbackReport:
		k = fuzzystore.Reported
	}
	if _, err := a.st.Record(ctx, e, k, a.threshold, a.Now()); err != nil {
		return fmt.Errorf("fuzzy: %w", err)
	}
	return nil
}

// CampaignStore returns the analyzer's store (the console lists and acts
// on campaigns through it).
func (a *Analyzer) CampaignStore() *fuzzystore.Store { return a.st }
