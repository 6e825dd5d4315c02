// Package auth is sekisho's sender-authentication analyzer: SPF, DKIM and
// ARC in pipeline.StageExtract, DMARC and the Authentication-Results
// header in pipeline.StageMain (it reads the extract stage's results
// through Task.Get), and the Received path (first untrusted hop, private
// or forged origins, brand/host mismatch). The standards themselves live
// in internal/auth/...; DNS goes through internal/dns.
package auth

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/auth/authres"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/auth/dmarc"
	"github.com/sekisho/sekisho/internal/auth/received"
	"github.com/sekisho/sekisho/internal/auth/spf"
	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Task keys shared with later stages.
const (
	// KeyResults holds *Results (set in StageExtract).
	KeyResults = "auth.results"
	// KeyDMARC holds dmarc.Result (set in StageMain).
	KeyDMARC = "auth.dmarc"
)

// Client is the SMTP client the checks use.
type Client struct {
	IP       netip.Addr
	Helo     string
	Host     string // reverse name when known
	MailFrom string
	Source   string // "envelope" (mail flow) or "received" (trusted relay's Received field)
}

// Results are the extract stage's findings.
type Results struct {
	Client    Client
	HasClient bool
	SPF       spf.Result
	SPFDone   bool
	DKIM      []dkim.Result
	ARC       arc.Result
	Hops      []received.Hop
	// Untrusted is the index in Hops of the first untrusted hop, -1 if unknown.
	Untrusted int
	// IPRev is the iprev result for the client ("pass", "fail",
	// "temperror"; "" when not checked).
	IPRev string
}

// verifiedName finds the forward-confirmed reverse name of ip.
func verifiedName(ctx context.Context, r dns.Lookuper, ip netip.Addr) (string, string) {
	names, err := r.LookupAddr(ctx, ip.String())
	if err != nil {
		if dns.IsTemporary(err) {
			return "", "temperror"
		}
		return "", "fail"
	}
	temp := false
	for i, n := range names {
		if i >= 5 {
			break
		}
		addrs, err := r.LookupIPAddr(ctx, n)
		if err != nil {
			temp = temp || dns.IsTemporary(err)
			continue
		}
		for _, a := range addrs {
			if x, ok := netip.AddrFromSlice(a.IP); ok && x.Unmap() == ip.Unmap() {
				return strings.ToLower(strings.TrimSuffix(n, ".")), "pass"
			}
		}
	}
	if temp {
		return "", "temperror"
	}
	return "", "fail"
}

// Analyzer holds the shared settings of both stages.
type Analyzer struct {
	cfg     config.Auth
	orgs    []string
	authID  string
	res     dns.Lookuper
	trust   received.Trust
	outside bool
}

// Extract is the StageExtract half (SPF, DKIM, ARC, Received).
type Extract struct{ *Analyzer }

// Main is the StageMain half (DMARC, Authentication-Results).
type Main struct{ *Analyzer }

var (
	_ pipeline.Analyzer = Extract{}
	_ pipeline.Staged   = Extract{}
	_ pipeline.Analyzer = Main{}
	_ pipeline.Staged   = Main{}
)

// New builds the package's analyzers.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Auth.Enabled {
		return nil, nil
	}
	r, err := dns.New(dns.Config{
		Servers: cfg.Auth.DNSServers, Timeout: cfg.Auth.DNSTimeout.Duration,
		CacheEntries: cacheEntries(cfg.Auth.DNSCacheEntries),
	})
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return NewWithResolver(cfg, r)
}

func cacheEntries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// NewWithResolver builds the analyzers over a given resolver (tests).
func NewWithResolver(cfg *config.Config, r dns.Lookuper) ([]pipeline.Analyzer, error) {
	hosts, nets, err := cfg.Auth.TrustedRelayHostsAndNets()
	if err != nil {
		return nil, err
	}
	a := &Analyzer{cfg: cfg.Auth, orgs: cfg.General.Domains, res: r,
		trust: received.Trust{Hosts: hosts, Nets: nets}}
	a.authID = cfg.Auth.AuthServID
	if a.authID == "" {
		a.authID = cfg.General.Hostname
	}
	if a.authID == "" {
		a.authID = "localhost"
	}
	return []pipeline.Analyzer{Extract{a}, Main{a}}, nil
}

