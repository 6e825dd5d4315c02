package content

import (
	"math/rand"
	"regexp"
	"testing"
)

// TestRunLeadWindows: run leads of patterns whose class meets what
// follows it (\d+\d, [ab]+b*a), lazy runs, assertions after the run (\b,
// \B, (?m)^ and $, \z), ASCII classes of case-folded patterns, on random
// texts of the class's bytes, other ASCII, invalid and multi-byte UTF-8,
// in every window [lo:hi]: lead.find is the regex's FindString of the
// window.
func TestRunLeadWindows(t *testing.T) {
	pats := []string{`\d+`, `\d+?`, `\d+\d`, `\d+5`, `(\d+)\b(x|yz)`, `[a-c]+?\Bc`, `[0-9a-f]+[^0-9]`,
		`(?m)\d+$`, `(?m)\d+^a`, `\d+\B`, `\d+\b`, `[ab]+b*a`, `(?i)[a-j]+x`, `(?U)[ab]+b`, `[ -~]+é`,
		`\d+(\d|x)+?y`, `[\n\r]+(?m:^)a`, `[ab]+$`, `\d+\z`, `[.,]+\.`, `(\d+)(\d+)`, `[[:alpha:]]+\b`,
		`(?i)[0-9]+k`, `\w+\W`, `\s+\S`, `(?s)[0-9]+.{0,3}x`, `\d+([.,]\d+)? ?(m|million) usd`, `[a-c]+(?:)b`}
	const abc = "0125ab x\nyzc.,kK\xff\xe2\x82\xacéusdm"
	rng := rand.New(rand.NewSource(2))
	for _, pat := range pats {
		l := leadOf(pat)
		if l == nil || l.run == nil {
			t.Errorf("%q: no run lead", pat)
			continue
		}
		re := regexp.MustCompile(pat)
		for range 300 {
			b := make([]byte, rng.Intn(24))
			for i := range b {
				b[i] = abc[rng.Intn(len(abc))]
			}
			txt := string(b)
			for lo := 0; lo <= len(txt); lo++ {
				for hi := lo; hi <= len(txt); hi++ {
					if got, want := l.find(re, txt, lo, hi), re.FindString(txt[lo:hi]); got != want {
						t.Fatalf("%q on %q [%d:%d]: lead %q, regex %q", pat, txt, lo, hi, got, want)
					}
				}
			}
		}
		// Texts of more than maxLeadRuns runs (the unanchored fallback).
		for range 300 {
			b := make([]byte, 60+rng.Intn(200))
			for i := range b {
				b[i] = abc[rng.Intn(len(abc))]
			}
			txt := string(b)
			for range 30 {
				lo, hi := rng.Intn(len(txt)+1), rng.Intn(len(txt)+1)
				lo, hi = min(lo, hi), max(lo, hi)
				if got, want := l.find(re, txt, lo, hi), re.FindString(txt[lo:hi]); got != want {
					t.Fatalf("%q on %q [%d:%d]: lead %q, regex %q", pat, txt, lo, hi, got, want)
				}
			}
		}
	}
}
