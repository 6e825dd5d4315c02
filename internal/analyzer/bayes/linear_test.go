package bayes

import (
	"context"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// synth makes n messages: a few label words among shared noise words.
func synth(rng *rand.Rand, n int, spam bool) [][]uint64 {
	var out [][]uint64
	for i := 0; i < n; i++ {
		keys := []uint64{biasKey}
		base := uint64(1000)
		if spam {
			base = 2000
		}
		for j := 0; j < 5; j++ {
			keys = append(keys, base+uint64(rng.Intn(50)))
		}
		for j := 0; j < 20; j++ {
			keys = append(keys, 5000+uint64(rng.Intn(500)))
		}
		out = append(out, dedupe(keys))
	}
	return out
}

func dedupe(keys []uint64) []uint64 {
	seen := map[uint64]bool{}
	var out []uint64
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func TestLinearBatchAndOnline(t *testing.T) {
	ctx := context.Background()
	for _, batch := range []bool{true, false} {
		st, err := bayesstore.OpenFile(filepath.Join(t.TempDir(), "b.db"))
		if err != nil {
			t.Fatal(err)
		}
		c := NewClassifier(st, Options{MinLearns: 1})
		rng := rand.New(rand.NewSource(7))
		spam, ham := synth(rng, 150, true), synth(rng, 150, false)
		if batch {
			c.BeginBatch()
		}
		n := 0
		for i := range spam {
			for _, m := range []struct {
				k []uint64
				s bool
			}{{spam[i], true}, {ham[i], false}} {
				n++
				var d bayesstore.Digest
				d[0], d[1] = byte(n), byte(n>>8)
				if _, err := c.LearnKeys(ctx, "", d, m.k, m.s); err != nil {
					t.Fatal(err)
				}
			}
		}
		if batch {
			if got, err := c.EndBatch(ctx); err != nil || got != 300 {
				t.Fatalf("EndBatch: %d %v", got, err)
			}
		}
		// Fresh messages of each kind land on their side.
		for _, m := range synth(rng, 20, true) {
			if d, _ := c.ScoreKeys(ctx, "", m); d.Linear <= 0 || d.Margin <= 0 {
				t.Errorf("batch=%v: spam scored %+v", batch, d.Linear)
			}
		}
		for _, m := range synth(rng, 20, false) {
			if d, _ := c.ScoreKeys(ctx, "", m); d.Linear >= 0 || d.Margin >= 0 {
				t.Errorf("batch=%v: ham scored %+v", batch, d.Linear)
			}
		}
		c.Close()
	}
}

func TestSmallBatchLearnsOnline(t *testing.T) {
	ctx := context.Background()
	st, _ := bayesstore.OpenFile(filepath.Join(t.TempDir(), "b.db"))
	defer st.Close()
	c := NewClassifier(st, Options{MinLearns: 1})
	c.BeginBatch()
	keys := []uint64{biasKey, 1, 2, 3}
	c.LearnKeys(ctx, "", bayesstore.Digest{1}, keys, true)
	c.LearnKeys(ctx, "", bayesstore.Digest{2}, []uint64{biasKey, 7, 8, 9}, false)
	if got, err := c.EndBatch(ctx); err != nil || got != 2 {
		t.Fatalf("EndBatch: %d %v", got, err)
	}
	counts := make([]bayesstore.Counts, len(keys))
	st.Lookup(ctx, "", keys, counts)
	if counts[1].Weight <= 0 {
		t.Fatalf("the spam message's words got no weight: %+v", counts)
	}
	// After EndBatch, learning is online again.
	if c.recordBatch("", c.Scheme(), keys, true) {
		t.Fatal("batch still open")
	}
}