// Name implements pipeline.Analyzer.
func (Extract) Name() string { return "auth" }

// Stage implements pipeline.Staged.
func (Extract) Stage() pipeline.Stage { return pipeline.StageExtract }

// Name implements pipeline.Analyzer.
func (Main) Name() string { return "dmarc" }

// Stage implements pipeline.Staged.
func (Main) Stage() pipeline.Stage { return pipeline.StageMain }

// checkBudget bounds each of SPF, DKIM and ARC (their DNS lookups); what
// is not answered in time is temperror.
const checkBudget = 6 * time.Second

// maxHops bounds the Received fields read.
const maxHops = 50

// Analyze runs SPF, DKIM, ARC and the Received checks.
func (a Extract) Analyze(ctx context.Context, t *pipeline.Task) error {
	res := &Results{Untrusted: -1}
	defer t.Set(KeyResults, res)
	if t.Env.Outbound || t.Env.AuthUser != "" {
		return nil // our own users' mail: nothing to authenticate
	}
	var kindBuf [64]uint8
	fs, kinds := scanFields(t.Msg.Headers, kindBuf[:0])
	if n := min(fs.received, maxHops); n > 0 {
		res.Hops = make([]received.Hop, 0, n)
		for i := range t.Msg.Headers {
			if len(res.Hops) >= maxHops {
				break
			}
			if kinds[i] == fReceived {
				res.Hops = append(res.Hops, received.Parse(t.Msg.Headers[i].Value))
			}
		}
	}
	// The SMTP client.
	switch {
	case t.Env.ClientIP.IsValid():
		res.Client = Client{IP: t.Env.ClientIP.Unmap(), Helo: t.Env.Helo, Host: t.Env.ClientHost, MailFrom: t.Env.MailFrom, Source: "envelope"}
		res.HasClient = true
	case !a.trust.Empty():
		if i, ok := received.FirstUntrusted(res.Hops, a.trust); ok {
			h := res.Hops[i]
			res.Untrusted = i
			res.Client = Client{IP: h.IP, Helo: h.Helo, Host: h.RDNS, MailFrom: returnPath(t), Source: "received"}
			res.HasClient = true
		} else if len(res.Hops) > 0 {
			t.Add(SymRcvdNoTrustedHop)
		}
	}
	if res.HasClient && res.Client.Host == "" && res.Client.IP.IsValid() && !res.Client.IP.IsPrivate() && !res.Client.IP.IsLoopback() {
		// iprev (RFC 8601 §3): the forward-confirmed reverse name.
		ictx := newCheckCtx(ctx)
		res.Client.Host, res.IPRev = verifiedName(ictx, a.res, res.Client.IP)
		ictx.release()
	}
	if res.HasClient && res.Client.Helo == "" {
		res.Client.Helo = res.Client.Host
	}
	a.checkReceived(t, res)

	// SPF. A stored message without Return-Path does not say what MAIL
	// FROM was: checking the HELO identity instead would be a guess.
	mailFromKnown := res.Client.Source == "envelope" || fs.returnPath
	if a.cfg.SPF && res.HasClient && mailFromKnown {
		sctx := newCheckCtx(ctx)
		res.SPF = spf.Check(sctx, a.res, res.Client.IP, res.Client.Helo, res.Client.MailFrom)
		sctx.release()
		res.SPFDone = true
		a.reportSPF(ctx, t, res.SPF, "")
		// RFC 7208 §2.3: check the HELO identity separately too when MAIL
		// FROM was the identity above (live mail flow only: a stored
		// Received line's HELO is the sender's word, already judged there).
		if res.SPF.Identity == "mailfrom" && res.Client.Source == "envelope" && strings.Contains(res.Client.Helo, ".") {
			hctx := newCheckCtx(ctx)
			h := spf.Check(hctx, a.res, res.Client.IP, res.Client.Helo, "")
			hctx.release()
			switch h.Status {
			case spf.Fail:
				t.Add(SymSPFHeloFail, "helo="+h.Domain)
			case spf.SoftFail:
				t.Add(SymSPFHeloSoftFail, "helo="+h.Domain)
			}
		}
	}
	// What sekisho cannot check itself (a stored message, a scan behind
	// another MTA), a trusted Authentication-Results may tell.
	if a.cfg.SPF && !res.SPFDone && len(a.cfg.TrustedAuthServIDs) > 0 {
		if r, id, ok := a.trustedSPF(t); ok {
			res.SPF, res.SPFDone = r, true
			a.reportSPF(ctx, t, r, id)
		}
	}
	raw := t.Msg.Raw
	// DKIM and ARC read the parse's field list and body span (parse once);
	// where the parser's reading may differ from the verifier's, they split
	// the raw bytes themselves.
	wantDKIM := a.cfg.DKIM && fs.dkim
	wantARC := a.cfg.ARC && fs.arcSet
	var (
		fields []dkim.Field
		body   []byte
		parsed bool
	)
	if wantDKIM || wantARC {
		fields, body, parsed = parsedFields(t.Msg)
	}
	// DKIM.
	if wantDKIM {
		dctx := newCheckCtx(ctx)
		dopt := dkim.Options{MaxSignatures: a.cfg.MaxSignatures}
		if parsed {
			res.DKIM = dkim.VerifyFields(dctx, a.res, dkim.NormalizeCRLF(raw), fields, body, dopt)
		} else {
			res.DKIM = dkim.Verify(dctx, a.res, raw, dopt)
		}
		dctx.release()
		for _, d := range res.DKIM {
			opt := d.Domain
			if d.Selector != "" {
				opt += " s=" + d.Selector
			}
			switch d.Status {
			case dkim.Pass:
				t.Add(SymDKIMPass, opt)
			case dkim.Fail:
				if d.BodyHashMismatch {
					t.Add(SymDKIMBodyHash, opt)
				} else {
					t.Add(SymDKIMFail, opt)
				}
			case dkim.TempError:
				t.Add(SymDKIMTempError, opt)
			case dkim.PermError:
				t.Add(SymDKIMPermError, opt, d.Reason)
			}
		}
	}
	// ARC.
	if wantARC {
		actx := newCheckCtx(ctx)
		if parsed {
			res.ARC = arc.VerifyFields(actx, a.res, fields, body)
		} else {
			res.ARC = arc.Verify(actx, a.res, raw)
		}
		actx.release()
		opt := strings.Join(res.ARC.Domains(), ",")
		switch res.ARC.Status {
		case arc.Pass:
			t.Add(SymARCPass, fmt.Sprintf("i=%d %s", len(res.ARC.Sets), opt))
		case arc.Fail:
			t.Add(SymARCFail, res.ARC.Reason)
		case arc.TempError:
			t.Add(SymARCTempError, opt)
		}
	}
	// An Authentication-Results field claiming our id before we added ours
	// (RFC 8601 §5) — only meaningful while the message is in the flow.
	if t.Env.ClientIP.IsValid() {
		for _, v := range t.Msg.Headers.Values("Authentication-Results") {
			if authres.AuthServID(v) == strings.ToLower(a.authID) {
				t.Add(SymAuthResultsForged, a.authID)
				break
			}
		}
	}
	return nil
}

