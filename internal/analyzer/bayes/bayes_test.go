package bayes

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

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

func TestAutolearn(t *testing.T) {
	c := newFileClassifier(t, Options{MinLearns: 1})
	a := &Autolearner{c: c, spamScore: 5, hamScore: -1}
	raw := readDir(t, filepath.Join("testdata", "ja", "train", "spam"))[0]
	tk := task(raw)
	tk.AddScaled(SymSpam, 1) // ignored: the classifier must not teach itself
	a.Analyze(bg, tk)
	if tot, _ := c.Store().Totals(bg, ""); tot.Spam != 0 {
		t.Fatalf("learned from its own symbol: %+v", tot)
	}
	tk.Add(pipeline.SymAnalyzerPanic) // weight 0: still nothing
	pipeline.Register(pipeline.SymbolDef{Name: "TEST_BAYES_STRONG", Weight: 6, EN: "x", JA: "x"})
	tk.Add("TEST_BAYES_STRONG")
	a.Analyze(bg, tk)
	if tot, _ := c.Store().Totals(bg, ""); tot.Spam != 1 {
		t.Fatalf("not autolearned: %+v", tot)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
