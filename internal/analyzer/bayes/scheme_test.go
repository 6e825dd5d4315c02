package bayes

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// schemeTrain trains c on testdata/ja/train as train does (a batch).
func schemeTrain(t *testing.T, c *Classifier) {
	t.Helper()
	c.BeginBatch()
	for _, kind := range []string{"ham", "spam"} {
		for _, raw := range readDir(t, filepath.Join("testdata", "ja", "train", kind)) {
			if err := c.Learn(bg, task(raw), kind == "spam"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := c.EndBatch(bg); err != nil {
		t.Fatal(err)
	}
}

type schemeResult struct {
	res   Result
	opts  []string
	known float64
}

// schemeResults classifies testdata/ja/test (and the training messages)
// with c: Classify's result and Analyze's options.
func schemeResults(t *testing.T, c *Classifier) []schemeResult {
	t.Helper()
	var out []schemeResult
	for _, dir := range []string{"test", "train"} {
		for _, kind := range []string{"ham", "spam"} {
			for _, raw := range readDir(t, filepath.Join("testdata", "ja", dir, kind)) {
				res, err := c.Classify(bg, task(raw))
				if err != nil {
					t.Fatal(err)
				}
				tk := task(raw)
				if err := c.Analyze(bg, tk); err != nil {
					t.Fatal(err)
				}
				var opts []string
				for _, h := range tk.Hits() {
					opts = append(opts, h.Name)
					opts = append(opts, h.Options...)
				}
				out = append(out, schemeResult{res: res, opts: opts, known: res.Known})
			}
		}
	}
	return out
}

func sameResults(t *testing.T, got, want []schemeResult) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.res.Decision.Margin != w.res.Decision.Margin || g.res.Decision.Prob != w.res.Decision.Prob ||
			!slices.Equal(g.res.Top, w.res.Top) || !slices.Equal(g.opts, w.opts) || g.known != w.known ||
			!slices.Equal(g.res.Decision.Used, w.res.Decision.Used) {
			t.Fatalf("message %d:\n got %+v %q\nwant %+v %q", i, g.res, g.opts, w.res, w.opts)
		}
	}
	if len(want) == 0 || len(want[0].opts) == 0 {
		t.Fatal("nothing classified")
	}
}

// TestSchemesClassifyAlike: a scheme-1 store (made as every store before
// scheme 2 was) and a scheme-2 store trained on the same messages give
// the same results, explanations included, also once reopened from
// their files; the scheme-1 store holds scheme 1's keys and stays scheme
// 1 after learning more.
func TestSchemesClassifyAlike(t *testing.T) {
	dir := t.TempDir()
	var results [2][]schemeResult
	for i, scheme := range []int{bayesstore.SchemeText, bayesstore.SchemePairMix} {
		path := filepath.Join(dir, "s"+string(rune('0'+scheme))+".db")
		f, err := bayesstore.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetScheme(scheme); err != nil {
			t.Fatal(err)
		}
		c := NewClassifier(f, Options{MinLearns: 5})
		if c.Scheme() != scheme {
			t.Fatalf("classifier scheme %d, want %d", c.Scheme(), scheme)
		}
		schemeTrain(t, c)
		results[i] = schemeResults(t, c)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		f, err = bayesstore.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c = NewClassifier(f, Options{MinLearns: 5})
		if c.Scheme() != scheme {
			t.Fatalf("reopened: scheme %d, want %d", c.Scheme(), scheme)
		}
		sameResults(t, schemeResults(t, c), results[i])
		// The store holds the scheme's keys: a body pair of a trained
		// message is known under its scheme's key only.
		raw := readDir(t, filepath.Join("testdata", "ja", "train", "spam"))[0]
		tk := task(raw)
		s1 := tokenize.Message(tk.Msg, tk.URLs(), tokenize.Options{})
		s2 := tokenize.Message(tk.Msg, tk.URLs(), tokenize.Options{Scheme: tokenize.SchemePairMix})
		var pairs1, pairs2 []uint64
		for j := range s2.Len() {
			if _, _, _, ok := s2.Pair(j); ok {
				pairs1, pairs2 = append(pairs1, s1.Hash(j)), append(pairs2, s2.Hash(j))
			}
		}
		if len(pairs2) == 0 {
			t.Fatal("no body pairs")
		}
		known := func(keys []uint64) int {
			counts := make([]bayesstore.Counts, len(keys))
			f.Lookup(bg, "", keys, counts)
			n := 0
			for _, ct := range counts {
				if ct.Spam > 0 {
					n++
				}
			}
			return n
		}
		own, other := known(pairs1), known(pairs2)
		if scheme == bayesstore.SchemePairMix {
			own, other = other, own
		}
		if own != len(pairs1) || other != 0 {
			t.Fatalf("scheme %d: %d of %d pairs known under its keys, %d under the other scheme's", scheme, own, len(pairs1), other)
		}
		c.Close()
	}
	sameResults(t, results[1], results[0])
}

// TestSchemeFollowsReplacedFile: a classifier whose file another process
// replaces with a store of the other scheme tokenizes for the new file
// once it is reloaded: its results are those of a classifier opened on
// that file; tokens of the old scheme kept on a task are made again, and
// features of another scheme are refused for learning.
func TestSchemeFollowsReplacedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bayes.db")
	f, _ := bayesstore.OpenFile(path) // new: scheme 2
	c := NewClassifier(f, Options{MinLearns: 5})
	defer c.Close()
	raw := readDir(t, filepath.Join("testdata", "ja", "test", "spam"))[0]
	kept := task(raw)
	kept.Set(tokensKey, c.tokens(kept))
	if c.Scheme() != bayesstore.SchemePairMix || c.tokens(kept).Scheme() != tokenize.SchemePairMix {
		t.Fatalf("new store: scheme %d", c.Scheme())
	}
	// Another process writes a trained scheme-1 store over the file.
	other, _ := bayesstore.OpenFile(path)
	other.SetScheme(bayesstore.SchemeText)
	oc := NewClassifier(other, Options{MinLearns: 5})
	schemeTrain(t, oc)
	if err := oc.Close(); err != nil {
		t.Fatal(err)
	}
	// The reload (due every two seconds) happens at the next scan.
	var res Result
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if res, err = c.Classify(bg, task(raw)); err != nil {
			t.Fatal(err)
		}
		if c.Scheme() == bayesstore.SchemeText || time.Now().After(deadline) {
			break
		}
	}
	if c.Scheme() != bayesstore.SchemeText {
		t.Fatal("the replaced file's scheme was not taken")
	}
	res, _ = c.Classify(bg, task(raw))
	f2, _ := bayesstore.OpenFile(path)
	want, _ := NewClassifier(f2, Options{MinLearns: 5}).Classify(bg, task(raw))
	if !res.Voted || res.Decision.Margin != want.Decision.Margin || !slices.Equal(res.Top, want.Top) {
		t.Fatalf("after the reload: %+v, want %+v", res, want)
	}
	if tk := c.tokens(kept); tk.Scheme() != tokenize.SchemeText {
		t.Fatalf("kept tokens: scheme %d", tk.Scheme())
	}
	s2 := tokenize.Message(kept.Msg, kept.URLs(), tokenize.Options{Scheme: tokenize.SchemePairMix})
	if _, err := c.learnKeys(bg, s2.Scheme(), "", Digest("", kept.Msg), s2.Hashes(), true); !errors.Is(err, bayesstore.ErrSchemeMismatch) {
		t.Fatalf("scheme-2 features for a scheme-1 store: %v", err)
	}
}

