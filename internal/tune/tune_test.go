package tune

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
)

// synth draws n messages whose labels follow the model with true weights:
// each symbol fires with probability rate, and a message is spam with
// probability σ(score − 5).
func synth(seed int64, n int, truth map[string]float64, rate float64) []Message {
	r := rand.New(rand.NewSource(seed))
	names := sortedKeys(truth)
	out := make([]Message, n)
	for i := range out {
		m := Message{Symbols: map[string]float64{}}
		s := 0.0
		for _, nm := range names {
			if r.Float64() < rate {
				m.Symbols[nm] = 1
				s += truth[nm]
			}
		}
		m.Spam = r.Float64() < sigmoid(s-5)
		out[i] = m
	}
	return out
}

func sortedKeys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func counts(msgs []Message) (ham, spam int) {
	for _, m := range msgs {
		if m.Spam {
			spam++
		} else {
			ham++
		}
	}
	return
}

func TestRecoversKnownWeights(t *testing.T) {
	truth := map[string]float64{"HDR_A": 4, "HDR_B": 3, "URL_C": 2.5, "RULE_D": 1.5, "RULE_E": 6, "FROM_GOOD": -2}
	msgs := synth(1, 40000, truth, 0.35)
	defaults := map[string]float64{"HDR_A": 1, "HDR_B": 1, "URL_C": 1, "RULE_D": 1, "RULE_E": 1, "FROM_GOOD": -1}
	opt := DefaultOptions(5)
	opt.L2 = 1e-3
	// Weighting the classes by their counts only: what remains is the
	// plain maximum-likelihood fit, which recovers the generating weights.
	ham, spam := counts(msgs)
	opt.FPCost = float64(ham) / float64(spam)
	res, err := Fit(msgs, defaults, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Loss >= res.Loss0 {
		t.Fatalf("converged %v after %d sweeps, loss %v -> %v", res.Converged, res.Sweeps, res.Loss0, res.Loss)
	}
	got := res.Weights()
	for n, want := range truth {
		if math.Abs(got[n]-want) > 0.2 {
			t.Errorf("%s = %.3f, want %.1f", n, got[n], want)
		}
	}
	// The same input gives the same output, to the last bit.
	again, _ := Fit(msgs, defaults, opt)
	for n, w := range again.Weights() {
		if w != got[n] {
			t.Fatalf("not deterministic: %s %v vs %v", n, w, got[n])
		}
	}
}

func TestSignBoundsAndPrior(t *testing.T) {
	var msgs []Message
	add := func(spam bool, n int, syms ...string) {
		for i := 0; i < n; i++ {
			m := Message{Spam: spam, Symbols: map[string]float64{}}
			for _, s := range syms {
				m.Symbols[s] = 1
			}
			msgs = append(msgs, m)
		}
	}
	add(false, 200, "HDR_HAMMY")                  // a spam sign that only fires on ham
	add(true, 200, "URL_STRONG", "RULE_GOODSIGN") // a ham sign that only fires on spam
	add(true, 50, "RULE_WEAK")
	add(false, 300)
	defaults := map[string]float64{"HDR_HAMMY": 2, "URL_STRONG": 1, "RULE_GOODSIGN": -1, "RULE_WEAK": 1}
	opt := DefaultOptions(5)
	opt.MaxWeight = 4
	opt.L2 = 0.01
	res, err := Fit(msgs, defaults, opt)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Weights()
	if w["HDR_HAMMY"] != 0 {
		t.Errorf("HDR_HAMMY = %v, want 0 (not below: a spam sign never turns into a ham sign)", w["HDR_HAMMY"])
	}
	if w["RULE_GOODSIGN"] != 0 {
		t.Errorf("RULE_GOODSIGN = %v, want 0", w["RULE_GOODSIGN"])
	}
	if w["URL_STRONG"] != 4 {
		t.Errorf("URL_STRONG = %v, want the bound 4", w["URL_STRONG"])
	}
	// The prior: the stronger it is, the less a weight leaves its default.
	prev := math.Inf(1)
	for _, l2 := range []float64{0.01, 1, 10, 100, 10000} {
		opt.L2 = l2
		r, err := Fit(msgs, defaults, opt)
		if err != nil {
			t.Fatal(err)
		}
		move := math.Abs(r.Weights()["RULE_WEAK"] - 1)
		if move > prev+1e-9 {
			t.Errorf("l2 %v: RULE_WEAK moved %v, more than %v with a weaker prior", l2, move, prev)
		}
		prev = move
	}
	if prev > 0.01 {
		t.Errorf("a very strong prior still moved RULE_WEAK by %v", prev)
	}
}

func TestFreezePinRareInformational(t *testing.T) {
	var msgs []Message
	for i := 0; i < 100; i++ {
		msgs = append(msgs,
			Message{Spam: true, Symbols: map[string]float64{"BAYES_SPAM": 0.5, "DKIM_NONE": 1, "URL_X": 1, "MIME_INFO": 1, "HDR_PIN": 1}},
			Message{Spam: false, Symbols: map[string]float64{"DKIM_NONE": 1, "MIME_INFO": 1}})
	}
	for i := 0; i < 3; i++ {
		msgs = append(msgs, Message{Spam: true, Symbols: map[string]float64{"RULE_RARE": 1}})
	}
	defaults := map[string]float64{"BAYES_SPAM": 12, "DKIM_NONE": 1, "URL_X": 1, "MIME_INFO": 0, "HDR_PIN": 1, "RULE_RARE": 1}
	opt := DefaultOptions(5)
	opt.Pinned = map[string]float64{"HDR_PIN": 0.25}
	res, err := Fit(msgs, defaults, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{
		"BAYES_SPAM": StatusFrozen, "DKIM_NONE": StatusFrozen, "URL_X": StatusFitted,
		"MIME_INFO": StatusInformational, "HDR_PIN": StatusPinned, "RULE_RARE": StatusRare,
	}
	for _, s := range res.Symbols {
		if s.Status != want[s.Name] {
			t.Errorf("%s: %s, want %s", s.Name, s.Status, want[s.Name])
		}
		switch s.Status {
		case StatusPinned:
			if s.Weight != 0.25 {
				t.Errorf("%s: pinned weight %v", s.Name, s.Weight)
			}
		case StatusFitted:
			if s.Weight <= 1 {
				t.Errorf("%s: %v, should have risen (fires on spam only)", s.Name, s.Weight)
			}
		default:
			if s.Weight != s.Default {
				t.Errorf("%s (%s): %v, want default %v", s.Name, s.Status, s.Weight, s.Default)
			}
		}
	}
	if s := find(res, "DKIM_NONE"); s.Pattern != "DKIM_*" || s.HamHits != 100 || s.SpamHits != 100 {
		t.Errorf("DKIM_NONE: %+v", s)
	}
	ch := res.Changes()
	if len(ch) != 1 || ch["URL_X"] == 0 {
		t.Errorf("changes %v, want URL_X only", ch)
	}

	// Fit patterns win over freeze and over the informational default;
	// a zero default may go either way (here down: it fires on all ham).
	opt.Fit = []string{"DKIM_*", "MIME_INFO"}
	res, err = Fit(msgs, defaults, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s := find(res, "DKIM_NONE"); s.Status != StatusFitted || s.Pattern != "DKIM_*" {
		t.Errorf("DKIM_NONE with --fit: %+v", s)
	}
	if s := find(res, "MIME_INFO"); s.Status != StatusFitted || s.Weight >= 0 {
		t.Errorf("MIME_INFO with --fit: %+v", s)
	}
	if s := find(res, "BAYES_SPAM"); s.Status != StatusFrozen || s.Weight != 12 {
		t.Errorf("BAYES_SPAM: %+v", s)
	}
	// A symbol a fit pattern names still needs its hits.
	opt.Fit = []string{"RULE_*"}
	res, _ = Fit(msgs, defaults, opt)
	if s := find(res, "RULE_RARE"); s.Status != StatusRare || s.Weight != 1 {
		t.Errorf("RULE_RARE: %+v", s)
	}
	opt.MinHits = 3
	res, _ = Fit(msgs, defaults, opt)
	if s := find(res, "RULE_RARE"); s.Status != StatusFitted {
		t.Errorf("RULE_RARE with min hits 3: %+v", s)
	}
}

func find(r *Result, name string) SymbolFit {
	for _, s := range r.Symbols {
		if s.Name == name {
			return s
		}
	}
	return SymbolFit{}
}

func TestFPCostShiftsTheThreshold(t *testing.T) {
	// Overlapping classes: the cost of a false positive decides where the
	// fitted scores put the ham.
	truth := map[string]float64{"HDR_A": 2, "HDR_B": 2, "URL_C": 2, "RULE_D": 2, "RULE_E": 2}
	msgs := synth(7, 5000, truth, 0.5)
	defaults := map[string]float64{"HDR_A": 2, "HDR_B": 2, "URL_C": 2, "RULE_D": 2, "RULE_E": 2}
	measure := func(cost float64) Metrics {
		opt := DefaultOptions(5)
		opt.FPCost = cost
		res, err := Fit(msgs, defaults, opt)
		if err != nil {
			t.Fatal(err)
		}
		w := res.Weights()
		var sc []Scored
		for _, m := range msgs {
			s := 0.0
			for n, x := range m.Symbols {
				s += w[n] * x
			}
			sc = append(sc, Scored{Spam: m.Spam, Score: s, Flagged: s >= 5})
		}
		return Measure(sc, 0.001)
	}
	cheap, dear := measure(1), measure(50)
	if !(dear.FP < cheap.FP) || !(dear.Recall < cheap.Recall) {
		t.Fatalf("fp cost 1: FP %d recall %.3f; fp cost 50: FP %d recall %.3f", cheap.FP, cheap.Recall, dear.FP, dear.Recall)
	}
}

func TestErrors(t *testing.T) {
	spam := Message{Spam: true, Symbols: map[string]float64{"URL_X": 1}}
	ham := Message{Symbols: map[string]float64{}}
	def := map[string]float64{"URL_X": 1}
	if _, err := Fit([]Message{spam}, def, DefaultOptions(5)); !errors.Is(err, ErrNoData) {
		t.Errorf("no ham: %v", err)
	}
	if _, err := Fit([]Message{ham, spam}, map[string]float64{}, DefaultOptions(5)); !errors.Is(err, ErrUnknownSymbol) || !strings.Contains(err.Error(), "URL_X") {
		t.Errorf("unknown symbol: %v", err)
	}
	for name, mod := range map[string]func(*Options){
		"slope":   func(o *Options) { o.Slope = 0 },
		"cost":    func(o *Options) { o.FPCost = -1 },
		"l2":      func(o *Options) { o.L2 = math.NaN() },
		"max":     func(o *Options) { o.MaxWeight = 0 },
		"sweeps":  func(o *Options) { o.MaxSweeps = 0 },
		"pattern": func(o *Options) { o.Freeze = []string{"[A-"} },
		"fit pat": func(o *Options) { o.Fit = []string{"\\"} },
	} {
		o := DefaultOptions(5)
		mod(&o)
		if _, err := Fit([]Message{ham, spam}, def, o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMeasure(t *testing.T) {
	sc := []Scored{
		{false, -1, false}, {false, 2, false}, {false, 4, false}, {false, 6, true},
		{true, 3, false}, {true, 5, true}, {true, 7, true}, {true, 9, true},
	}
	m := Measure(sc, 0.25)
	if m.Ham != 4 || m.Spam != 4 || m.FP != 1 || m.FN != 1 || m.FPRate != 0.25 || m.Recall != 0.75 {
		t.Fatalf("counts: %+v", m)
	}
	// Pairs spam > ham: 3 beats 2 of 4, 5 beats 3, 7 and 9 beat 4: 13/16.
	if m.AUC != 13.0/16 {
		t.Errorf("AUC %v", m.AUC)
	}
	if m.RecallAtFP0 != 0.5 || m.ThresholdAtFP0 != 6 {
		t.Errorf("at 0 FP: %v above %v", m.RecallAtFP0, m.ThresholdAtFP0)
	}
	if m.RecallAtTarget != 0.75 || m.ThresholdAtTarget != 4 {
		t.Errorf("at 25 %% FP: %v above %v", m.RecallAtTarget, m.ThresholdAtTarget)
	}
	if a := AUC([]float64{1, 1}, []float64{1}); a != 0.5 {
		t.Errorf("ties: %v", a)
	}
}

func TestWriteWeightsRoundTrip(t *testing.T) {
	in := map[string]float64{"URL_X": 1.256, "HDR_Y": 2, "DMARC_PASS": -0.5, "RULE_Z": -0.001}
	var b bytes.Buffer
	if err := WriteWeights(&b, []string{"sekisho tune --ham a\n[weights]", "ham 10, spam 20"}, in); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if !strings.HasPrefix(text, "# sekisho tune --ham a [weights]\n# ham 10, spam 20\n[weights]\nDMARC_PASS = -0.5\nHDR_Y = 2.0\nRULE_Z = 0.0\nURL_X = 1.26\n") {
		t.Fatalf("got:\n%s", text)
	}
	got, err := config.ParseWeights(text, "w.toml")
	if err != nil {
		t.Fatal(err)
	}
	for n, w := range in {
		if got[n] != Round2(w) {
			t.Errorf("%s: %v, want %v", n, got[n], Round2(w))
		}
	}
}

func TestCalibrationFactor(t *testing.T) {
	ham := make([]float64, 1000)
	for i := range ham {
		ham[i] = float64(i%10) / 10 // 0 .. 0.9
	}
	ham[0], ham[1], ham[2] = 7.75, 3.75, 2.75
	// 0.1 % of 1,000 ham: one may score above; the second highest (3.75)
	// must stay below: t = 4, factor 5/4.
	if f := CalibrationFactor(ham, 0.001, 5); f != 1.25 {
		t.Errorf("factor %v, want 1.25", f)
	}
	if f := CalibrationFactor(ham, 0, 5); f != 0.625 {
		t.Errorf("factor %v, want 0.625", f)
	}
	if f := CalibrationFactor(nil, 0.001, 5); f != 1 {
		t.Errorf("empty: %v", f)
	}
}

func TestScaleKeepsFrozen(t *testing.T) {
	r := &Result{Symbols: []SymbolFit{{Name: "A", Default: 1, Weight: 2, Status: StatusFitted}, {Name: "B", Default: 1, Weight: 1, Status: StatusFrozen}}}
	r.Scale(2, DefaultOptions(5))
	if r.Symbols[0].Weight != 4 || r.Symbols[1].Weight != 1 {
		t.Errorf("%+v", r.Symbols)
	}
}
