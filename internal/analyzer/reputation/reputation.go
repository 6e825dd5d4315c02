// Package reputation is sekisho's learned reputation (after Rspamd's
// reputation module and mox's per-account junk history): for the sender
// address, the sender's registrable domain, the DKIM-signing domain
// aligned with From, the sending network (IPv4 /24, IPv6 /64) and the
// registrable domains of links, it keeps decayed counts of verdicts (ham,
// spam, malware) and of feedback (learn, release, report) in
// internal/store/repstore, and reports REP_GOOD_* and REP_BAD_* symbols
// whose scores grow with the evidence.
//
// Good history only counts for what is authenticated: the address and
// domain need DKIM aligned with From or an SPF pass for a MAIL FROM in the
// From domain, so a forged From gains nothing from its owner's history.
// Bad history counts whatever the authentication. A verdict teaches by its
// score without the REP_ symbols' own part, so reputation does not feed
// on itself; only live mail (pipeline.FlowMail) teaches.
package reputation

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/auth/received"
	"github.com/sekisho/sekisho/internal/auth/spf"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/repstore"
)

// Bounds.
const (
	maxLinkDomains = 10
	minObs         = 3.0 // fewer weighted observations say nothing
)

// Key kinds (the prefix of a store key).
const (
	kindSender  = "a:"
	kindDomain  = "d:"
	kindDKIM    = "k:"
	kindNetwork = "n:"
	kindLink    = "u:"
)

// Analyzer reads reputation during the scan and learns it from the verdict
// and from feedback.
type Analyzer struct {
	st       repstore.Store
	log      *slog.Logger
	minEv    float64
	fw       float64
	sprayN   int
	sprayWin time.Duration
	tag      float64
	own      []string
	trust    received.Trust
	Now      func() time.Time
}

var (
	_ pipeline.Analyzer         = (*Analyzer)(nil)
	_ pipeline.Staged           = (*Analyzer)(nil)
	_ pipeline.Observer         = (*Analyzer)(nil)
	_ pipeline.Learner          = (*Analyzer)(nil)
	_ pipeline.FeedbackReceiver = (*Analyzer)(nil)
	_ pipeline.Closer           = (*Analyzer)(nil)
)

// New builds the analyzer from [reputation].
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	c := cfg.Reputation
	if !c.Enabled {
		return nil, nil
	}
	var st repstore.Store
	var err error
	if c.Redis != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err = repstore.OpenRedis(ctx, c.Redis, c.RedisPrefix, c.HalfLife.Duration)
	} else {
		var s *repstore.SQLite
		s, err = repstore.OpenSQLite(repstore.Path(deps.DataDir), c.HalfLife.Duration)
		if err == nil {
			// Rows not written for eight half-lives are worth < 1/256.
			_ = s.Prune(context.Background(), time.Now().Add(-8*c.HalfLife.Duration))
			st = s
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reputation: %w", err)
	}
	return []pipeline.Analyzer{NewWithStore(cfg, st, deps.Logger)}, nil
}

// NewWithStore builds the analyzer over a store (tests).
func NewWithStore(cfg *config.Config, st repstore.Store, log *slog.Logger) *Analyzer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := cfg.Reputation
	a := &Analyzer{st: st, log: log, minEv: c.MinEvidence, fw: c.FeedbackWeight, sprayN: c.SprayRecipients,
		sprayWin: c.SprayWindow.Duration, tag: cfg.Policy.TagScore, Now: time.Now}
	if a.minEv < minObs {
		a.minEv = 20
	}
	if hosts, nets, err := cfg.Auth.TrustedRelayHostsAndNets(); err == nil {
		a.trust = received.Trust{Hosts: hosts, Nets: nets}
	}
	for _, d := range cfg.General.Domains {
		a.own = append(a.own, strings.ToLower(strings.TrimSuffix(d, ".")))
	}
	return a
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "reputation" }

// Stage implements pipeline.Staged: after authentication.
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageLate }

// Close implements pipeline.Closer.
func (a *Analyzer) Close() error { return a.st.Close() }

// keyed is a store key with its kind and whether good history may count.
type keyed struct {
	key  string
	kind string
	auth bool
}

