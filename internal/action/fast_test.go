package action

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/textproto"
	"reflect"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/auth/authres"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// The functions below are the plain versions the faster ones replaced:
// the tests compare the two.

func oldFold(name, value string) string {
	var b strings.Builder
	col := len(name) + 2
	words := strings.Split(value, " ")
	for i, w := range words {
		if i > 0 {
			if col+1+len(w) > 78 && col > len(name)+2 {
				b.WriteString("\r\n\t")
				col = 1
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func oldSymbolList(v *pipeline.Verdict, withScore bool) string {
	parts := make([]string, 0, len(v.Symbols))
	for _, s := range v.Symbols {
		if withScore {
			parts = append(parts, fmt.Sprintf("%s(%.2f)", s.Name, s.Score))
		} else {
			parts = append(parts, s.Name)
		}
	}
	return strings.Join(parts, ", ")
}

func oldOwnHeader(name, value, servID string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.HasPrefix(n, "x-spam-"), strings.HasPrefix(n, "x-sekisho-"):
		return true
	case n == "authentication-results":
		return servID != "" && authres.AuthServID(value) == strings.ToLower(servID)
	}
	return false
}

func oldStripList(fields []pipeline.HeaderField, servID string) []StripField {
	var out []StripField
	seen := map[string]int{}
	for _, f := range fields {
		n := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(f.Name))
		seen[n]++
		if oldOwnHeader(f.Name, f.Value, servID) {
			out = append(out, StripField{Name: n, Index: seen[n]})
		}
	}
	return out
}

func oldHeaders(p *Processor, o *Outcome, unscanned string) []pipeline.HeaderField {
	hc := p.Config.Serve.Headers
	var out []pipeline.HeaderField
	if o.Result == nil || o.Unscanned {
		if hc.VerdictHeader || unscanned != "" {
			out = append(out, pipeline.HeaderField{Name: "X-Sekisho-Verdict",
				Value: oldFold("X-Sekisho-Verdict", fmt.Sprintf("action=unscanned; reason=%s; id=%s", headerToken(unscanned), o.ID))})
		}
		return out
	}
	v := &o.Result.Verdict
	if v.Auth != nil && p.Config.Auth.AddHeader {
		out = append(out, pipeline.HeaderField{Name: "Authentication-Results", Value: AuthenticationResults(v.Auth)})
	}
	if o.Action == pipeline.ActionAccept && !hc.OnAccept {
		return out
	}
	flag := o.Action != pipeline.ActionAccept
	if hc.SpamHeaders {
		yes := "NO"
		if flag {
			yes = "YES"
		}
		out = append(out,
			pipeline.HeaderField{Name: "X-Spam-Flag", Value: yes},
			pipeline.HeaderField{Name: "X-Spam-Score", Value: fmt.Sprintf("%.2f", v.Score)},
			pipeline.HeaderField{Name: "X-Spam-Status", Value: oldFold("X-Spam-Status", fmt.Sprintf("%s, score=%.2f required=%.2f tests=%s",
				map[bool]string{true: "Yes", false: "No"}[flag], v.Score, p.Config.Policy.TagScore, strings.ReplaceAll(oldSymbolList(v, false), " ", "")))})
		if len(v.Symbols) > 0 {
			out = append(out, pipeline.HeaderField{Name: "X-Spam-Symbols", Value: oldFold("X-Spam-Symbols", oldSymbolList(v, true))})
		}
	}
	if hc.VerdictHeader {
		val := fmt.Sprintf("action=%s; category=%s; score=%.2f; required=%.2f; id=%s", o.Action, v.Category, v.Score, v.RequiredScore, o.ID)
		if o.QuarantineID != "" {
			val += "; quarantine=" + o.QuarantineID
		}
		out = append(out, pipeline.HeaderField{Name: "X-Sekisho-Verdict", Value: oldFold("X-Sekisho-Verdict", val)})
	}
	return out
}

var fastWords = []string{"", " ", "  ", "A", "BAYES_99", "URL_SHORTENER x", "日本語", "x-spam-flag", "X-Sekisho-Verdict",
	"Authentication-Results", "AUTHENTICATION-RESULTS", "X-Se\u212aisho-Verdict", "X-SPAM-\u212a", " x-spam-y ", "\tX-Spam-Status",
	"Received", "gw.example.jp; spf=pass", "GW.EXAMPLE.JP; dkim=fail", strings.Repeat("LONGWORD", 12), "İx-spam-", "x-spam", "x-sekisho"}

var fastFloats = []float64{0, math.Copysign(0, -1), 1.005, -2.345, 5, 12.125, 1e21, -1e-9, math.NaN(), math.Inf(1), math.Inf(-1), 999.995}

func checkFast(t *testing.T, rng *rand.Rand, extra ...string) {
	words := append(append([]string(nil), fastWords...), extra...)
	pick := func() string { return words[rng.IntN(len(words))] }
	phrase := func() string {
		var ws []string
		for range rng.IntN(30) {
			ws = append(ws, pick())
		}
		return strings.Join(ws, " ")
	}
	name := pick()
	for _, val := range []string{phrase(), pick()} {
		if got, want := Fold(name, val), oldFold(name, val); got != want {
			t.Fatalf("Fold(%q, %q) = %q, want %q", name, val, got, want)
		}
	}
	v := &pipeline.Verdict{Action: pipeline.Action(pick()), Category: pipeline.Category(pick()),
		Score: fastFloats[rng.IntN(len(fastFloats))], RequiredScore: fastFloats[rng.IntN(len(fastFloats))]}
	for range rng.IntN(12) {
		v.Symbols = append(v.Symbols, pipeline.SymbolResult{Name: pick(), Score: fastFloats[rng.IntN(len(fastFloats))]})
	}
	if rng.IntN(3) == 0 {
		v.Auth = &pipeline.AuthResults{ServID: "gw.example.jp", Methods: []pipeline.AuthMethod{{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": pick()}}}}
	}
	for _, ws := range []bool{false, true} {
		if got, want := symbolList(v, ws), oldSymbolList(v, ws); got != want {
			t.Fatalf("symbolList(%v) = %q, want %q", ws, got, want)
		}
	}
	cfg := config.Default()
	cfg.Policy.TagScore = fastFloats[rng.IntN(len(fastFloats))]
	cfg.Serve.Headers = config.ServeHeaders{SpamHeaders: rng.IntN(4) != 0, VerdictHeader: rng.IntN(4) != 0, OnAccept: rng.IntN(4) != 0}
	cfg.Auth.AddHeader = rng.IntN(2) == 0
	p := &Processor{Config: cfg}
	acts := []pipeline.Action{pipeline.ActionAccept, pipeline.ActionTag, pipeline.ActionQuarantine, pipeline.ActionReject}
	o := &Outcome{ID: pick() + "id", Result: &pipeline.Result{Verdict: *v}, Action: acts[rng.IntN(len(acts))], Unscanned: rng.IntN(8) == 0}
	if rng.IntN(3) == 0 {
		o.QuarantineID = pick()
	}
	if rng.IntN(8) == 0 {
		o.Result = nil
	}
	why := ""
	if rng.IntN(2) == 0 {
		why = phrase()
	}
	if got, want := p.headers(o, why), oldHeaders(p, o, why); !reflect.DeepEqual(got, want) {
		t.Fatalf("headers:\n got  %q\n want %q", got, want)
	}
	var fields []pipeline.HeaderField
	var hs mail.Headers
	for range rng.IntN(10) {
		f := pipeline.HeaderField{Name: pick(), Value: pick()}
		fields = append(fields, f)
		hs = append(hs, mail.Header{Name: f.Name, Raw: f.Value})
	}
	servID := []string{"", "gw.example.jp", "GW.example.JP"}[rng.IntN(3)]
	for _, f := range fields {
		if got, want := OwnHeader(f.Name, f.Value, servID), oldOwnHeader(f.Name, f.Value, servID); got != want {
			t.Fatalf("OwnHeader(%q, %q, %q) = %v, want %v", f.Name, f.Value, servID, got, want)
		}
	}
	want := oldStripList(fields, servID)
	if got := StripList(fields, servID); !reflect.DeepEqual(got, want) {
		t.Fatalf("StripList(%q) = %v, want %v", fields, got, want)
	}
	if got := stripScanned(hs, servID); !reflect.DeepEqual(got, want) {
		t.Fatalf("stripScanned(%q) = %v, want %v", fields, got, want)
	}
}

// TestFastMatchesPlain compares Fold, symbolList, the headers, OwnHeader
// and StripList with the plain versions they replaced.
func TestFastMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		checkFast(t, rng)
	}
}

func FuzzFastMatchesPlain(f *testing.F) {
	f.Add("X-Spam-Flag", "gw.example.jp; x", uint64(1))
	f.Add("x-sekisho-\u212a", "a b c", uint64(2))
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 9))
		for range 4 {
			checkFast(t, rng, a, b)
		}
	})
}
