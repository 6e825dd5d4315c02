package bayes

import (
	"math"
	"slices"
	"sync"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// Params shape the combining rule.
type Params struct {
	// Strength (Robinson's s) and Prior (x): how much a rarely seen feature
	// is pulled towards the prior x.
	Strength, Prior float64
	// MinDev: features whose probability is within MinDev of 0.5 are left
	// out (they carry no evidence and only dilute it).
	MinDev float64
	// MaxFeatures: at most this many of the most telling features are combined.
	MaxFeatures int

	// The linear layer (linear.go): Alpha smooths the naive-Bayes feature
	// values; Lambda is the L2 regularisation of the batch fit, which runs
	// Epochs passes, Bags times with different shuffles (averaged);
	// Aggressiveness caps a single message's passive-aggressive step.
	Alpha, Lambda  float64
	Epochs, Bags   int
	Aggressiveness float64
	// ChiMix is how much of the chi-square margin is added to the linear
	// output in the reported margin.
	ChiMix float64
}

// DefaultParams are the tuned defaults (cross-validated on the training
// half of the SpamAssassin public corpus; see docs/bayes.md).
var DefaultParams = Params{Strength: 0.5, Prior: 0.5, MinDev: 0.1, MaxFeatures: 150,
	Alpha: 0.1, Lambda: 3e-5, Epochs: 20, Bags: 4, Aggressiveness: 0.5, ChiMix: 0.01}

// Evidence is one feature that took part in a decision.
type Evidence struct {
	Index int     // into the message's features
	Prob  float64 // Robinson f(w): the feature's spam probability
}

// Decision is the combined result.
type Decision struct {
	// Prob is Robinson's indicator I = (1 + A - B) / 2 in [0,1].
	Prob float64
	// Chi is ln A − ln B, the log ratio of the two chi-square tail
	// probabilities: positive for spam, negative for ham, and (unlike
	// Prob, which saturates at 0 and 1) it keeps ranking strong cases.
	Chi float64
	// Linear is the linear layer's output Σ w·x + bias (about ±1 at the
	// margin it was fitted to).
	Linear float64
	// Margin combines both: Linear + ChiMix·Chi.
	Margin float64
	Used   []Evidence // features combined by the chi-square rule, most telling first
}

// xsPool holds feature value buffers for decide.
var xsPool = sync.Pool{New: func() any { return new([]float64) }}

// decide runs both layers.
func decide(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params) Decision {
	d := combine(counts, tot, p)
	xp := xsPool.Get().(*[]float64)
	xs := slices.Grow((*xp)[:0], len(keys))[:len(keys)]
	featureValues(counts, keys, tot, p.Alpha, xs)
	d.Linear = linearScore(counts, keys, xs)
	*xp = xs
	xsPool.Put(xp)
	d.Margin = d.Linear + p.ChiMix*d.Chi
	return d
}

// combine applies Robinson's per-feature probability and Fisher's
// chi-square combining (Gary Robinson, "A Statistical Approach to the Spam
// Problem", Linux Journal 2003):
//
//	f(w) = (s·x + n·p(w)) / (s + n),  p(w) = b(w) / (b(w) + g(w))
//	A = C⁻¹(−2 Σ ln f(w), 2N),  B = C⁻¹(−2 Σ ln (1 − f(w)), 2N)
//	I = (1 + A − B) / 2
//
// where b and g are the shares of spam and ham messages containing w and
// C⁻¹ is the chi-square upper tail.
func combine(counts []bayesstore.Counts, tot bayesstore.Totals, p Params) Decision {
	ns, nh := float64(tot.Spam), float64(tot.Ham)
	if ns == 0 || nh == 0 {
		return Decision{Prob: 0.5}
	}
	// The MaxFeatures most telling candidates, kept in a heap whose root
	// is the least telling of them, then sorted: the same features in the
	// same order as sorting all candidates (the order is total: ties go
	// by index), without sorting the many that are left out.
	k := p.MaxFeatures
	if k <= 0 {
		k = len(counts)
	}
	var top evHeap
	top.s = make([]Evidence, 0, min(k, len(counts)))
	// Small counts repeat: their f is computed once per message (the
	// same expression, so the same bits).
	const small = 8
	var memo [small][small]float64
	var known [small][small]bool
	fw := func(c bayesstore.Counts) float64 {
		b := math.Min(float64(c.Spam)/ns, 1)
		g := math.Min(float64(c.Ham)/nh, 1)
		pw := b / (b + g)
		n := float64(c.Spam) + float64(c.Ham)
		return (p.Strength*p.Prior + n*pw) / (p.Strength + n)
	}
	for i, c := range counts {
		if c.Spam == 0 && c.Ham == 0 {
			continue
		}
		var f float64
		if c.Spam < small && c.Ham < small {
			if known[c.Spam][c.Ham] {
				f = memo[c.Spam][c.Ham]
			} else {
				f = fw(c)
				memo[c.Spam][c.Ham], known[c.Spam][c.Ham] = f, true
			}
		} else {
			f = fw(c)
		}
		if math.Abs(f-0.5) < p.MinDev {
			continue
		}
		top.offer(Evidence{Index: i, Prob: f}, k)
	}
	cand := top.s
	slices.SortFunc(cand, func(a, b Evidence) int {
		if moreTelling(a, b) {
			return -1
		}
		if moreTelling(b, a) {
			return 1
		}
		return 0
	})
	if len(cand) == 0 {
		return Decision{Prob: 0.5}
	}
	var sumLnF, sumLn1F float64
	for _, e := range cand {
		f := math.Min(math.Max(e.Prob, 1e-9), 1-1e-9)
		sumLnF += math.Log(f)
		sumLn1F += math.Log1p(-f)
	}
	df := 2 * len(cand)
	lnA := lnChi2Q(-2*sumLnF, df)
	lnB := lnChi2Q(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: cand}
}

// lnChi2Q is the natural log of the chi-square upper tail probability
// Q(x | df) for even df, computed in log space so that tiny tails keep
// their order: Q = e^(−m) Σ_{i<k} m^i / i!, m = x/2, k = df/2.
func lnChi2Q(x float64, df int) float64 {
	if x <= 0 {
		return 0
	}
	m := x / 2
	k := df / 2
	lnM := math.Log(m)
	// log-sum-exp of i·ln m − ln i!
	maxT := math.Inf(-1)
	var buf [160]float64
	terms := buf[:0]
	if k > len(buf) {
		terms = make([]float64, k)
	} else {
		terms = buf[:k]
	}
	lnFact := 0.0
	for i := 0; i < k; i++ {
		if i > 0 {
			lnFact += math.Log(float64(i))
		}
		t := float64(i)*lnM - lnFact
		terms[i] = t
		if t > maxT {
			maxT = t
		}
	}
	s := 0.0
	for _, t := range terms {
		s += math.Exp(t - maxT)
	}
	v := -m + maxT + math.Log(s)
	if v > 0 {
		v = 0
	}
	return v
}

// moreTelling is the order of the evidence: farther from 0.5 first, then
// the earlier feature.
func moreTelling(a, b Evidence) bool {
	da, db := math.Abs(a.Prob-0.5), math.Abs(b.Prob-0.5)
	if da != db {
		return da > db
	}
	return a.Index < b.Index
}

// evHeap keeps the k most telling evidence offered: a binary heap whose
// root is the least telling kept.
type evHeap struct{ s []Evidence }

func (h *evHeap) offer(e Evidence, k int) {
	s := h.s
	if len(s) < k {
		s = append(s, e)
		// Sift up.
		for i := len(s) - 1; i > 0; {
			up := (i - 1) / 2
			if !moreTelling(s[up], s[i]) {
				break
			}
			s[up], s[i] = s[i], s[up]
			i = up
		}
		h.s = s
		return
	}
	if !moreTelling(e, s[0]) {
		return
	}
	s[0] = e
	// Sift down: a parent is less telling than its children.
	for i := 0; ; {
		l, r, least := 2*i+1, 2*i+2, i
		if l < len(s) && moreTelling(s[least], s[l]) {
			least = l
		}
		if r < len(s) && moreTelling(s[least], s[r]) {
			least = r
		}
		if least == i {
			break
		}
		s[i], s[least] = s[least], s[i]
		i = least
	}
}
