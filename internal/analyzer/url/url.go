// Package url checks the links of a message: every URL the parser found
// (text, href with its anchor text, src, form action, meta refresh), the
// links other analyzers added (PDF, archives) and the links in QR codes,
// which the package's extract-stage analyzer decodes from images.
//
// Each link is normalised and its redirector chain unwrapped (package
// normalize), then checked: local block/allow lists and threat feeds
// (package lists), lookalike brand domains, homograph and mixed-script
// hosts, IP literals, userinfo tricks, shorteners, dynamic DNS, free
// hosting, data: and javascript: URLs, anchor text showing another domain,
// a brand named in the message while every link goes elsewhere, and login
// wording next to a new-looking domain. HTML attachments are opened for
// password forms and HTML smuggling (a file built in script and offered as
// a download).
package url

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/link/lists"
	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/link/normalize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// BrandMatcher is what the analyzer needs from the brand list (package
// brands by default; tests inject a fake).
type BrandMatcher interface {
	MatchLookalike(domain string, extra []string) (brands.Lookalike, bool)
	Claimed(text string) []brands.Brand
	ByDomain(domain string) (brands.Brand, bool)
}

type pkgBrands struct{}

func (pkgBrands) MatchLookalike(d string, extra []string) (brands.Lookalike, bool) {
	return brands.MatchLookalike(d, extra)
}
func (pkgBrands) Claimed(text string) []brands.Brand     { return brands.Claimed(text) }
func (pkgBrands) ByDomain(d string) (brands.Brand, bool) { return brands.ByDomain(d) }

// DefaultBrands is the brands package as a BrandMatcher.
var DefaultBrands BrandMatcher = pkgBrands{}

// Analyzer is the link analyzer (StageMain).
type Analyzer struct {
	Brands    BrandMatcher
	Protected []string // organisation and partner domains (lookalike targets)
	Block     *lists.FileList
	Allow     *lists.FileList
	Extra     struct{ Shorteners, DynDNS, FreeHosting *lists.Index }
	MaxLinks  int
	log       *slog.Logger
	// plain reads every claimed brand (the body's too) up front and
	// checks every hop's host afresh: the plain computation the tests
	// compare the lazy one with.
	plain bool
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*QRAnalyzer)(nil)
)

// New builds the link analyzer and, when enabled, the QR extractor.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.URL.Enabled {
		return nil, nil
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u := cfg.URL
	a := NewAnalyzer()
	a.log = logger
	a.MaxLinks = u.MaxLinks
	a.Protected = append(append([]string(nil), cfg.General.Domains...), u.ProtectedDomains...)
	onErr := func(err error) { logger.Warn("url list", "err", err) }
	if len(u.BlockLists) > 0 {
		a.Block = lists.NewFileList(u.BlockLists, u.ReloadInterval.Duration, onErr)
	}
	if len(u.AllowLists) > 0 {
		a.Allow = lists.NewFileList(u.AllowLists, u.ReloadInterval.Duration, onErr)
	}
	for _, x := range []struct {
		ix   **lists.Index
		vals []string
	}{{&a.Extra.Shorteners, u.Shorteners}, {&a.Extra.DynDNS, u.DynDNS}, {&a.Extra.FreeHosting, u.FreeHosting}} {
		if len(x.vals) == 0 {
			continue
		}
		*x.ix = lists.NewIndex()
		for _, v := range x.vals {
			if err := (*x.ix).Add(v, "config"); err != nil {
				return nil, fmt.Errorf("url: %w", err)
			}
		}
	}
	out := []pipeline.Analyzer{a}
	if u.QR {
		out = append(out, &QRAnalyzer{MaxImages: u.QRMaxImages, Limits: qrLimits(u)})
	}
	return out, nil
}

// NewAnalyzer returns an analyzer with defaults (package brands, no lists).
func NewAnalyzer() *Analyzer {
	return &Analyzer{Brands: DefaultBrands, MaxLinks: 500, log: slog.New(slog.DiscardHandler)}
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "url" }

// link is one checked link.
type link struct {
	src   mail.URL
	chain normalize.Chain
	flags []string // symbols it triggered
	// digest scales the odd-host signals in a message linking many sites
	// (namestat.DigestFactor).
	digest float64
}

func (l *link) final() *normalize.Link { return l.chain.Final() }

// linkSeen is the set of links taken, by raw URL, source and anchor: the
// three joined with NULs, kept as the three strings (no joined copy per
// link) when none holds a NUL, joined only when one does (the joined
// strings of the two kinds never coincide: they hold two NULs and more
// than two).
type linkSeen struct {
	plain map[linkKey]bool
	nul   map[string]bool
	hint  int // the size plain is made with (the links of the message)
}

type linkKey struct{ raw, source, anchor string }

// add adds a link and reports whether it was new.
func (s *linkSeen) add(raw, source, anchor string) bool {
	if strings.IndexByte(raw, 0) >= 0 || strings.IndexByte(source, 0) >= 0 || strings.IndexByte(anchor, 0) >= 0 {
		key := raw + "\x00" + source + "\x00" + anchor
		if s.nul[key] {
			return false
		}
		if s.nul == nil {
			s.nul = map[string]bool{}
		}
		s.nul[key] = true
		return true
	}
	key := linkKey{raw, source, anchor}
	if s.plain[key] {
		return false
	}
	if s.plain == nil {
		s.plain = make(map[linkKey]bool, s.hint)
	}
	s.plain[key] = true
	return true
}