// reportSPF adds the SPF symbol for a result (via: the authserv-id of
// the trusted Authentication-Results it came from, "" when checked here).
func (a Extract) reportSPF(ctx context.Context, t *pipeline.Task, r spf.Result, via string) {
	opts := []string{spfOption(r)}
	if via != "" {
		opts = append(opts, "via Authentication-Results of "+via)
	}
	switch r.Status {
	case spf.Pass:
		t.Add(SymSPFPass, opts...)
		a.checkPermissive(ctx, t, r.Domain)
	case spf.Fail:
		t.Add(SymSPFFail, opts...)
	case spf.SoftFail:
		t.Add(SymSPFSoftFail, opts...)
	case spf.Neutral:
		t.Add(SymSPFNeutral, opts...)
	case spf.None:
		if r.Domain != "" {
			t.Add(SymSPFNone, opts...)
		}
	case spf.TempError:
		t.Add(SymSPFTempError, opts...)
	case spf.PermError:
		t.Add(SymSPFPermError, append(opts, r.Reason)...)
	}
}

// trustedSPF reads the SPF result from the topmost Authentication-Results
// field written by a trusted authserv-id (the organisation's own MX, which
// removes such fields arriving from outside: RFC 8601 §5).
func (a Extract) trustedSPF(t *pipeline.Task) (spf.Result, string, bool) {
	for i, v := range t.Msg.Headers.Values("Authentication-Results") {
		if i >= 20 {
			break
		}
		id := authres.AuthServID(v)
		trusted := false
		for _, tid := range a.cfg.TrustedAuthServIDs {
			if strings.EqualFold(strings.TrimSpace(tid), id) {
				trusted = true
			}
		}
		if !trusted {
			continue
		}
		p, ok := authres.Parse(v)
		if !ok {
			return spf.Result{}, "", false
		}
		for _, r := range p.Results {
			sr, ok := r.(*authres.SPFResult)
			if !ok {
				continue
			}
			out := spf.Result{Status: spf.Status(strings.ToLower(string(sr.Value))), Identity: "mailfrom"}
			from := sr.From
			if from == "" && sr.Helo != "" {
				out.Identity, from = "helo", sr.Helo
			}
			if j := strings.LastIndexByte(from, '@'); j >= 0 {
				from = from[j+1:]
			}
			out.Domain = strings.ToLower(strings.TrimSuffix(from, "."))
			switch out.Status {
			case spf.Pass, spf.Fail, spf.SoftFail, spf.Neutral, spf.None, spf.TempError, spf.PermError:
				return out, id, true
			}
			return spf.Result{}, "", false
		}
		// The topmost trusted field has no SPF result: nothing to take.
		return spf.Result{}, "", false
	}
	return spf.Result{}, "", false
}

