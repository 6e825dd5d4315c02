package content

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil"
)

// corpusFields parses the messages under the corpus' sub directories and
// returns their matchable fields, with the file names.
func corpusFields(tb testing.TB, subs ...string) ([]string, []map[string]string) {
	corpus := testutil.Corpus(tb)
	var names []string
	var out []map[string]string
	for _, sub := range subs {
		fs, _ := filepath.Glob(filepath.Join(corpus, sub, "*"))
		for _, f := range fs {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			m := mail.Parse(raw, mail.Limits{})
			names = append(names, sub+"/"+filepath.Base(f))
			out = append(out, messageFields(m, m.URLs))
		}
	}
	if len(out) == 0 {
		tb.Skip("no messages")
	}
	return names, out
}

// BenchmarkEvaluateSATest evaluates the shipped rules on the SA test
// split (fields extracted beforehand: the rule engine alone). With
// SEKISHO_RULE_TIMES set it prints the rules that cost the most.
func BenchmarkEvaluateSATest(b *testing.B) {
	_, fields := corpusFields(b, "test/ham", "test/spam")
	a := shippedAnalyzer(b)
	ctx := context.Background()
	if os.Getenv("SEKISHO_RULE_TIMES") != "" {
		times := map[string]time.Duration{}
		for _, f := range fields {
			v := newView(f, func(string) bool { return false }, a.lits, a.fieldNames)
			t0 := time.Now()
			v.scan(v.text("body", false))
			times["(scan body)"] += time.Since(t0)
			for _, r := range a.rules {
				if r.meta != nil {
					continue
				}
				t0 := time.Now()
				r.match(v)
				times[r.Name] += time.Since(t0)
			}
		}
		var ks []string
		for k := range times {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return times[ks[i]] > times[ks[j]] })
		for _, k := range ks[:min(25, len(ks))] {
			fmt.Printf("%8.1f µs/msg %s\n", float64(times[k].Microseconds())/float64(len(fields)), k)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Evaluate(ctx, fields[i%len(fields)], nil)
	}
}

