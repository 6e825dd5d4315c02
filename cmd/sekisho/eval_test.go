package main

import (
	"math"
	"testing"
)

func TestAUC(t *testing.T) {
	if a := auc([]float64{0, 1, 2}, []float64{3, 4}); a != 1 {
		t.Fatalf("separable: %v", a)
	}
	if a := auc([]float64{1, 1}, []float64{1, 1}); a != 0.5 {
		t.Fatalf("ties: %v", a)
	}
	if a := auc([]float64{0, 2}, []float64{1, 3}); math.Abs(a-0.75) > 1e-9 {
		t.Fatalf("mixed: %v", a)
	}
}

func TestRecallAtFP(t *testing.T) {
	ham := []float64{0, 1, 2, 10}
	spam := []float64{3, 5, 11, 12}
	if r := recallAtFP(ham, spam, 0); r != 0.5 {
		t.Fatalf("fp0: %v", r)
	}
	if r := recallAtFP(ham, spam, 1); r != 1 {
		t.Fatalf("fp1: %v", r)
	}
}

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
