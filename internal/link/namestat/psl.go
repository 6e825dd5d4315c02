package namestat

import "golang.org/x/net/publicsuffix"

// SuffixOf returns the public suffix of domain.
func SuffixOf(domain string) string {
	s, _ := publicsuffix.PublicSuffix(domain)
	return s
}

// Registrable returns the registrable domain of host, "" when it has none.
func Registrable(host string) string {
	r, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	return r
}