// TestSchemeRedis: a classifier on an empty Redis database uses scheme 2,
// and one on the same database after it learned does too, with the same
// results.
func TestSchemeRedis(t *testing.T) {
	url := redistest.Start(t)
	r, err := bayesstore.OpenRedis(bg, url, "cs:")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClassifier(r, Options{MinLearns: 5})
	if c.Scheme() != bayesstore.SchemePairMix {
		t.Fatalf("empty database: scheme %d", c.Scheme())
	}
	schemeTrain(t, c)
	want := schemeResults(t, c)
	c.Close()
	r2, err := bayesstore.OpenRedis(bg, url, "cs:")
	if err != nil {
		t.Fatal(err)
	}
	c2 := NewClassifier(r2, Options{MinLearns: 5})
	defer c2.Close()
	if c2.Scheme() != bayesstore.SchemePairMix {
		t.Fatalf("second instance: scheme %d", c2.Scheme())
	}
	sameResults(t, schemeResults(t, c2), want)
	// And the same as a scheme-1 database (its key set as an instance
	// opening old data sets it) trained alike.
	opt, _ := redis.ParseURL(url)
	rc := redis.NewClient(opt)
	defer rc.Close()
	if err := rc.Set(bg, "c1:scheme", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	r1, err := bayesstore.OpenRedis(bg, url, "c1:")
	if err != nil {
		t.Fatal(err)
	}
	c1 := NewClassifier(r1, Options{MinLearns: 5})
	defer c1.Close()
	if c1.Scheme() != bayesstore.SchemeText {
		t.Fatalf("scheme-1 database: scheme %d", c1.Scheme())
	}
	schemeTrain(t, c1)
	sameResults(t, schemeResults(t, c1), want)
}
