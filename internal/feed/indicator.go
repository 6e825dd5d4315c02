// Package feed imports threat-intelligence feeds — STIX 2.1 bundles
// (OASIS STIX 2.1, §4 patterning and §9 "STIX Patterning"), TAXII 2.1
// collections (OASIS TAXII 2.1 §4 discovery, api roots, §5 collections and
// objects with added_after paging) and plain lists (one indicator a line,
// or a CSV column) — into an indicator store (SQLite under the data
// directory), keeps it fresh on a schedule with expiry, matches messages
// against it, and retro-hunts the scan history and quarantine when new
// indicators arrive (docs/feeds.md).
package feed

import (
	"encoding/hex"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// Indicator kinds.
const (
	KindURL    = "url"
	KindDomain = "domain"
	KindIP     = "ip" // an address or a CIDR prefix
	KindEmail  = "email"
	KindMD5    = "md5"
	KindSHA1   = "sha1"
	KindSHA256 = "sha256"
)

// Kinds lists every indicator kind.
var Kinds = []string{KindURL, KindDomain, KindIP, KindEmail, KindMD5, KindSHA1, KindSHA256}

// Term is one normalised thing to match: kind and value.
type Term struct {
	Kind  string
	Value string
}

// Indicator is one matchable unit: all of its Terms must be seen in one
// message (a STIX conjunction; lists give one term).
type Indicator struct {
	Ref        string // STIX id + "#" + conjunction number, or the list value
	Name       string // STIX name or description, or ""
	Terms      []Term
	ValidFrom  int64 // unix seconds; 0 none
	ValidUntil int64 // unix seconds; 0 none
}

// Bounds of values.
const (
	maxValueLen = 2048
)

// NormDomain lower-cases a host name, drops a trailing dot and converts
// it to its ASCII (punycode) form; "" when it is not a host name.
func NormDomain(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	s = strings.TrimPrefix(s, "*.")
	if s == "" || len(s) > 253 {
		return ""
	}
	if a, err := idna.Lookup.ToASCII(s); err == nil {
		s = a
	} else {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return ""
			}
		}
	}
	if !strings.Contains(s, ".") {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return ""
		}
	}
	return s
}

// NormURL lower-cases scheme and host, drops the fragment, a default
// port and a lone "/" path; "" when it is not an absolute http(s)/ftp URL.
func NormURL(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxValueLen {
		return ""
	}
	if !strings.Contains(s, "://") {
		if strings.HasPrefix(strings.ToLower(s), "www.") {
			s = "http://" + s
		} else {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	sch := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		host = a.String()
		if a.Is6() {
			host = "[" + host + "]"
		}
	} else if h := NormDomain(host); h != "" {
		host = h
	} else {
		return ""
	}
	if p := u.Port(); p != "" && !(sch == "http" && p == "80" || sch == "https" && p == "443") {
		host += ":" + p
	}
	rest := u.EscapedPath()
	if rest == "/" {
		rest = ""
	}
	if u.RawQuery != "" {
		rest += "?" + u.RawQuery
	}
	return sch + "://" + host + rest
}

// NormEmail lower-cases an address; "" when it is not one.
func NormEmail(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>"))
	s = strings.TrimPrefix(s, "mailto:")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 320 || strings.ContainsAny(s, " \t,;<>\"") {
		return ""
	}
	d := NormDomain(s[at+1:])
	if d == "" {
		return ""
	}
	return s[:at] + "@" + d
}

// NormIP returns a canonical address or prefix ("192.0.2.1",
// "192.0.2.0/24"); a /32 or /128 prefix is the address.
func NormIP(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ""
		}
		p = p.Masked()
		if p.Addr().Is4In6() {
			return ""
		}
		if p.IsSingleIP() {
			return p.Addr().String()
		}
		return p.String()
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

// NormHash returns the lower-case hex of an MD5, SHA-1 or SHA-256 and its
// kind by length.
func NormHash(s string) (kind, v string) {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, err := hex.DecodeString(s); err != nil {
		return "", ""
	}
	switch len(s) {
	case 32:
		return KindMD5, s
	case 40:
		return KindSHA1, s
	case 64:
		return KindSHA256, s
	}
	return "", ""
}

// Normalize returns the normalised value of kind, or "".
func Normalize(kind, v string) string {
	switch kind {
	case KindURL:
		return NormURL(v)
	case KindDomain:
		return NormDomain(v)
	case KindIP:
		return NormIP(v)
	case KindEmail:
		return NormEmail(v)
	case KindMD5, KindSHA1, KindSHA256:
		if k, h := NormHash(v); k == kind {
			return h
		}
	}
	return ""
}

// Guess normalises a list entry whose kind is not given: an address or
// CIDR, a hash by its length, a URL, an e-mail address, else a domain.
func Guess(v string) Term {
	v = strings.TrimSpace(v)
	if n := NormIP(v); n != "" {
		return Term{KindIP, n}
	}
	if k, h := NormHash(v); k != "" {
		return Term{k, h}
	}
	if strings.Contains(v, "://") || strings.HasPrefix(strings.ToLower(v), "www.") && strings.Contains(v, "/") {
		if n := NormURL(v); n != "" {
			return Term{KindURL, n}
		}
		return Term{}
	}
	if strings.Contains(v, "@") {
		if n := NormEmail(v); n != "" {
			return Term{KindEmail, n}
		}
		return Term{}
	}
	if n := NormDomain(v); n != "" {
		return Term{KindDomain, n}
	}
	return Term{}
}

// termOf maps a STIX comparison to a term; ok is false for comparisons
// mail cannot be matched on (other objects, properties or operators).
func termOf(c Comparison) (Term, bool) {
	if c.Not {
		return Term{}, false
	}
	var kind string
	switch c.Path {
	case "url:value":
		kind = KindURL
	case "domain-name:value":
		kind = KindDomain
	case "ipv4-addr:value", "ipv6-addr:value":
		kind = KindIP
	case "email-addr:value", "email-message:from_ref.value", "email-message:sender_ref.value":
		kind = KindEmail
	default:
		obj, prop, _ := strings.Cut(c.Path, ":")
		if (obj == "file" || obj == "artifact") && strings.HasPrefix(prop, "hashes.") {
			switch strings.NewReplacer("-", "", "_", "").Replace(strings.TrimPrefix(prop, "hashes.")) {
			case "md5":
				kind = KindMD5
			case "sha1":
				kind = KindSHA1
			case "sha256":
				kind = KindSHA256
			}
		}
	}
	if kind == "" {
		return Term{}, false
	}
	switch c.Op {
	case "=":
	case "ISSUBSET":
		if kind != KindIP {
			return Term{}, false
		}
	default:
		return Term{}, false
	}
	v := Normalize(kind, c.Value)
	if v == "" {
		return Term{}, false
	}
	return Term{kind, v}, true
}

// PatternIndicators turns a STIX pattern into indicators, one per
// conjunction whose every comparison can be matched on mail; skipped
// counts the conjunctions that cannot.
func PatternIndicators(pattern string) (terms [][]Term, skipped int, err error) {
	d, err := ParsePattern(pattern)
	if err != nil {
		return nil, 0, err
	}
	for _, c := range d {
		var ts []Term
		ok := true
		for _, cmp := range c {
			t, good := termOf(cmp)
			if !good {
				ok = false
				break
			}
			dup := false
			for _, x := range ts {
				if x == t {
					dup = true
				}
			}
			if !dup {
				ts = append(ts, t)
			}
		}
		if !ok || len(ts) == 0 {
			skipped++
			continue
		}
		terms = append(terms, ts)
	}
	return terms, skipped, nil
}
