package feed

import (
	"crypto/md5" //nolint:gosec // MD5 is what feeds publish for files
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/auth/received"
	"github.com/sekisho/sekisho/internal/mail"
)

// Observable is one thing of a message that indicators are matched on.
type Observable struct {
	Kind  string // KindURL, KindDomain (a host; its parents are tried too), KindIP, KindEmail, KindMD5/SHA1/SHA256
	Value string // normalised
	Where string // evidence: where it came from ("link", "from", "attachment a.zip", ...)
}

// Bounds of what is taken from one message.
const (
	maxObsURLs    = 200
	maxObsHosts   = 100
	maxObsIPs     = 20
	maxObsEmails  = 20
	maxObsFiles   = 32
	maxParentSkip = 10 // labels of a host name tried as parents
)

// Source is a message as the analyzer or the retro-hunt sees it.
type Source struct {
	Msg      *mail.Message // may be nil for stored records without raw bytes
	MailFrom string
	ClientIP netip.Addr
	// URLs, Hosts, From and SHA256 are used when Msg is nil (records
	// without raw bytes).
	URLs   []string
	From   []string
	SHA256 []string
}

// Observables extracts what indicators are matched on, bounded.
func Observables(s Source) []Observable {
	var out []Observable
	seen := map[Observable]bool{}
	add := func(kind, v, where string) {
		if v == "" {
			return
		}
		k := Observable{Kind: kind, Value: v}
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, Observable{kind, v, where})
	}
	nURL, nHost, nIP, nMail, nFile := 0, 0, 0, 0, 0
	addHost := func(h, where string) {
		if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			if nIP < maxObsIPs {
				nIP++
				add(KindIP, a.Unmap().String(), where)
			}
			return
		}
		if nHost < maxObsHosts {
			nHost++
			add(KindDomain, NormDomain(h), where)
		}
	}
	addURL := func(raw, where string) {
		if len(raw) >= 7 && strings.EqualFold(raw[:7], "mailto:") {
			if nMail < maxObsEmails {
				nMail++
				addr := raw[7:]
				if i := strings.IndexAny(addr, "?#"); i >= 0 {
					addr = addr[:i]
				}
				add(KindEmail, NormEmail(addr), "mailto link")
			}
			return
		}
		n := NormURL(raw)
		if n == "" {
			return
		}
		if nURL < maxObsURLs {
			nURL++
			add(KindURL, n, where)
		}
		if i := strings.Index(n, "://"); i > 0 {
			h := n[i+3:]
			if j := strings.IndexAny(h, "/?"); j >= 0 {
				h = h[:j]
			}
			if j := strings.LastIndexByte(h, ':'); j > 0 && !strings.HasSuffix(h, "]") {
				h = h[:j]
			}
			addHost(h, where)
		}
	}
	addMail := func(a, where string) {
		n := NormEmail(a)
		if n == "" || nMail >= maxObsEmails {
			return
		}
		nMail++
		add(KindEmail, n, where)
		if nHost < maxObsHosts {
			nHost++
			add(KindDomain, n[strings.LastIndexByte(n, '@')+1:], where+" domain")
		}
	}
	if s.ClientIP.IsValid() && !local(s.ClientIP) {
		nIP++
		add(KindIP, s.ClientIP.Unmap().String(), "client")
	}
	addMail(s.MailFrom, "envelope sender")
	if m := s.Msg; m != nil {
		for _, a := range m.From {
			addMail(a.Addr, "from")
		}
		for _, a := range m.Sender {
			addMail(a.Addr, "sender")
		}
		for _, a := range m.ReplyTo {
			addMail(a.Addr, "reply-to")
		}
		for i, v := range m.Headers.Values("Received") {
			if i >= 20 {
				break
			}
			if h := received.Parse(v); h.IP.IsValid() && !local(h.IP) && nIP < maxObsIPs {
				nIP++
				add(KindIP, h.IP.Unmap().String(), "received")
			}
		}
		for _, u := range m.URLs {
			addURL(u.Raw, "link")
		}
		for _, p := range m.Attachments {
			if len(p.Body) == 0 || nFile >= maxObsFiles {
				continue
			}
			nFile++
			name := p.Filename
			if name == "" {
				name = "part " + p.Path
			}
			where := "attachment " + name
			m5 := md5.Sum(p.Body) //nolint:gosec
			s1 := sha1.Sum(p.Body)
			s2 := sha256.Sum256(p.Body)
			add(KindMD5, hex.EncodeToString(m5[:]), where)
			add(KindSHA1, hex.EncodeToString(s1[:]), where)
			add(KindSHA256, hex.EncodeToString(s2[:]), where)
		}
	} else {
		for _, a := range s.From {
			addMail(a, "from")
		}
		for _, u := range s.URLs {
			addURL(u, "link")
		}
		for _, h := range s.SHA256 {
			if nFile < maxObsFiles {
				nFile++
				add(KindSHA256, strings.ToLower(h), "attachment")
			}
		}
	}
	return out
}

// local reports addresses no feed lists: private, loopback, link-local,
// unspecified, multicast.
func local(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast()
}

// Hit is one indicator found in a message.
type Hit struct {
	Feed  string
	Ref   string
	Name  string
	Kind  string // kind of the term that matched (the first, for conjunctions)
	Value string // indicator value
	Where string
}