func (l *link) flag(t *pipeline.Task, sym string, opt string) {
	l.flagScaled(t, sym, 1, opt)
}

// flagScaled is flag with a score factor.
func (l *link) flagScaled(t *pipeline.Task, sym string, factor float64, opt string) {
	t.AddScaled(sym, factor, opt)
	for _, f := range l.flags {
		if f == sym {
			return
		}
	}
	l.flags = append(l.flags, sym)
}

// Key for Task.Set: the checked links ([]LinkInfo) for later stages.
const TaskKeyLinks = "url.links"

// LinkInfo is a checked link as later stages (content rules) see it.
type LinkInfo struct {
	Raw, URL, Host, Registrable, Source, Anchor string
	Flags                                       []string
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	m := t.Msg
	urls := t.URLs()
	urls = append(urls, a.htmlAttachments(t)...)
	maxLinks := a.MaxLinks
	if maxLinks <= 0 {
		maxLinks = 500
	}
	// Sized for the links, so that a message with hundreds does not grow
	// the set step by step.
	seen := linkSeen{hint: min(len(urls), maxLinks)}
	// Text URLs that are the visible text of an HTML link are what the
	// reader sees, not where the link goes.
	anchors := map[string]bool{}
	for _, u := range urls {
		if u.Source == "href" && u.Anchor != "" {
			anchors[strings.TrimSpace(u.Anchor)] = true
		}
	}
	// Each link resolved once: the lure analyzer (a later stage) looks
	// the chains up instead of resolving them again.
	res := &normalize.Resolved{}
	var links []*link
	// The links in a few allocations: blocks that double (pointers into a
	// full block stay valid, the next block is a new array).
	var store []link
	for _, u := range urls {
		if u.Source == "text" && anchors[u.Raw] {
			continue
		}
		if len(links) >= maxLinks || ctx.Err() != nil {
			break
		}
		if !seen.add(u.Raw, u.Source, u.Anchor) {
			continue
		}
		ch, ok := res.Get(u.Raw)
		if !ok {
			continue
		}
		if len(store) == cap(store) {
			store = make([]link, 0, min(max(4, 2*cap(store)), maxLinks))
		}
		store = append(store, link{src: u, chain: ch})
		links = append(links, &store[len(store)-1])
	}
	// Read-only from here on (other stages read it).
	t.Set(normalize.TaskKeyResolved, res)

	sites := map[string]bool{}
	for _, l := range links {
		if f := l.final(); f != nil && f.Registrable != "" {
			sites[f.Registrable] = true
		}
	}
	digest := namestat.DigestFactor(len(sites))
	for _, l := range links {
		l.digest = digest
	}

	var block, allow *lists.Index
	if a.Block != nil {
		block = a.Block.Index()
	}
	if a.Allow != nil {
		allow = a.Allow.Index()
	}

	// Brands the message claims to be from (subject, display name, text).
	// Only links use them: a message without links pays for none.
	fromName, fromDomain := mail.PrimaryFrom(m)
	bodyText := m.Text
	if len(bodyText) > 20000 {
		bodyText = bodyText[:20000]
	}
	// They are looked up when a web link first needs them.
	cl := &claimSet{a: a, subject: m.Subject, name: fromName, body: bodyText}
	// The subject reads as a service's notice (looked at only when a
	// claimed brand makes it count).
	var noticeDone, notice bool
	subjectNotice := func() bool {
		if !noticeDone {
			noticeDone, notice = true, isNotice(m.Subject)
		}
		return notice
	}
	// Login wording is looked for only when a link makes it count: the
	// regex is the costliest step of the analyzer.
	var loginDone bool
	var loginWords string
	login := func() string {
		if !loginDone {
			loginDone = true
			loginWords = findLogin(m.Subject + "\n" + bodyText)
		}
		return loginWords
	}

	// The host checks of each host, done once per message.
	var hm hostMemo
	var checked []*link
	for _, l := range links {
		f := l.final()
		opt := optFor(l)
		// Allow list: any hop listed exempts the link.
		allowed := false
		for i := range l.chain.Links {
			h := &l.chain.Links[i]
			if h.Host == "" {
				continue
			}
			if allow != nil {
				if _, ok := allow.Match(lists.Target{URL: h.URL, Host: h.Host}); ok {
					allowed = true
				}
			}
		}
		if allowed {
			t.Add(SymAllowlisted, opt)
			continue
		}
		checked = append(checked, l)
		// Block lists and feeds: every hop.
		for i := range l.chain.Links {
			h := &l.chain.Links[i]
			if h.Host == "" {
				continue
			}
			tg := lists.Target{URL: h.URL, Host: h.Host}
			if block != nil {
				if e, ok := block.Match(tg); ok {
					l.flag(t, SymBlocklisted, h.Host+" ("+e.Source+")")
				}
			}
			if lists.Feeds.Len() > 0 {
				if e, ok := lists.Feeds.Match(tg); ok {
					l.flag(t, SymBlocklisted, h.Host+" ("+e.Source+")")
				}
			}
		}
		a.checkLink(t, l, cl, &hm, opt)
		if len(l.chain.Via) > 0 {
			for _, v := range l.chain.Via {
				if v != "safelinks" && v != "proofpoint" && v != "mimecast" {
					t.Add(SymRedirector, v+": "+f.Host)
					break
				}
			}
		}
	}

	// Anchor text showing another domain.
	for _, l := range checked {
		if l.src.Source != "href" || l.src.Anchor == "" || !l.final().IsWeb() {
			continue
		}
		ad := anchorDomain(l.src.Anchor)
		if ad == nil || ad.Registrable == "" {
			continue
		}
		match := false
		for i := range l.chain.Links {
			if l.chain.Links[i].Registrable == ad.Registrable {
				match = true
			}
		}
		if match {
			continue
		}
		opt := ad.Registrable + " → " + l.final().Host
		bad := hasFlag(l, SymSuspiciousDomain) || hasFlag(l, SymDynDNS) || hasFlag(l, SymFreeHosting) || hasFlag(l, SymIPHost) || hasFlag(l, SymLookalike) || hasFlag(l, SymBlocklisted)
		switch _, brand := a.Brands.ByDomain(ad.Registrable); {
		case brand || inDomains(ad.Registrable, a.Protected):
			l.flag(t, SymAnchorBrandMismatch, opt)
		case bad:
			l.flag(t, SymAnchorSuspicious, opt)
		default:
			l.flag(t, SymAnchorMismatch, opt)
		}
	}

	// Brand named while every web link goes elsewhere.
	var web []*link
	for _, l := range checked {
		if l.final().IsWeb() && l.final().Host != "" && l.src.Source != "src" {
			web = append(web, l)
		}
	}
	if len(web) > 0 {
		claims, headClaims, nameClaims := cl.head()
		lowFrom := strings.ToLower(fromDomain)
		// Whether a web link looks bad: the same for every brand, worked
		// out when a brand first needs it.
		var badDone, bad bool
		badLink := func() bool {
			if !badDone {
				badDone = true
				bad = anyFlag(web, SymSuspiciousDomain) || anyFlag(web, SymBrandInURL) || anyFlag(web, SymDynDNS) || anyFlag(web, SymFreeHosting) || anyFlag(web, SymIPHost) || anyFlag(web, SymLookalike) || anyFlag(web, SymShortener) || anyFlag(web, SymBlocklisted) || anyRandom(web)
			}
			return bad
		}
		for bi := 0; ; bi++ {
			if bi == len(claims) {
				// A brand only the body names counts when the display
				// name names it or a link looks bad (bodyMayCount).
				if !cl.bodyMayAdd() || !bodyMayCount(claims, nameClaims, badLink) {
					break
				}
				if claims, headClaims, nameClaims = cl.get(); bi == len(claims) {
					break
				}
			}
			b := claims[bi]
			doms := cl.domains(bi)
			// The brand's own domain in From with every link elsewhere is
			// a spoofed From (Japanese brand phishing sends so): real
			// notices link to the brand's site. Without a bad-looking link
			// it counts less, as a notice may go through an unlisted
			// click tracker.
			ownFrom := ownsLower(doms, lowFrom)
			// The sender's name claims the brand: an impersonation. A
			// subject that names it counts when it reads as the brand's
			// notice (【重要】…, "security alert"); otherwise it is as
			// likely news about the brand.
			inName := hasBrand(nameClaims, b.Name) || hasBrand(headClaims, b.Name) && subjectNotice()
			related := false
			for _, l := range web {
				for i := range l.chain.Links {
					if ownsLower(doms, strings.ToLower(l.chain.Links[i].Host)) {
						related = true
						break
					}
				}
				if related {
					break
				}
			}
			if related {
				continue
			}
			// Named only in the subject or body: a newsletter may mention a
			// brand in passing; require login wording and a link that looks bad.
			if ownFrom {
				if !inName && !(hasBrand(headClaims, b.Name) && subjectNotice()) {
					continue
				}
				f := 0.5
				if badLink() {
					f = 1
				}
				t.AddScaled(SymBrandUnrelated, f, b.Name+" ("+fromDomain+") → "+web[0].final().Registrable)
				break
			}
			if inName || badLink() && login() != "" {
				t.Add(SymBrandUnrelated, b.Name+" → "+web[0].final().Registrable)
				break
			}
		}
	}

	// Login wording next to a link to a new-looking domain.
	for _, l := range web {
		if hasFlag(l, SymSuspiciousDomain) || hasFlag(l, SymDynDNS) || hasFlag(l, SymFreeHosting) || hasFlag(l, SymIPHost) || hasFlag(l, SymLookalike) || hasFlag(l, SymBrandInURL) {
			if w := login(); w != "" {
				l.flag(t, SymLoginSuspicious, w+" → "+l.final().Host)
			}
			break
		}
	}

	// QR links that failed a check.
	for _, l := range checked {
		if l.src.Source != "qr" {
			continue
		}
		for _, f := range l.flags {
			if f != SymQRURL && f != SymRedirector && f != SymPunycode && f != SymShortener {
				t.Add(SymQRSuspicious, f+": "+l.final().Host)
				break
			}
		}
	}

	infos := make([]LinkInfo, 0, len(checked))
	for _, l := range checked {
		f := l.final()
		infos = append(infos, LinkInfo{Raw: l.src.Raw, URL: f.URL, Host: f.Host, Registrable: f.Registrable, Source: l.src.Source, Anchor: l.src.Anchor, Flags: l.flags})
	}
	t.Set(TaskKeyLinks, infos)
	return nil
}

