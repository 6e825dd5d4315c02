package rspamd

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// forgedOutcome is the outcome of a message carrying n forged fields of
// distinct names (X-Spam-*, as action.StripList lists them), a few
// named twice, and forged Authentication-Results among them, in a
// shuffled order.
func forgedOutcome(n int) *action.Outcome {
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	o := &action.Outcome{ID: "id", Action: pipeline.ActionTag, Result: &pipeline.Result{Msg: &mail.Message{MessageID: "<m@x>"}}}
	for _, i := range rng.Perm(n) {
		o.Strip = append(o.Strip, action.StripField{Name: fmt.Sprintf("X-Spam-Forged-%06d", i), Index: 1})
		if i%50 == 0 {
			o.Strip = append(o.Strip, action.StripField{Name: "Authentication-Results", Index: i + 1},
				action.StripField{Name: fmt.Sprintf("X-Spam-Forged-%06d", i), Index: 2})
		}
	}
	return o
}

// minTime is the shortest of a few timings of runs calls of appendOutcome
// on o (the machine is shared: the least disturbed run).
func minTime(o *action.Outcome, runs int) time.Duration {
	best := time.Duration(1<<63 - 1)
	buf := make([]byte, 0, 1<<20)
	for range 5 {
		start := time.Now()
		for range runs {
			appendOutcome(buf[:0], o, time.Millisecond)
		}
		best = min(best, time.Since(start))
	}
	return best
}

// TestAppendOutcomeManyForgedNames: a message can carry up to [limits]
// max_headers forged X-Spam-* fields of distinct names, each a
// remove_headers member. The reply is BuildReply's, and writing it costs
// about as much per name for 16 times the names (the names were each
// looked up in the list of those seen: 16 times the names cost ~16 times
// as much per name, a few milliseconds of CPU per hostile message at the
// default limit of 1000 fields, seconds at a raised one).
func TestAppendOutcomeManyForgedNames(t *testing.T) {
	const n = 500
	small, large := forgedOutcome(n), forgedOutcome(16*n)
	checkOutcome(t, small, time.Millisecond)
	checkOutcome(t, large, time.Millisecond)
	ts, tl := minTime(small, 16), minTime(large, 1)
	ratio := float64(tl) / float64(ts)
	t.Logf("%d names: %v; 16 × %d: %v (ratio %.2f)", 16*n, tl, n, ts, ratio)
	if ratio > 4 {
		t.Fatalf("remove_headers of %d names took %v, %.1f times %v for 16 × %d: not linear in the names", 16*n, tl, ratio, ts, n)
	}
}
