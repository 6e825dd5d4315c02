package bayes

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/testutil"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

var bg = context.Background()

func readDir(t testing.TB, dir string) [][]byte { return testutil.ReadMessages(t, dir) }

func task(raw []byte) *pipeline.Task {
	return pipeline.NewTask("t", mail.Parse(raw, mail.Limits{}), pipeline.Envelope{}, nil)
}

func newFileClassifier(t testing.TB, o Options) *Classifier {
	t.Helper()
	f, err := bayesstore.OpenFile(filepath.Join(t.TempDir(), "bayes.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewClassifier(f, o)
	t.Cleanup(func() { c.Close() })
	return c
}

func hit(t *pipeline.Task, name string) (pipeline.Hit, bool) {
	for _, h := range t.Hits() {
		if h.Name == name {
			return h, true
		}
	}
	return pipeline.Hit{}, false
}

// The Japanese set: trained on testdata/ja/train, every message of
// testdata/ja/test is classified right, with Japanese words as evidence.
func TestJapaneseClassified(t *testing.T) {
	c := newFileClassifier(t, Options{MinLearns: 5})
	for _, kind := range []string{"ham", "spam"} {
		for _, raw := range readDir(t, filepath.Join("testdata", "ja", "train", kind)) {
			if err := c.Learn(bg, task(raw), kind == "spam"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, kind := range []string{"ham", "spam"} {
		want, other := SymHam, SymSpam
		if kind == "spam" {
			want, other = SymSpam, SymHam
		}
		for i, raw := range readDir(t, filepath.Join("testdata", "ja", "test", kind)) {
			tk := task(raw)
			if err := c.Analyze(bg, tk); err != nil {
				t.Fatal(err)
			}
			h, ok := hit(tk, want)
			if !ok || tk.Has(other) {
				t.Errorf("%s %d: hits %+v, want %s", kind, i, tk.Hits(), want)
				continue
			}
			if h.Factor <= 0.2 || h.Factor > 1 {
				t.Errorf("%s %d: factor %v", kind, i, h.Factor)
			}
			opts := strings.Join(h.Options, " ")
			if !strings.Contains(opts, "p=") || !hasJapanese(opts) {
				t.Errorf("%s %d: options %q lack the probability or Japanese words", kind, i, opts)
			}
		}
	}
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if r >= 0x3040 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestMinLearnsAndRelearn(t *testing.T) {
	c := newFileClassifier(t, Options{MinLearns: 3})
	ham := readDir(t, filepath.Join("testdata", "ja", "train", "ham"))
	spam := readDir(t, filepath.Join("testdata", "ja", "train", "spam"))
	for i := 0; i < 3; i++ {
		c.Learn(bg, task(ham[i]), false)
	}
	for i := 0; i < 2; i++ {
		c.Learn(bg, task(spam[i]), true)
	}
	tk := task(spam[5])
	c.Analyze(bg, tk)
	if len(tk.Hits()) != 0 {
		t.Fatalf("voted before min_learns: %+v", tk.Hits())
	}
	c.Learn(bg, task(spam[2]), true)
	tk = task(spam[5])
	c.Analyze(bg, tk)
	if !tk.Has(SymSpam) {
		t.Fatalf("no vote after min_learns: %+v", tk.Hits())
	}
	// Learning the same message again changes nothing; relearning it as
	// ham moves it.
	o, _ := c.LearnOutcome(bg, task(spam[2]), true)
	if o != bayesstore.AlreadyLearned {
		t.Fatalf("outcome %v", o)
	}
	o, _ = c.LearnOutcome(bg, task(spam[2]), false)
	if o != bayesstore.Relearned {
		t.Fatalf("outcome %v", o)
	}
	tot, _ := c.Store().Totals(bg, "")
	if tot.Spam != 2 || tot.Ham != 4 {
		t.Fatalf("totals %+v", tot)
	}
	if ok, _ := c.Forget(bg, task(spam[2])); !ok {
		t.Fatal("forget")
	}
	tot, _ = c.Store().Totals(bg, "")
	if tot.Spam != 2 || tot.Ham != 3 {
		t.Fatalf("totals after forget %+v", tot)
	}
}

func TestPerDomainClasses(t *testing.T) {
	c := newFileClassifier(t, Options{MinLearns: 1, Per: "domain"})
	raw := readDir(t, filepath.Join("testdata", "ja", "train", "ham"))[0]
	tk := task(raw)
	tk.Env.Rcpts = []string{"<Someone@Example.JP>"}
	if got := c.classes(tk); len(got) != 2 || got[1] != "d:example.jp" {
		t.Fatalf("classes %q", got)
	}
	c.Learn(bg, tk, false)
	for _, cl := range []string{"", "d:example.jp"} {
		if tot, _ := c.Store().Totals(bg, cl); tot.Ham != 1 {
			t.Fatalf("class %q: %+v", cl, tot)
		}
	}
	c.per = "user"
	if got := c.classes(tk); got[1] != "u:someone@example.jp" {
		t.Fatalf("classes %q", got)
	}
}

func TestSymbolsRegistered(t *testing.T) {
	for _, n := range []string{SymSpam, SymHam} {
		d, ok := pipeline.Lookup(n)
		if !ok || d.EN == "" || d.JA == "" {
			t.Fatalf("%s: %+v", n, d)
		}
	}
	if Factor(0) != 0 || math.Abs(Factor(1)-0.228) > 0.01 || math.Abs(Factor(2.6)-0.42) > 0.01 || Factor(1e6) != 1 || Factor(-1e6) != 1 || Factor(20) <= Factor(10) ||
		Factor(-20) <= Factor(-10) || Factor(-5) >= Factor(5) {
		t.Fatal("Factor shape")
	}
}

func TestChi2Q(t *testing.T) {
	// Q(x | 2) = e^(-x/2).
	for _, x := range []float64{0.5, 3, 40, 2000} {
		if got, want := lnChi2Q(x, 2), -x/2; abs(got-want) > 1e-9 {
			t.Errorf("lnChi2Q(%v,2) = %v want %v", x, got, want)
		}
	}
	// Q(x | 4) = e^(-m)(1+m).
	if got, want := lnChi2Q(6, 4), -3+math.Log(4); abs(got-want) > 1e-9 {
		t.Errorf("lnChi2Q(6,4) = %v want %v", got, want)
	}
	if lnChi2Q(0, 10) != 0 {
		t.Error("Q(0) != 1")
	}
}

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_BAYES_STRONG", Weight: 6, Group: "test", EN: "x", JA: "x"},
		pipeline.SymbolDef{Name: "TEST_BAYES_GOOD", Weight: -2, Category: pipeline.CategoryClean, Group: "test", EN: "x", JA: "x"},
	)
}

// The autolearner observes the final verdict: the policy's weights and
// disabled symbols count, its own symbols do not, and only live inbound
// mail (FlowMail) teaches it.
func TestAutolearnObservesVerdict(t *testing.T) {
	raw := readDir(t, filepath.Join("testdata", "ja", "train", "spam"))[0]
	mailFlow := pipeline.Envelope{Flow: pipeline.FlowMail, Frontend: "milter"}
	cases := []struct {
		name     string
		hits     []string
		env      pipeline.Envelope
		weights  map[string]float64
		disabled []string
		spam     uint64
		ham      uint64
	}{
		{"strong symbol, live mail", []string{"TEST_BAYES_STRONG"}, mailFlow, nil, nil, 1, 0},
		{"good symbol, live mail", []string{"TEST_BAYES_GOOD"}, mailFlow, nil, nil, 0, 1},
		{"own symbol does not teach", []string{SymSpam}, mailFlow, nil, nil, 0, 0},
		{"offline scan never learns", []string{"TEST_BAYES_STRONG"}, pipeline.Envelope{Frontend: "cli"}, nil, nil, 0, 0},
		{"outbound never learns", []string{"TEST_BAYES_STRONG"}, pipeline.Envelope{Flow: pipeline.FlowMail, Outbound: true}, nil, nil, 0, 0},
		{"policy weight counts", []string{"TEST_BAYES_STRONG"}, mailFlow, map[string]float64{"TEST_BAYES_STRONG": 1}, nil, 0, 0},
		{"disabled symbol counts nothing", []string{"TEST_BAYES_STRONG"}, mailFlow, nil, []string{"TEST_BAYES_STRONG"}, 0, 0},
		{"panic weighs nothing", []string{"TEST_BAYES_STRONG", pipeline.SymAnalyzerPanic}, mailFlow, nil, nil, 1, 0},
		{"failed analyzer: nothing", []string{"TEST_BAYES_STRONG", pipeline.SymAnalyzerError}, mailFlow, nil, nil, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFileClassifier(t, Options{MinLearns: 1})
			c.SetAutolearn(5, -1)
			pc := config.Default().Policy
			pc.Weights, pc.Disabled = tc.weights, tc.disabled
			pol, err := policy.New(pc)
			if err != nil {
				t.Fatal(err)
			}
			var hits []pipeline.Hit
			for _, h := range tc.hits {
				hits = append(hits, pipeline.Hit{Name: h})
			}
			msg := mail.Parse(raw, mail.Limits{})
			r := &pipeline.Result{ID: "t", Msg: msg, Env: tc.env, Verdict: pol.DecideFor(hits, nil, tc.env, policy.OutboundHold{})}
			c.Observe(bg, r)
			tot, _ := c.Store().Totals(bg, "")
			if tot.Spam != tc.spam || tot.Ham != tc.ham {
				t.Fatalf("learned %+v, want spam %d ham %d", tot, tc.spam, tc.ham)
			}
		})
	}
}

// Without autolearn the classifier observes nothing.
func TestNoAutolearn(t *testing.T) {
	c := newFileClassifier(t, Options{MinLearns: 1})
	raw := readDir(t, filepath.Join("testdata", "ja", "train", "spam"))[0]
	r := &pipeline.Result{ID: "t", Msg: mail.Parse(raw, mail.Limits{}), Env: pipeline.Envelope{Flow: pipeline.FlowMail},
		Verdict: pipeline.Verdict{Score: 100, Symbols: []pipeline.SymbolResult{{Name: "TEST_BAYES_STRONG", Score: 100}}}}
	c.Observe(bg, r)
	if tot, _ := c.Store().Totals(bg, ""); tot.Spam != 0 {
		t.Fatalf("learned without autolearn: %+v", tot)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestAppendReadable: appendReadable gives readable's text.
func TestAppendReadable(t *testing.T) {
	for _, s := range []string{"", "plain", "s:a\x1f1\x1fb", "a\x1f3\x1fb", "a\x1f12\x1f", "\x1f\x1f", "a\x1fb", "a\x1fb\x1fc\x1fd", "\x1f", "x\x1f1\x1f\x1f"} {
		if got, want := string(appendReadable([]byte("pre"), s)), "pre"+readable(s); got != want {
			t.Errorf("appendReadable(%q) = %q, want %q", s, got, want)
		}
	}
}
