package bayes

import (
	"math"
	"math/bits"
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

// decideBuf holds decide's buffers (pooled: one per classification).
type decideBuf struct {
	xs    []float64
	top   topK
	cache valueCache
	logs  logCache
}

// valueCache keeps the values of the features with large counts (the
// frequent words come back message after message) for as long as the
// totals and the parameters they were computed with stay the same: a
// table of sets of two ways (a set keeps the two counts that came to it
// last: a miss moves way 0's entry to way 1), its entries valid in the generation they were
// written in. The values are computed by the same expressions, so they
// are the same bits.
type valueCache struct {
	ns, nh, strength, prior, alpha uint64 // the values' inputs (bits)
	gen                            uint32
	e                              [1 << valueCacheBits]cachedValue
	// small holds the values of the features with both counts below
	// smallCounts (most features: their few values come back in every
	// message), by their counts, valid as e's are.
	small [smallCounts * smallCounts]cachedValue
}

// smallCounts: features with both counts below it have their values in
// valueCache.small (a power of 2: smallBits bits a count). With 8 (a
// 64-entry table), the features with larger counts, about 4,400 distinct
// pairs of counts in the SpamAssassin test split, thrashed the 4,096
// entries of valueCache.e: a warm pass over the split computed their
// values 200K times (68 a message); with 64 (4,096 entries, 128 KB more
// a pooled buffer) the pairs left to e are fewer, and it computes them
// 57K times.
const (
	smallBits   = 6
	smallCounts = 1 << smallBits
)

// valueCacheBits: 4,096 entries, 128 KB a pooled buffer (with 1,024,
// classifying the SpamAssassin test split computed nbValue 656K times;
// with 4,096, 295K times).
// (Direct-mapped, a warm pass over the split computed 57K values of
// features with a count of 64 or more; with two ways a set, 20K.)
const valueCacheBits = 12

type cachedValue struct {
	key  uint64 // the counts' countsKey
	gen  uint32
	f, r float64
}

// countsKey is c's counts in one word (Spam in the low half, Ham in the
// high: two loads the compiler makes one, where it can).
func countsKey(c *bayesstore.Counts) uint64 {
	return uint64(c.Spam) | uint64(c.Ham)<<32
}

// smallKeys: a countsKey has both counts below smallCounts exactly when
// it has none of these bits.
const smallKeys = ^uint64(smallCounts - 1 | (smallCounts-1)<<32)

// use readies the cache for these totals and parameters.
func (vc *valueCache) use(ns, nh float64, p Params) {
	b := math.Float64bits
	if vc.gen != 0 && vc.ns == b(ns) && vc.nh == b(nh) && vc.strength == b(p.Strength) && vc.prior == b(p.Prior) && vc.alpha == b(p.Alpha) {
		return
	}
	vc.ns, vc.nh, vc.strength, vc.prior, vc.alpha = b(ns), b(nh), b(p.Strength), b(p.Prior), b(p.Alpha)
	vc.gen++
	if vc.gen == 0 { // wrapped: entries of an old generation 1 would look valid
		clear(vc.e[:])
		clear(vc.small[:])
		vc.gen = 1
	}
}

// slot returns the slot of the counts of countsKey k (not 0): the
// small table's (both counts below smallCounts) or the cache's. It holds
// their values when its key and gen match.
func (vc *valueCache) slot(k uint64) *cachedValue {
	if k&smallKeys == 0 {
		return &vc.small[(k|k>>(32-smallBits))&(smallCounts*smallCounts-1)]
	}
	// Two ways a set: the way holding k's key (its gen checked by the
	// caller), else way 0, whose entry first goes to way 1.
	j := k * 0x9E3779B97F4A7C15 >> (64 - valueCacheBits) &^ 1
	e := &vc.e[j]
	if e.key == k {
		return e
	}
	if w := &vc.e[j|1]; w.key == k {
		return w
	} else {
		*w = *e
	}
	return e
}

// logCache keeps ln f and ln(1 − f) of the chi-square rule's f values
// (combine's logarithms, a function of f alone: the same calls, so the
// same bits) by f's bits, kept from message to message (the most telling
// features' f values come back in message after message): a
// direct-mapped table. A slot holds f's bits complemented (a zeroed
// slot's, all ones, are a NaN's: combine looks up f in [0, 1] only).
type logCache [1 << logCacheBits]struct {
	nf        uint64
	lnF, ln1F float64
}

// logCacheBits: 1,024 entries, 24 KB.
const logCacheBits = 10

var decidePool = sync.Pool{New: func() any { return new(decideBuf) }}

// release returns db to the pool, without the candidates' buffer when a
// huge message grew it (every feature can be a candidate).
func (db *decideBuf) release() {
	if cap(db.top.s) > 1<<14 {
		db.top.s = nil
	}
	if cap(db.top.out) > 1<<14 {
		db.top.out = nil
	}
	decidePool.Put(db)
}

// decide runs both layers: the chi-square combination (Robinson's
// per-feature probability and Fisher's rule) and the linear layer, in one
// pass over the counts. It gives the bits the two layers computed apart
// gave (classify_ref_test.go): the same expressions, summed in the same
// order.
//
// Robinson ("A Statistical Approach to the Spam Problem", Linux Journal
// 2003):
//
//	f(w) = (s·x + n·p(w)) / (s + n),  p(w) = b(w) / (b(w) + g(w))
//	A = C⁻¹(−2 Σ ln f(w), 2N),  B = C⁻¹(−2 Σ ln (1 − f(w)), 2N)
//	I = (1 + A − B) / 2
//
// where b and g are the shares of spam and ham messages containing w and
// C⁻¹ is the chi-square upper tail; only the MaxFeatures features farthest
// from 0.5 (and at least MinDev from it) are combined. The linear layer's
// feature values are described in linear.go.
//
// The evidence (Decision.Used) is appended to used[:0] (nil: a new slice).
func decide(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params, used []Evidence) Decision {
	d, _ := decideKnown(counts, keys, tot, p, used)
	return d
}

// decideKnown is decide, and it counts the features seen at least twice
// (Result.Known's numerator) in the same pass.
func decideKnown(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params, used []Evidence) (Decision, int) {
	db := decidePool.Get().(*decideBuf)
	defer db.release()
	n := len(counts)
	xs := slices.Grow(db.xs[:0], n)[:n]
	db.xs = xs
	ns, nh := float64(tot.Spam), float64(tot.Ham)
	chi := ns != 0 && nh != 0
	// The candidates are collected; the MaxFeatures most telling of them
	// are selected (a quickselect) and sorted: the same features in the
	// same order as sorting all candidates (the order is total: ties go
	// by index), without sorting the many that are left out.
	k := p.MaxFeatures
	if k <= 0 {
		k = n
	}
	top := &db.top
	top.reset(min(k, n))
	// Most features have small counts (most pairs none at all): their
	// values are computed once (the same expressions, so the same bits)
	// and kept in the cache's small table while the totals and the
	// parameters stay (valid in the cache's generation, which is not 0: a
	// zeroed entry is not). An entry holds both values (f is not used
	// without chi; it is computed all the same, harmlessly).
	fw := func(c bayesstore.Counts) float64 {
		// min(x, 1) (math.Min's value: the shares are finite and not
		// negative; math.Min is a call on amd64).
		b, g := float64(c.Spam)/ns, float64(c.Ham)/nh
		if b > 1 {
			b = 1
		}
		if g > 1 {
			g = 1
		}
		pw := b / (b + g)
		n := float64(c.Spam) + float64(c.Ham)
		return (float64(p.Strength*p.Prior) + float64(n*pw)) / (p.Strength + n)
	}
	alpha := p.Alpha
	rw := func(c bayesstore.Counts) float64 {
		return nbValue(c, ns, nh, alpha)
	}
	vc := &db.cache
	vc.use(ns, nh, p)
	// The value of the features the store has not seen (no counts: about
	// a third of a message's): the small table's value for them, kept
	// apart so that they skip the table and the candidate's tests (they
	// are never candidates).
	r00 := rw(bayesstore.Counts{})
	norm := 0.0
	known := 0
	keys = keys[:n]
	cs := top.s
	minDev := p.MinDev
	for i := range counts {
		c := &counts[i]
		k := countsKey(c)
		if k == 0 {
			if keys[i] == biasKey {
				xs[i] = 0
			} else {
				xs[i] = r00
				norm += r00 * r00
			}
			continue
		}
		if uint32(k)+uint32(k>>32) >= 2 { // c.Spam+c.Ham
			known++
		}
		// The small table's entry or the cache's, and one place that
		// computes the values of either (the values the loop keeps are saved
		// around that call only where it is made: with a call on each
		// path they were saved for every feature).
		ce := vc.slot(k)
		if ce.key != k || ce.gen != vc.gen {
			*ce = cachedValue{key: k, gen: vc.gen, f: fw(*c), r: rw(*c)}
		}
		f, r := ce.f, ce.r
		// The linear layer's value (the bias gets 0: it is added apart).
		if keys[i] == biasKey {
			xs[i] = 0
		} else {
			xs[i] = r
			norm += r * r
		}
		// The chi-square candidate (top.k is not 0 here: n is not;
		// without chi, candidates are collected and not used).
		// (Its bucket kept with it for ranked, which places it by
		// bucket; wild when dev is outside [0, 0.5] or NaN: odd Params
		// only.)
		if dev := math.Abs(f - 0.5); !(dev < minDev) {
			b := int32(wildCand)
			if dev <= 0.5 {
				b = int32(devBucket(dev))
				top.hist[b]++
			} else {
				top.wild = true
			}
			cs = append(cs, cand{dev, f, i, b})
		}
	}
	top.s = cs
	var d Decision
	if !chi {
		d = Decision{Prob: 0.5}
	} else {
		d = top.combine(used, &db.logs)
	}
	// Σ w·x with x = r / ‖r‖, plus the bias's weight. A feature of
	// weight 0 (every feature the store has not seen) adds ±0 when its x
	// is finite, which leaves z as it is (z starts at +0 and a sum is −0
	// only when both terms are): those are skipped when every x is
	// finite, that is when ‖r‖ is (it is at least every |r|).
	z := 0.0
	if norm != 0 && norm < math.Inf(1) {
		norm = math.Sqrt(norm)
		xs := xs[:len(counts)]
		keys := keys[:len(counts)]
		for i := range counts {
			// w == ±0 told by its bits (no float compare and its NaN
			// check).
			wb := math.Float32bits(counts[i].Weight)
			if wb<<1 == 0 {
				continue
			}
			w := float64(math.Float32frombits(wb))
			if keys[i] == biasKey {
				z += w
			} else {
				z += w * (xs[i] / norm)
			}
		}
	} else if norm != 0 {
		norm = math.Sqrt(norm)
		for i, c := range counts {
			if keys[i] == biasKey {
				z += float64(c.Weight)
			} else {
				z += float64(c.Weight) * (xs[i] / norm)
			}
		}
	} else {
		// ‖r‖ = 0: every r² is 0, so every r finite.
		for i, c := range counts {
			if c.Weight == 0 {
				continue
			}
			if keys[i] == biasKey {
				z += float64(c.Weight)
			} else {
				z += float64(c.Weight) * xs[i]
			}
		}
	}
	d.Linear = z
	d.Margin = d.Linear + p.ChiMix*d.Chi
	return d, known
}

// cand is a chi-square candidate: its distance from 0.5, its f(w), its
// feature's index and its devBucket (wildCand for a dev outside [0, 0.5]
// or NaN).
type cand struct {
	dev, f float64
	i      int
	b      int32
}

// wildCand is a wild candidate's bucket.
const wildCand = devBuckets

// moreTelling is the order of the candidates: farther from 0.5 first,
// then the earlier feature.
func (a cand) moreTelling(b cand) bool {
	return a.dev > b.dev || a.dev == b.dev && a.i < b.i
}

// topK collects the candidates; combine keeps the k most telling.
type topK struct {
	s []cand
	k int
	// hist counts the candidates by devBucket, for ranked; wild: a
	// candidate's dev was outside [0, 0.5] (NaN: odd Params only).
	hist [devBuckets]uint32
	wild bool
	// out: ranked's candidates.
	out []cand
}

func (h *topK) reset(k int) {
	h.s, h.k = h.s[:0], k
	clear(h.hist[:])
	h.wild = false
}

// devBuckets: the histogram's buckets over dev's range [0, 0.5].
const devBuckets = 1024

// devBucket is the bucket of a dev in [0, 0.5]: not decreasing in dev (a
// product by a positive constant and its truncation keep the order), so
// a candidate in a higher bucket is more telling than one in a lower.
func devBucket(dev float64) int {
	return int(dev*(2*devBuckets-2)) & (devBuckets - 1)
}

// ranked returns the k most telling candidates (all when there are
// fewer), most telling first: the order sortCands gives, found through
// the histogram (every candidate's dev counted in it, none wild). The
// lowest bucket t such that the buckets from t up hold at least k
// candidates is found (those below are less telling than all of these,
// so the k most telling are in those buckets); the candidates of those buckets are placed bucket by bucket,
// most telling bucket first, each bucket's in the order they were
// collected (by index: the order of ties) — a counting sort, without the
// mispredicted comparisons of a quicksort —, then put in order within
// their buckets by an insertion sort (a bucket holds few distinct devs:
// features with the same counts have the same dev), which gives way to
// sortCands when it moves too much (a crafted spread of devs cannot make
// it quadratic). It uses the histogram up (reset readies it again).
func (h *topK) ranked() []cand {
	s := h.s
	want := uint32(min(h.k, len(s)))
	sum := uint32(0)
	t := devBuckets - 1
	for ; t > 0; t-- {
		if sum += h.hist[t]; sum >= want {
			break
		}
	}
	// hist[b] becomes where bucket b's candidates start.
	pos := uint32(0)
	for b := devBuckets - 1; b >= t; b-- {
		c := h.hist[b]
		h.hist[b] = pos
		pos += c
	}
	out := slices.Grow(h.out[:0], int(pos))[:pos]
	h.out = out
	for _, c := range s {
		if b := int(c.b); b >= t {
			out[h.hist[b]] = c
			h.hist[b]++
		}
	}
	budget := 4*len(out) + 64
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].moreTelling(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
			if budget--; budget < 0 {
				sortCands(out)
				return out[:want]
			}
		}
	}
	return out[:want]
}

