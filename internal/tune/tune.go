// Package tune fits the policy's symbol weights on labelled mail.
//
// The model is the policy's own: a message scores Σ w_i·x_i, where x_i is
// the strength with which symbol i fired (the hit's factor: 1 for most
// symbols; the classifier and a few others scale it) and w_i the symbol's
// weight, and the message is flagged at score ≥ T (tag_score). Fitting
// reads the score as a log-odds, P(spam) = σ(α·(score − T)), and minimises
//
//	Σ_m c_m·logloss(y_m, P_m) + λ·Σ_i (w_i − d_i)²
//
// where c_m balances the two classes and counts each ham fp_cost times as
// much as a spam (a false positive costs more than a missed spam), and the
// L2 prior pulls each weight towards its current default d_i, so a symbol
// with little evidence keeps its hand-set weight. This is regularised
// logistic regression without an intercept: the threshold stays T.
//
// A weight keeps its default's sign (a sign of spam never becomes a sign
// of ham) and stays within ±MaxWeight. Frozen symbols keep their weight
// and only shift the score: the classifier's (trained separately), the
// transport and authentication families whose rates in an old corpus
// tell its era rather than the threat, symbols fixed by the caller, and
// symbols seen on too few messages to say anything.
//
// The optimiser is cyclic coordinate descent with a one-dimensional Newton
// step, projection on the bounds and an Armijo backtracking line search
// (Chang, Hsieh and Lin, "Coordinate Descent Method for Large-scale L2-loss
// Linear Support Vector Machines", JMLR 9, 2008, §3; here on the logistic
// loss). The objective is convex, a step only touches the messages on
// which its symbol fired, and the result depends neither on map order nor
// on timing.
package tune

import (
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
)

// Message is one labelled message: the symbols it fired, with strengths.
type Message struct {
	Spam bool
	// Symbols maps a symbol name to its strength (the hit's factor; 0 is
	// taken as 1, as the policy does).
	Symbols map[string]float64
}

// DefaultFreeze are the symbol families kept at their weight unless a Fit
// pattern names them: the classifier's (trained on its own), and the
// authentication, transport, line-ending and date families. The public ham
// corpus is from 2002, before SPF, DKIM, DMARC and ARC, with Received
// chains of its day, and how a corpus was saved decides its line endings;
// fitting those symbols on it would learn the corpus's era and storage,
// not the threat.
var DefaultFreeze = []string{"BAYES_*", "SPF_*", "DKIM_*", "DMARC_*", "ARC_*", "AUTH_*", "RCVD_*", "HDR_DATE_*", "MIME_BARE_LF", "MIME_MIXED_EOL"}

// Options set the fit.
type Options struct {
	// TagScore is the policy threshold T at which mail is flagged.
	TagScore float64
	// Slope is α, the log-odds per score point. Default 1.
	Slope float64
	// FPCost is how much more a ham counts than a spam, after balancing
	// the classes. Default 20.
	FPCost float64
	// L2 is λ, the strength of the pull towards the default weights,
	// in units of one balanced spam message's loss. Default 1.
	L2 float64
	// MaxWeight bounds fitted weights in absolute value (a default beyond
	// it stays reachable). Default 12.
	MaxWeight float64
	// MinHits: symbols seen on fewer messages keep their weight. Default 5.
	MinHits int
	// Freeze are glob patterns (path.Match) of symbols kept at their
	// weight; DefaultOptions starts with DefaultFreeze.
	Freeze []string
	// Fit are glob patterns of symbols fitted even if a Freeze pattern
	// names them or their default is 0 (informational symbols).
	Fit []string
	// Pinned symbols keep exactly this weight (an administrator's
	// [policy.weights] override, which would win over any fitted file).
	Pinned map[string]float64
	// MaxSweeps bounds the passes over all symbols. Default 1000.
	MaxSweeps int
	// Tol: the fit has converged when no weight moved more than this in a
	// pass. Default 1e-5.
	Tol float64
}

