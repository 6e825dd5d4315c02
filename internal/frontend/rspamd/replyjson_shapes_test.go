package rspamd

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// shapeReader turns fuzz bytes into the parts of an outcome.
type shapeReader struct {
	b     []byte
	words []string
}

func (r *shapeReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *shapeReader) word() string {
	c := r.byte()
	if int(c) < len(r.words) {
		return r.words[c]
	}
	// Else a string of the next c%16 bytes, whatever they are.
	n := min(int(c%16), len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

var shapeFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-7, -1e-7, 1e21, -1e21, 1e20, 123456789.123, 5e-324,
	math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 15, 0.005}

func (r *shapeReader) float() float64 {
	c := r.byte()
	if int(c) < len(shapeFloats) {
		return shapeFloats[c]
	}
	if len(r.b) < 8 {
		return float64(c)
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return f
}

func (r *shapeReader) strs() []string {
	switch c := r.byte(); c % 4 {
	case 0:
		return nil
	case 1:
		return []string{}
	default:
		ss := make([]string, int(c%8))
		for i := range ss {
			ss[i] = r.word()
		}
		return ss
	}
}

// shapeOutcome builds any outcome shape from fuzz bytes: nil or present
// result and message, symbols with repeated names (NaN or infinite
// scores on a repeated name the map drops, or keeps), options nil, empty
// or not, added headers of repeated names, forged fields in any order,
// a subject nil, empty or not, every action and reply code.
func shapeOutcome(data []byte) (*action.Outcome, time.Duration) {
	r := &shapeReader{b: data, words: []string{"", "A", "B", "X-Spam-Flag", "X-Spam-Status", "X-Sekisho-Verdict", "Authentication-Results",
		"<b>&amp;", "日本語の件名です", "bad \xff\xfe", "ctl \x00\x1f\x7f", "sep \u2028\u2029", "q\"\\/", "a\r\nb", "\r\n\t", "Subject"}}
	acts := []pipeline.Action{pipeline.ActionAccept, pipeline.ActionTag, pipeline.ActionQuarantine, pipeline.ActionReject, pipeline.ActionTempfail, "", "other"}
	f := r.byte()
	o := &action.Outcome{ID: r.word(), Action: acts[int(r.byte())%len(acts)], Unscanned: f&1 != 0, QuarantineID: r.word(),
		Code: []int{0, 250, 421, 451, 550, 554}[int(r.byte())%6], Enhanced: r.word(), Text: r.word()}
	if f&2 != 0 {
		v := pipeline.Verdict{Score: r.float(), RequiredScore: r.float(), Category: pipeline.Category(r.word()),
			Explanation: r.word(), ExplanationJA: r.word()}
		if f&4 != 0 {
			v.Symbols = []pipeline.SymbolResult{}
		}
		for range int(r.byte() % 12) {
			v.Symbols = append(v.Symbols, pipeline.SymbolResult{Name: r.word(), Score: r.float(), EN: r.word(), Options: r.strs()})
		}
		o.Result = &pipeline.Result{Verdict: v}
		if f&8 != 0 {
			o.Result.Msg = &mail.Message{MessageID: r.word()}
		}
	}
	for range int(r.byte() % 8) {
		o.Headers = append(o.Headers, pipeline.HeaderField{Name: r.word(), Value: r.word() + r.word()})
	}
	if f&16 != 0 {
		s := r.word()
		o.NewSubject = &s
	}
	if f&32 != 0 {
		o.Strip = []action.StripField{}
	}
	for range int(r.byte() % 8) {
		o.Strip = append(o.Strip, action.StripField{Name: r.word(), Index: int(r.byte()) - 8})
	}
	return o, time.Duration(int64(r.float()*1e9) % int64(time.Hour))
}

// checkShape compares the reply written from the outcome with the old
// way, BuildReply written by writeJSON, and with json.Encoder's bytes of
// BuildReply's reply (the 500 answer when it refuses the reply).
func checkShape(t *testing.T, o *action.Outcome, took time.Duration) {
	t.Helper()
	checkOutcome(t, o, took)
	var enc bytes.Buffer
	err := json.NewEncoder(&enc).Encode(BuildReply(o, took))
	w := httptest.NewRecorder()
	writeOutcome(w, o, took)
	if err != nil {
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("json.Encoder refuses the reply (%v), writeOutcome answered %d %s", err, w.Code, w.Body.Bytes())
		}
		return
	}
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), enc.Bytes()) {
		t.Fatalf("writeOutcome differs from json.Encoder:\n got  %d %s\n want %s", w.Code, w.Body.Bytes(), enc.Bytes())
	}
}

func TestAppendOutcomeShapes(t *testing.T) {
	for _, data := range shapeSeeds() {
		o, took := shapeOutcome(data)
		checkShape(t, o, took)
	}
	// A NaN score on a symbol named again later: the map (and the reply)
	// keeps the later one; named again with a NaN: the 500 answer.
	dup := &action.Outcome{Result: &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{
		{Name: "X", Score: math.NaN()}, {Name: "A", Score: 1}, {Name: "X", Score: 2, Options: []string{"<&>"}}}}}}
	checkShape(t, dup, time.Millisecond)
	dup.Result.Verdict.Symbols[2].Score = math.Inf(1)
	checkShape(t, dup, time.Millisecond)
}

func shapeSeeds() [][]byte {
	return [][]byte{
		nil,
		{0xff, 2, 4, 1, 2, 3, 3, 6, 6, 7, 8, 9, 11, 1, 0, 2, 13, 3, 5, 1, 14, 2, 0, 7, 3, 4, 9, 12, 5, 3, 3, 5, 6, 6, 6},
		{0x3e, 1, 7, 2, 8, 9, 13, 14, 8, 9, 10, 11, 12, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6, 3, 6, 6, 6, 4, 3, 3},
		{0x1a, 3, 1, 5, 3, 4, 5, 6, 1, 2, 0x20, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
	}
}

func FuzzAppendOutcomeShapes(f *testing.F) {
	for _, s := range shapeSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, took := shapeOutcome(data)
		checkShape(t, o, took)
	})
}
