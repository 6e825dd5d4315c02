package bayes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// hookFile is a File with a hook run once before and after Learn (and
// LearnAs, which the classifier calls): it stands for another goroutine
// (a scan's Totals → maybeReload, or the sync loop's Sync) running
// between the classifier's tokenization and the store calls.
type hookFile struct {
	*bayesstore.File
	before, after func()
}

func (h *hookFile) run(f *func()) {
	if g := *f; g != nil {
		*f = nil
		g()
	}
}

func (h *hookFile) Learn(ctx context.Context, class string, d bayesstore.Digest, keys []uint64, spam bool) (bayesstore.Outcome, error) {
	h.run(&h.before)
	o, err := h.File.Learn(ctx, class, d, keys, spam)
	h.run(&h.after)
	return o, err
}

func (h *hookFile) LearnAs(ctx context.Context, scheme int, class string, d bayesstore.Digest, keys []uint64, spam bool) (bayesstore.Outcome, error) {
	h.run(&h.before)
	o, err := h.File.LearnAs(ctx, scheme, class, d, keys, spam)
	h.run(&h.after)
	return o, err
}

// revStores makes a trained scheme-1 file at path and a trained scheme-2
// file at path2.
func revStores(t *testing.T, path, path2 string) {
	for _, p := range []struct {
		path   string
		scheme int
	}{{path, bayesstore.SchemeText}, {path2, bayesstore.SchemePairMix}} {
		f, err := bayesstore.OpenFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetScheme(p.scheme); err != nil {
			t.Fatal(err)
		}
		c := NewClassifier(f, Options{MinLearns: 5})
		schemeTrain(t, c)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// scheme1PairsIn counts the message's scheme-1 body-pair keys that the
// file at path holds (counts or weight), and returns the file's scheme.
func scheme1PairsIn(t *testing.T, path string, raw []byte) (scheme, withCounts, withWeight, pairs int) {
	f, err := bayesstore.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tk := task(raw)
	s1 := tokenize.Message(tk.Msg, tk.URLs(), tokenize.Options{})
	s2 := tokenize.Message(tk.Msg, tk.URLs(), tokenize.Options{Scheme: tokenize.SchemePairMix})
	var keys []uint64
	for j := range s2.Len() {
		if _, _, _, ok := s2.Pair(j); ok {
			keys = append(keys, s1.Hash(j))
		}
	}
	counts := make([]bayesstore.Counts, len(keys))
	f.Lookup(bg, "", keys, counts)
	for _, c := range counts {
		if c.Spam+c.Ham > 0 {
			withCounts++
		}
		if c.Weight != 0 {
			withWeight++
		}
	}
	return f.Scheme(), withCounts, withWeight, len(keys)
}

// TestRevLearnRaceReload: the file is replaced by a scheme-2 store and
// reloaded (by a concurrent scan's Totals) after LearnOutcome tokenized
// and before the File's learn: the scheme-1 features must not be learned
// into the scheme-2 store (the File checks the keys' scheme under its
// lock: ErrSchemeMismatch).
func TestRevLearnRaceReload(t *testing.T) {
	dir := t.TempDir()
	path, path2 := filepath.Join(dir, "bayes.db"), filepath.Join(dir, "new.db")
	revStores(t, path, path2)
	f, err := bayesstore.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookFile{File: f}
	c := NewClassifier(h, Options{MinLearns: 5})
	if c.Scheme() != bayesstore.SchemeText {
		t.Fatal("not scheme 1")
	}
	h.before = func() {
		if err := os.Rename(path2, path); err != nil {
			t.Fatal(err)
		}
		f.Totals(bg, "") // a scan: maybeReload
		t.Logf("store scheme now %d", f.Scheme())
	}
	learnRefused(t, c, path, readDir(t, filepath.Join("testdata", "ja", "test", "spam"))[0])
}

// TestRevLearnRaceSync: the sync loop's Sync meets the replaced
// (scheme-2) file right after the File's learn: it drops the learn and
// switches the scheme; onlineStep must then not add the linear weights of
// the scheme-1 keys to the scheme-2 store (AddWeightsAs refuses them).
func TestRevLearnRaceSync(t *testing.T) {
	dir := t.TempDir()
	path, path2 := filepath.Join(dir, "bayes.db"), filepath.Join(dir, "new.db")
	revStores(t, path, path2)
	{ // unequal totals in the new store
		f2, _ := bayesstore.OpenFile(path2)
		c2 := NewClassifier(f2, Options{MinLearns: 5})
		if err := c2.Learn(bg, task(readDir(t, filepath.Join("testdata", "ja", "test", "spam"))[1]), true); err != nil {
			t.Fatal(err)
		}
		c2.Close()
	}
	f, err := bayesstore.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookFile{File: f}
	c := NewClassifier(h, Options{MinLearns: 5})
	h.after = func() {
		if err := os.Rename(path2, path); err != nil {
			t.Fatal(err)
		}
		t.Logf("sync loop: %v; scheme now %d", f.Sync(bg), f.Scheme())
	}
	learnRefused(t, c, path, readDir(t, filepath.Join("testdata", "ja", "test", "ham"))[0]) // ham learned as spam: the linear step updates
}

// learnRefused learns raw as spam with c (on the scheme-1 file at path,
// which the hooks replace by a scheme-2 one), expects ErrSchemeMismatch,
// and checks that none of raw's scheme-1 pair keys reached the file.
func learnRefused(t *testing.T, c *Classifier, path string, raw []byte) {
	_, err := c.LearnOutcome(bg, task(raw), true)
	t.Logf("LearnOutcome: %v", err)
	if !errors.Is(err, bayesstore.ErrSchemeMismatch) {
		t.Errorf("LearnOutcome: %v, want ErrSchemeMismatch", err)
	}
	if err := c.Close(); err != nil {
		t.Logf("Close: %v", err)
	}
	scheme, wc, ww, n := scheme1PairsIn(t, path, raw)
	t.Logf("file scheme %d: %d of %d scheme-1 pair keys with counts, %d with weights", scheme, wc, n, ww)
	if scheme == bayesstore.SchemePairMix && (wc > 0 || ww > 0) {
		t.Errorf("scheme-1 keys written into a scheme-2 store")
	}
}