// claimSet is the brands a message claims to be from, looked up on first
// use: all of them (subject, display name, body), those of the subject
// and display name, those of the display name.
//
// The body is the costly text (up to 4 KB) and most messages never need
// its brands: all is the brands of the subject and display name followed
// by those only the body names (mergeBrands), so a check that finds its
// answer among the first ones, or that no body-only brand could change,
// stops there (head, then get when a body-only brand may count).
type claimSet struct {
	a                      *Analyzer
	subject, name, body    string
	headDone, done         bool
	all, headBrands, named []brands.Brand
	// nHead is how many brands of all come from the subject and display
	// name (all[:nHead]: the same before and after the body is read).
	nHead int
	// kws are the keywords of each brand of all (brandKeywords), doms its
	// domains in lower case, built when first needed: once per message,
	// not per link.
	kws, doms [][]string
}

// head returns the brands of the subject and display name as the first
// brands of all (all[:nHead], the brands of all known without the
// body), the subject's and display name's, the display name's.
func (c *claimSet) head() (all, head, name []brands.Brand) {
	if !c.headDone && !c.done {
		c.headDone = true
		c.headBrands = c.a.Brands.Claimed(c.subject + "\n" + c.name)
		c.named = c.a.Brands.Claimed(c.name)
		c.all = mergeBrands(c.headBrands, nil)
		c.nHead = len(c.all)
		if c.a.plain {
			return c.get()
		}
	}
	return c.all, c.headBrands, c.named
}

