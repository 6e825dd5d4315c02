// Package dmarc evaluates Domain-based Message Authentication, Reporting
// and Conformance (RFC 7489) from the SPF and DKIM results of a message.
//
// Policy discovery (§6.6.3) looks up _dmarc.<From domain>, then
// _dmarc.<organizational domain> (§3.2, from the public suffix list via
// golang.org/x/net/publicsuffix, through package psl). Identifier alignment (§3.1) is strict
// (equal domains) or relaxed (same organizational domain) per adkim/aspf.
// The effective policy is p, or sp for a subdomain of the policy domain;
// pct (§6.6.4) samples deterministically from a seed (the Message-ID) and
// applies the next weaker policy to the rest. A DNS failure during
// discovery is temperror, never fail. Record syntax is parsed by
// github.com/emersion/go-msgauth/dmarc.
package dmarc

import (
	"context"
	"hash/fnv"
	"strings"

	msgdmarc "github.com/emersion/go-msgauth/dmarc"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/link/psl"
)

// Status is a DMARC result (RFC 8601 §2.7.1 via RFC 7489 §11.2).
type Status string

// Statuses.
const (
	None      Status = "none"
	Pass      Status = "pass"
	Fail      Status = "fail"
	TempError Status = "temperror"
	PermError Status = "permerror"
)

// Policy is a requested handling.
type Policy string

// Policies.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// Identifier is one authenticated identifier with its result
// ("pass", "fail", "temperror", ...).
type Identifier struct {
	Domain string
	Status string
}

// Input is what DMARC evaluates.
type Input struct {
	FromDomain string       // RFC5322.From domain
	SPF        Identifier   // SPF result and the MAIL FROM (or HELO) domain checked
	DKIM       []Identifier // DKIM results with their d= domains
	Seed       string       // for pct sampling (Message-ID); same seed, same choice
}

// Result of an evaluation.
type Result struct {
	Status       Status
	FromDomain   string
	OrgDomain    string
	PolicyDomain string // where the record was found
	Record       *msgdmarc.Record
	// Policy is the policy that applies to this From domain (p or sp).
	Policy Policy
	// Disposition is Policy after pct sampling; PolicyNone on pass.
	Disposition Policy
	Sampled     bool // pct < 100 and this message fell outside the sample
	SPFAligned  bool // an aligned SPF pass
	DKIMAligned bool // an aligned DKIM pass
	AlignedDKIM string
	Reason      string
}

// TXTLookuper is the resolver method DMARC needs.
type TXTLookuper interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// OrgDomain returns the organizational domain (§3.2): the public suffix
// plus one label; the domain itself when it cannot tell.
func OrgDomain(d string) string {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	// The memo in front of publicsuffix (same answers, no error values).
	o, ok := psl.EffectiveTLDPlusOne(d)
	if !ok {
		return d
	}
	return o
}

// Aligned reports whether two domains are aligned in mode "s" or "r".
func Aligned(a, b string, strict bool) bool {
	a = strings.TrimSuffix(strings.ToLower(a), ".")
	b = strings.TrimSuffix(strings.ToLower(b), ".")
	if a == "" || b == "" {
		return false
	}
	if strict {
		return a == b
	}
	return OrgDomain(a) == OrgDomain(b)
}

// lookup finds the DMARC record at _dmarc.domain. found=false means no
// policy there (§6.6.3: none, or more than one record).
func lookup(ctx context.Context, r TXTLookuper, domain string) (rec *msgdmarc.Record, found bool, st Status, reason string) {
	txts, err := r.LookupTXT(ctx, "_dmarc."+domain)
	if err != nil {
		if dns.IsTemporary(err) {
			return nil, false, TempError, "DNS lookup of _dmarc." + domain + " failed temporarily"
		}
		return nil, false, None, ""
	}
	var recs []string
	for _, t := range txts {
		t = strings.TrimSpace(t)
		if len(t) >= 8 && strings.EqualFold(t[:8], "v=DMARC1") {
			recs = append(recs, t)
		}
	}
	if len(recs) != 1 {
		return nil, false, None, ""
	}
	rec, err = msgdmarc.Parse(recs[0])
	if err != nil {
		return nil, false, PermError, "record at _dmarc." + domain + ": " + err.Error()
	}
	return rec, true, "", ""
}

// Evaluate runs DMARC for a message.
func Evaluate(ctx context.Context, r TXTLookuper, in Input) Result {
	from := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in.FromDomain)), ".")
	res := Result{FromDomain: from, Status: None, Policy: PolicyNone, Disposition: PolicyNone}
	if from == "" || !strings.Contains(from, ".") {
		res.Reason = "no From domain"
		return res
	}
	res.OrgDomain = OrgDomain(from)
	rec, found, st, reason := lookup(ctx, r, from)
	res.PolicyDomain = from
	if !found && st == None && res.OrgDomain != from {
		rec, found, st, reason = lookup(ctx, r, res.OrgDomain)
		res.PolicyDomain = res.OrgDomain
	}
	if !found {
		res.Status, res.Reason, res.PolicyDomain = st, reason, ""
		if st == "" || st == None {
			res.Status = None
			res.Reason = "no DMARC record"
		}
		return res
	}
	res.Record = rec
	res.Policy = Policy(rec.Policy)
	if res.PolicyDomain != from && rec.SubdomainPolicy != "" {
		res.Policy = Policy(rec.SubdomainPolicy)
	}
	strictSPF := rec.SPFAlignment == msgdmarc.AlignmentStrict
	strictDKIM := rec.DKIMAlignment == msgdmarc.AlignmentStrict
	tempAligned := false
	if Aligned(in.SPF.Domain, from, strictSPF) {
		switch in.SPF.Status {
		case "pass":
			res.SPFAligned = true
		case "temperror":
			tempAligned = true
		}
	}
	for _, d := range in.DKIM {
		if !Aligned(d.Domain, from, strictDKIM) {
			continue
		}
		switch d.Status {
		case "pass":
			if !res.DKIMAligned {
				res.DKIMAligned = true
				res.AlignedDKIM = strings.ToLower(d.Domain)
			}
		case "temperror":
			tempAligned = true
		}
	}
	if res.SPFAligned || res.DKIMAligned {
		res.Status = Pass
		res.Disposition = PolicyNone
		return res
	}
	if tempAligned {
		res.Status = TempError
		res.Reason = "an aligned identifier could not be checked (DNS)"
		return res
	}
	res.Status = Fail
	res.Reason = "no aligned SPF or DKIM pass"
	res.Disposition = res.Policy
	if rec.Percent != nil && *rec.Percent < 100 {
		h := fnv.New32a()
		h.Write([]byte(in.Seed))
		if int(h.Sum32()%100) >= *rec.Percent {
			res.Sampled = true
			switch res.Policy {
			case PolicyReject:
				res.Disposition = PolicyQuarantine
			case PolicyQuarantine:
				res.Disposition = PolicyNone
			}
		}
	}
	return res
}
