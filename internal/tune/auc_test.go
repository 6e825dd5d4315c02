package tune

import (
	"math"
	"testing"
)

func TestAUC(t *testing.T) {
	if a := AUC([]float64{0, 1, 2}, []float64{3, 4}); a != 1 {
		t.Fatalf("separable: %v", a)
	}
	if a := AUC([]float64{1, 1}, []float64{1, 1}); a != 0.5 {
		t.Fatalf("ties: %v", a)
	}
	if a := AUC([]float64{0, 2}, []float64{1, 3}); math.Abs(a-0.75) > 1e-9 {
		t.Fatalf("mixed: %v", a)
	}
}

func TestRecallAtFP(t *testing.T) {
	ham := []float64{0, 1, 2, 10}
	spam := []float64{3, 5, 11, 12}
	if r, _ := RecallAtFP(ham, spam, 0); r != 0.5 {
		t.Fatalf("fp0: %v", r)
	}
	if r, _ := RecallAtFP(ham, spam, 1); r != 1 {
		t.Fatalf("fp1: %v", r)
	}
}