func spfOption(r spf.Result) string {
	if r.Domain == "" {
		return r.Identity
	}
	return r.Identity + "=" + r.Domain
}

// checkPermissive reports an SPF record that passes everyone.
func (a Extract) checkPermissive(ctx context.Context, t *pipeline.Task, domain string) {
	txts, err := a.res.LookupTXT(ctx, domain)
	if err != nil {
		return
	}
	for _, s := range txts {
		if rec, err := spf.ParseRecord(s); err == nil && rec.Permissive() {
			t.Add(SymSPFPermissive, domain)
			return
		}
	}
}

func returnPath(t *pipeline.Task) string {
	v := t.Msg.Headers.Get("Return-Path")
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	if strings.ContainsAny(v, " \t,") {
		return ""
	}
	return v
}

// checkReceived looks for private or forged origins and a brand whose
// servers are absent from the path.
func (a Extract) checkReceived(t *pipeline.Task, res *Results) {
	hops := res.Hops
	for _, h := range hops {
		if h.Forged {
			t.Add(SymRcvdMayBeForged, h.Helo)
			break
		}
	}
	// The client seen by a trusted relay, or in the flow.
	untrustedPriv := false
	if res.HasClient && res.Client.IP.IsValid() && received.Reserved(res.Client.IP) && !res.Client.IP.IsLoopback() {
		if res.Client.Source == "received" || !a.trust.IPTrusted(res.Client.IP) && !a.trust.Empty() {
			t.Add(SymRcvdUntrustedPriv, res.Client.IP.String())
			untrustedPriv = true
		}
	}
	if res.HasClient && res.Client.Helo != "" {
		a.checkHelo(t, res.Client)
	}
	// The claimed origin.
	if i, ok := received.Origin(hops); ok && !untrustedPriv {
		o := hops[i]
		name := o.Helo
		if name == "" {
			name = o.RDNS
		}
		if received.Reserved(o.IP) && !o.IP.IsLoopback() && isPublicName(name) && (res.Untrusted < 0 || i <= res.Untrusted) {
			t.Add(SymRcvdPrivateOrigin, fmt.Sprintf("%s [%s]", name, o.IP))
		}
	}
	a.checkBrandPath(t, res)
}

// isPublicName reports whether s looks like a fully qualified public host
// name (not "localhost", a bare word, an address literal or .local/.lan).
func isPublicName(s string) bool {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if !strings.Contains(s, ".") || strings.HasPrefix(s, "[") {
		return false
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return false
	}
	for _, suf := range []string{".local", ".lan", ".localdomain", ".internal", ".intra", ".corp", ".home", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(s, suf) {
			return false
		}
	}
	return true
}

