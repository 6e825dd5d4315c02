package bayes_test

import (
	"context"
	"github.com/sekisho/sekisho/internal/testutil"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/bayes"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
)

var bg = context.Background()

func readDir(t testing.TB, dir string) [][]byte { return testutil.ReadMessages(t, dir) }

// Through the engine: config, New, Learn via engine.Learn, autolearn.
func TestEngine(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Bayes.MinLearns = 5
	cfg.Bayes.Autolearn = true
	cfg.Bayes.AutolearnHamScore = -100 // never, here
	cfg.Bayes.AutolearnSpamScore = 100
	eng, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{bayes.New}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(eng.Analyzers()); n != 1 {
		t.Fatalf("%d analyzers (want the classifier; it autolearns as an observer)", n)
	}
	for _, kind := range []string{"ham", "spam"} {
		for _, raw := range readDir(t, filepath.Join("testdata", "ja", "train", kind)) {
			if err := eng.Learn(bg, raw, kind == "spam"); err != nil {
				t.Fatal(err)
			}
		}
	}
	raw := readDir(t, filepath.Join("testdata", "ja", "test", "spam"))[0]
	r := eng.Scan(bg, raw, pipeline.Envelope{})
	if !r.Verdict.Has(bayes.SymSpam) {
		t.Fatalf("verdict %+v", r.Verdict)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.General.DataDir, "bayes.db")); err != nil {
		t.Fatal("store not written on close:", err)
	}
}