// keys derives the reputation keys of a message.
func (a *Analyzer) keys(m *mail.Message, env pipeline.Envelope, res *auth.Results, urls []mail.URL) []keyed {
	var out []keyed
	from, ok := m.PrimaryFromAddress()
	fromReg := ""
	if ok && from.Domain != "" {
		fromReg = namestat.Registrable(strings.TrimSuffix(from.Domain, "."))
		if fromReg == "" {
			fromReg = from.Domain
		}
	}
	aligned, spfOK := "", false
	if res != nil && fromReg != "" {
		for _, d := range res.DKIM {
			if d.Status == dkim.Pass && !d.Testing && regOf(d.Domain) == fromReg {
				aligned = fromReg
				break
			}
		}
		if res.SPFDone && res.SPF.Status == spf.Pass && res.SPF.Identity == "mailfrom" && regOf(res.SPF.Domain) == fromReg {
			spfOK = true
		}
	}
	authd := aligned != "" || spfOK
	if ok && from.Addr != "" && !a.isOwn(fromReg) {
		out = append(out, keyed{kindSender + strings.ToLower(from.Addr), kindSender, authd},
			keyed{kindDomain + fromReg, kindDomain, authd})
	}
	if aligned != "" && !a.isOwn(fromReg) {
		out = append(out, keyed{kindDKIM + aligned, kindDKIM, true})
	}
	ip := env.ClientIP
	if res != nil && res.HasClient {
		ip = res.Client.IP
	}
	if n := network(ip); n != "" {
		out = append(out, keyed{kindNetwork + n, kindNetwork, true})
	}
	seen := map[string]bool{}
	for _, u := range urls {
		if len(seen) >= maxLinkDomains {
			break
		}
		h := strings.TrimSuffix(u.Host, ".")
		if h == "" {
			continue
		}
		r := regOf(h)
		if r == "" || seen[r] || a.isOwn(r) {
			continue
		}
		seen[r] = true
		out = append(out, keyed{kindLink + r, kindLink, false})
	}
	return out
}

func regOf(h string) string {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if _, err := netip.ParseAddr(h); err == nil {
		return h
	}
	if r := namestat.Registrable(h); r != "" {
		return r
	}
	return h
}

func (a *Analyzer) isOwn(d string) bool {
	for _, o := range a.own {
		if d == o || strings.HasSuffix(d, "."+o) {
			return true
		}
	}
	return false
}

// network is the /24 (IPv4) or /64 (IPv6) of a public address.
func network(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return ""
	}
	bits := 24
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

func authResults(get func(string) (any, bool)) *auth.Results {
	v, _ := get(auth.KeyResults)
	r, _ := v.(*auth.Results)
	return r
}

func recipients(env pipeline.Envelope, m *mail.Message) int {
	if n := len(env.Rcpts); n > 0 {
		return n
	}
	if n := len(m.To) + len(m.Cc); n > 0 {
		return n
	}
	return 1
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	if t.Env.Outbound || t.Env.AuthUser != "" {
		return nil
	}
	ks := a.keys(t.Msg, t.Env, authResults(t.Get), t.URLs())
	if len(ks) == 0 {
		return nil
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.key
	}
	now := a.Now()
	cs, err := a.st.Get(ctx, names, now)
	if err != nil {
		return fmt.Errorf("reputation: %w", err)
	}
	worstLink, worstLinkName := 0.0, ""
	for i, k := range ks {
		c := cs[i]
		if k.kind == kindDomain {
			a.spray(t, k.key, c, now)
		}
		bad, good := a.judge(c)
		switch {
		case bad > 0 && k.kind == kindLink:
			if bad > worstLink {
				worstLink, worstLinkName = bad, strings.TrimPrefix(k.key, kindLink)
			}
		case bad > 0:
			t.AddScaled(badSym[k.kind], bad, strings.TrimPrefix(k.key, k.kind), evidence(c))
		case good > 0 && k.auth && k.kind != kindLink:
			t.AddScaled(goodSym[k.kind], good, strings.TrimPrefix(k.key, k.kind), evidence(c))
		}
	}
	if worstLink > 0 {
		t.AddScaled(SymBadLink, worstLink, worstLinkName)
	}
	return nil
}

var (
	badSym  = map[string]string{kindSender: SymBadSender, kindDomain: SymBadDomain, kindDKIM: SymBadDKIM, kindNetwork: SymBadNetwork, kindLink: SymBadLink}
	goodSym = map[string]string{kindSender: SymGoodSender, kindDomain: SymGoodDomain, kindDKIM: SymGoodDKIM, kindNetwork: SymGoodNetwork}
)

func evidence(c repstore.Counts) string {
	return "ham=" + strconv.FormatFloat(c.Ham, 'f', 1, 64) + " spam=" + strconv.FormatFloat(c.Spam+c.Malware, 'f', 1, 64) +
		" fb+" + strconv.FormatFloat(c.Good, 'f', 1, 64) + " fb-" + strconv.FormatFloat(c.Bad, 'f', 1, 64)
}

