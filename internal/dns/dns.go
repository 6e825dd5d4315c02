// Package dns is sekisho's one stub resolver: a github.com/miekg/dns client
// with a bounded cache (positive answers by TTL, negative answers per
// RFC 2308 §5), per-query timeouts and TCP fallback on truncation.
//
// Outcome is not error: a name that does not exist (NXDOMAIN) or has no
// record of the asked type (NODATA) is "not found"; a server failure,
// refusal or timeout is temporary. Errors are *net.DNSError (so libraries
// written for net.Resolver understand them: IsNotFound, IsTemporary,
// IsTimeout) that unwrap to ErrNotFound or ErrTemporary, so callers use
// errors.Is and never match text. A DNS failure must become a temporary
// result (temperror), never a fail.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
)

// Errors wrapped by every lookup error.
var (
	// ErrTemporary: the server failed, refused or did not answer in time.
	ErrTemporary = errors.New("dns: temporary failure")
	// ErrNotFound: NXDOMAIN, or no record of the asked type.
	ErrNotFound = errors.New("dns: not found")
	// ErrBadName: the name is not a valid domain name (a permanent error).
	ErrBadName = errors.New("dns: invalid name")
)

// IsTemporary reports whether err is a temporary DNS failure.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrTemporary) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && (de.IsTemporary || de.IsTimeout)
}

// IsNotFound reports whether err means the record does not exist.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// Config sets up a Resolver. Zero fields take the defaults.
type Config struct {
	// Servers are "host:port" (port 53 when missing). Default: the
	// nameservers of /etc/resolv.conf, else 127.0.0.1:53.
	Servers []string
	// Timeout per query and server. Default 2s.
	Timeout time.Duration
	// Attempts per server for a temporary failure. Default 1.
	Attempts int
	// CacheEntries bounds the cache; 0 means 10000, negative disables it.
	CacheEntries int
	// MaxTTL caps how long an answer is cached. Default 1h.
	MaxTTL time.Duration
	// NegativeTTL caps how long NXDOMAIN/NODATA is cached. Default 5m.
	NegativeTTL time.Duration
}

// Resolver answers the lookups authentication needs. Safe for concurrent use.
type Resolver struct {
	cfg     Config
	servers []string
	udp     *mdns.Client
	tcp     *mdns.Client

	mu    sync.Mutex
	cache map[cacheKey]*cacheEntry
	now   func() time.Time

	statMu            sync.Mutex
	queries, hits     int
	temporaryFailures int
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	rrs     []mdns.RR
	rcode   int // mdns.RcodeSuccess with rrs, or NXDOMAIN / success-without-rrs
	expires time.Time
}

// New makes a resolver.
func New(cfg Config) (*Resolver, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 1
	}
	if cfg.CacheEntries == 0 {
		cfg.CacheEntries = 10000
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = time.Hour
	}
	if cfg.NegativeTTL <= 0 {
		cfg.NegativeTTL = 5 * time.Minute
	}
	servers := cfg.Servers
	if len(servers) == 0 {
		servers = systemServers("/etc/resolv.conf")
	}
	var norm []string
	for _, s := range servers {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
		}
		norm = append(norm, s)
	}
	if len(norm) == 0 {
		return nil, fmt.Errorf("dns: no servers")
	}
	r := &Resolver{
		cfg: cfg, servers: norm,
		udp:   &mdns.Client{Net: "udp", Timeout: cfg.Timeout, UDPSize: 4096},
		tcp:   &mdns.Client{Net: "tcp", Timeout: cfg.Timeout},
		cache: map[cacheKey]*cacheEntry{},
		now:   time.Now,
	}
	return r, nil
}

func systemServers(path string) []string {
	c, err := mdns.ClientConfigFromFile(path)
	if err != nil || c == nil || len(c.Servers) == 0 {
		return []string{"127.0.0.1:53"}
	}
	out := make([]string, 0, len(c.Servers))
	for _, s := range c.Servers {
		out = append(out, net.JoinHostPort(s, c.Port))
	}
	return out
}

// Servers returns the servers queried, in order.
func (r *Resolver) Servers() []string { return append([]string(nil), r.servers...) }

