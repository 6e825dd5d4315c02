package lure

import "golang.org/x/net/publicsuffix"

func suffixOf(domain string) string {
	s, _ := publicsuffix.PublicSuffix(domain)
	return s
}

func registrable(host string) string {
	r, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	return r
}
