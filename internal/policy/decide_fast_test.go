package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// oldDecide and oldExplain are Decide and explain as they were before
// they were built without fmt and sort.SliceStable: the reference.
// oldDecide is the old Decide.
func oldDecide(p *Policy, hits []pipeline.Hit, tempfail []string) pipeline.Verdict {
	v := pipeline.Verdict{Action: pipeline.ActionAccept, Category: pipeline.CategoryClean, RequiredScore: p.reject}
	catScore := map[pipeline.Category]float64{}
	minAction := pipeline.ActionAccept
	var minActionCat pipeline.Category
	for _, h := range hits {
		if p.disabled[h.Name] {
			continue
		}
		def, _ := pipeline.Lookup(h.Name)
		f := h.Factor
		if f == 0 {
			f = 1
		}
		score := round2(p.Weight(h.Name) * f)
		opts := h.Options
		if opts == nil {
			opts = []string{}
		}
		v.Symbols = append(v.Symbols, pipeline.SymbolResult{
			Name: h.Name, Score: score, Options: opts, Category: def.Category, EN: def.EN, JA: def.JA,
		})
		v.Score += score
		if score > 0 && def.Category != pipeline.CategoryClean {
			catScore[def.Category] += score
		}
		if def.MinAction != "" && def.MinAction.Rank() > minAction.Rank() {
			minAction = def.MinAction
			minActionCat = def.Category
		}
	}
	v.Score = round2(v.Score)
	sort.SliceStable(v.Symbols, func(i, j int) bool {
		a, b := math.Abs(v.Symbols[i].Score), math.Abs(v.Symbols[j].Score)
		if a != b {
			return a > b
		}
		return v.Symbols[i].Name < v.Symbols[j].Name
	})

	switch {
	case v.Score >= p.reject:
		v.Action = pipeline.ActionReject
	case v.Score >= p.quarantine:
		v.Action = pipeline.ActionQuarantine
	case v.Score >= p.tag:
		v.Action = pipeline.ActionTag
	}
	if v.Action != pipeline.ActionAccept || minAction != pipeline.ActionAccept {
		best, bestScore := pipeline.CategorySpam, -1.0
		for c, s := range catScore {
			if s > bestScore || s == bestScore && catPriority[c] > catPriority[best] {
				best, bestScore = c, s
			}
		}
		// A category that forced an action wins over score shares.
		if minAction != pipeline.ActionAccept && minActionCat != "" && minActionCat != pipeline.CategoryClean {
			best = minActionCat
		}
		v.Category = best
		if a, ok := p.catAction[best]; ok && a.Rank() > v.Action.Rank() && v.Score >= p.tag {
			v.Action = a
		}
		if minAction.Rank() > v.Action.Rank() {
			v.Action = minAction
		}
	}
	if len(tempfail) > 0 && v.Action.Rank() < pipeline.ActionQuarantine.Rank() {
		v.Action = pipeline.ActionTempfail
		v.TempfailReasons = tempfail
	}
	if v.Action == pipeline.ActionTag && p.prefix != "" && v.Score >= p.rewrite {
		v.SubjectPrefix = p.prefix
	}
	v.Explanation, v.ExplanationJA, v.Reason = oldExplain(&v, p)
	return v
}

// oldExplain is the old explain.
func oldExplain(v *pipeline.Verdict, p *Policy) (en, ja, reason string) {
	var top []pipeline.SymbolResult
	for _, s := range v.Symbols {
		if s.Score > 0 && len(top) < 3 {
			top = append(top, s)
		}
	}
	var enB, jaB strings.Builder
	if v.Action == pipeline.ActionTempfail {
		fmt.Fprintf(&enB, "Deferred: a required check could not finish (%s); the sender's server will retry.", strings.Join(v.TempfailReasons, "; "))
		fmt.Fprintf(&jaB, "一時保留: 必須の検査が完了しませんでした(%s)。送信側サーバーが再送します。", strings.Join(v.TempfailReasons, "; "))
		return enB.String(), jaB.String(), "temporary failure, try again later"
	}
	if v.Category == pipeline.CategoryClean {
		if len(top) == 0 {
			return fmt.Sprintf("%s: nothing suspicious found (score %.2f).", actionEN[v.Action], v.Score),
				fmt.Sprintf("%s: 不審な点は見つかりませんでした(スコア %.2f)。", actionJA[v.Action], v.Score), "clean"
		}
		enB.WriteString(fmt.Sprintf("%s: score %.2f is below the tag threshold %.2f. Minor signs: ", actionEN[v.Action], v.Score, p.tag))
		jaB.WriteString(fmt.Sprintf("%s: スコア %.2f はタグ付けのしきい値 %.2f 未満です。軽微な兆候: ", actionJA[v.Action], v.Score, p.tag))
	} else {
		enB.WriteString(fmt.Sprintf("%s as %s (score %.2f). ", actionEN[v.Action], v.Category, v.Score))
		jaB.WriteString(fmt.Sprintf("%sとして%s(スコア %.2f)。", catNameJA[v.Category], actionJA[v.Action], v.Score))
	}
	for i, s := range top {
		if i > 0 {
			enB.WriteString(" ")
		}
		enB.WriteString(strings.TrimSuffix(s.EN, ".") + evidence(s) + ".")
		jaB.WriteString(strings.TrimSuffix(s.JA, "。") + evidence(s) + "。")
	}
	if a, aJA, ok := advice(v.Action, v.Category); ok {
		enB.WriteString(" " + a)
		jaB.WriteString(aJA)
	}
	reason = "clean"
	if v.Category != pipeline.CategoryClean {
		names := make([]string, 0, len(top))
		for _, s := range top {
			names = append(names, s.Name)
		}
		reason = fmt.Sprintf("message looks like %s (%s)", v.Category, strings.Join(names, ", "))
	}
	return enB.String(), jaB.String(), reason
}

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_DF_BEC", Weight: 3.25, Category: pipeline.CategoryBEC, Group: "test", EN: "bec sign", JA: "BECの兆候"},
		pipeline.SymbolDef{Name: "TEST_DF_FRAUD", Weight: 2.5, Category: pipeline.CategoryFraud, Group: "test", EN: "fraud.", JA: "詐欺。"},
		pipeline.SymbolDef{Name: "TEST_DF_EXT", Weight: 2.5, Category: pipeline.CategoryExtortion, Group: "test", EN: "extortion.", JA: "脅迫。"},
		pipeline.SymbolDef{Name: "TEST_DF_UNSC", Weight: 0.75, Category: pipeline.CategoryUnscannable, Group: "test", EN: "unscannable.", JA: "検査不能。"},
		pipeline.SymbolDef{Name: "TEST_DF_QUAR", Weight: 0.1, Category: pipeline.CategorySpam, Group: "test", EN: "q", JA: "q", MinAction: pipeline.ActionQuarantine},
		pipeline.SymbolDef{Name: "TEST_DF_ZERO", Weight: 0, Category: pipeline.CategorySpam, Group: "test", EN: "zero.", JA: "ゼロ。"},
	)
}

