package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestComputeMetrics(t *testing.T) {
	var res EvalJSON
	computeMetrics(&res, []scored{
		{name: "h1", score: 0}, {name: "h2", score: 6, flagged: true},
		{name: "s1", spam: true, score: 9, flagged: true}, {name: "s2", spam: true, score: 1},
	})
	if res.TP != 1 || res.FP != 1 || res.TN != 1 || res.FN != 1 || res.Precision != 0.5 || res.Recall != 0.5 || res.F1 != 0.5 {
		t.Fatalf("%+v", res)
	}
}

func TestWriteScores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scores.tsv")
	err := writeScores(path, []scored{
		{name: "h1", score: 1, action: "accept", detail: []string{"A=1.00"}},
		{name: "s1", spam: true, score: 9, action: "reject", detail: []string{"B=5.00", "C=4.00"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "# label\tscore\taction\tmessage\tsymbols\nspam\t9.000\treject\ts1\tB=5.00 C=4.00\nham\t1.000\taccept\th1\tA=1.00\n"
	if string(b) != want {
		t.Fatalf("got %q", b)
	}
}