// get returns every brand the message claims (the body's too).
func (c *claimSet) get() (all, head, name []brands.Brand) {
	if !c.done {
		c.head()
		c.done = true
		// mergeBrands keeps its first argument's order: the head brands
		// stay a prefix of all (nHead of them).
		if len(c.all) < maxClaims {
			c.all = mergeBrands(c.headBrands, c.a.Brands.Claimed(c.body))
		}
	}
	return c.all, c.headBrands, c.named
}

// bodyMayAdd reports whether reading the body may add brands to all.
func (c *claimSet) bodyMayAdd() bool { return !c.done && c.nHead < maxClaims }

// domains returns the domains of the i-th brand of all, lower case.
func (c *claimSet) domains(i int) []string {
	if len(c.doms) < len(c.all) {
		c.doms = append(c.doms, make([][]string, len(c.all)-len(c.doms))...)
	}
	if c.doms[i] == nil {
		ds := make([]string, len(c.all[i].Domains))
		for j, d := range c.all[i].Domains {
			ds[j] = strings.ToLower(d)
		}
		c.doms[i] = ds
	}
	return c.doms[i]
}

// keywords returns brandKeywords of the i-th brand of all.
func (c *claimSet) keywords(i int) []string {
	if len(c.kws) < len(c.all) {
		c.kws = append(c.kws, make([][]string, len(c.all)-len(c.kws))...)
	}
	if c.kws[i] == nil {
		c.kws[i] = brandKeywords(c.all[i])
		if c.kws[i] == nil {
			c.kws[i] = []string{}
		}
	}
	return c.kws[i]
}

func optFor(l *link) string {
	f := l.final()
	h := f.Host
	if h == "" {
		h = f.Scheme + ":"
	}
	if l.src.Source != "" && l.src.Source != "text" && l.src.Source != "href" {
		return h + " (" + l.src.Source + ")"
	}
	return h
}

func hasFlag(l *link, s string) bool {
	for _, f := range l.flags {
		if f == s {
			return true
		}
	}
	return false
}

func anyFlag(ls []*link, s string) bool {
	for _, l := range ls {
		if hasFlag(l, s) {
			return true
		}
	}
	return false
}

// checkLink runs the per-link checks.
func (a *Analyzer) checkLink(t *pipeline.Task, l *link, cl *claimSet, hm *hostMemo, opt string) {
	first := &l.chain.Links[0]
	f := l.final()
	switch f.Scheme {
	case "data":
		if l.src.Source != "src" || !strings.HasPrefix(strings.ToLower(f.URL), "data:image/") {
			l.flag(t, SymDataURI, trunc(f.URL, 40))
		}
		return
	case "javascript", "vbscript":
		if l.src.Source != "src" {
			l.flag(t, SymJavascript, trunc(f.URL, 40))
		}
		return
	}
	if !f.IsWeb() || f.Host == "" {
		return
	}
	// Obfuscation tricks on any hop.
	for i := range l.chain.Links {
		h := &l.chain.Links[i]
		if h.HasTrick(normalize.TrickUserinfo) {
			l.flag(t, SymUserinfo, trunc(h.Userinfo, 60)+"@"+h.Host)
		}
		if h.HasTrick(normalize.TrickNumericIP) {
			l.flag(t, SymNumericIP, h.Host)
		}
		for _, tr := range []string{normalize.TrickEntity, normalize.TrickPercent, normalize.TrickBackslash, normalize.TrickFullwidth} {
			if h.HasTrick(tr) && (tr != normalize.TrickEntity || l.src.Source == "text") {
				l.flag(t, SymObfuscated, tr+": "+h.Host)
			}
		}
	}
	_ = first
	for i := range l.chain.Links {
		h := &l.chain.Links[i]
		if h.Host == "" || !h.IsWeb() {
			continue
		}
		a.checkHost(t, l, h, cl, hm)
	}
}