func checkDecide(t *testing.T, p *Policy, rng *rand.Rand, names []string, extra ...string) {
	words := append([]string{"", "a", "b.example", "<x>", "日本語", "%s", "%!"}, extra...)
	var hits []pipeline.Hit
	for range rng.IntN(14) {
		h := pipeline.Hit{Name: names[rng.IntN(len(names))]}
		switch rng.IntN(5) {
		case 0:
			h.Factor = []float64{0.5, -1, 2, 0.333, math.NaN(), math.Inf(1), 1e-9}[rng.IntN(7)]
		case 1:
			h.Options = []string{}
		case 2:
			for range rng.IntN(4) + 1 {
				h.Options = append(h.Options, words[rng.IntN(len(words))])
			}
		}
		hits = append(hits, h)
	}
	var tempfail []string
	if rng.IntN(10) == 0 {
		tempfail = []string{words[rng.IntN(len(words))], "dns"}
	}
	got, want := p.Decide(hits, tempfail), oldDecide(p, hits, tempfail)
	if !reflect.DeepEqual(got, want) && fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) { // NaN scores: DeepEqual is false
		t.Fatalf("Decide(%v):\n got  %#v\n want %#v", hits, got, want)
	}
}

func decidePolicies(t testing.TB) []*Policy {
	var ps []*Policy
	def := config.Default().Policy
	def.FittedWeights = false
	for i, c := range []config.Policy{def, {}, {TagScore: 1, QuarantineScore: 2, RejectScore: 3, RewriteSubjectScore: 1, SubjectPrefix: "[SPAM]",
		CategoryActions: map[string]string{"phishing": "reject", "bec": "quarantine"}}} {
		p, err := New(c)
		if err != nil {
			t.Fatal(i, err)
		}
		ps = append(ps, p)
	}
	return ps
}

func symbolNames() []string {
	var names []string
	for _, d := range pipeline.AllSymbols() {
		names = append(names, d.Name)
	}
	return append(names, "UNKNOWN_SYMBOL", "")
}

// TestDecideMatchesPlain compares Decide with the version built with
// fmt and sort.SliceStable.
func TestDecideMatchesPlain(t *testing.T) {
	ps, names := decidePolicies(t), symbolNames()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 20000 {
		checkDecide(t, ps[i%len(ps)], rng, names)
	}
}

func FuzzDecideMatchesPlain(f *testing.F) {
	f.Add("x", "y", uint64(1))
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		ps, names := decidePolicies(t), symbolNames()
		rng := rand.New(rand.NewPCG(seed, 3))
		for i := range 6 {
			checkDecide(t, ps[i%len(ps)], rng, names, a, b)
		}
	})
}

func benchHits() [][]pipeline.Hit {
	return [][]pipeline.Hit{
		{{Name: "TEST_HAM_NEG"}, {Name: "TEST_DF_ZERO"}},
		{{Name: "TEST_SPAM_FOUR", Options: []string{"bit.ly", "t.co", "x.example"}}, {Name: "TEST_PHISH_SIX", Options: []string{"login.example"}},
			{Name: "TEST_DF_BEC"}, {Name: "TEST_HAM_NEG"}, {Name: "TEST_DF_FRAUD", Factor: 0.5}, {Name: "TEST_DF_ZERO"}},
	}
}

// BenchmarkDecide decides a clean and a phishing verdict (two calls an
// op); BenchmarkDecideOld is the same with the old code, for the
// allocations.
func BenchmarkDecide(b *testing.B) {
	p := decidePolicies(b)[0]
	hs := benchHits()
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range hs {
			_ = p.Decide(h, nil)
		}
	}
}

func BenchmarkDecideOld(b *testing.B) {
	p := decidePolicies(b)[0]
	hs := benchHits()
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range hs {
			_ = oldDecide(p, h, nil)
		}
	}
}