func (a Extract) checkHelo(t *pipeline.Task, c Client) {
	helo := strings.TrimSuffix(strings.ToLower(c.Helo), ".")
	if ip, err := netip.ParseAddr(strings.Trim(strings.TrimPrefix(strings.Trim(helo, "[]"), "ipv6:"), "[]")); err == nil {
		if ip.Unmap() != c.IP.Unmap() && c.IP.IsValid() {
			t.Add(SymRcvdForgedHelo, "literal "+helo)
		}
		return
	}
	host := strings.ToLower(c.Host)
	under := func(h, d string) bool { return h == d || strings.HasSuffix(h, "."+d) }
	for _, d := range a.orgs {
		if under(helo, d) && !under(host, d) && !a.trust.IPTrusted(c.IP) {
			t.Add(SymRcvdForgedHelo, "own domain "+helo)
			return
		}
	}
	if b, ok := brands.ByDomain(helo); ok && host != "" && !b.Owns(host) {
		t.Add(SymRcvdForgedHelo, "brand "+b.Name+" "+helo)
	}
}

// checkBrandPath: the From domain (or display name) is a brand's, but no
// host on the path and no DKIM pass belongs to it.
func (a Extract) checkBrandPath(t *pipeline.Task, res *Results) {
	if len(t.Msg.From) == 0 || len(res.Hops) == 0 {
		return
	}
	from := t.Msg.From[0]
	type claim struct {
		b      brands.Brand
		factor float64
		why    string
	}
	var claims []claim
	if t.Msg.Headers.Has("List-Id") {
		return // mailing lists relay everyone's mail through their own hosts
	}
	// A brand's consumer mailboxes (hotmail.com, gmail.com) are anyone's:
	// the brand is not claimed, but the provider's servers must be there.
	freeProvider := false
	if b, ok := brands.ByDomain(from.Domain); ok && brands.Freemail(from.Domain) {
		freeProvider = true
		claims = append(claims, claim{b, 1, "webmail"})
	} else if ok {
		claims = append(claims, claim{b, 1, "from domain"})
	} else {
		for _, b := range brands.Claimed(from.Name) {
			// A name that starts with the brand claims to be it.
			f := 0.5
			if brands.StartsWith(from.Name, b) {
				f = 1
			}
			claims = append(claims, claim{b, f, "display name"})
			break
		}
	}
	if len(claims) == 0 {
		return
	}
	// Hosts on the path up to (and including) the first untrusted hop; all
	// when that is unknown.
	var hosts []string
	limit := len(res.Hops)
	if res.Untrusted >= 0 {
		limit = res.Untrusted + 1
	}
	for i := 0; i < limit; i++ {
		h := res.Hops[i]
		hosts = append(hosts, h.Helo, h.RDNS, h.By)
	}
	if res.HasClient {
		hosts = append(hosts, res.Client.Host, res.Client.Helo)
	}
	for _, c := range claims {
		owned := false
		for _, h := range hosts {
			if h != "" && c.b.Owns(h) {
				owned = true
				break
			}
		}
		for _, d := range res.DKIM {
			if d.Status == dkim.Pass && c.b.Owns(d.Domain) {
				owned = true
			}
		}
		if res.SPFDone && res.SPF.Status == spf.Pass && c.b.Owns(res.SPF.Domain) {
			owned = true
		}
		if owned {
			continue
		}
		// The origin host, for the explanation.
		origin := ""
		if i, ok := received.Origin(res.Hops); ok {
			origin = res.Hops[i].Helo
			if origin == "" {
				origin = res.Hops[i].RDNS
			}
		}
		if freeProvider {
			t.Add(SymRcvdFreemailForged, fmt.Sprintf("%s via %s", from.Domain, origin))
			continue
		}
		t.AddScaled(SymRcvdBrandMismatch, c.factor, fmt.Sprintf("%s %s via %s", c.b.Name, c.why, origin))
	}
}