// Stats returns query, cache-hit and temporary-failure counters.
func (r *Resolver) Stats() (queries, cacheHits, temporary int) {
	r.statMu.Lock()
	defer r.statMu.Unlock()
	return r.queries, r.hits, r.temporaryFailures
}

func dnsErr(name string, kind error, detail string) error {
	e := &net.DNSError{Err: detail, Name: name, UnwrapErr: kind}
	switch kind {
	case ErrNotFound:
		e.IsNotFound = true
	case ErrTemporary:
		e.IsTemporary = true
		if strings.Contains(detail, "timeout") {
			e.IsTimeout = true
		}
	}
	return e
}

// query resolves one name and type, with the cache. It returns the answer
// records of type qtype (CNAME chains followed by the server).
func (r *Resolver) query(ctx context.Context, name string, qtype uint16) ([]mdns.RR, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || len(name) > 253 {
		return nil, dnsErr(name, ErrBadName, "invalid domain name")
	}
	fq := mdns.Fqdn(name)
	if _, ok := mdns.IsDomainName(fq); !ok {
		return nil, dnsErr(name, ErrBadName, "invalid domain name")
	}
	key := cacheKey{fq, qtype}
	if r.cfg.CacheEntries > 0 {
		r.mu.Lock()
		e, ok := r.cache[key]
		if ok && r.now().Before(e.expires) {
			r.mu.Unlock()
			r.statMu.Lock()
			r.hits++
			r.statMu.Unlock()
			if len(e.rrs) == 0 {
				return nil, dnsErr(name, ErrNotFound, "no such record (cached)")
			}
			return e.rrs, nil
		}
		r.mu.Unlock()
	}
	r.statMu.Lock()
	r.queries++
	r.statMu.Unlock()

	m := new(mdns.Msg)
	m.SetQuestion(fq, qtype)
	m.RecursionDesired = true
	m.SetEdns0(4096, false)

	var lastDetail = "no answer"
	for _, srv := range r.servers {
		for a := 0; a < r.cfg.Attempts; a++ {
			if err := ctx.Err(); err != nil {
				r.countTemp()
				return nil, dnsErr(name, ErrTemporary, "timeout: "+err.Error())
			}
			in, _, err := r.udp.ExchangeContext(ctx, m, srv)
			if err == nil && in != nil && in.Truncated {
				in, _, err = r.tcp.ExchangeContext(ctx, m, srv)
			}
			if err != nil {
				lastDetail = err.Error()
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					lastDetail = "timeout: " + lastDetail
				}
				continue
			}
			switch in.Rcode {
			case mdns.RcodeSuccess, mdns.RcodeNameError:
			default:
				lastDetail = "server answered " + mdns.RcodeToString[in.Rcode]
				continue
			}
			var rrs []mdns.RR
			minTTL := uint32(r.cfg.MaxTTL / time.Second)
			for _, rr := range in.Answer {
				if rr.Header().Rrtype != qtype {
					continue
				}
				rrs = append(rrs, rr)
				if t := rr.Header().Ttl; t < minTTL {
					minTTL = t
				}
			}
			ttl := time.Duration(minTTL) * time.Second
			if len(rrs) == 0 {
				ttl = r.cfg.NegativeTTL
				for _, rr := range in.Ns {
					if soa, ok := rr.(*mdns.SOA); ok {
						if t := time.Duration(min(soa.Minttl, soa.Hdr.Ttl)) * time.Second; t < ttl {
							ttl = t
						}
					}
				}
			}
			r.store(key, rrs, ttl)
			if len(rrs) == 0 {
				if in.Rcode == mdns.RcodeNameError {
					return nil, dnsErr(name, ErrNotFound, "no such host")
				}
				return nil, dnsErr(name, ErrNotFound, "no such record")
			}
			return rrs, nil
		}
	}
	r.countTemp()
	return nil, dnsErr(name, ErrTemporary, lastDetail)
}

func (r *Resolver) countTemp() {
	r.statMu.Lock()
	r.temporaryFailures++
	r.statMu.Unlock()
}

