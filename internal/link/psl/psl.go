// Package psl is golang.org/x/net/publicsuffix behind a small memo.
//
// publicsuffix.PublicSuffix first tries the name as an IP address with
// netip.ParseAddr, whose error value is an allocation for every host
// name, then walks the list; the analyzers of one message ask about the
// same few hosts many times (link normalisation, the registrable domain
// of the sender, brand look-alikes), and messages repeat hosts. The memo
// keeps the answers of the last names asked (cleared when full), so a
// repeat costs one map lookup.
package psl

import (
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

// maxMemo bounds the names kept; longer names are not kept.
const (
	maxMemo    = 4096
	maxNameLen = 253
)

type answer struct {
	suffix string // a slice of the memo's own copy of the name
	icann  bool
}

var (
	mu   sync.Mutex
	memo = make(map[string]answer, 256)
)

// PublicSuffix is publicsuffix.PublicSuffix.
func PublicSuffix(domain string) (suffix string, icann bool) {
	if len(domain) > maxNameLen {
		return publicsuffix.PublicSuffix(domain)
	}
	mu.Lock()
	a, ok := memo[domain]
	mu.Unlock()
	if ok {
		// The suffix is the tail of the name: give a slice of the caller's.
		return domain[len(domain)-len(a.suffix):], a.icann
	}
	suffix, icann = publicsuffix.PublicSuffix(domain)
	if !strings.HasSuffix(domain, suffix) {
		return suffix, icann // not a tail (never, as the list works): not kept
	}
	key := strings.Clone(domain)
	mu.Lock()
	if len(memo) >= maxMemo {
		clear(memo)
	}
	memo[key] = answer{suffix: key[len(key)-len(suffix):], icann: icann}
	mu.Unlock()
	return suffix, icann
}

// EffectiveTLDPlusOne is publicsuffix.EffectiveTLDPlusOne with ok for a
// nil error: the public suffix plus one label.
func EffectiveTLDPlusOne(domain string) (string, bool) {
	if strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	suffix, _ := PublicSuffix(domain)
	if len(domain) <= len(suffix) {
		return "", false
	}
	i := len(domain) - len(suffix) - 1
	if domain[i] != '.' {
		return "", false
	}
	return domain[1+strings.LastIndexByte(domain[:i], '.'):], true
}