// DefaultOptions returns the recommended settings for threshold tag.
func DefaultOptions(tag float64) Options {
	return Options{
		TagScore: tag, Slope: 1, FPCost: 20, L2: 1, MaxWeight: 12, MinHits: 5,
		Freeze: append([]string(nil), DefaultFreeze...), MaxSweeps: 1000, Tol: 1e-5,
	}
}

// Status says why a symbol has the weight it has.
type Status string

// Statuses.
const (
	StatusFitted        Status = "fitted"
	StatusFrozen        Status = "frozen"        // a Freeze pattern names it
	StatusPinned        Status = "pinned"        // the caller fixed it
	StatusRare          Status = "rare"          // fired on fewer than MinHits messages
	StatusInformational Status = "informational" // default 0 and no Fit pattern
)

// SymbolFit is one symbol's outcome.
type SymbolFit struct {
	Name     string
	Default  float64 // the prior centre: the weight before fitting
	Weight   float64 // fitted, or the kept weight
	HamHits  int
	SpamHits int
	Status   Status
	Pattern  string // the Freeze or Fit pattern that decided, if any
}

// Result is a finished fit.
type Result struct {
	Symbols   []SymbolFit // every symbol that fired on some message, by name
	Sweeps    int
	Converged bool
	// Loss0 and Loss are the objective at the default weights and at the
	// fitted ones, per message.
	Loss0, Loss float64
}

// Weights returns every fired symbol's weight after the fit.
func (r *Result) Weights() map[string]float64 {
	out := make(map[string]float64, len(r.Symbols))
	for _, s := range r.Symbols {
		out[s.Name] = s.Weight
	}
	return out
}

// Changes returns the fitted symbols whose weight, rounded to hundredths
// (the policy's precision), differs from their default: what a weights
// file needs to hold.
func (r *Result) Changes() map[string]float64 {
	out := map[string]float64{}
	for _, s := range r.Symbols {
		if s.Status == StatusFitted && Round2(s.Weight) != Round2(s.Default) {
			out[s.Name] = Round2(s.Weight)
		}
	}
	return out
}

// Scale multiplies every fitted symbol's weight by f, within the bounds
// the fit used: calibration that moves the fitted scores' operating point
// onto the policy's tag score without changing their ranking.
func (r *Result) Scale(f float64, opt Options) {
	for i := range r.Symbols {
		s := &r.Symbols[i]
		if s.Status != StatusFitted {
			continue
		}
		lo, hi := opt.bounds(s.Default)
		s.Weight = clamp(s.Weight*f, lo, hi)
	}
}

// CalibrationFactor returns the factor that puts the tag score where the
// ham scores allow at most targetFP of ham above it: tag / t, where t lies
// just above the highest ham score that the target FP rate does not
// allow. The factor is kept within [0.5, 2].
func CalibrationFactor(hamScores []float64, targetFP, tag float64) float64 {
	if len(hamScores) == 0 || tag <= 0 {
		return 1
	}
	sc := append([]float64(nil), hamScores...)
	sort.Sort(sort.Reverse(sort.Float64Slice(sc)))
	k := int(targetFP * float64(len(sc))) // ham allowed at or above the threshold
	if k >= len(sc) {
		return 1
	}
	t := sc[k] + 0.25 // just above the first ham that must stay below
	if t <= 0 {
		return 2
	}
	return clamp(tag/t, 0.5, 2)
}

// Round2 rounds to hundredths, never giving negative zero.
func Round2(f float64) float64 {
	r := math.Round(f*100) / 100
	if r == 0 {
		return 0
	}
	return r
}

// Errors.
var (
	ErrNoData        = errors.New("tune: need at least one ham and one spam message")
	ErrUnknownSymbol = errors.New("tune: symbol without a default weight")
	ErrBadOptions    = errors.New("tune: bad options")
)