// Analyze evaluates DMARC and records the authentication results on the
// task as data (the action step writes the Authentication-Results header).
func (a Main) Analyze(ctx context.Context, t *pipeline.Task) error {
	v, _ := t.Get(KeyResults)
	res, _ := v.(*Results)
	if res == nil || t.Env.Outbound || t.Env.AuthUser != "" {
		return nil
	}
	var dm dmarc.Result
	dmDone := false
	fromDomain := ""
	if len(t.Msg.From) > 0 {
		fromDomain = t.Msg.From[0].Domain
	}
	if a.cfg.DMARC && fromDomain != "" && len(t.Msg.From) == 1 {
		in := dmarc.Input{FromDomain: fromDomain, Seed: t.Msg.MessageID}
		if res.SPFDone {
			in.SPF = dmarc.Identifier{Domain: res.SPF.Domain, Status: string(res.SPF.Status)}
		}
		anyDKIMPass := false
		for _, d := range res.DKIM {
			in.DKIM = append(in.DKIM, dmarc.Identifier{Domain: d.Domain, Status: string(d.Status)})
			if d.Status == dkim.Pass {
				anyDKIMPass = true
			}
		}
		// Without SPF input (a stored message, no trusted relay) DMARC can
		// only pass through DKIM: never report a fail it cannot know.
		if res.SPFDone || anyDKIMPass {
			mctx := newCheckCtx(ctx)
			dm = dmarc.Evaluate(mctx, a.res, in)
			mctx.release()
			if !res.SPFDone && dm.Status == dmarc.Fail {
				dm.Status, dm.Reason = dmarc.None, "no SMTP client known"
			}
			dmDone = true
			t.Set(KeyDMARC, dm)
			opt := dm.FromDomain
			switch dm.Status {
			case dmarc.Pass:
				t.Add(SymDMARCPass, opt)
			case dmarc.Fail:
				if sealer, ok := a.arcOverride(res); ok {
					// RFC 8617 §7.2.1: a trusted forwarder's seal vouches
					// that the message authenticated before it changed it.
					t.Add(SymDMARCARCOverride, opt, "sealed by "+sealer)
					break
				}
				p := string(dm.Disposition)
				if dm.Sampled {
					p += " (pct sampled)"
				}
				switch dm.Disposition {
				case dmarc.PolicyReject:
					t.Add(SymDMARCFailReject, opt, "p="+p)
				case dmarc.PolicyQuarantine:
					t.Add(SymDMARCFailQuarantine, opt, "p="+p)
				default:
					t.Add(SymDMARCFailNone, opt, "p="+p)
				}
			case dmarc.TempError:
				t.Add(SymDMARCTempError, opt)
				if a.cfg.TempfailOnDNSError {
					t.Tempfail("DMARC: DNS failed for " + dm.FromDomain)
				}
			case dmarc.PermError:
				t.Add(SymDMARCPermError, opt, dm.Reason)
			}
		}
	}
	t.SetAuth(a.authResults(res, dm, dmDone, fromDomain))
	return nil
}

// ReportsPath is where the DMARC report rows are kept.
func ReportsPath(cfg *config.Config) string {
	return filepath.Join(cfg.General.DataDir, "dmarc-reports.db")
}

// arcOverride reports whether a passing ARC chain was last sealed by a
// configured trusted sealer whose ARC-Authentication-Results recorded a
// DMARC (or DKIM/SPF) pass for the message.
func (a Main) arcOverride(res *Results) (string, bool) {
	if len(a.cfg.ARCTrustedSealers) == 0 || res.ARC.Status != arc.Pass || len(res.ARC.Sets) == 0 {
		return "", false
	}
	last := res.ARC.Sets[len(res.ARC.Sets)-1]
	d := last.Domain()
	trusted := false
	for _, s := range a.cfg.ARCTrustedSealers {
		s = strings.ToLower(strings.TrimSpace(s))
		if d == s || strings.HasSuffix(d, "."+s) {
			trusted = true
		}
	}
	if !trusted {
		return "", false
	}
	aar := strings.ToLower(last.AuthResults)
	if strings.Contains(aar, "dmarc=pass") || strings.Contains(aar, "dkim=pass") || strings.Contains(aar, "spf=pass") {
		return d, true
	}
	return "", false
}