// checkHost runs the host checks on one hop.
func (a *Analyzer) checkHost(t *pipeline.Task, l *link, h *normalize.Link, cl *claimSet, hm *hostMemo) {
	src := ""
	if l.src.Source == "qr" || l.src.Source == "pdf" || l.src.Source == "html_attachment" {
		src = " (" + l.src.Source + ")"
	}
	if h.IP.IsValid() {
		if !h.IP.IsLoopback() {
			l.flagScaled(t, SymIPHost, l.digest, h.Host+src)
		}
		return
	}
	if h.Punycode {
		l.flag(t, SymPunycode, h.HostUnicode+src)
		if mixedScript(h.HostUnicode) {
			l.flag(t, SymMixedScript, h.HostUnicode+src)
		}
	}
	hf := a.hostFactsOf(hm, h)
	if hf.lkOK {
		l.flagScaled(t, SymLookalike, hf.lkStrength, h.HostUnicode+" ≈ "+hf.lkTarget+" ("+hf.lkKind+")"+src)
	}
	if hf.short {
		l.flag(t, SymShortener, h.Host+src)
	}
	dyn := hf.dyn
	if dyn {
		l.flagScaled(t, SymDynDNS, l.digest, h.Host+src)
	}
	free := hf.free
	if free {
		l.flag(t, SymFreeHosting, h.Host+src)
	}
	// Brand keyword on a domain the brand does not own: in the host name
	// always; in the path only on a host that already looks throw-away
	// (github.com/microsoft is fine, beak.host/Kagoya-mail.html is not).
	reasons := hf.reasons
	weakHost := len(reasons) > 0 || dyn || free
	// A lookalike host already says the brand is misused.
	if !hasFlag(l, SymLookalike) {
		a.brandInURL(t, l, h, cl, weakHost, src)
	}
	if len(reasons) >= 2 {
		l.flag(t, SymSuspiciousDomain, h.Host+": "+strings.Join(reasons, ",")+src)
	}
}

// brandInURL flags a keyword of a claimed brand in the host (or path) of
// a hop on a domain the brand does not own: the first brand of the
// message's claims (claimSet.get) whose keyword is there. The brands of
// the subject and display name come first; the body's are read only when
// a brand keyword may be in the host or path at all (keywordFilter).
func (a *Analyzer) brandInURL(t *pipeline.Task, l *link, h *normalize.Link, cl *claimSet, weakHost bool, src string) {
	lowPath, lowDone := "", false
	lowHost := strings.ToLower(h.Host)
	claims, head, _ := cl.head()
	for i := 0; ; i++ {
		if i == len(claims) {
			if !cl.bodyMayAdd() || !a.mayNameBrand(h, lowHost, weakHost, &lowPath, &lowDone) {
				return
			}
			if claims, head, _ = cl.get(); i == len(claims) {
				return
			}
		}
		b := &claims[i]
		if ownsLower(cl.domains(i), lowHost) {
			continue
		}
		path := ""
		if weakHost || hasBrand(head, b.Name) {
			if !lowDone {
				lowPath, lowDone = strings.ToLower(h.Path), true
			}
			path = lowPath
		}
		if kw := keywordIn(cl.keywords(i), h.Host, path); kw != "" {
			l.flag(t, SymBrandInURL, b.Name+": "+h.Host+src)
			return
		}
	}
}

// mayNameBrand reports whether a brand the body alone claims may have a
// keyword in the hop's host, or in its path on a weak host, on a host it
// does not own (lowHost: the host in lower case): false only when every
// brand of the catalogue with a keyword there owns the host, which
// brandInURL skips. (A brand of the body alone is not one of the
// subject's: its keywords count in the path only on a weak host; the
// brands Claimed returns are the catalogue's.) With another BrandMatcher
// than the package's it says yes.
func (a *Analyzer) mayNameBrand(h *normalize.Link, lowHost string, weakHost bool, lowPath *string, lowDone *bool) bool {
	if _, ok := a.Brands.(pkgBrands); !ok {
		return true
	}
	kf := catalogueKeywords()
	if kf.holdsUnowned(h.Host, lowHost) {
		return true
	}
	if !weakHost {
		return false
	}
	if !*lowDone {
		*lowPath, *lowDone = strings.ToLower(h.Path), true
	}
	return kf.holdsUnowned(*lowPath, lowHost)
}

