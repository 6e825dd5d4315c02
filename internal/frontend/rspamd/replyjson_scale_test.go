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

// TestAppendOutcomeManyForgedNames: a message can carry up to [limits]
// max_headers forged X-Spam-* fields of distinct names, each a
// remove_headers member. The reply is BuildReply's for many names too.
// Its cost per name is measured by BenchmarkAppendOutcomeForged (500
// and 8,000 names: the names were once each looked up in the list of
// those seen, so 16 times the names cost ~16 times as much per name, a
// few milliseconds of CPU per hostile message at the default limit of
// 1000 fields, seconds at a raised one); timings are not tested here.
func TestAppendOutcomeManyForgedNames(t *testing.T) {
	for _, n := range []int{1, 50, 500, 8000} {
		checkOutcome(t, forgedOutcome(n), time.Millisecond)
	}
}

// BenchmarkAppendOutcomeForged: the cost of a reply per forged name; it
// must stay about the same per name from 500 to 8,000 names.
func BenchmarkAppendOutcomeForged(b *testing.B) {
	for _, n := range []int{500, 8000} {
		o := forgedOutcome(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			buf := make([]byte, 0, 1<<20)
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = appendOutcome(buf[:0], o, time.Millisecond)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/name")
		})
	}
}
