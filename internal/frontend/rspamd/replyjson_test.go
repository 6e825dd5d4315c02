package rspamd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

var replyWords = []string{"", "a", "X-Spam-Flag", "X-Sekisho-Verdict", "Authentication-Results", "<b>&", "日本語。", "bad \xff",
	"line\u2028", "q\"\\", "tab\tnl\n", "BAYES_99", "URL_X", "Subject"}

var replyFloats = []float64{0, math.Copysign(0, -1), 1.25, -3.5, 1e-7, 1e21, 0.001234, 12.345}

func sampleOutcome(rng *rand.Rand, extra ...string) (*action.Outcome, time.Duration) {
	words := append(append([]string(nil), replyWords...), extra...)
	pick := func() string { return words[rng.IntN(len(words))] }
	acts := []pipeline.Action{pipeline.ActionAccept, pipeline.ActionTag, pipeline.ActionQuarantine, pipeline.ActionReject, pipeline.ActionTempfail, "other"}
	o := &action.Outcome{ID: pick(), Action: acts[rng.IntN(len(acts))], Unscanned: rng.IntN(4) == 0, QuarantineID: pick(),
		Code: []int{0, 250, 451, 550}[rng.IntN(4)], Enhanced: pick(), Text: pick()}
	if rng.IntN(5) != 0 {
		v := pipeline.Verdict{Score: replyFloats[rng.IntN(len(replyFloats))], RequiredScore: replyFloats[rng.IntN(len(replyFloats))],
			Category: pipeline.Category(pick()), Explanation: pick(), ExplanationJA: pick()}
		for range rng.IntN(8) {
			s := pipeline.SymbolResult{Name: pick(), Score: replyFloats[rng.IntN(len(replyFloats))], EN: pick()}
			switch rng.IntN(3) {
			case 1:
				s.Options = []string{}
			case 2:
				s.Options = []string{pick(), pick()}
			}
			v.Symbols = append(v.Symbols, s)
		}
		o.Result = &pipeline.Result{Verdict: v}
		if rng.IntN(2) == 0 {
			o.Result.Msg = &mail.Message{MessageID: pick()}
		}
	}
	for range rng.IntN(5) {
		o.Headers = append(o.Headers, pipeline.HeaderField{Name: pick(), Value: pick() + "\r\n\t" + pick()})
	}
	if rng.IntN(3) == 0 {
		s := pick()
		o.NewSubject = &s
	}
	for range rng.IntN(3) {
		o.Strip = append(o.Strip, action.StripField{Name: pick(), Index: rng.IntN(4)})
	}
	return o, time.Duration(rng.Int64N(int64(time.Second)))
}

func checkReply(t *testing.T, rep *Reply) {
	t.Helper()
	var want bytes.Buffer
	err := json.NewEncoder(&want).Encode(rep)
	got, ok := appendReply(nil, rep)
	if ok && (err != nil || !bytes.Equal(got, want.Bytes())) {
		t.Fatalf("reply differs:\n got  %s\n want %s %v", got, want.Bytes(), err)
	}
	// What writeJSON answers (json.Encoder's bytes when appendReply
	// cannot).
	w := httptest.NewRecorder()
	writeJSON(w, http.StatusOK, rep)
	if err == nil && !bytes.Equal(w.Body.Bytes(), want.Bytes()) {
		t.Fatalf("writeJSON differs:\n got  %s\n want %s", w.Body.Bytes(), want.Bytes())
	}
	if err != nil && w.Code != http.StatusInternalServerError {
		t.Fatalf("writeJSON of a reply json.Encoder refuses: status %d", w.Code)
	}
}

// TestAppendReplyMatchesEncoder compares the reply encoder with
// json.Encoder on replies BuildReply makes of random outcomes.
func TestAppendReplyMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		checkReply(t, BuildReply(sampleOutcome(rng)))
	}
	checkReply(t, &Reply{})
	checkReply(t, &Reply{Milter: &Milter{}})
	checkReply(t, &Reply{Milter: &Milter{AddHeaders: map[string]any{"A": []hdrValue(nil)}}})
	checkReply(t, &Reply{Milter: &Milter{AddHeaders: map[string]any{"A": 5}}}) // not BuildReply's: json.Encoder writes it
	checkReply(t, &Reply{Score: math.NaN()})
	checkReply(t, &Reply{Symbols: map[string]Symbol{"X": {Score: math.Inf(1)}}})
	many := &Reply{Symbols: map[string]Symbol{}}
	for i := range 200 {
		many.Symbols[fmt.Sprint(i)] = Symbol{Name: "n", Options: []string{"o"}}
	}
	checkReply(t, many)
}