// sortCands sorts s most telling first. The order is total (ties go by
// index), so this is the order any sort gives; a quicksort with the
// comparison inlined (slices.SortFunc calls it), for the few candidates
// MaxFeatures keeps; many (MaxFeatures 0: all) go to slices.SortFunc,
// whose worst case is bounded.
func sortCands(s []cand) {
	if len(s) > 512 {
		slices.SortFunc(s, func(a, b cand) int {
			if a.moreTelling(b) {
				return -1
			}
			if b.moreTelling(a) {
				return 1
			}
			return 0
		})
		return
	}
	quickCands(s)
}

// partitionCands partitions s (at least 3 long) around the median of
// three of its candidates and returns the pivot's place j: s[:j] are more
// telling than s[j], s[j+1:] less.
func partitionCands(s []cand) int {
	// Median of three as the pivot, moved to s[0].
	m, l := len(s)/2, len(s)-1
	if s[m].moreTelling(s[0]) {
		s[m], s[0] = s[0], s[m]
	}
	if s[l].moreTelling(s[m]) {
		s[l], s[m] = s[m], s[l]
		if s[m].moreTelling(s[0]) {
			s[m], s[0] = s[0], s[m]
		}
	}
	// s[0], s[m], s[l] in order (most telling first): the median to s[0].
	s[0], s[m] = s[m], s[0]
	p := s[0]
	// Hoare partition: s[1:i] more telling than p, s[j+1:] less.
	i, j := 1, l
	for {
		for i <= j && s[i].moreTelling(p) {
			i++
		}
		for i <= j && p.moreTelling(s[j]) {
			j--
		}
		if i >= j {
			break
		}
		s[i], s[j] = s[j], s[i]
		i++
		j--
	}
	s[0], s[j] = s[j], s[0]
	return j
}

