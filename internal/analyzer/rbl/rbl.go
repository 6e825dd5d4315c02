// Package rbl asks DNS block and allow lists about a message: the
// connecting client and the first untrusted Received hop (IP lists:
// Spamhaus ZEN, Barracuda, SpamCop, Mailspike, UCEPROTECT level 1,
// DNSWL), the registrable domains of links, envelope sender, From,
// Reply-To and HELO (domain lists: Spamhaus DBL, SURBL multi, URIBL
// multi), and hashes of e-mail addresses, attachments and crypto-currency
// wallets (Spamhaus HBL, with a DQS key), plus lists the administrator
// adds.
//
// Query formats are the DNSBL convention (RFC 5782 §2.1: reversed IPv4
// octets, §2.4: reversed IPv6 nibbles; §2.2: domains as they are, here
// the registrable domain by the public suffix list). Each list's return
// codes are decoded as its operator documents them; answers meaning
// "blocked resolver", "over quota" or "bad query" (Spamhaus
// 127.255.255.x and DBL 127.0.1.255, SURBL and URIBL 127.0.0.1, DNSWL
// 127.0.0.255) and any answer outside 127.0.0.0/8 are errors, never hits.
// A DNS failure is never a hit either.
//
// Queries run concurrently, bounded in number and wall time per message;
// answers are cached by the resolver for their TTL; a list that fails
// three times in a row is rested for a back-off period so that a scan
// without network is not slowed.
package rbl

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/auth/received"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Resolver is what the analyzer needs from DNS (*dns.Resolver has it).
type Resolver interface {
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
}