// authResults are the RFC 8601 results of the checks run, as data.
// Properties follow go-msgauth's result types, so the header the action
// step writes is the one earlier versions wrote here.
func (a Main) authResults(res *Results, dm dmarc.Result, dmDone bool, fromDomain string) *pipeline.AuthResults {
	out := &pipeline.AuthResults{ServID: a.authID}
	// The methods in one allocation: spf, each dkim, iprev, arc, dmarc.
	n := len(res.DKIM)
	for _, b := range []bool{res.SPFDone, res.IPRev != "", res.ARC.Status != "" && res.ARC.Status != arc.None, dmDone} {
		if b {
			n++
		}
	}
	if n > 0 {
		out.Methods = make([]pipeline.AuthMethod, 0, n)
	}
	add := func(method, value string, props map[string]string) {
		out.Methods = append(out.Methods, pipeline.AuthMethod{Method: method, Result: value, Props: props})
	}
	if res.SPFDone {
		p := map[string]string{"reason": res.SPF.Reason}
		if res.SPF.Identity == "helo" {
			p["smtp.helo"] = res.SPF.Domain
		} else {
			p["smtp.mailfrom"] = res.SPF.Sender
		}
		add("spf", string(res.SPF.Status), p)
	}
	for _, d := range res.DKIM {
		reason := ""
		if d.Reason != "" && d.Status != dkim.Pass {
			reason = truncate(d.Reason, 80)
		}
		add("dkim", string(d.Status), map[string]string{"header.d": d.Domain, "header.s": d.Selector, "header.b": d.BTag, "reason": reason})
	}
	if res.IPRev != "" {
		add("iprev", res.IPRev, map[string]string{"policy.iprev": res.Client.IP.String()})
	}
	if res.ARC.Status != "" && res.ARC.Status != arc.None {
		p := map[string]string{}
		if ip := remoteIP(res); ip != "" {
			p["smtp.remote-ip"] = ip
		}
		if res.ARC.OldestPass > 0 {
			p["header.oldest-pass"] = strconv.Itoa(res.ARC.OldestPass)
		}
		add("arc", string(res.ARC.Status), p)
	}
	if dmDone {
		p := map[string]string{"header.from": fromDomain}
		if dm.Status == dmarc.Fail {
			p["reason"] = "p=" + string(dm.Policy)
		}
		add("dmarc", string(dm.Status), p)
	}
	return out
}

func remoteIP(res *Results) string {
	if res.HasClient && res.Client.IP.IsValid() {
		return res.Client.IP.String()
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// parsedFields returns the top-level fields and the body of the scanned
// message as dkim.SplitMessage returns them (CRLF line ends), from the
// parse's spans: no second split. ok is false where the parser's reading
// may differ from the verifier's (a message cut at the size limit, a
// header over its limits, a header line that is no field, an mbox "From "
// line), and the caller splits the raw bytes itself.
func parsedFields(m *mail.Message) ([]dkim.Field, []byte, bool) {
	if m == nil || m.Root == nil || !m.Root.Spanned || len(m.Raw) != m.Size || len(m.Headers) > 2000 ||
		bytes.HasPrefix(m.Raw, []byte("From ")) {
		return nil, nil, false
	}
	for _, an := range m.Anomalies {
		switch an.Code {
		case mail.AnomalyTruncated, mail.AnomalyBadHeaderLine, mail.AnomalyTooManyHeaders, mail.AnomalyHeaderTooLong:
			return nil, nil, false
		}
	}
	// Every byte of the header block must belong to a field, in order.
	pos := m.Root.HeaderSpan.Start
	for _, h := range m.Headers {
		if h.Span.Start != pos {
			return nil, nil, false
		}
		pos = h.Span.End
	}
	if pos != m.Root.HeaderSpan.End {
		return nil, nil, false
	}
	fields := make([]dkim.Field, 0, len(m.Headers))
	for _, h := range m.Headers {
		line := dkim.NormalizeCRLF(m.Raw[h.Span.Start:h.Span.End])
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, nil, false
		}
		fields = append(fields, dkim.Field{Name: strings.TrimRight(string(name), " \t"), Raw: string(line)})
	}
	return fields, dkim.NormalizeCRLF(m.Raw[m.Root.BodySpan.Start:]), true
}