// selectCands moves the k most telling candidates of s to s[:k] (in no
// particular order): a quickselect, which sorts what is left when it
// takes too many rounds (a crafted order cannot make it quadratic).
func selectCands(s []cand, k int) {
	for rounds := 2 * bits.Len(uint(len(s))); k > 0 && len(s) > k; rounds-- {
		if len(s) <= 12 || rounds == 0 {
			sortCands(s)
			return
		}
		j := partitionCands(s)
		switch {
		case j == k || j+1 == k:
			return
		case j > k:
			s = s[:j]
		default:
			s, k = s[j+1:], k-(j+1)
		}
	}
}

func quickCands(s []cand) {
	for len(s) > 12 {
		j := partitionCands(s)
		// Recurse into the smaller side, loop on the larger.
		if j < len(s)-1-j {
			quickCands(s[:j])
			s = s[j+1:]
		} else {
			quickCands(s[j+1:])
			s = s[:j]
		}
	}
	// Insertion sort.
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].moreTelling(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// combine keeps the k most telling candidates, sorts them and applies
// Fisher's rule; the evidence is appended to used[:0] (nil: a new slice
// of exactly their number). The logarithms of f are kept in lc (nil:
// none kept).
func (h *topK) combine(used []Evidence, lc *logCache) Decision {
	cs := h.s
	if len(cs) == 0 {
		return Decision{Prob: 0.5}
	}
	if !h.wild {
		cs = h.ranked()
	} else {
		if len(cs) > h.k {
			selectCands(cs, h.k)
			cs = cs[:h.k]
		}
		sortCands(cs)
		// The f values may be anything (NaN of any bits): not in lc.
		lc = nil
	}
	if cap(used) < len(cs) {
		used = make([]Evidence, len(cs))
	}
	used = used[:len(cs)]
	var sumLnF, sumLn1F float64
	for j, e := range cs {
		used[j] = Evidence{Index: e.i, Prob: e.f}
		var lnF, ln1F float64
		if lc != nil {
			// f in [0, 1] (no candidate is wild): its bits complemented
			// are never a zeroed slot's.
			fb := math.Float64bits(e.f)
			sl := &lc[fb*0x9E3779B97F4A7C15>>(64-logCacheBits)]
			if sl.nf != ^fb {
				sl.nf = ^fb
				sl.lnF, sl.ln1F = chiLogs(e.f)
			}
			lnF, ln1F = sl.lnF, sl.ln1F
		} else {
			lnF, ln1F = chiLogs(e.f)
		}
		sumLnF += lnF
		sumLn1F += ln1F
	}
	df := 2 * len(cs)
	lnA := lnChi2Q(-2*sumLnF, df)
	lnB := lnChi2Q(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: used}
}

// chiLogs returns ln f and ln(1 − f) for Fisher's rule, f kept within
// [1e-9, 1 − 1e-9].
func chiLogs(f float64) (lnF, ln1F float64) {
	f = math.Min(math.Max(f, 1e-9), 1-1e-9)
	return math.Log(f), math.Log1p(-f)
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
	iMax := 0
	// The terms with ln i! in the table, then the others (ln i! summed
	// on from the table's last): a loop without a call for the first.
	nt := min(k, len(lnFactTable))
	for i, lnFact := range lnFactTable[:nt] {
		t := float64(i)*lnM - lnFact
		terms[i] = t
		if t > maxT {
			maxT, iMax = t, i
		}
	}
	if k > nt {
		lnFact := lnFactTable[nt-1]
		for i := nt; i < k; i++ {
			lnFact += math.Log(float64(i))
			t := float64(i)*lnM - lnFact
			terms[i] = t
			if t > maxT {
				maxT, iMax = t, i
			}
		}
	}
	// The terms rise to the largest (iMax) and fall after it (i·ln m −
	// ln i! is concave in i). Once past it a term is below a quarter of
	// the ulp of the sum so far, every later term is too (they fall:
	// the rounding of t, ~1e-12 of a term, cannot make up a factor of
	// 2), and adding one leaves the sum as it is (it is below half an
	// ulp): the sum stops there with the same bits. s·2⁻⁵⁵ is at most a
	// quarter of s's ulp. (Strong evidence ends one of the two sums
	// after a few dozen terms instead of MaxFeatures.)
	s := 0.0
	for i, t := range terms {
		e := math.Exp(t - maxT)
		if i > iMax+1 && e < s*0x1p-55 {
			break
		}
		s += e
	}
	v := -m + maxT + math.Log(s)
	if v > 0 {
		v = 0
	}
	return v
}

// lnFactTable[i] is ln i! summed as lnChi2Q's loop sums it (ln 1 + ln 2 +
// … + ln i, in that order, so the same bits), for the df of up to
// DefaultParams.MaxFeatures features; beyond it lnChi2Q goes on summing.
var lnFactTable = func() (t [160]float64) {
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] + math.Log(float64(i))
	}
	return t
}()
