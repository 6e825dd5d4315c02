// Package spf evaluates Sender Policy Framework (RFC 7208) through
// sekisho's resolver. The check_host() evaluation is done by
// blitiri.com.ar/go/spf (lookup limits of §4.6.4, macros of §7, redirect
// and include of §5.2/§6.1); this package chooses the identity (§2.3,
// §2.4: MAIL FROM, or postmaster@HELO for the null sender), maps DNS
// failures to temperror (§2.6.6, never fail) and parses records itself for
// diagnostics (ParseRecord: a permissive "+all" policy, syntax errors).
package spf

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"

	bspf "blitiri.com.ar/go/spf"
	"github.com/sekisho/sekisho/internal/dns"
)

// Status is an SPF result (§8).
type Status string

// Statuses.
const (
	None      Status = "none"
	Neutral   Status = "neutral"
	Pass      Status = "pass"
	Fail      Status = "fail"
	SoftFail  Status = "softfail"
	TempError Status = "temperror"
	PermError Status = "permerror"
)

// Result of a check.
type Result struct {
	Status   Status
	Identity string // "mailfrom" or "helo"
	Domain   string // the domain checked
	Sender   string // the identity as checked: "user@domain" or "postmaster@helo"
	Reason   string
}

// Resolver is what SPF needs from DNS (sekisho's dns.Resolver).
type Resolver = dns.Lookuper

// Check runs check_host() for the MAIL FROM identity, or the HELO identity
// when MAIL FROM is empty (§2.4).
func Check(ctx context.Context, r Resolver, ip netip.Addr, helo, mailFrom string) Result {
	helo = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(helo)), ".")
	mailFrom = strings.Trim(strings.TrimSpace(mailFrom), "<>")
	res := Result{Identity: "mailfrom", Sender: mailFrom}
	local, domain, ok := strings.Cut(mailFrom, "@")
	if mailFrom == "" || !ok {
		res.Identity = "helo"
		domain = helo
		local = "postmaster"
		if ok := validDomain(domain); !ok {
			res.Status, res.Reason = None, "no usable identity (empty MAIL FROM and HELO not a domain)"
			return res
		}
	}
	if local == "" {
		local = "postmaster"
	}
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	res.Domain = domain
	res.Sender = local + "@" + domain
	if !validDomain(domain) {
		res.Status, res.Reason = None, "identity is not a valid domain"
		return res
	}
	if !ip.IsValid() {
		res.Status, res.Reason = None, "no client address"
		return res
	}
	st, err := bspf.CheckHostWithSender(net.IP(ip.Unmap().AsSlice()), helo, res.Sender,
		bspf.WithContext(ctx), bspf.WithResolver(r))
	res.Status = Status(st)
	if err != nil && res.Status != Pass && res.Status != Fail && res.Status != SoftFail && res.Status != Neutral {
		res.Reason = explain(err)
	}
	// A DNS error that the library did not see as temporary (context
	// deadline) is still a temporary result.
	if res.Status == PermError && (dns.IsTemporary(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		res.Status = TempError
	}
	return res
}

func explain(err error) string {
	switch {
	case errors.Is(err, bspf.ErrNoResult):
		return "no SPF record"
	case errors.Is(err, bspf.ErrLookupLimitReached):
		return "more than 10 DNS lookups"
	case errors.Is(err, bspf.ErrVoidLookupLimitReached):
		return "more than 2 void lookups"
	case errors.Is(err, bspf.ErrMultipleRecords):
		return "more than one SPF record"
	case dns.IsTemporary(err):
		return "DNS lookup failed temporarily"
	}
	return "record error: " + err.Error()
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
	}
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
		return false
	}
	return true
}