// bodyMayCount reports whether a brand only the body names may be the
// brand the brand-unrelated check reports: one the display name names
// too (inName), which needs a display-name brand outside head (the
// brands of the subject and display name in all), or any once a link
// looks bad (login wording is looked at then).
func bodyMayCount(head, named []brands.Brand, badLink func() bool) bool {
	for _, b := range named {
		if !hasBrand(head, b.Name) {
			return true
		}
	}
	return badLink()
}

// hostFacts are the checks of a hop that depend on its host alone (with
// the registrable domain and public suffix it has, which the host
// determines): look-alike, shortener, dynamic DNS, free hosting and the
// throw-away signs.
type hostFacts struct {
	host, reg, suffix string
	// The look-alike's Strength, Target and Kind (what the symbol shows).
	lkStrength       float64
	lkTarget, lkKind string
	lkOK             bool
	short, dyn, free bool
	reasons          []string // suspicion (shared: not to be changed)
}

// hostMemo is a message's hostFacts, maxHostMemo hosts at most (a
// message links to a few hosts, often many times each): the first ones
// are kept, the others checked at each hop.
type hostMemo struct {
	facts [maxHostMemo]hostFacts // facts[:n]; on the caller's stack
	n     int
}

const maxHostMemo = 16

// hostFactsOf returns the facts of h's host, from the memo when it has
// them. The pointer is valid until the next call.
func (a *Analyzer) hostFactsOf(m *hostMemo, h *normalize.Link) *hostFacts {
	if !a.plain {
		for i := range m.n {
			if f := &m.facts[i]; f.host == h.Host && f.reg == h.Registrable && f.suffix == h.Suffix {
				return f
			}
		}
	}
	// The facts go to the memo's next slot, or to the heap once it is
	// full (and in the plain computation).
	var f *hostFacts
	if !a.plain && m.n < maxHostMemo {
		f = &m.facts[m.n]
		m.n++
	} else {
		f = new(hostFacts)
	}
	*f = hostFacts{host: h.Host, reg: h.Registrable, suffix: h.Suffix}
	lk, ok := a.Brands.MatchLookalike(h.Host, a.Protected)
	if !ok && h.Registrable != "" && h.Registrable != h.Host {
		lk, ok = a.Brands.MatchLookalike(h.Registrable, a.Protected)
	}
	if ok {
		f.lkOK, f.lkStrength, f.lkTarget, f.lkKind = true, lk.Strength(), lk.Target, lk.Kind
	}
	f.short = in(a.Extra.Shorteners, lists.Shorteners, h.Host)
	// A dynamic-DNS provider's own site (www.dyndns.org) is not a
	// dynamic host name.
	f.dyn = dynHost(a.Extra.DynDNS, h.Host)
	f.free = in(a.Extra.FreeHosting, lists.FreeHosting, h.Host)
	f.reasons = suspicion(h)
	return f
}

func in(extra, builtin *lists.Index, host string) bool {
	if _, ok := builtin.MatchDomain(host); ok {
		return true
	}
	if extra != nil {
		if _, ok := extra.MatchDomain(host); ok {
			return true
		}
	}
	return false
}

func dynHost(extra *lists.Index, host string) bool {
	for _, ix := range []*lists.Index{lists.DynDNS, extra} {
		if ix == nil {
			continue
		}
		if e, ok := ix.MatchDomain(host); ok && host != e.Value && !providerHost(host, e.Value) {
			return true
		}
	}
	return false
}

// providerHost reports the provider's own service hosts under a
// dynamic-DNS domain (www.dyndns.org, members.dyndns.org).
func providerHost(host, provider string) bool {
	label, ok := strings.CutSuffix(host, "."+provider)
	if !ok {
		return false
	}
	switch label {
	case "www", "members", "account", "accounts", "my", "support", "help", "docs", "blog", "status", "api":
		return true
	}
	return false
}

// suspicion lists the throw-away signs of a host.
func suspicion(h *normalize.Link) []string {
	var r []string
	reg := h.Registrable
	if reg == "" {
		return nil
	}
	label := strings.TrimSuffix(reg, "."+h.Suffix)
	if randomLooking(label) {
		r = append(r, "random")
	}
	hy := 0
	maxHy := 0
	for _, lab := range strings.Split(h.Host, ".") {
		n := strings.Count(lab, "-")
		if strings.HasPrefix(lab, "xn--") {
			n -= 2
		}
		hy += n
		if n > maxHy {
			maxHy = n
		}
	}
	if maxHy >= 2 || hy >= 3 {
		r = append(r, "hyphens")
	}
	tld := h.Suffix
	if i := strings.LastIndexByte(tld, '.'); i >= 0 {
		tld = tld[i+1:]
	}
	if lists.CheapTLDs[tld] {
		r = append(r, "tld")
	}
	sub := strings.TrimSuffix(h.Host, reg)
	if strings.Count(sub, ".") >= 4 {
		r = append(r, "deep")
	}
	if _, ok := lists.DynDNS.MatchDomain(h.Host); ok {
		r = append(r, "dyndns")
	}
	if len(label) >= 25 {
		r = append(r, "long")
	}
	return r
}

