package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// RBL holds the [rbl] section: DNS block and allow lists for the client
// address, sender and link domains, and hashed addresses, files and
// crypto wallets (docs/rbl.md).
type RBL struct {
	// Enabled turns the feature on. Default false: public list operators
	// refuse queries that come through large public resolvers, and scan
	// results of stored files should not depend on the network; turn it
	// on where sekisho has its own recursive resolver.
	Enabled bool `toml:"enabled"`
	// DNSServers are "host:port" resolvers for list queries. Default:
	// auth.dns_servers, else /etc/resolv.conf.
	DNSServers []string `toml:"dns_servers"`
	// Timeout of one query. Default "500ms".
	Timeout Duration `toml:"timeout"`
	// Budget bounds the wall time of all queries of one message; what is
	// not answered by then counts as an error, never as a hit. Default "1.5s".
	Budget Duration `toml:"budget"`
	// MaxQueries bounds the queries sent for one message. Default 64.
	MaxQueries int `toml:"max_queries"`
	// Concurrency bounds the queries in flight for one message. Default 16.
	Concurrency int `toml:"concurrency"`
	// CacheEntries bounds the answer cache (answers are kept for their
	// TTL, at most an hour). Default 20000.
	CacheEntries int `toml:"cache_entries"`
	// Backoff: after 3 consecutive failed queries of a list it is not
	// asked for this long (no network must not slow every scan). Default "60s".
	Backoff Duration `toml:"backoff"`
	// Lists names the built-in lists queried: "zen", "barracuda",
	// "spamcop", "mailspike", "uceprotect1", "dnswl" (IP lists), "dbl",
	// "surbl", "uribl" (domain lists) and "hbl" (Spamhaus Hash Blocklist:
	// needs dqs_key). Default every one but "hbl".
	Lists []string `toml:"lists"`
	// DQSKey is a Spamhaus Data Query Service key: with it, ZEN, DBL and
	// HBL are asked at <key>.<list>.dq.spamhaus.net instead of the public
	// mirrors. Default "".
	DQSKey string `toml:"dqs_key"`
	// Custom are lists the administrator adds ([[rbl.custom]] tables).
	Custom []RBLList `toml:"custom"`
	// NSMX also asks the domain lists about the name servers and mail
	// exchangers of link domains (spam operations reuse their DNS and
	// mail hosts across throw-away domains). A hit scores half the
	// symbol's weight. Default false.
	NSMX bool `toml:"ns_mx"`
	// NSMXDomains bounds the link domains whose NS and MX are looked up
	// per message. Default 4.
	NSMXDomains int `toml:"ns_mx_domains"`
}

// RBLList is an administrator-added DNS list.
type RBLList struct {
	// Name gives the symbol: RBL_<NAME>, or RWL_<NAME> for an allow list
	// (negative weight). Upper-case letters, digits and "_".
	Name string `toml:"name"`
	// Zone is the list's DNS zone, e.g. "bl.example.net".
	Zone string `toml:"zone"`
	// Kind is "ip" (reversed IPv4, nibble IPv6 of the client) or "domain"
	// (registrable domains of links, sender, Reply-To and HELO). Default "ip".
	Kind string `toml:"kind"`
	// Codes are the answers that count as a listing: addresses or
	// prefixes ("127.0.0.2", "127.0.0.0/24"). Default: any 127.0.0.0/8
	// answer but the refusal codes.
	Codes []string `toml:"codes"`
	// Refused are answers that mean "blocked resolver / over quota":
	// counted as errors, never hits. Default "127.255.255.0/24".
	Refused []string `toml:"refused"`
	// Weight is the symbol's score. Default 2.
	Weight float64 `toml:"weight"`
}

// RBLBuiltins are the built-in list names.
var RBLBuiltins = []string{"zen", "barracuda", "spamcop", "mailspike", "uceprotect1", "dnswl", "dbl", "surbl", "uribl", "hbl"}

func defaultRBL() RBL {
	return RBL{
		Timeout: Duration{500 * time.Millisecond}, Budget: Duration{1500 * time.Millisecond},
		MaxQueries: 64, Concurrency: 16, CacheEntries: 20000, Backoff: Duration{time.Minute}, NSMXDomains: 4,
		Lists: []string{"zen", "barracuda", "spamcop", "mailspike", "uceprotect1", "dnswl", "dbl", "surbl", "uribl"},
	}
}

var (
	rblNameRe = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	dqsKeyRe  = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

// ParseRBLCodes parses "127.0.0.2" or "127.0.0.0/24" values.
func ParseRBLCodes(vals []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func init() {
	validators = append(validators, func(c *Config) error {
		v := c.RBL
		for _, l := range v.Lists {
			ok := false
			for _, b := range RBLBuiltins {
				ok = ok || b == l
			}
			if !ok {
				return fmt.Errorf("config: rbl.lists: unknown list %q (want one of %s)", l, strings.Join(RBLBuiltins, ", "))
			}
			if l == "hbl" && v.DQSKey == "" && v.Enabled {
				return fmt.Errorf("config: rbl.lists: \"hbl\" needs rbl.dqs_key")
			}
		}
		if v.DQSKey != "" && !dqsKeyRe.MatchString(v.DQSKey) {
			return fmt.Errorf("config: rbl.dqs_key: letters and digits only")
		}
		seen := map[string]bool{}
		for i, l := range v.Custom {
			if !rblNameRe.MatchString(l.Name) {
				return fmt.Errorf("config: rbl.custom[%d].name %q: upper-case letters, digits and _", i, l.Name)
			}
			if seen[l.Name] {
				return fmt.Errorf("config: rbl.custom: duplicate name %q", l.Name)
			}
			seen[l.Name] = true
			if strings.TrimSpace(l.Zone) == "" {
				return fmt.Errorf("config: rbl.custom[%d].zone is empty", i)
			}
			switch l.Kind {
			case "", "ip", "domain":
			default:
				return fmt.Errorf("config: rbl.custom[%d].kind %q: want ip or domain", i, l.Kind)
			}
			if _, err := ParseRBLCodes(l.Codes); err != nil {
				return fmt.Errorf("config: rbl.custom[%d].codes: %w", i, err)
			}
			if _, err := ParseRBLCodes(l.Refused); err != nil {
				return fmt.Errorf("config: rbl.custom[%d].refused: %w", i, err)
			}
		}
		if v.Enabled && (v.MaxQueries <= 0 || v.Concurrency <= 0) {
			return fmt.Errorf("config: rbl.max_queries and rbl.concurrency must be positive")
		}
		if v.NSMXDomains < 0 || v.NSMXDomains > 24 {
			return fmt.Errorf("config: rbl.ns_mx_domains: 0 to 24")
		}
		return nil
	})
}