// Fit fits the weights. defaults gives every symbol's current weight (the
// prior centre); a symbol fired on a message must be in it.
func Fit(msgs []Message, defaults map[string]float64, opt Options) (*Result, error) {
	if err := opt.Check(); err != nil {
		return nil, err
	}
	var nHam, nSpam int
	for _, m := range msgs {
		if m.Spam {
			nSpam++
		} else {
			nHam++
		}
	}
	if nHam == 0 || nSpam == 0 {
		return nil, fmt.Errorf("%w (have %d ham, %d spam)", ErrNoData, nHam, nSpam)
	}

	// Columns: for each symbol, the messages it fired on, with strength.
	type entry struct {
		m int
		x float64
	}
	cols := map[string][]entry{}
	for i, m := range msgs {
		for name, x := range m.Symbols {
			if _, ok := defaults[name]; !ok {
				return nil, fmt.Errorf("%w: %q", ErrUnknownSymbol, name)
			}
			if x == 0 {
				x = 1
			}
			cols[name] = append(cols[name], entry{i, x})
		}
	}
	names := make([]string, 0, len(cols))
	for n := range cols {
		names = append(names, n)
	}
	sort.Strings(names)

	res := &Result{Symbols: make([]SymbolFit, len(names))}
	w := make([]float64, len(names))
	type free struct {
		k      int // index into names
		lo, hi float64
		d      float64
	}
	var frees []free
	for k, n := range names {
		sf := SymbolFit{Name: n, Default: defaults[n]}
		for _, e := range cols[n] {
			if msgs[e.m].Spam {
				sf.SpamHits++
			} else {
				sf.HamHits++
			}
		}
		sf.Weight = sf.Default
		sf.Status, sf.Pattern = opt.classify(n, sf.Default, sf.HamHits+sf.SpamHits)
		if sf.Status == StatusPinned {
			sf.Weight = opt.Pinned[n]
		}
		if sf.Status == StatusFitted {
			lo, hi := opt.bounds(sf.Default)
			frees = append(frees, free{k: k, lo: lo, hi: hi, d: sf.Default})
		}
		w[k] = sf.Weight
		res.Symbols[k] = sf
	}

	// Per-message weight, label and score.
	N := float64(len(msgs))
	cSpam := N / (2 * float64(nSpam))
	cHam := opt.FPCost * N / (2 * float64(nHam))
	c := make([]float64, len(msgs))
	y := make([]float64, len(msgs))
	s := make([]float64, len(msgs))
	for i, m := range msgs {
		if m.Spam {
			c[i], y[i] = cSpam, 1
		} else {
			c[i] = cHam
		}
	}
	for k, n := range names {
		for _, e := range cols[n] {
			s[e.m] += w[k] * e.x
		}
	}
	a, T, lam := opt.Slope, opt.TagScore, opt.L2
	objective := func() float64 {
		var f float64
		for i := range msgs {
			f += c[i] * logLoss(y[i], a*(s[i]-T))
		}
		for _, fr := range frees {
			f += lam * sq(w[fr.k]-fr.d)
		}
		return f / N
	}
	res.Loss0 = objective()

	const armijo, minStep = 0.01, 1e-12
	for res.Sweeps < opt.MaxSweeps {
		res.Sweeps++
		maxMove := 0.0
		for _, fr := range frees {
			col := cols[names[fr.k]]
			wk := w[fr.k]
			g := 2 * lam * (wk - fr.d)
			h := 2 * lam
			for _, e := range col {
				p := sigmoid(a * (s[e.m] - T))
				g += c[e.m] * a * (p - y[e.m]) * e.x
				h += c[e.m] * a * a * p * (1 - p) * e.x * e.x
			}
			if h < minStep {
				h = minStep
			}
			step := clamp(wk-g/h, fr.lo, fr.hi) - wk
			if math.Abs(step) < minStep {
				continue
			}
			// Backtrack until the loss on the touched messages falls enough.
			delta := func(beta float64) float64 {
				d := beta * step
				f := lam * (sq(wk+d-fr.d) - sq(wk-fr.d))
				for _, e := range col {
					f += c[e.m] * (logLoss(y[e.m], a*(s[e.m]+d*e.x-T)) - logLoss(y[e.m], a*(s[e.m]-T)))
				}
				return f
			}
			beta := 1.0
			for ; beta > 1e-10; beta /= 2 {
				if delta(beta) <= armijo*beta*g*step {
					break
				}
			}
			if beta <= 1e-10 {
				continue
			}
			d := beta * step
			w[fr.k] = wk + d
			for _, e := range col {
				s[e.m] += d * e.x
			}
			maxMove = math.Max(maxMove, math.Abs(d))
		}
		if maxMove < opt.Tol {
			res.Converged = true
			break
		}
	}
	res.Loss = objective()
	for _, fr := range frees {
		res.Symbols[fr.k].Weight = w[fr.k]
	}
	return res, nil
}