// TestDumpCorpusHits writes every rule hit with its evidence for each
// message of the SA corpus to the file named by SEKISHO_DUMP_HITS: run it
// before and after a change to the rule engine and compare.
func TestDumpCorpusHits(t *testing.T) {
	out := os.Getenv("SEKISHO_DUMP_HITS")
	if out == "" {
		t.Skip("SEKISHO_DUMP_HITS not set")
	}
	names, fields := corpusFields(t, "all/ham", "all/spam")
	a := shippedAnalyzer(t)
	var b strings.Builder
	for i, f := range fields {
		for _, h := range a.Evaluate(context.Background(), f, nil) {
			fmt.Fprintf(&b, "%s %s %q\n", names[i], h.Rule.Name, h.Evidence)
		}
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRegexCosts prints the regexes that cost the most on the SA test
// split (SEKISHO_RULE_TIMES set), with how often they ran and matched.
func TestRegexCosts(t *testing.T) {
	if os.Getenv("SEKISHO_RULE_TIMES") == "" {
		t.Skip("SEKISHO_RULE_TIMES not set")
	}
	_, fields := corpusFields(t, "test/ham", "test/spam")
	a := shippedAnalyzer(t)
	type st struct {
		d          time.Duration
		runs, hits int
	}
	stats := map[string]*st{}
	for _, f := range fields {
		v := newView(f, func(string) bool { return false }, a.lits, a.fieldNames)
		for _, fl := range []string{"subject", "body", "headers", "urls", "from_name", "raw_body", "attachments"} {
			v.scan(v.text(fl, false))
			v.scan(v.text(fl, true))
		}
		for _, r := range a.rules {
			for i, lr := range r.regexes {
				re := lr.get()
				for _, fl := range r.fieldIDs {
					for _, c := range []bool{false, true} {
						if c && !r.compact[i] {
							continue
						}
						k := fmt.Sprintf("%s/%d %v %s", r.Name, i, c, re.String())
						s := stats[k]
						if s == nil {
							s = &st{}
							stats[k] = s
						}
						t0 := time.Now()
						s.runs++
						m := v.findRegex(r, i, fl, c)
						s.d += time.Since(t0)
						if m != "" {
							s.hits++
						}
					}
				}
			}
		}
	}
	var ks []string
	for k := range stats {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return stats[ks[i]].d > stats[ks[j]].d })
	for _, k := range ks[:min(40, len(ks))] {
		s := stats[k]
		k = k[:min(len(k), 150)]
		fmt.Printf("%7.1f µs/msg runs %5d hits %4d %s\n", float64(s.d.Microseconds())/float64(len(fields)), s.runs, s.hits, k)
	}
}

// naiveMatch is Rule.match without prefilters or windows: every regex on
// the whole field text (the head of it for regexes without literals, as
// the engine does).
func naiveMatch(r *Rule, v *view) bool {
	if r.Check != "" {
		ok, _ := r.match(v)
		return ok
	}
	need := max(r.MinMatches, 1)
	n := 0
	for i, lr := range r.regexes {
		re := lr.get()
		for _, f := range r.fields {
			hit := false
			for _, c := range []bool{false, true} {
				if c && !r.compact[i] {
					continue
				}
				txt := v.text(f, c).txt
				if r.lits[i] == nil {
					txt = head(txt)
				}
				if re.MatchString(txt) {
					hit = true
				}
			}
			if hit {
				n++
				break
			}
		}
	}
	for i, k := range r.keywords {
		for _, f := range r.fields {
			if strings.Contains(v.text(f, r.kwCJK[i]).txt, k) {
				n++
				break
			}
		}
	}
	return n >= need
}

// The prefilters and windows change no outcome on the SA corpus: every
// pattern rule fires exactly when its regexes, run on the whole text,
// say it should.
// Whole-text regexes take about half an hour over the corpus on a loaded
// machine: the test runs only with SEKISHO_PREFILTER_CORPUS set.
func TestPrefilterCorpus(t *testing.T) {
	if os.Getenv("SEKISHO_PREFILTER_CORPUS") == "" {
		t.Skip("SEKISHO_PREFILTER_CORPUS not set")
	}
	names, fields := corpusFields(t, "all/ham", "all/spam")
	a := shippedAnalyzer(t)
	for i, f := range fields {
		if len(f["body"])+len(f["raw_body"]) > 64<<10 {
			continue // whole-text regexes on long texts take minutes
		}
		v := newView(f, nil, a.lits, a.fieldNames)
		for _, r := range a.rules {
			if r.meta != nil {
				continue
			}
			got, _ := r.match(v)
			if want := naiveMatch(r, v); got != want {
				t.Errorf("%s: %s fired %v, its regexes say %v", names[i], r.Name, got, want)
			}
		}
	}
}

// FuzzMatchNaive: on any text, every pattern rule fires exactly when its
// regexes and keywords, run on the whole text without prefilters,
// windows, factors, CJK skips or rule sets, say it should.
func FuzzMatchNaive(f *testing.F) {
	for _, s := range []string{"the sum of US$10,500,000.00 (ten million dollars)", "1,050 万ドルの送金指示", "Re: lunch",
		"アカウントが凍\n結されました", "verify your account within 24 hours", "36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "I recorded you  via webcam"} {
		f.Add(s, s)
	}
	a := shippedAnalyzer(f)
	f.Fuzz(func(t *testing.T, subject, body string) {
		if len(subject)+len(body) > 1000 {
			return
		}
		fields := map[string]string{"subject": subject, "body": body, "from_name": subject, "header:references": body}
		v := newView(fields, nil, a.lits, a.fieldNames)
		defer v.release()
		for _, r := range a.rules {
			if r.meta != nil {
				continue
			}
			got, _ := r.match(v)
			if want := naiveMatch(r, v); got != want {
				t.Fatalf("%s on %q / %q: fired %v, its patterns say %v", r.Name, subject, body, got, want)
			}
		}
	})
}