// NSMXResolver is what NS/MX lookups of link domains need
// (*dns.Resolver has it).
type NSMXResolver interface {
	LookupNS(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// maxNSMXHosts bounds the NS/MX domains added per message.
const maxNSMXHosts = 8

// Bounds of what is taken from one message.
const (
	maxDomains  = 24
	maxEmails   = 8
	maxFiles    = 8
	maxWallets  = 5
	maxTextScan = 256 << 10
	failLimit   = 3
)

// Stat is one list's counters (for metrics).
type Stat struct {
	List    string
	Queries uint64 // queries sent (cache hits included)
	Hits    uint64 // answers that were listings
	Errors  uint64 // DNS failures, time-outs, refusal codes, lists skipped after failures
	Latency time.Duration
}

type state struct {
	List
	queries, hits, errors atomic.Uint64
	latencyNS             atomic.Int64
	fails                 atomic.Int32
	restUntil             atomic.Int64 // unix nanoseconds
}

// Analyzer asks the lists.
type Analyzer struct {
	res     Resolver
	lists   []*state
	trust   received.Trust
	own     []string
	budget  time.Duration
	maxQ    int
	conc    int
	backoff time.Duration
	now     func() time.Time
	nsmx    int // link domains whose NS/MX are asked about; 0 off
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
)

// New builds the analyzer from [rbl].
func New(cfg *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.RBL.Enabled {
		return nil, nil
	}
	servers := cfg.RBL.DNSServers
	if len(servers) == 0 {
		servers = cfg.Auth.DNSServers
	}
	ce := cfg.RBL.CacheEntries
	if ce == 0 {
		ce = -1
	}
	r, err := dns.New(dns.Config{Servers: servers, Timeout: cfg.RBL.Timeout.Duration, CacheEntries: ce})
	if err != nil {
		return nil, fmt.Errorf("rbl: %w", err)
	}
	a, err := NewWithResolver(cfg, r)
	if err != nil {
		return nil, err
	}
	return []pipeline.Analyzer{a}, nil
}

// NewWithResolver builds the analyzer over a given resolver (tests).
func NewWithResolver(cfg *config.Config, r Resolver) (*Analyzer, error) {
	c := cfg.RBL
	hosts, nets, err := cfg.Auth.TrustedRelayHostsAndNets()
	if err != nil {
		return nil, err
	}
	a := &Analyzer{res: r, trust: received.Trust{Hosts: hosts, Nets: nets}, budget: c.Budget.Duration,
		maxQ: c.MaxQueries, conc: c.Concurrency, backoff: c.Backoff.Duration, now: time.Now}
	if c.NSMX {
		a.nsmx = c.NSMXDomains
		if a.nsmx == 0 {
			a.nsmx = 4
		}
	}
	for _, d := range cfg.General.Domains {
		a.own = append(a.own, strings.ToLower(strings.TrimSuffix(d, ".")))
	}
	if a.budget <= 0 {
		a.budget = 1500 * time.Millisecond
	}
	if a.maxQ <= 0 {
		a.maxQ = 64
	}
	if a.conc <= 0 {
		a.conc = 16
	}
	if a.backoff <= 0 {
		a.backoff = time.Minute
	}
	for _, n := range c.Lists {
		for _, l := range Builtin(n, c.DQSKey) {
			a.lists = append(a.lists, &state{List: l})
		}
	}
	for _, cl := range c.Custom {
		hits, err := config.ParseRBLCodes(cl.Codes)
		if err != nil {
			return nil, fmt.Errorf("rbl: custom %s: %w", cl.Name, err)
		}
		ref, err := config.ParseRBLCodes(cl.Refused)
		if err != nil {
			return nil, fmt.Errorf("rbl: custom %s: %w", cl.Name, err)
		}
		w := cl.Weight
		if w == 0 {
			w = 2
		}
		sym, cat, en, ja := "RBL_"+cl.Name, pipeline.CategorySpam, "Listed on the administrator's list "+cl.Zone, "管理者が追加したリスト "+cl.Zone+" に登録されている"
		if w < 0 {
			sym, cat, en, ja = "RWL_"+cl.Name, pipeline.CategoryClean, "On the administrator's allow list "+cl.Zone, "管理者が追加した許可リスト "+cl.Zone+" に登録されている"
		}
		if _, ok := pipeline.Lookup(sym); !ok {
			pipeline.Register(pipeline.SymbolDef{Name: sym, Weight: w, Category: cat, Group: "rbl", EN: en, JA: ja})
		}
		k := KindIP
		if cl.Kind == "domain" {
			k = KindDomain
		}
		a.lists = append(a.lists, &state{List: List{Name: strings.ToLower(cl.Name), Zone: strings.Trim(strings.ToLower(cl.Zone), "."),
			Kind: k, IPv6: true, Decode: custom(sym, hits, ref)}})
	}
	return a, nil
}

// Name implements pipeline.Analyzer.
func (*Analyzer) Name() string { return "rbl" }

// Stage implements pipeline.Staged: after the extract stage, so the
// Received path is known, alongside the other main analyzers.
func (*Analyzer) Stage() pipeline.Stage { return pipeline.StageMain }

// Stats returns each list's counters.
func (a *Analyzer) Stats() []Stat {
	out := make([]Stat, 0, len(a.lists))
	for _, l := range a.lists {
		out = append(out, Stat{List: l.Name, Queries: l.queries.Load(), Hits: l.hits.Load(), Errors: l.errors.Load(),
			Latency: time.Duration(l.latencyNS.Load())})
	}
	return out
}

// target is one thing asked about.
type target struct {
	kind   Kind
	ip     netip.Addr
	key    string  // domain, or hash label
	shown  string  // evidence: what was asked and where it came from
	link   bool    // a link's domain
	factor float64 // score factor; 0 means 1 (NS/MX of a link: 0.5)
}

type query struct {
	l      *state
	name   string
	shown  string
	factor float64
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	if t.Env.Outbound || t.Env.AuthUser != "" {
		return nil // our own users' mail
	}
	ts := a.targets(t)
	if a.nsmx > 0 {
		ts = append(ts, a.nsmxTargets(ctx, t, ts)...)
	}
	var qs []query
	seen := map[string]bool{}
	for _, kind := range []Kind{KindIP, KindDomain, KindEmail, KindFile, KindWallet} {
		for _, tg := range ts {
			if tg.kind != kind {
				continue
			}
			for _, l := range a.lists {
				if l.Kind != kind || (kind == KindIP && tg.ip.Is6() && !l.IPv6) {
					continue
				}
				label := tg.key
				if kind == KindIP {
					label = reverseIP(tg.ip)
				}
				name := label + "." + l.Zone
				if seen[name] {
					continue
				}
				seen[name] = true
				qs = append(qs, query{l: l, name: name, shown: tg.shown, factor: tg.factor})
			}
		}
	}
	if len(qs) > a.maxQ {
		t.Logger.Debug("rbl: query bound reached", "queries", len(qs), "max", a.maxQ)
		qs = qs[:a.maxQ]
	}
	if len(qs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, a.budget)
	defer cancel()
	type hit struct {
		sym, shown string
		factor     float64
	}
	var (
		mu   sync.Mutex
		hits []hit
		wg   sync.WaitGroup
		sem  = make(chan struct{}, a.conc)
	)
	for _, q := range qs {
		if until := q.l.restUntil.Load(); until != 0 && a.now().UnixNano() < until {
			q.l.errors.Add(1) // resting after failures: not asked, not a hit
			continue
		}
		wg.Add(1)
		go func(q query) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				q.l.errors.Add(1)
				return
			}
			defer func() { <-sem }()
			syms := a.ask(ctx, t, q)
			if len(syms) > 0 {
				mu.Lock()
				for _, s := range syms {
					f := q.factor
					if f == 0 {
						f = 1
					}
					hits = append(hits, hit{s, q.shown, f})
				}
				mu.Unlock()
			}
		}(q)
	}
	wg.Wait()
	sort.Slice(hits, func(i, j int) bool {
		return hits[i].sym < hits[j].sym || hits[i].sym == hits[j].sym && hits[i].shown < hits[j].shown
	})
	for _, h := range hits {
		t.AddScaled(h.sym, h.factor, h.shown)
	}
	return nil
}

