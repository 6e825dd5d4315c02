// Package feed (analyzer) matches every message against the indicators
// of the configured threat feeds ([[feeds]], docs/feeds.md): links
// (URL, host and its parent domains, link IP addresses), envelope sender,
// From, Sender and Reply-To addresses and their domains, the client and
// Received addresses, and the MD5, SHA-1 and SHA-256 of attachments.
// Indicators come from the store that `sekisho feeds update` and serve's
// poller fill (internal/feed); the analyzer holds an in-memory index and
// rebuilds it when the store's version changes.
package feed

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	ifeed "github.com/sekisho/sekisho/internal/feed"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// refreshEvery is how often the store's version is checked.
const refreshEvery = 5 * time.Second

type stat struct {
	queries, hits, latencyNS atomic.Int64
	errors, loaded           atomic.Int64
}

// Analyzer matches messages against the feeds' indicators.
type Analyzer struct {
	st      *ifeed.Store
	feeds   map[string]config.Feed
	order   []string
	stats   map[string]*stat
	m       atomic.Pointer[ifeed.Matcher]
	version atomic.Int64
	stop    chan struct{}
	wg      sync.WaitGroup
	log     func(msg string, args ...any)
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Closer   = (*Analyzer)(nil)
)

// New builds the analyzer when feeds are configured.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if len(cfg.Feeds) == 0 {
		return nil, nil
	}
	st, err := ifeed.OpenStore(context.Background(), ifeed.StorePath(deps.DataDir))
	if err != nil {
		return nil, err
	}
	a := &Analyzer{st: st, feeds: map[string]config.Feed{}, stats: map[string]*stat{}, log: func(string, ...any) {}}
	if deps.Logger != nil {
		a.log = deps.Logger.Warn
	}
	for _, f := range cfg.Feeds {
		f = f.WithFeedDefaults()
		a.feeds[f.Name] = f
		a.order = append(a.order, f.Name)
		a.stats[f.Name] = &stat{}
		if f.OwnSymbol {
			sym := OwnSymbol(f.Name)
			if _, ok := pipeline.Lookup(sym); !ok {
				pipeline.Register(pipeline.SymbolDef{Name: sym, Weight: 5, Category: pipeline.CategorySpam, Group: "feed",
					EN: "An indicator of the threat feed " + f.Name + " is in the message",
					JA: "脅威フィード " + f.Name + " のインジケーターがメッセージに含まれている"})
			}
		}
	}
	if err := a.reload(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	a.stop = make(chan struct{})
	a.wg.Add(1)
	go a.refresher()
	return []pipeline.Analyzer{a}, nil
}

// NewWithMatcher builds the analyzer over a given index (benchmarks).
func NewWithMatcher(feeds []config.Feed, m *ifeed.Matcher) *Analyzer {
	a := &Analyzer{feeds: map[string]config.Feed{}, stats: map[string]*stat{}, log: func(string, ...any) {}}
	for _, f := range feeds {
		f = f.WithFeedDefaults()
		a.feeds[f.Name] = f
		a.order = append(a.order, f.Name)
		a.stats[f.Name] = &stat{}
	}
	a.m.Store(m)
	return a
}

// Name implements pipeline.Analyzer.
func (*Analyzer) Name() string { return "feed" }

// Close implements pipeline.Closer.
func (a *Analyzer) Close() error {
	if a.stop != nil {
		close(a.stop)
	}
	a.wg.Wait()
	if a.st == nil {
		return nil
	}
	return a.st.Close()
}

// reload rebuilds the index from the store when its version changed.
func (a *Analyzer) reload(ctx context.Context) error {
	v, err := a.st.Version(ctx)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	if cur := a.m.Load(); cur != nil && v == a.version.Load() {
		a.loadStates(ctx)
		return nil
	}
	var rows []ifeed.Row
	if err := a.st.Each(ctx, ifeed.Now(), func(r ifeed.Row) {
		if _, ok := a.feeds[r.Feed]; ok {
			rows = append(rows, r)
		}
	}); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	counts := map[string]int64{}
	for _, r := range rows {
		counts[r.Feed]++
	}
	for n, s := range a.stats {
		s.loaded.Store(counts[n])
	}
	a.m.Store(ifeed.NewMatcher(ifeed.Indicators(rows)))
	a.version.Store(v)
	a.loadStates(ctx)
	return nil
}

func (a *Analyzer) loadStates(ctx context.Context) {
	sts, err := a.st.States(ctx)
	if err != nil {
		return
	}
	for n, s := range a.stats {
		s.errors.Store(sts[n].Errors)
	}
}

// refresher checks the store's version every refreshEvery and rebuilds
// the index when it changed; scans keep using the current index meanwhile.
func (a *Analyzer) refresher() {
	defer a.wg.Done()
	tk := time.NewTicker(refreshEvery)
	defer tk.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-tk.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := a.reload(ctx); err != nil {
			a.log("feed: reloading indicators failed", "err", err)
		}
		cancel()
	}
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(_ context.Context, t *pipeline.Task) error {
	m := a.m.Load()
	if m == nil || m.Len() == 0 {
		return nil
	}
	start := time.Now()
	obs := ifeed.Observables(ifeed.Source{Msg: t.Msg, MailFrom: t.Env.MailFrom, ClientIP: t.Env.ClientIP})
	hits := m.Match(obs, ifeed.Now())
	took := time.Since(start)
	for _, n := range m.Feeds() {
		if s := a.stats[n]; s != nil {
			s.queries.Add(1)
			s.latencyNS.Add(int64(took))
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Feed != hits[j].Feed {
			return hits[i].Feed < hits[j].Feed
		}
		return hits[i].Ref < hits[j].Ref
	})
	hitFeeds := map[string]bool{}
	for _, h := range hits {
		f := a.feeds[h.Feed]
		if !hitFeeds[h.Feed] {
			hitFeeds[h.Feed] = true
			if s := a.stats[h.Feed]; s != nil {
				s.hits.Add(1)
			}
		}
		sym := SymbolFor(h.Kind)
		if f.OwnSymbol {
			sym = OwnSymbol(f.Name)
		}
		opt := h.Feed + ": " + h.Kind + " " + h.Value + " (" + h.Where + ")"
		if h.Name != "" {
			opt += " " + h.Name
		}
		t.AddScaled(sym, f.Weight, opt)
	}
	return nil
}

// OwnSymbol is the symbol of a feed with own_symbol: FEED_<NAME>.
func OwnSymbol(name string) string {
	return "FEED_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// SymbolFor is the symbol of a hit of indicator kind k.
func SymbolFor(k string) string {
	switch k {
	case ifeed.KindURL:
		return SymURL
	case ifeed.KindDomain:
		return SymDomain
	case ifeed.KindIP:
		return SymIP
	case ifeed.KindEmail:
		return SymEmail
	}
	return SymHash
}

// EachList reports each feed's counters (metrics.ListReporter): queries
// are messages checked, hits messages with an indicator of the feed,
// errors failed updates, latency the (shared) index lookup time.
func (a *Analyzer) EachList(f func(kind, list string, queries, hits, errors uint64, latency time.Duration)) {
	for _, n := range a.order {
		s := a.stats[n]
		f("feed", n, uint64(s.queries.Load()), uint64(s.hits.Load()), uint64(s.errors.Load()), time.Duration(s.latencyNS.Load()))
	}
}

// EachListSize reports the indicators loaded per feed (metrics.ListSizer).
func (a *Analyzer) EachListSize(f func(kind, list string, entries int64)) {
	for _, n := range a.order {
		f("feed", n, a.stats[n].loaded.Load())
	}
}