// Check validates the options.
func (o Options) Check() error {
	switch {
	case !(o.Slope > 0) || math.IsInf(o.Slope, 0):
		return fmt.Errorf("%w: slope must be > 0", ErrBadOptions)
	case !(o.FPCost > 0) || math.IsInf(o.FPCost, 0):
		return fmt.Errorf("%w: fp cost must be > 0", ErrBadOptions)
	case !(o.L2 >= 0) || math.IsInf(o.L2, 0):
		return fmt.Errorf("%w: l2 must be >= 0", ErrBadOptions)
	case !(o.MaxWeight > 0) || math.IsInf(o.MaxWeight, 0):
		return fmt.Errorf("%w: max weight must be > 0", ErrBadOptions)
	case o.MinHits < 0 || o.MaxSweeps < 1 || !(o.Tol > 0):
		return fmt.Errorf("%w: min hits >= 0, sweeps >= 1 and tolerance > 0", ErrBadOptions)
	case math.IsNaN(o.TagScore) || math.IsInf(o.TagScore, 0):
		return fmt.Errorf("%w: tag score", ErrBadOptions)
	}
	for _, p := range append(append([]string(nil), o.Freeze...), o.Fit...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%w: pattern %q: %v", ErrBadOptions, p, err)
		}
	}
	return nil
}

// classify decides whether a symbol is fitted.
func (o Options) classify(name string, def float64, hits int) (Status, string) {
	if _, ok := o.Pinned[name]; ok {
		return StatusPinned, ""
	}
	if p := match(o.Fit, name); p != "" {
		if hits < o.MinHits {
			return StatusRare, p
		}
		return StatusFitted, p
	}
	if p := match(o.Freeze, name); p != "" {
		return StatusFrozen, p
	}
	if def == 0 {
		return StatusInformational, ""
	}
	if hits < o.MinHits {
		return StatusRare, ""
	}
	return StatusFitted, ""
}

// bounds keep the default's sign and the size limit (a default beyond the
// limit stays reachable).
func (o Options) bounds(def float64) (lo, hi float64) {
	m := math.Max(o.MaxWeight, math.Abs(def))
	switch {
	case def > 0:
		return 0, m
	case def < 0:
		return -m, 0
	}
	return -m, m
}

func match(pats []string, name string) string {
	for _, p := range pats {
		if ok, _ := path.Match(p, name); ok {
			return p
		}
	}
	return ""
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// logLoss is −log P(y | z) for P(spam) = σ(z), computed without overflow.
func logLoss(y, z float64) float64 {
	if y == 1 {
		return softplus(-z)
	}
	return softplus(z)
}

// softplus is log(1 + e^z).
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

func sq(f float64) float64 { return f * f }

func clamp(f, lo, hi float64) float64 { return math.Min(math.Max(f, lo), hi) }
