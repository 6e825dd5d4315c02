package namestat

import "github.com/sekisho/sekisho/internal/link/psl"

// SuffixOf returns the public suffix of domain.
func SuffixOf(domain string) string {
	s, _ := psl.PublicSuffix(domain)
	return s
}

// Registrable returns the registrable domain of host, "" when it has none.
func Registrable(host string) string {
	r, ok := psl.EffectiveTLDPlusOne(host)
	if !ok {
		return ""
	}
	return r
}
