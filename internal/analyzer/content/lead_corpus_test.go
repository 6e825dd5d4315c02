package content

import (
	"math/rand"
	"regexp"
	"testing"
)

// TestLeadCorpus: on every field text (plain and compact) of the corpus
// (SEKISHO_CORPUS, test split), every shipped regex with a run lead finds
// by lead.find what the regex finds unanchored (FindString): on the whole
// text, on windows cut at random, and on windows that begin or end at
// each byte around the first match (inside its run of the class too).
func TestLeadCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus")
	}
	_, fields := corpusFields(t, "test/ham", "test/spam")
	a := shippedAnalyzer(t)
	type lr struct {
		name string
		ld   *lead
		re   *regexp.Regexp
	}
	var leads []lr
	for _, r := range a.rules {
		for i, l := range r.leads {
			if l == nil || l.run == nil {
				continue
			}
			leads = append(leads, lr{r.Name, l, r.regexes[i].get()})
		}
	}
	if len(leads) == 0 {
		t.Fatal("no shipped regex has a run lead")
	}
	t.Logf("%d run leads", len(leads))
	rng := rand.New(rand.NewSource(1))
	checks, hits := 0, 0
	check := func(l lr, txt string, lo, hi int) {
		checks++
		got, want := l.ld.find(l.re, txt, lo, hi), l.re.FindString(txt[lo:hi])
		if want != "" {
			hits++
		}
		if got != want {
			t.Fatalf("%s %q on [%d:%d] of %q: lead %q, regex %q", l.name, l.re, lo, hi, txt[max(0, lo-20):min(len(txt), hi+20)], got, want)
		}
	}
	for _, f := range fields {
		v := newView(f, func(string) bool { return false }, a.lits, a.fieldNames)
		for _, name := range a.fieldNames {
			for _, compact := range []bool{false, true} {
				txt := v.text(name, compact).txt
				if txt == "" {
					continue
				}
				for _, l := range leads {
					check(l, txt, 0, len(txt))
					for range 3 {
						lo, hi := rng.Intn(len(txt)+1), rng.Intn(len(txt)+1)
						if lo > hi {
							lo, hi = hi, lo
						}
						check(l, txt, lo, hi)
					}
					// Windows from/to every byte inside a run near a match.
					m := l.re.FindStringIndex(txt)
					if m == nil {
						continue
					}
					for p := max(0, m[0]-64); p <= min(len(txt), m[1]+64); p++ {
						check(l, txt, p, len(txt))
						check(l, txt, min(p, max(0, m[0]-8)), p)
						check(l, txt, p, min(len(txt), p+40))
					}
				}
			}
		}
	}
	t.Logf("%d checks, %d with a match", checks, hits)
}