// ask sends one query and decodes the answer.
func (a *Analyzer) ask(ctx context.Context, t *pipeline.Task, q query) []string {
	l := q.l
	l.queries.Add(1)
	start := time.Now()
	addrs, err := a.res.LookupA(ctx, q.name)
	l.latencyNS.Add(int64(time.Since(start)))
	if err != nil {
		if dns.IsNotFound(err) {
			l.fails.Store(0)
			return nil
		}
		l.errors.Add(1)
		if l.fails.Add(1) >= failLimit {
			l.restUntil.Store(a.now().Add(a.backoff).UnixNano())
			l.fails.Store(0)
			t.Logger.Warn("rbl: list failing, resting it", "list", l.Name, "for", a.backoff, "err", err)
		} else {
			t.Logger.Debug("rbl: query failed", "list", l.Name, "err", err)
		}
		return nil
	}
	l.fails.Store(0)
	var syms []string
	for _, ad := range addrs {
		ans := l.Decode(ad)
		if ans.refused {
			l.errors.Add(1)
			t.Logger.Warn("rbl: list refused the query (blocked resolver, over quota or bad query)", "list", l.Name, "answer", ad.String())
			return nil
		}
		syms = append(syms, ans.syms...)
	}
	if len(syms) > 0 {
		l.hits.Add(1)
	}
	return syms
}

var (
	walletRes = []*regexp.Regexp{
		regexp.MustCompile(`\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b`), // Bitcoin base58
		regexp.MustCompile(`\bbc1[02-9ac-hj-np-z]{11,71}\b`),      // Bitcoin bech32
		regexp.MustCompile(`\b0x[0-9a-fA-F]{40}\b`),               // Ethereum
	}
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// hashLabel is the HBL query label: SHA-256, base32 without padding.
func hashLabel(b []byte) string {
	s := sha256.Sum256(b)
	return strings.ToLower(b32.EncodeToString(s[:]))
}

// normEmail lower-cases an address for hashing and drops a "+tag";
// Gmail ignores dots in the local part and googlemail.com is gmail.com.
func normEmail(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return ""
	}
	local, dom := addr[:at], addr[at+1:]
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if dom == "googlemail.com" {
		dom = "gmail.com"
	}
	if dom == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + dom
}

// targets gathers what to ask about, bounded.
func (a *Analyzer) targets(t *pipeline.Task) []target {
	var out []target
	// IP: the connecting client, or the first untrusted Received hop when
	// the client is one of our relays or unknown (a stored file).
	client := t.Env.ClientIP
	if client.IsValid() && !a.trust.IPTrusted(client) {
		if !received.Reserved(client) {
			out = append(out, target{kind: KindIP, ip: client.Unmap(), shown: client.Unmap().String() + " (client)"})
		}
	} else if !a.trust.Empty() {
		var hops []received.Hop
		for i, v := range t.Msg.Headers.Values("Received") {
			if i >= 50 {
				break
			}
			hops = append(hops, received.Parse(v))
		}
		if i, ok := received.FirstUntrusted(hops, a.trust); ok && !received.Reserved(hops[i].IP) {
			ip := hops[i].IP.Unmap()
			out = append(out, target{kind: KindIP, ip: ip, shown: ip.String() + " (received)"})
		}
	}
	// Domains, sender side first.
	doms := map[string]bool{}
	addDom := func(host, src string) {
		host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
		if host == "" || len(doms) >= maxDomains {
			return
		}
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			return
		}
		d := namestat.Registrable(host)
		if d == "" || doms[d] || a.ownDomain(d) {
			return
		}
		doms[d] = true
		out = append(out, target{kind: KindDomain, key: d, shown: d + " (" + src + ")", link: src == "link"})
	}
	emails := map[string]bool{}
	addEmail := func(addr, src string) {
		n := normEmail(addr)
		if n == "" || emails[n] || len(emails) >= maxEmails {
			return
		}
		emails[n] = true
		out = append(out, target{kind: KindEmail, key: hashLabel([]byte(n)), shown: n + " (" + src + ")"})
	}
	if mf := t.Env.MailFrom; mf != "" {
		if i := strings.LastIndexByte(mf, '@'); i >= 0 {
			addDom(mf[i+1:], "envelope sender")
		}
		addEmail(mf, "envelope sender")
	}
	for _, f := range t.Msg.From {
		addDom(f.Domain, "from")
		addEmail(f.Addr, "from")
	}
	for _, f := range t.Msg.ReplyTo {
		addDom(f.Domain, "reply-to")
		addEmail(f.Addr, "reply-to")
	}
	if h := t.Env.Helo; strings.Contains(h, ".") {
		addDom(h, "helo")
	}
	for _, u := range t.Msg.URLs {
		if u.Scheme == "mailto" {
			addr := u.Raw
			if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
				addr = addr[7:]
			}
			if i := strings.IndexAny(addr, "?#"); i >= 0 {
				addr = addr[:i]
			}
			addEmail(addr, "mailto link")
			continue
		}
		addDom(u.Host, "link")
	}
	// Attachments and wallets.
	nf := 0
	for _, p := range t.Msg.Attachments {
		if nf >= maxFiles || len(p.Body) == 0 {
			continue
		}
		nf++
		name := p.Filename
		if name == "" {
			name = "part " + p.Path
		}
		out = append(out, target{kind: KindFile, key: hashLabel(p.Body), shown: name + " (attachment)"})
	}
	text := t.Msg.Text
	if len(text) > maxTextScan {
		text = text[:maxTextScan]
	}
	wallets := map[string]bool{}
	for _, re := range walletRes {
		for _, w := range re.FindAllString(text, maxWallets) {
			if len(wallets) >= maxWallets || wallets[w] {
				continue
			}
			wallets[w] = true
			out = append(out, target{kind: KindWallet, key: hashLabel([]byte(w)), shown: w + " (wallet)"})
		}
	}
	return out
}