func FuzzAppendReply(f *testing.F) {
	f.Add("a", "b", uint64(1))
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 1))
		for range 4 {
			checkReply(t, BuildReply(sampleOutcome(rng, a, b)))
		}
	})
}

// checkOutcome compares the reply written from the outcome
// (appendOutcome, writeOutcome) with what writeJSON writes of
// BuildReply's reply.
func checkOutcome(t *testing.T, o *action.Outcome, took time.Duration) {
	t.Helper()
	rep := BuildReply(o, took)
	want, wantOK := appendReply(nil, rep)
	got, ok := appendOutcome(nil, o, took)
	if ok != wantOK || ok && !bytes.Equal(got, want) {
		t.Fatalf("reply from the outcome differs (ok %v, want %v):\n got  %s\n want %s", ok, wantOK, got, want)
	}
	w1, w2 := httptest.NewRecorder(), httptest.NewRecorder()
	writeJSON(w1, http.StatusOK, rep)
	writeOutcome(w2, o, took)
	if w1.Code != w2.Code || !bytes.Equal(w1.Body.Bytes(), w2.Body.Bytes()) || fmt.Sprint(w1.Header()) != fmt.Sprint(w2.Header()) {
		t.Fatalf("writeOutcome differs:\n got  %d %v %s\n want %d %v %s", w2.Code, w2.Header(), w2.Body.Bytes(), w1.Code, w1.Header(), w1.Body.Bytes())
	}
}

// manyOutcome is sampleOutcome with more symbols, headers and forged
// fields than appendOutcome's stack arrays hold.
func manyOutcome(rng *rand.Rand, extra ...string) (*action.Outcome, time.Duration) {
	o, took := sampleOutcome(rng, extra...)
	more, _ := sampleOutcome(rng, extra...)
	if o.Result != nil {
		for range 10 {
			x, _ := sampleOutcome(rng, extra...)
			if x.Result != nil {
				o.Result.Verdict.Symbols = append(o.Result.Verdict.Symbols, x.Result.Verdict.Symbols...)
			}
			o.Headers = append(o.Headers, x.Headers...)
			o.Strip = append(o.Strip, x.Strip...)
		}
	}
	o.Headers = append(o.Headers, more.Headers...)
	return o, took
}

// TestAppendOutcomeMatchesReply: the reply written from the outcome is
// BuildReply's, byte for byte.
func TestAppendOutcomeMatchesReply(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		{
			o, took := sampleOutcome(rng)
			checkOutcome(t, o, took)
		}
		{
			o, took := manyOutcome(rng)
			checkOutcome(t, o, took)
		}
	}
	checkOutcome(t, &action.Outcome{}, 0)
	nan := &action.Outcome{Result: &pipeline.Result{Verdict: pipeline.Verdict{Score: math.NaN()}}}
	checkOutcome(t, nan, time.Millisecond)
	inf := &action.Outcome{Result: &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{{Name: "X", Score: math.Inf(-1)}}}}}
	checkOutcome(t, inf, time.Millisecond)
	ar := &action.Outcome{Strip: []action.StripField{{Name: "Authentication-Results", Index: 3}, {Name: "Authentication-Results", Index: 1}, {Name: "X-Spam-Flag", Index: 2}}}
	checkOutcome(t, ar, time.Millisecond)
}

func FuzzAppendOutcome(f *testing.F) {
	f.Add("a", "b", uint64(1))
	f.Add("Authentication-Results", "X-Spam-Flag", uint64(2))
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 2))
		for range 4 {
			{
				o, took := sampleOutcome(rng, a, b)
				checkOutcome(t, o, took)
			}
		}
		{
			o, took := manyOutcome(rng, a, b)
			checkOutcome(t, o, took)
		}
	})
}
