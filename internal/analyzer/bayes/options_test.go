package bayes

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestMaxHitOptions: pipeline's AddScaled keeps exactly maxHitOptions
// options of a new hit (Analyze formats no top feature past them).
func TestMaxHitOptions(t *testing.T) {
	for _, n := range []int{maxHitOptions - 1, maxHitOptions, maxHitOptions + 1, maxHitOptions + 5} {
		tk := pipeline.NewTask("t", nil, pipeline.Envelope{}, nil)
		opts := make([]string, n)
		for i := range opts {
			opts[i] = "o" + strconv.Itoa(i)
		}
		tk.AddScaled(SymSpam, 1, slices.Clone(opts)...)
		h, _ := hit(tk, SymSpam)
		if want := opts[:min(n, maxHitOptions)]; !slices.Equal(h.Options, want) {
			t.Fatalf("%d options: kept %q, want %q", n, h.Options, want)
		}
	}
}

// TestAnalyzeTopOptions: Analyze's options are the fixed ones, then the
// top features as Classify shows them, as many as the hit keeps; and on
// a task that already has the hit, the merged options are what merging
// all of the top features gave before the cut. (With the 10-option cap
// the shortened list always supplies enough to fill the merge, so this
// part holds with or without Analyze's t.Has branch: it guards the merge,
// not that branch.)
func TestAnalyzeTopOptions(t *testing.T) {
	for _, per := range []string{"", "domain"} {
		c := newFileClassifier(t, Options{MinLearns: 1, Per: per})
		for _, kind := range []string{"ham", "spam"} {
			for _, raw := range readDir(t, filepath.Join("testdata", "ja", "train", kind)) {
				tk := task(raw)
				tk.Env.Rcpts = []string{"<a@example.jp>"}
				if err := c.Learn(bg, tk, kind == "spam"); err != nil && err != ErrNoFeatures {
					t.Fatal(err)
				}
			}
		}
		checked := 0
		for _, kind := range []string{"ham", "spam"} {
			for _, raw := range readDir(t, filepath.Join("testdata", "ja", "test", kind)) {
				tk := task(raw)
				tk.Env.Rcpts = []string{"<a@example.jp>"}
				res, err := c.Classify(bg, tk)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Analyze(bg, tk); err != nil {
					t.Fatal(err)
				}
				sym := SymHam
				if res.Decision.Margin > 0 {
					sym = SymSpam
				}
				h, ok := hit(tk, sym)
				if !ok {
					continue
				}
				fixed := 5
				if res.Class != "" {
					fixed = 6
				}
				want := min(maxHitOptions, fixed+len(res.Top))
				if len(h.Options) != want || !slices.Equal(h.Options[fixed:], res.Top[:want-fixed]) {
					t.Fatalf("options %q, top %q", h.Options, res.Top)
				}
				// The hit there already: its options merged with all
				// of the top features (the ones new to it, up to the cap).
				tk2 := task(raw)
				tk2.Env.Rcpts = tk.Env.Rcpts
				tk2.AddScaled(sym, 0.01, "x")
				if err := c.Analyze(bg, tk2); err != nil {
					t.Fatal(err)
				}
				h2, _ := hit(tk2, sym)
				all := append(append([]string{"x"}, h.Options[:fixed]...), res.Top...)
				if !slices.Equal(h2.Options, all[:min(len(all), maxHitOptions)]) {
					t.Fatalf("merged options %q, want %q", h2.Options, all)
				}
				checked++
			}
		}
		if checked == 0 {
			t.Fatal("no message hit")
		}
	}
}