func (r *Resolver) store(key cacheKey, rrs []mdns.RR, ttl time.Duration) {
	if r.cfg.CacheEntries <= 0 || ttl <= 0 {
		return
	}
	if ttl > r.cfg.MaxTTL {
		ttl = r.cfg.MaxTTL
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) >= r.cfg.CacheEntries {
		// Drop expired entries; if still full, drop an arbitrary quarter.
		for k, e := range r.cache {
			if !now.Before(e.expires) {
				delete(r.cache, k)
			}
		}
		n := len(r.cache) / 4
		for k := range r.cache {
			if len(r.cache) < r.cfg.CacheEntries && n <= 0 {
				break
			}
			delete(r.cache, k)
			n--
		}
	}
	r.cache[key] = &cacheEntry{rrs: rrs, expires: now.Add(ttl)}
}

// Flush empties the cache.
func (r *Resolver) Flush() {
	r.mu.Lock()
	r.cache = map[cacheKey]*cacheEntry{}
	r.mu.Unlock()
}

// LookupTXT returns the TXT records of name, each record's strings joined.
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.query(ctx, name, mdns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if t, ok := rr.(*mdns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out, nil
}

// LookupMX returns the MX records of name.
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := r.query(ctx, name, mdns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		if m, ok := rr.(*mdns.MX); ok {
			out = append(out, &net.MX{Host: m.Mx, Pref: m.Preference})
		}
	}
	return out, nil
}

// LookupNS returns the name servers of name (host names, without the
// trailing dot).
func (r *Resolver) LookupNS(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.query(ctx, name, mdns.TypeNS)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if n, ok := rr.(*mdns.NS); ok {
			out = append(out, strings.TrimSuffix(n.Ns, "."))
		}
	}
	return out, nil
}

// LookupNetIP returns the A and AAAA addresses of host.
func (r *Resolver) LookupNetIP(ctx context.Context, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	var temp error
	var nf error
	for _, qt := range []uint16{mdns.TypeA, mdns.TypeAAAA} {
		rrs, err := r.query(ctx, host, qt)
		if err != nil {
			if IsTemporary(err) {
				temp = err
			} else {
				nf = err
			}
			continue
		}
		for _, rr := range rrs {
			switch v := rr.(type) {
			case *mdns.A:
				if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
					out = append(out, a)
				}
			case *mdns.AAAA:
				if a, ok := netip.AddrFromSlice(v.AAAA); ok {
					out = append(out, a)
				}
			}
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if temp != nil {
		return nil, temp
	}
	return nil, nf
}

// LookupA returns the IPv4 addresses of name: one A query, the shape
// of DNS block list answers (127.0.0.x).
func (r *Resolver) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	rrs, err := r.query(ctx, name, mdns.TypeA)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, rr := range rrs {
		if v, ok := rr.(*mdns.A); ok {
			if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// LookupIPAddr returns the addresses of host (net.Resolver's shape).
func (r *Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	as, err := r.LookupNetIP(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]net.IPAddr, len(as))
	for i, a := range as {
		out[i] = net.IPAddr{IP: net.IP(a.AsSlice())}
	}
	return out, nil
}

// LookupAddr returns the PTR names of an address.
func (r *Resolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := mdns.ReverseAddr(addr)
	if err != nil {
		return nil, dnsErr(addr, ErrBadName, "invalid address")
	}
	rrs, err := r.query(ctx, rev, mdns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if p, ok := rr.(*mdns.PTR); ok {
			out = append(out, p.Ptr)
		}
	}
	return out, nil
}

// VerifiedName returns the forward-confirmed reverse name of ip (RFC 8601
// §3: iprev): a PTR name whose addresses include ip. "" when none.
func (r *Resolver) VerifiedName(ctx context.Context, ip netip.Addr) (string, error) {
	names, err := r.LookupAddr(ctx, ip.String())
	if err != nil {
		return "", err
	}
	var firstErr error
	for i, n := range names {
		if i >= 10 {
			break
		}
		as, err := r.LookupNetIP(ctx, n)
		if err != nil {
			if firstErr == nil && IsTemporary(err) {
				firstErr = err
			}
			continue
		}
		for _, a := range as {
			if a.Unmap() == ip.Unmap() {
				return strings.TrimSuffix(n, "."), nil
			}
		}
	}
	return "", firstErr
}

// Lookuper is the interface the authentication packages need; *Resolver
// implements it and tests may fake it.
type Lookuper interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

var _ Lookuper = (*Resolver)(nil)
