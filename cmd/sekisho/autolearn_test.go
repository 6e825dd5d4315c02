package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// TestScanDoesNotAutolearn: with autolearn on and thresholds every message
// crosses, `sekisho scan` teaches the classifier nothing (an offline flow); only live mail does (the Bayes
// observer reads the envelope's Flow: internal/analyzer/bayes
// TestAutolearnObservesVerdict).
func TestScanDoesNotAutolearn(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := filepath.Join(dir, "sekisho.toml")
	if err := os.WriteFile(cfg, []byte("[bayes]\nautolearn = true\nautolearn_spam_score = 0.01\nautolearn_ham_score = 0.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "..", "testdata", "golden")
	cmd := exec.Command(sekishoBin(t), "--config", cfg, "--data-dir", data, "scan", "--json", golden)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scan: %v\n%s", err, out)
	}
	st, err := bayesstore.OpenFile(filepath.Join(data, "bayes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tot, err := st.Totals(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if tot.Spam != 0 || tot.Ham != 0 {
		t.Fatalf("scan trained the classifier: %+v", tot)
	}
}