// judge turns counts into a bad and a good factor in [0, 1]: how far the
// smoothed share of bad observations is beyond 70 % (or below 20 %),
// times the evidence up to min_evidence.
func (a *Analyzer) judge(c repstore.Counts) (bad, good float64) {
	g := c.Ham + a.fw*c.Good
	b := c.Spam + 2*c.Malware + a.fw*c.Bad
	n := g + b
	if n < minObs {
		return 0, 0
	}
	ev := math.Min(1, n/a.minEv)
	p := (b + 0.5) / (n + 1)
	switch {
	case p >= 0.7:
		return ev * math.Min(1, (p-0.5)/0.5), 0
	case p <= 0.2:
		return 0, ev * math.Min(1, (0.5-p)/0.5)
	}
	return 0, 0
}

// spray reports a new domain writing to many recipients.
func (a *Analyzer) spray(t *pipeline.Task, key string, c repstore.Counts, now time.Time) {
	if c.Good > 0 || c.Ham >= 10 {
		return // vouched for, or an established correspondent
	}
	if c.Known && now.Sub(c.First) > a.sprayWin {
		return
	}
	n := int(math.Round(c.Rcpts)) + recipients(t.Env, t.Msg)
	if n >= a.sprayN {
		t.Add(SymNewDomSpray, strings.TrimPrefix(key, kindDomain), strconv.Itoa(n)+" recipients")
	}
}

// Observe implements pipeline.Observer: live inbound mail teaches its
// keys by the verdict's score without the REP_ symbols: spam at the tag
// score or more, malware by category, ham below half the tag score.
func (a *Analyzer) Observe(ctx context.Context, r *pipeline.Result) {
	if r.Env.Flow != pipeline.FlowMail || r.Msg == nil || r.Env.Outbound || r.Env.AuthUser != "" {
		return
	}
	base := r.Verdict.Score
	for _, s := range r.Verdict.Symbols {
		if s.Name == pipeline.SymAnalyzerError || s.Name == pipeline.SymAnalyzerTimeout || s.Name == pipeline.SymScanTimeout {
			return
		}
		if strings.HasPrefix(s.Name, "REP_") {
			base -= s.Score
		}
	}
	d := repstore.Delta{Rcpts: float64(recipients(r.Env, r.Msg))}
	switch {
	case r.Verdict.Category == pipeline.CategoryMalware:
		d.Malware = 1
	case base >= a.tag:
		d.Spam = 1
	case base < a.tag/2:
		d.Ham = 1
	}
	a.record(ctx, r.ID, a.keys(r.Msg, r.Env, authResults(r.Get), r.URLs), d)
}

func (a *Analyzer) record(ctx context.Context, id string, ks []keyed, d repstore.Delta) {
	if len(ks) == 0 {
		return
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.key
	}
	if err := a.st.Record(ctx, names, d, a.Now()); err != nil {
		a.log.Warn("reputation record", "msg_id", id, "err", err)
	}
}

// hop finds the sending client of a message learned from a file: the
// first untrusted Received hop when [auth] trusted_relays says which hops
// are ours (nil otherwise). It carries no authentication results, so
// feedback never makes a DKIM key.
func (a *Analyzer) hop(t *pipeline.Task) *auth.Results {
	if t.Env.ClientIP.IsValid() || a.trust.Empty() {
		return nil
	}
	var hops []received.Hop
	for _, v := range t.Msg.Headers.Values("Received") {
		if len(hops) >= 30 {
			break
		}
		hops = append(hops, received.Parse(v))
	}
	if i, ok := received.FirstUntrusted(hops, a.trust); ok && hops[i].IP.IsValid() {
		return &auth.Results{HasClient: true, Client: auth.Client{IP: hops[i].IP}}
	}
	return nil
}

// Learn implements pipeline.Learner.
func (a *Analyzer) Learn(ctx context.Context, t *pipeline.Task, spam bool) error {
	f := pipeline.FeedbackHam
	if spam {
		f = pipeline.FeedbackSpam
	}
	return a.Feedback(ctx, t, f)
}

// Feedback implements pipeline.FeedbackReceiver: learn ham and release
// count as good, learn spam and report as bad, each feedback_weight
// verdicts.
func (a *Analyzer) Feedback(ctx context.Context, t *pipeline.Task, f pipeline.Feedback) error {
	d := repstore.Delta{Good: 1}
	if f.Spam() {
		d = repstore.Delta{Bad: 1}
	}
	ks := a.keys(t.Msg, t.Env, a.hop(t), t.Msg.URLs)
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.key
	}
	if len(names) == 0 {
		return nil
	}
	if err := a.st.Record(ctx, names, d, a.Now()); err != nil {
		return fmt.Errorf("reputation: %w", err)
	}
	return nil
}
