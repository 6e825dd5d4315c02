package policy

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_SPAM_FOUR", Weight: 4, Category: pipeline.CategorySpam, Group: "test", EN: "spam sign.", JA: "スパムの兆候。"},
		pipeline.SymbolDef{Name: "TEST_PHISH_SIX", Weight: 6, Category: pipeline.CategoryPhishing, Group: "test", EN: "phishing sign.", JA: "フィッシングの兆候。"},
		pipeline.SymbolDef{Name: "TEST_HAM_NEG", Weight: -3, Category: pipeline.CategoryClean, Group: "test", EN: "good sign.", JA: "良い兆候。"},
		pipeline.SymbolDef{Name: "TEST_VIRUS", Weight: 1, Category: pipeline.CategoryMalware, Group: "test", EN: "virus.", JA: "ウイルス。", MinAction: pipeline.ActionReject},
	)
}

func newPolicy(t *testing.T, mod func(*config.Policy)) *Policy {
	t.Helper()
	c := config.Default().Policy
	// The shipped fitted weights name analyzer symbols this package's
	// tests do not register (TestFittedWeightsParse checks the file).
	c.FittedWeights = false
	if mod != nil {
		mod(&c)
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hits(names ...string) []pipeline.Hit {
	var out []pipeline.Hit
	for _, n := range names {
		out = append(out, pipeline.Hit{Name: n, Factor: 1})
	}
	return out
}

func TestDecide(t *testing.T) {
	p := newPolicy(t, nil)
	cases := []struct {
		name   string
		hits   []pipeline.Hit
		tf     []string
		action pipeline.Action
		cat    pipeline.Category
		score  float64
	}{
		{"nothing", nil, nil, pipeline.ActionAccept, pipeline.CategoryClean, 0},
		{"below tag", hits("TEST_SPAM_FOUR"), nil, pipeline.ActionAccept, pipeline.CategoryClean, 4},
		{"tag", hits("TEST_SPAM_FOUR", "TEST_VIRUS"), nil, pipeline.ActionReject, pipeline.CategoryMalware, 5},
		{"phishing wins share", hits("TEST_SPAM_FOUR", "TEST_PHISH_SIX"), nil, pipeline.ActionQuarantine, pipeline.CategoryPhishing, 10},
		{"ham sign lowers", hits("TEST_PHISH_SIX", "TEST_HAM_NEG"), nil, pipeline.ActionAccept, pipeline.CategoryClean, 3},
		{"scaled", []pipeline.Hit{{Name: "TEST_PHISH_SIX", Factor: 2.5}}, nil, pipeline.ActionReject, pipeline.CategoryPhishing, 15},
		{"tempfail", hits("TEST_SPAM_FOUR"), []string{"clamd down"}, pipeline.ActionTempfail, pipeline.CategoryClean, 4},
		{"tempfail does not weaken reject", []pipeline.Hit{{Name: "TEST_PHISH_SIX", Factor: 3}}, []string{"dns"}, pipeline.ActionReject, pipeline.CategoryPhishing, 18},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := p.Decide(c.hits, c.tf)
			if v.Action != c.action || v.Category != c.cat || v.Score != c.score {
				t.Fatalf("got %s/%s/%.2f, want %s/%s/%.2f (%s)", v.Action, v.Category, v.Score, c.action, c.cat, c.score, v.Explanation)
			}
			if v.Explanation == "" || v.ExplanationJA == "" || v.Reason == "" {
				t.Fatalf("missing explanation: %+v", v)
			}
		})
	}
}

func TestSubjectPrefixAndCategoryAction(t *testing.T) {
	p := newPolicy(t, func(c *config.Policy) {
		c.CategoryActions = map[string]string{"phishing": "reject"}
	})
	v := p.Decide(hits("TEST_PHISH_SIX"), nil)
	if v.Action != pipeline.ActionReject {
		t.Fatalf("category action: got %s", v.Action)
	}
	p = newPolicy(t, func(c *config.Policy) { c.RewriteSubjectScore = 5 })
	v = p.Decide(hits("TEST_PHISH_SIX"), nil)
	if v.Action != pipeline.ActionTag || v.SubjectPrefix != "[spam]" {
		t.Fatalf("prefix: %s %q", v.Action, v.SubjectPrefix)
	}
	if !strings.Contains(v.ExplanationJA, "フィッシング") || !strings.Contains(v.Explanation, "phishing") {
		t.Fatalf("explanation: %q / %q", v.Explanation, v.ExplanationJA)
	}
}

func TestWeightsAndDisabled(t *testing.T) {
	p := newPolicy(t, func(c *config.Policy) {
		c.Weights = map[string]float64{"TEST_SPAM_FOUR": 20}
		c.Disabled = []string{"TEST_PHISH_SIX"}
	})
	v := p.Decide(hits("TEST_SPAM_FOUR", "TEST_PHISH_SIX"), nil)
	if v.Score != 20 || v.Action != pipeline.ActionReject || v.Has("TEST_PHISH_SIX") {
		t.Fatalf("got %+v", v)
	}
	if _, err := New(config.Policy{Weights: map[string]float64{"NO_SUCH_SYMBOL": 1}}); err == nil {
		t.Fatal("unknown symbol in weights accepted")
	}
}

func TestWeightPrecedence(t *testing.T) {
	p := newPolicy(t, func(c *config.Policy) {
		c.WeightsFile = "tuned.toml"
		c.FileWeights = map[string]float64{"TEST_SPAM_FOUR": 2.5, "TEST_PHISH_SIX": 7}
		c.Weights = map[string]float64{"TEST_PHISH_SIX": 8}
	})
	for name, want := range map[string]float64{
		"TEST_SPAM_FOUR": 2.5, // weights_file over the default
		"TEST_PHISH_SIX": 8,   // [policy.weights] over weights_file
		"TEST_HAM_NEG":   -3,  // default
	} {
		if got := p.Weight(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	if v := p.Decide(hits("TEST_SPAM_FOUR"), nil); v.Score != 2.5 {
		t.Errorf("decide uses file weight: %v", v.Score)
	}
	_, err := New(config.Policy{WeightsFile: "tuned.toml", FileWeights: map[string]float64{"NO_SUCH_SYMBOL": 1}})
	if err == nil || !strings.Contains(err.Error(), "tuned.toml") || !strings.Contains(err.Error(), "NO_SUCH_SYMBOL") {
		t.Fatalf("unknown symbol in weights_file: %v", err)
	}
}

func TestFittedWeightsParse(t *testing.T) {
	// The embedded file must parse; that its names are registered symbols
	// is checked where every analyzer is linked in (engine and CLI tests
	// build the default policy).
	w, err := FittedWeights()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range w {
		if v != v || v > 1000 || v < -1000 {
			t.Errorf("%s = %v", name, v)
		}
	}
	if !strings.Contains(fittedTOML, "scripts/fit-weights.sh") {
		t.Error("fitted.toml lacks its header naming the script that writes it")
	}
}
