package bayes

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

func trainedClassifier(t *testing.T) *Classifier {
	t.Helper()
	c := newFileClassifier(t, Options{MinLearns: 1})
	for _, kind := range []string{"ham", "spam"} {
		for _, raw := range readDir(t, filepath.Join("testdata", "ja", "train", kind)) {
			if err := c.Learn(bg, task(raw), kind == "spam"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c
}

// With autolearn on, Analyze keeps the message's features on the task
// (tokenize.Message's, not the pooled scratch's) and Observe learns
// exactly those, once each.
func TestAutolearnLearnsScannedTokens(t *testing.T) {
	c := trainedClassifier(t)
	c.SetAutolearn(0, -1000) // every verdict without other symbols: spam
	env := pipeline.Envelope{Flow: pipeline.FlowMail}
	raws := readDir(t, filepath.Join("testdata", "ja", "test", "ham"))
	for _, raw := range raws[:3] {
		msg := mail.Parse(raw, mail.Limits{})
		tk := pipeline.NewTask("x", msg, env, nil)
		if err := c.Analyze(bg, tk); err != nil {
			t.Fatal(err)
		}
		v, ok := tk.Get(tokensKey)
		if !ok {
			t.Fatal("autolearn on: no tokens kept on the task")
		}
		kept := v.(*tokenize.Tokens).Hashes()
		want := tokenize.Message(msg, tk.URLs(), c.opts()).Hashes()
		if !slices.Equal(kept, want) {
			t.Fatalf("kept %d features, tokenize.Message gives %d (or others)", len(kept), len(want))
		}
		// Another scan in between reuses the scratch buffers: the kept
		// tokens must not change.
		if err := c.Analyze(bg, task(raws[len(raws)-1])); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.(*tokenize.Tokens).Hashes(), want) {
			t.Fatal("kept tokens changed by a later scan")
		}
		before := make([]bayesstore.Counts, len(want))
		if err := c.st.Lookup(bg, "", want, before); err != nil {
			t.Fatal(err)
		}
		tot0, _ := c.st.Totals(bg, "")
		r := &pipeline.Result{ID: "x", Msg: msg, Env: env, URLs: tk.URLs(), Values: tk.Values()}
		c.Observe(bg, r)
		tot1, _ := c.st.Totals(bg, "")
		if tot1.Spam != tot0.Spam+1 || tot1.Ham != tot0.Ham {
			t.Fatalf("totals %+v after %+v", tot1, tot0)
		}
		after := make([]bayesstore.Counts, len(want))
		if err := c.st.Lookup(bg, "", want, after); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if after[i].Spam != before[i].Spam+1 || after[i].Ham != before[i].Ham {
				t.Fatalf("feature %d: %+v after %+v", i, after[i], before[i])
			}
		}
	}
}

// With autolearn off nothing is kept on the task, and a scan's result
// does not depend on the scans before it (the pooled scratch and the
// decide cache): Classify gives the same bits as decide over
// tokenize.Message's features, whatever ran in between.
func TestScratchScansIndependent(t *testing.T) {
	c := trainedClassifier(t)
	var raws [][]byte
	for _, kind := range []string{"ham", "spam"} {
		raws = append(raws, readDir(t, filepath.Join("testdata", "ja", "test", kind))...)
	}
	type want struct {
		margin float64
		top    []string
		used   []Evidence
	}
	ref := make([]want, len(raws))
	for i, raw := range raws {
		tk := task(raw)
		keys := tokenize.Message(tk.Msg, tk.URLs(), c.opts()).Hashes()
		d, err := c.ScoreKeys(bg, "", keys)
		if err != nil {
			t.Fatal(err)
		}
		ref[i] = want{margin: d.Margin, used: d.Used}
	}
	for round := 0; round < 3; round++ {
		for j := range raws {
			i := (j*7 + round*3) % len(raws) // another order each round
			tk := task(raws[i])
			res, err := c.Classify(bg, tk)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tk.Get(tokensKey); ok {
				t.Fatal("autolearn off: tokens kept on the task")
			}
			if res.Decision.Margin != ref[i].margin || !slices.Equal(res.Decision.Used, ref[i].used) {
				t.Fatalf("message %d round %d: margin %v (want %v), %d evidence (want %d)", i, round,
					res.Decision.Margin, ref[i].margin, len(res.Decision.Used), len(ref[i].used))
			}
			if ref[i].top == nil {
				ref[i].top = res.Top
			} else if !slices.Equal(res.Top, ref[i].top) {
				t.Fatalf("message %d round %d: top %q, first %q", i, round, res.Top, ref[i].top)
			}
			// Analyze's options end with the Top Classify shows.
			at := task(raws[i])
			if err := c.Analyze(bg, at); err != nil {
				t.Fatal(err)
			}
			for _, h := range at.Hits() {
				if h.Name == SymSpam || h.Name == SymHam {
					// (five values first; a hit keeps ten options)
					if n := min(len(res.Top), 5); len(h.Options) != 5+n || !slices.Equal(h.Options[5:], res.Top[:n]) {
						t.Fatalf("message %d: options %q, top %q", i, h.Options, res.Top)
					}
				}
			}
		}
	}
}

// TestValueCacheWrap: when the cache's generation wraps, the entries of
// both tables (by hash and by small counts) are cleared (an entry of an
// old generation 1 would otherwise pass for the new generation 1's), and
// values kept under other totals are not used.
func TestValueCacheWrap(t *testing.T) {
	vc := new(valueCache)
	vc.use(10, 20, DefaultParams)
	c := bayesstore.Counts{Spam: 3, Ham: 1}
	big := bayesstore.Counts{Spam: 300, Ham: 100}
	if vc.slot(countsKey(&c)) != &vc.small[c.Spam|c.Ham<<smallBits] {
		t.Fatalf("counts %+v not in the small table's slot", c)
	}
	*vc.slot(countsKey(&c)) = cachedValue{key: countsKey(&c), gen: 1, f: 0.25, r: 2}
	*vc.slot(countsKey(&big)) = cachedValue{key: countsKey(&big), gen: 1, f: 0.5, r: 3}
	vc.gen = ^uint32(0)
	vc.use(11, 20, DefaultParams)
	if vc.gen != 1 {
		t.Fatalf("generation %d after the wrap, want 1", vc.gen)
	}
	if e := *vc.slot(countsKey(&c)); e != (cachedValue{}) {
		t.Errorf("small entry %+v kept over the wrap", e)
	}
	if e := *vc.slot(countsKey(&big)); e != (cachedValue{}) {
		t.Errorf("entry %+v kept over the wrap", e)
	}
	// Totals changing back and forth: each decision as a fresh cache's.
	counts := []bayesstore.Counts{{Spam: 1}, {Spam: 2, Ham: 1}, {Spam: 500, Ham: 3}, {Ham: 7}, {Spam: 3, Ham: 1}}
	keys := []uint64{biasKey, 1, 2, 3, 4}
	tots := []bayesstore.Totals{{Spam: 10, Ham: 20}, {Spam: 700, Ham: 30}, {Spam: 10, Ham: 20}, {Spam: 9, Ham: 20}}
	for round := range 3 {
		for _, tot := range tots {
			got, _ := decideKnown(counts, keys, tot, DefaultParams, nil)
			want, _ := decideKnownMain(counts, keys, tot, DefaultParams, nil)
			if !sameBits(got, want) {
				t.Fatalf("round %d totals %+v: %+v, want %+v", round, tot, got, want)
			}
		}
	}
}