// nsmxTargets looks up the NS and MX hosts of the first link domains
// (within a share of the budget, concurrently) and returns their
// registrable domains as domain targets scored at half weight. A failed
// lookup adds nothing.
func (a *Analyzer) nsmxTargets(ctx context.Context, t *pipeline.Task, ts []target) []target {
	r, ok := a.res.(NSMXResolver)
	if !ok {
		return nil
	}
	have := map[string]bool{}
	var links []string
	for _, tg := range ts {
		if tg.kind == KindDomain {
			have[tg.key] = true
			if tg.link && len(links) < a.nsmx {
				links = append(links, tg.key)
			}
		}
	}
	if len(links) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, a.budget/2)
	defer cancel()
	type found struct{ host, rel, link string }
	var (
		mu  sync.Mutex
		fs  []found
		wg  sync.WaitGroup
		sem = make(chan struct{}, a.conc)
	)
	ask := func(link, rel string) {
		defer wg.Done()
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-sem }()
		var hosts []string
		if rel == "NS" {
			ns, err := r.LookupNS(ctx, link)
			if err != nil {
				t.Logger.Debug("rbl: NS lookup failed", "domain", link, "err", err)
				return
			}
			hosts = ns
		} else {
			mx, err := r.LookupMX(ctx, link)
			if err != nil {
				t.Logger.Debug("rbl: MX lookup failed", "domain", link, "err", err)
				return
			}
			for _, m := range mx {
				hosts = append(hosts, m.Host)
			}
		}
		mu.Lock()
		for i, h := range hosts {
			if i >= 4 {
				break
			}
			fs = append(fs, found{h, rel, link})
		}
		mu.Unlock()
	}
	for _, l := range links {
		wg.Add(2)
		go ask(l, "NS")
		go ask(l, "MX")
	}
	wg.Wait()
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].link != fs[j].link {
			return fs[i].link < fs[j].link
		}
		return fs[i].rel+fs[i].host < fs[j].rel+fs[j].host
	})
	var out []target
	for _, f := range fs {
		if len(out) >= maxNSMXHosts {
			break
		}
		h := strings.ToLower(strings.TrimSuffix(f.host, "."))
		if _, err := netip.ParseAddr(h); err == nil || h == "" {
			continue
		}
		d := namestat.Registrable(h)
		if d == "" || have[d] || a.ownDomain(d) {
			continue
		}
		have[d] = true
		out = append(out, target{kind: KindDomain, key: d, shown: h + " (" + f.rel + " of link " + f.link + ")", factor: 0.5})
	}
	return out
}

func (a *Analyzer) ownDomain(d string) bool {
	for _, o := range a.own {
		if d == o || strings.HasSuffix(d, "."+o) || strings.HasSuffix(o, "."+d) {
			return true
		}
	}
	return false
}

// EachList reports each list's counters (metrics.ListReporter).
func (a *Analyzer) EachList(f func(kind, list string, queries, hits, errors uint64, latency time.Duration)) {
	for _, s := range a.Stats() {
		f("dnsbl", s.List, s.Queries, s.Hits, s.Errors, s.Latency)
	}
}