// randomLooking is true for labels that read like generated strings:
// long consonant runs, few vowels, or letters and digits interleaved.
func randomLooking(s string) bool {
	s = strings.ReplaceAll(s, "-", "")
	if len(s) < 7 || strings.HasPrefix(s, "xn--") {
		return false
	}
	vowels, digits, run, maxRun, switches := 0, 0, 0, 0, 0
	prevDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := c >= '0' && c <= '9'
		if i > 0 && isDigit != prevDigit {
			switches++
		}
		prevDigit = isDigit
		switch {
		case isDigit:
			digits++
			run = 0
		case strings.IndexByte("aeiouy", c) >= 0:
			vowels++
			run = 0
		default:
			run++
			if run > maxRun {
				maxRun = run
			}
		}
	}
	letters := len(s) - digits
	if maxRun >= 5 {
		return true
	}
	if letters >= 6 && float64(vowels)/float64(letters) < 0.2 {
		return true
	}
	return switches >= 4 && digits >= 3
}

// mixedScript reports a label mixing Latin with Cyrillic/Greek (or those
// two), or a non-Latin label made only of letters that look Latin.
func mixedScript(host string) bool {
	for _, lab := range strings.Split(host, ".") {
		var latin, cyr, greek, other bool
		allLookalike := true
		n := 0
		for _, r := range lab {
			if r == '-' || unicode.IsDigit(r) {
				continue
			}
			n++
			switch {
			case unicode.Is(unicode.Latin, r):
				latin = true
			case unicode.Is(unicode.Cyrillic, r):
				cyr = true
			case unicode.Is(unicode.Greek, r):
				greek = true
			default:
				other = true
			}
			if !strings.ContainsRune(latinLookalikes, r) {
				allLookalike = false
			}
		}
		if latin && (cyr || greek) || cyr && greek {
			return true
		}
		if (cyr || greek) && !latin && !other && allLookalike && n > 0 {
			return true
		}
	}
	return false
}

// Cyrillic and Greek letters drawn like Latin ones.
const latinLookalikes = "аеорсухіјѕԁɡһӏԛԝвкмнтАВЕКМНОРСТУХІЈЅαοτνιεκρχυ"

// brandKeywords are the words looked for in a link's host (and path)
// when a message claims the brand, in order: the
// brand's keywords and its ASCII names of four letters or more, lower
// case without spaces, those shorter than four bytes left out.
func brandKeywords(b brands.Brand) []string {
	var out []string
	add := func(kw string) {
		kw = strings.ToLower(strings.ReplaceAll(kw, " ", ""))
		if len(kw) >= 4 {
			out = append(out, kw)
		}
	}
	for _, kw := range b.Keywords {
		add(kw)
	}
	for _, n := range b.Names {
		if ascii.Is(n) && len(n) >= 4 {
			add(strings.ToLower(n))
		}
	}
	return out
}

// keywordIn returns the first of a brand's keywords (brandKeywords) in
// a host name or a path already lower-cased ("" when the path does not
// count).
func keywordIn(kws []string, host, lowPath string) string {
	for _, kw := range kws {
		if strings.Contains(host, kw) || strings.Contains(lowPath, kw) {
			return kw
		}
	}
	return ""
}