type group struct {
	feed       int32
	nterms     int32
	ref, name  string
	validFrom  int64
	validUntil int64
}

type entry struct {
	group int32
	value string // the indicator's value (a parent domain, a prefix)
}

// Matcher is an immutable in-memory index of indicators.
type Matcher struct {
	feeds  []string
	groups []group
	exact  map[Term][]int32
	// prefixes by length: masked prefix → groups.
	prefixes map[int]map[netip.Prefix][]int32
	bits     []int
	terms    int
}

// NewMatcher builds an index over feeds' indicators.
func NewMatcher(byFeed map[string][]Indicator) *Matcher {
	m := &Matcher{exact: map[Term][]int32{}, prefixes: map[int]map[netip.Prefix][]int32{}}
	for feed, inds := range byFeed {
		fi := int32(len(m.feeds))
		m.feeds = append(m.feeds, feed)
		for _, ind := range inds {
			gi := int32(len(m.groups))
			m.groups = append(m.groups, group{feed: fi, nterms: int32(len(ind.Terms)), ref: ind.Ref, name: ind.Name,
				validFrom: ind.ValidFrom, validUntil: ind.ValidUntil})
			for _, t := range ind.Terms {
				m.terms++
				if t.Kind == KindIP && strings.Contains(t.Value, "/") {
					p, err := netip.ParsePrefix(t.Value)
					if err != nil {
						continue
					}
					mp := m.prefixes[p.Bits()+boolInt(p.Addr().Is6())*1000]
					if mp == nil {
						mp = map[netip.Prefix][]int32{}
						m.prefixes[p.Bits()+boolInt(p.Addr().Is6())*1000] = mp
						m.bits = append(m.bits, p.Bits()+boolInt(p.Addr().Is6())*1000)
					}
					mp[p] = append(mp[p], gi)
					continue
				}
				m.exact[t] = append(m.exact[t], gi)
			}
		}
	}
	return m
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Len returns the number of indicator terms indexed.
func (m *Matcher) Len() int { return m.terms }

// Feeds returns the feed names indexed.
func (m *Matcher) Feeds() []string { return m.feeds }

// Match returns the indicators found among obs at now; one hit per
// indicator.
func (m *Matcher) Match(obs []Observable, now time.Time) []Hit {
	if m == nil || m.terms == 0 {
		return nil
	}
	var found map[int32]map[Term]string // group → matched terms → where
	note := func(gs []int32, t Term, where string) {
		for _, g := range gs {
			if found == nil {
				found = map[int32]map[Term]string{}
			}
			if found[g] == nil {
				found[g] = map[Term]string{}
			}
			if _, ok := found[g][t]; !ok {
				found[g][t] = where
			}
		}
	}
	for _, o := range obs {
		switch o.Kind {
		case KindDomain:
			// The host and its parents ("a.b.evil.example" matches an
			// indicator "evil.example"); the top-level label alone is not tried.
			h := o.Value
			for i := 0; i < maxParentSkip && strings.Contains(h, "."); i++ {
				t := Term{KindDomain, h}
				if gs, ok := m.exact[t]; ok {
					note(gs, t, o.Where+" "+o.Value)
				}
				_, h, _ = strings.Cut(h, ".")
			}
		case KindIP:
			t := Term{KindIP, o.Value}
			if gs, ok := m.exact[t]; ok {
				note(gs, t, o.Where)
			}
			if len(m.bits) > 0 {
				a, err := netip.ParseAddr(o.Value)
				if err != nil {
					continue
				}
				for _, b := range m.bits {
					v6 := b >= 1000
					if v6 != a.Is6() {
						continue
					}
					p, err := a.Prefix(b % 1000)
					if err != nil {
						continue
					}
					if gs, ok := m.prefixes[b][p]; ok {
						note(gs, Term{KindIP, p.String()}, o.Where+" "+o.Value)
					}
				}
			}
		case KindURL:
			t := Term{KindURL, o.Value}
			if gs, ok := m.exact[t]; ok {
				note(gs, t, o.Where)
			}
			// "http://x/path/" and "http://x/path" are the same page.
			var alt string
			if strings.HasSuffix(o.Value, "/") {
				alt = strings.TrimSuffix(o.Value, "/")
			} else if !strings.Contains(o.Value, "?") {
				alt = o.Value + "/"
			}
			if alt != "" {
				t := Term{KindURL, alt}
				if gs, ok := m.exact[t]; ok {
					note(gs, t, o.Where)
				}
			}
		default:
			t := Term{o.Kind, o.Value}
			if gs, ok := m.exact[t]; ok {
				note(gs, t, o.Where)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	ts := now.Unix()
	var hits []Hit
	for gi, terms := range found {
		g := m.groups[gi]
		if int32(len(terms)) < g.nterms {
			continue
		}
		if g.validFrom > 0 && ts < g.validFrom || g.validUntil > 0 && ts >= g.validUntil {
			continue
		}
		h := Hit{Feed: m.feeds[g.feed], Ref: g.ref, Name: g.name}
		for t, w := range terms {
			if h.Kind == "" || t.Kind+t.Value < h.Kind+h.Value {
				h.Kind, h.Value, h.Where = t.Kind, t.Value, w
			}
		}
		hits = append(hits, h)
	}
	return hits
}