func ownsDomain(b brands.Brand, host string) bool {
	host = strings.ToLower(host)
	if host == "" {
		return false
	}
	for _, d := range b.Domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// ownsLower is ownsDomain on the brand's domains and a host both in
// lower case.
func ownsLower(domains []string, host string) bool {
	if host == "" {
		return false
	}
	for _, d := range domains {
		if host == d || len(host) > len(d) && host[len(host)-len(d)-1] == '.' && host[len(host)-len(d):] == d {
			return true
		}
	}
	return false
}

func inDomains(reg string, ds []string) bool {
	for _, d := range ds {
		if reg == d || strings.HasSuffix(reg, "."+d) {
			return true
		}
	}
	return false
}

// anyRandom reports a link whose registrable domain is a random string,
// or whose path is a phishing kit's.
func anyRandom(ls []*link) bool {
	// RandomLabel depends on the registrable domain alone: a domain
	// already found not random (most links of a message share a few) is
	// not looked at again.
	var done [8]string
	nDone := 0
	for _, l := range ls {
		f := l.final()
		if !slices.Contains(done[:nDone], f.Registrable) {
			if namestat.RandomLabel(f.Host, f.Registrable) != "" {
				return true
			}
			if nDone < len(done) {
				done[nDone] = f.Registrable
				nDone++
			}
		}
		if i := strings.Index(f.URL, f.Host); i >= 0 && f.Host != "" && namestat.KitPath(f.URL[i+len(f.Host):]) {
			return true
		}
	}
	return false
}

func hasBrand(bs []brands.Brand, name string) bool {
	for _, b := range bs {
		if b.Name == name {
			return true
		}
	}
	return false
}

func mergeBrands(a, b []brands.Brand) []brands.Brand {
	out := append([]brands.Brand(nil), a...)
	for _, x := range b {
		if !hasBrand(out, x.Name) {
			out = append(out, x)
		}
	}
	if len(out) > maxClaims {
		out = out[:maxClaims]
	}
	return out
}

// maxClaims bounds the brands a message is checked against.
const maxClaims = 10

var anchorDomainRe = regexp.MustCompile(`(?i)^(?:(?:https?|hxxps?)://)?(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?::\d+)?(?:/\S*)?$`)

// anchorDomain returns the domain an anchor text shows, if it shows one.
func anchorDomain(anchor string) *normalize.Link {
	s := strings.TrimSpace(anchor)
	s = strings.Trim(s, "<>[]()「」【】")
	if len(s) > 300 || strings.ContainsAny(s, " \t\n@") || !anchorDomainRe.MatchString(s) {
		return nil
	}
	l, ok := normalize.Parse(s)
	if !ok || l.Registrable == "" || l.IP.IsValid() {
		return nil
	}
	// File names ("invoice.pdf") are not domains: the suffix must be a TLD
	// the public-suffix list knows as an ICANN one, and not a file type.
	if fileExt[l.Suffix] {
		return nil
	}
	return &l
}

var fileExt = map[string]bool{"pdf": true, "doc": true, "docx": true, "xls": true, "xlsx": true, "zip": true, "exe": true, "html": true, "htm": true, "php": true, "jpg": true, "png": true, "gif": true, "txt": true, "js": true}

var loginRe = regexp.MustCompile(`(?i)\b(?:(?:log|sign)[ -]?(?:in|on) (?:to|now|here|with|and|using) (?:your|verify|confirm|update|restore|continue|access|keep|avoid|the)|verify (?:your|the|my) (?:account|identity|e-?mail|mailbox|details|information|login|password)|confirm your (?:account|identity|e-?mail|password|details|login)|validate your (?:account|mailbox|e-?mail)|re-?activate your|unlock your|restore (?:your )?(?:account|access)|update your (?:account|billing|payment|details|information|password)|(?:enter|confirm|update|verify|reset) your password|password (?:expires|expired|will expire)|account (?:is |has been |will be )?(?:suspended|locked|disabled|limited|on hold|deactivated))\b|ログインして|ログインし、|ログインの上|ログインを|ログインいただき|からログイン|サインインして|本人確認|パスワードの(?:変更|更新|再設定|有効期限)|アカウント(?:の)?(?:確認|停止|凍結|更新|制限|ロック)|認証(?:手続|が必要|を行)|ご登録情報|お客様情報の確認|利用制限|再開手続`)

// loginAnchors are the literals one of which every match of loginRe
// holds (ASCII lower case), each with, where the literal alone is common
// ("log", "account "), a test of the text that follows it in a match:
// the other occurrences cannot start a match there.
var loginAnchors = []struct {
	lit  string
	next func(string) bool
}{
	{"log", logInOn}, {"sign", logInOn}, // (?:log|sign)[ -]?(?:in|on) …
	{"verify ", nil}, {"confirm your ", nil}, {"validate your ", nil}, {"activate your", nil}, {"unlock your", nil},
	{"restore ", nil}, {"update your ", nil}, {"your password", nil}, // (?:enter|confirm|update|verify|reset) your password
	{"password ", passwordExpires}, {"account ", accountState},
	{"ログイン", nil}, {"サインインして", nil}, {"本人確認", nil}, {"パスワードの", nil}, {"アカウント", nil}, {"認証", nil},
	{"ご登録情報", nil}, {"お客様情報の確認", nil}, {"利用制限", nil}, {"再開手続", nil},
}

// logInOn: [ -]?(?:in|on) and a space at the start of s.
func logInOn(s string) bool {
	if s != "" && (s[0] == ' ' || s[0] == '-') {
		s = s[1:]
	}
	return strings.HasPrefix(s, "in ") || strings.HasPrefix(s, "on ")
}

// passwordExpires: (?:expires|expired|will expire) at the start of s.
func passwordExpires(s string) bool {
	return strings.HasPrefix(s, "expire") || strings.HasPrefix(s, "will expire")
}

// accountState: (?:is |has been |will be )?(?:suspended|locked|disabled|
// limited|on hold|deactivated) at the start of s.
func accountState(s string) bool {
	for _, p := range []string{"is ", "has been ", "will be "} {
		if strings.HasPrefix(s, p) && accountWord(s[len(p):]) {
			return true
		}
	}
	return accountWord(s)
}

func accountWord(s string) bool {
	for _, w := range []string{"suspended", "locked", "disabled", "limited", "on hold", "deactivated"} {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// loginAnchorsAt calls f with the offset and length of every occurrence
// of a loginAnchors literal in l (lower case) that its test accepts,
// until f returns false.
func loginAnchorsAt(l string, f func(i, n int) bool) {
	for _, a := range loginAnchors {
		for off := 0; off < len(l); {
			i := strings.Index(l[off:], a.lit)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if a.next != nil && !a.next(l[i+len(a.lit):]) {
				continue
			}
			if !f(i, len(a.lit)) {
				return
			}
		}
	}
}

// mayBeLogin reports whether text may match loginRe: lower-casing covers
// the regex's case folding (the Kelvin sign becomes k), except for the
// long s, which (?i) folds to s.
func mayBeLogin(text string) bool {
	l := strings.ToLower(text)
	if strings.Contains(l, "ſ") {
		l = strings.ReplaceAll(l, "ſ", "s")
	}
	found := false
	loginAnchorsAt(l, func(int, int) bool {
		found = true
		return false
	})
	return found
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
