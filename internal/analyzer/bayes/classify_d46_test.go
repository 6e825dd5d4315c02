package bayes

// main's (d46e9cd) decideKnown with its value cache, topK, ranked,
// combine and lnChi2Q, verbatim but for their names (suffix D46): the
// oracle for FuzzDecideD46 and TestDecideMatchesD46, which hold
// decideKnown to main's bits and known count on any input.

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// decideBufD46 holds decideD46's buffers (pooled: one per classification).
type decideBufD46 struct {
	xs    []float64
	top   topKD46
	cache valueCacheD46
}

// valueCacheD46 keeps the values of the features with large counts (the
// frequent words come back message after message) for as long as the
// totals and the parameters they were computed with stay the same: a
// direct-mapped table, its entries valid in the generation they were
// written in. The values are computed by the same expressions, so they
// are the same bits.
type valueCacheD46 struct {
	ns, nh, strength, prior, alpha uint64 // the values' inputs (bits)
	gen                            uint32
	e                              [1 << valueCacheBitsD46]cachedValueD46
	// small holds the values of the features with both counts below
	// smallCountsD46 (most features: their few values come back in every
	// message), by their counts, valid as e's are.
	small [smallCountsD46][smallCountsD46]cachedValueD46
}

// smallCountsD46: features with both counts below it have their values in
// valueCacheD46.small.
const smallCountsD46 = 8

// valueCacheBitsD46: 4,096 entries, 128 KB a pooled buffer (with 1,024,
// classifying the SpamAssassin test split computed nbValue 656K times;
// with 4,096, 295K times).
const valueCacheBitsD46 = 12

type cachedValueD46 struct {
	spam, ham, gen uint32
	f, r           float64
}

// use readies the cache for these totals and parameters.
func (vc *valueCacheD46) use(ns, nh float64, p Params) {
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

// entry returns c's slot; it holds c's values when its spam, ham and gen
// match.
func (vc *valueCacheD46) entry(c bayesstore.Counts) *cachedValueD46 {
	h := (uint64(c.Spam)<<32 | uint64(c.Ham)) * 0x9E3779B97F4A7C15 >> (64 - valueCacheBitsD46)
	return &vc.e[h]
}

var decidePoolD46 = sync.Pool{New: func() any { return new(decideBufD46) }}

// release returns db to the pool, without the candidates' buffer when a
// huge message grew it (every feature can be a candidate).
func (db *decideBufD46) release() {
	if cap(db.top.s) > 1<<14 {
		db.top.s = nil
	}
	if cap(db.top.out) > 1<<14 {
		db.top.out = nil
	}
	decidePoolD46.Put(db)
}

// decideD46 runs both layers: the chi-square combination (Robinson's
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
func decideD46(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params, used []Evidence) Decision {
	d, _ := decideKnownD46(counts, keys, tot, p, used)
	return d
}

// decideKnownD46 is decideD46, and it counts the features seen at least twice
// (Result.Known's numerator) in the same pass.
func decideKnownD46(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params, used []Evidence) (Decision, int) {
	db := decidePoolD46.Get().(*decideBufD46)
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
	for i, c := range counts {
		if c.Spam|c.Ham == 0 {
			if keys[i] == biasKey {
				xs[i] = 0
			} else {
				xs[i] = r00
				norm += r00 * r00
			}
			continue
		}
		if c.Spam+c.Ham >= 2 {
			known++
		}
		// The small table's entry or the cache's, and one place that
		// computes the values of either (the values the loop keeps are saved
		// around that call only where it is made: with a call on each
		// path they were saved for every feature).
		var ce *cachedValueD46
		if c.Spam < smallCountsD46 && c.Ham < smallCountsD46 {
			ce = &vc.small[c.Spam][c.Ham]
		} else {
			ce = vc.entry(c)
		}
		if ce.gen != vc.gen || ce.spam != c.Spam || ce.ham != c.Ham {
			*ce = cachedValueD46{spam: c.Spam, ham: c.Ham, gen: vc.gen, f: fw(c), r: rw(c)}
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
		if dev := math.Abs(f - 0.5); !(dev < minDev) {
			cs = append(cs, candD46{dev, f, i})
			top.count(dev)
		}
	}
	top.s = cs
	var d Decision
	if !chi {
		d = Decision{Prob: 0.5}
	} else {
		d = top.combine(used)
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

// candD46 is a chi-square candidate: its distance from 0.5, its f(w) and its
// feature's index.
type candD46 struct {
	dev, f float64
	i      int
}

// moreTellingD46 is the order of the candidates: farther from 0.5 first,
// then the earlier feature.
func (a candD46) moreTellingD46(b candD46) bool {
	return a.dev > b.dev || a.dev == b.dev && a.i < b.i
}

// topKD46 collects the candidates; combine keeps the k most telling.
type topKD46 struct {
	s []candD46
	k int
	// hist counts the candidates by devBucketD46, for ranked; wild: a
	// candidate's dev was outside [0, 0.5] (NaN: odd Params only).
	hist [devBucketsD46]uint32
	wild bool
	// out: ranked's candidates.
	out []candD46
}

func (h *topKD46) reset(k int) {
	h.s, h.k = h.s[:0], k
	clear(h.hist[:])
	h.wild = false
}

// devBucketsD46: the histogram's buckets over dev's range [0, 0.5].
const devBucketsD46 = 1024

// devBucketD46 is the bucket of a dev in [0, 0.5]: not decreasing in dev (a
// product by a positive constant and its truncation keep the order), so
// a candidate in a higher bucket is more telling than one in a lower.
func devBucketD46(dev float64) int {
	return int(dev*(2*devBucketsD46-2)) & (devBucketsD46 - 1)
}

// count enters a candidate's dev (|f − 0.5|, so not negative, or NaN)
// in the histogram.
func (h *topKD46) count(dev float64) {
	if dev <= 0.5 {
		h.hist[devBucketD46(dev)]++
	} else {
		h.wild = true
	}
}

// ranked returns the k most telling candidates (all when there are
// fewer), most telling first: the order sortCandsD46 gives, found through
// the histogram (every candidate's dev counted in it, none wild). The
// lowest bucket t such that the buckets from t up hold at least k
// candidates is found (those below are less telling than all of these,
// so the k most telling are in those buckets); the candidates of those buckets are placed bucket by bucket,
// most telling bucket first, each bucket's in the order they were
// collected (by index: the order of ties) — a counting sort, without the
// mispredicted comparisons of a quicksort —, then put in order within
// their buckets by an insertion sort (a bucket holds few distinct devs:
// features with the same counts have the same dev), which gives way to
// sortCandsD46 when it moves too much (a crafted spread of devs cannot make
// it quadratic). It uses the histogram up (reset readies it again).
func (h *topKD46) ranked() []candD46 {
	s := h.s
	want := uint32(min(h.k, len(s)))
	sum := uint32(0)
	t := devBucketsD46 - 1
	for ; t > 0; t-- {
		if sum += h.hist[t]; sum >= want {
			break
		}
	}
	// hist[b] becomes where bucket b's candidates start.
	pos := uint32(0)
	for b := devBucketsD46 - 1; b >= t; b-- {
		c := h.hist[b]
		h.hist[b] = pos
		pos += c
	}
	out := slices.Grow(h.out[:0], int(pos))[:pos]
	h.out = out
	for _, c := range s {
		if b := devBucketD46(c.dev); b >= t {
			out[h.hist[b]] = c
			h.hist[b]++
		}
	}
	budget := 4*len(out) + 64
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].moreTellingD46(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
			if budget--; budget < 0 {
				sortCandsD46(out)
				return out[:want]
			}
		}
	}
	return out[:want]
}

// sortCandsD46 sorts s most telling first. The order is total (ties go by
// index), so this is the order any sort gives; a quicksort with the
// comparison inlined (slices.SortFunc calls it), for the few candidates
// MaxFeatures keeps; many (MaxFeatures 0: all) go to slices.SortFunc,
// whose worst case is bounded.
func sortCandsD46(s []candD46) {
	if len(s) > 512 {
		slices.SortFunc(s, func(a, b candD46) int {
			if a.moreTellingD46(b) {
				return -1
			}
			if b.moreTellingD46(a) {
				return 1
			}
			return 0
		})
		return
	}
	quickCandsD46(s)
}

// partitionCandsD46 partitions s (at least 3 long) around the median of
// three of its candidates and returns the pivot's place j: s[:j] are more
// telling than s[j], s[j+1:] less.
func partitionCandsD46(s []candD46) int {
	// Median of three as the pivot, moved to s[0].
	m, l := len(s)/2, len(s)-1
	if s[m].moreTellingD46(s[0]) {
		s[m], s[0] = s[0], s[m]
	}
	if s[l].moreTellingD46(s[m]) {
		s[l], s[m] = s[m], s[l]
		if s[m].moreTellingD46(s[0]) {
			s[m], s[0] = s[0], s[m]
		}
	}
	// s[0], s[m], s[l] in order (most telling first): the median to s[0].
	s[0], s[m] = s[m], s[0]
	p := s[0]
	// Hoare partition: s[1:i] more telling than p, s[j+1:] less.
	i, j := 1, l
	for {
		for i <= j && s[i].moreTellingD46(p) {
			i++
		}
		for i <= j && p.moreTellingD46(s[j]) {
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

// selectCandsD46 moves the k most telling candidates of s to s[:k] (in no
// particular order): a quickselect, which sorts what is left when it
// takes too many rounds (a crafted order cannot make it quadratic).
func selectCandsD46(s []candD46, k int) {
	for rounds := 2 * bits.Len(uint(len(s))); k > 0 && len(s) > k; rounds-- {
		if len(s) <= 12 || rounds == 0 {
			sortCandsD46(s)
			return
		}
		j := partitionCandsD46(s)
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

func quickCandsD46(s []candD46) {
	for len(s) > 12 {
		j := partitionCandsD46(s)
		// Recurse into the smaller side, loop on the larger.
		if j < len(s)-1-j {
			quickCandsD46(s[:j])
			s = s[j+1:]
		} else {
			quickCandsD46(s[j+1:])
			s = s[:j]
		}
	}
	// Insertion sort.
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].moreTellingD46(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// combine keeps the k most telling candidates, sorts them and applies
// Fisher's rule; the evidence is appended to used[:0] (nil: a new slice
// of exactly their number).
func (h *topKD46) combine(used []Evidence) Decision {
	cs := h.s
	if len(cs) == 0 {
		return Decision{Prob: 0.5}
	}
	if !h.wild {
		cs = h.ranked()
	} else {
		if len(cs) > h.k {
			selectCandsD46(cs, h.k)
			cs = cs[:h.k]
		}
		sortCandsD46(cs)
	}
	if cap(used) < len(cs) {
		used = make([]Evidence, len(cs))
	}
	used = used[:len(cs)]
	var sumLnF, sumLn1F float64
	// Features with the same counts have the same f(w), and sorting puts
	// them next to each other: the logs of the last two values are kept
	// (the same calls on the same value, so the same bits).
	var memoF [2]float64
	var memoLn, memoLn1 [2]float64
	memoF[0], memoF[1] = math.NaN(), math.NaN()
	for j, e := range cs {
		used[j] = Evidence{Index: e.i, Prob: e.f}
		var lnF, ln1F float64
		switch e.f {
		case memoF[0]:
			lnF, ln1F = memoLn[0], memoLn1[0]
		case memoF[1]:
			lnF, ln1F = memoLn[1], memoLn1[1]
		default:
			f := math.Min(math.Max(e.f, 1e-9), 1-1e-9)
			lnF, ln1F = math.Log(f), math.Log1p(-f)
			memoF[1], memoLn[1], memoLn1[1] = memoF[0], memoLn[0], memoLn1[0]
			memoF[0], memoLn[0], memoLn1[0] = e.f, lnF, ln1F
		}
		sumLnF += lnF
		sumLn1F += ln1F
	}
	df := 2 * len(cs)
	lnA := lnChi2QD46(-2*sumLnF, df)
	lnB := lnChi2QD46(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: used}
}

// lnChi2QD46 is the natural log of the chi-square upper tail probability
// Q(x | df) for even df, computed in log space so that tiny tails keep
// their order: Q = e^(−m) Σ_{i<k} m^i / i!, m = x/2, k = df/2.
func lnChi2QD46(x float64, df int) float64 {
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
	iMax := 0
	for i := 0; i < k; i++ {
		if i < len(lnFactTableD46) {
			lnFact = lnFactTableD46[i]
		} else {
			lnFact += math.Log(float64(i))
		}
		t := float64(i)*lnM - lnFact
		terms[i] = t
		if t > maxT {
			maxT, iMax = t, i
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

// lnFactTableD46[i] is ln i! summed as lnChi2QD46's loop sums it (ln 1 + ln 2 +
// … + ln i, in that order, so the same bits), for the df of up to
// DefaultParams.MaxFeatures features; beyond it lnChi2QD46 goes on summing.
var lnFactTableD46 = func() (t [160]float64) {
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] + math.Log(float64(i))
	}
	return t
}()

// FuzzDecideD46: decideKnown gives main's (d46e9cd) bits and known count
// on any input FuzzDecideMain makes (odd Params, extreme counts and
// weights, few MaxFeatures so that candidates are left out), called
// twice (the second time usually on the caches the first filled: the pool
// tends to hand the same buffer back, without a promise).
func FuzzDecideD46(f *testing.F) {
	f.Add(uint64(948), uint64(2111), uint8(0), 0.0, []byte("\x00\x01\x00\x02\x00\x00\x00\x80\x3f\x05\x07\x00\x01\x00\x00\x00\x00\x00"))
	f.Add(uint64(3), uint64(1), uint8(7), math.NaN(), []byte("\x09\x07\x00\x01\x00\x00\x00\x00\x80\x31\x00\x00\x00\x00\x01\x00\x00\x00"))
	f.Add(uint64(1<<63), uint64(1), uint8(0x43), 1e-320, []byte("\x02\xff\xff\xff\xff\x00\x00\xc0\x7f\x03\x00\x00\x01\x00\x01\x00\x80\x7f"))
	f.Add(uint64(40), uint64(60), uint8(0x82), 1.7, []byte("\x01\x07\x00\x00\x00\x00\x00\x80\x3f\x01\x00\x00\x07\x00\x00\x00\x80\x3f\x01\x06\x00\x00\x00\x00\x00\x80\x3f\x01\x05\x00\x01\x00\x00\x00\x80\x3f\x01\x01\x00\x00\x00\x00\x00\x80\x3f"))
	f.Fuzz(func(t *testing.T, ts, th uint64, shape uint8, v float64, data []byte) {
		counts, keys, tot, p := fuzzDecideInput(ts, th, shape, v, data)
		want, wk := decideKnownD46(counts, keys, tot, p, nil)
		for range 2 {
			got, gk := decideKnown(counts, keys, tot, p, nil)
			if !sameBits(got, want) || gk != wk {
				t.Fatalf("n %d, shape %#x, v %v: got %+v (known %d)\nwant %+v (known %d)", len(counts), shape, v, got, gk, want, wk)
			}
		}
	})
}

// TestDecideMatchesD46: decideKnown gives main's bits on messages shaped
// like mail (a third unseen, most counts small, a few large, weights
// mostly non-zero, the bias somewhere) and on odd ones: many candidates
// (most left out before the ranking), few distinct counts (ties on both
// sides of the k-th), a wild candidate (odd Params) after candidates were
// left out, totals changing from one call to the next (the caches' new
// generations), extreme counts and weights.
func TestDecideMatchesD46(t *testing.T) {
	rng := rand.New(rand.NewPCG(46, 47))
	weights := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, 0.5, -0.25}
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	for round := 0; round < rounds; round++ {
		n := rng.IntN(3000)
		if round%5 == 0 {
			n = rng.IntN(40)
		}
		tot := bayesstore.Totals{Spam: uint64(900 + rng.IntN(3)), Ham: uint64(2100 + rng.IntN(3))}
		switch round % 13 {
		case 1:
			tot.Spam = 0
		case 2:
			tot = bayesstore.Totals{Spam: math.MaxUint64, Ham: 1}
		case 3:
			tot = bayesstore.Totals{Spam: uint64(1 + rng.IntN(100000)), Ham: uint64(1 + rng.IntN(100000))}
		}
		distinct := 1 + rng.IntN(6)
		if round%2 == 0 {
			distinct = 1 << 30
		}
		counts := make([]bayesstore.Counts, n)
		keys := make([]uint64, n)
		for i := range counts {
			keys[i] = rng.Uint64()
			var c bayesstore.Counts
			switch x := rng.IntN(100); {
			case x < 33:
			case x < 80:
				c = bayesstore.Counts{Spam: uint32(rng.IntN(8)), Ham: uint32(rng.IntN(8))}
			case x < 97:
				c = bayesstore.Counts{Spam: uint32(rng.IntN(900)), Ham: uint32(rng.IntN(2100))}
			case x < 99:
				c = bayesstore.Counts{Spam: uint32(rng.IntN(1 << 20)), Ham: uint32(rng.IntN(3))}
			default:
				c = bayesstore.Counts{Spam: math.MaxUint32 - uint32(rng.IntN(2)), Ham: uint32(rng.Uint32())}
			}
			if distinct < 1<<30 {
				d := uint32(rng.IntN(distinct))
				c = bayesstore.Counts{Spam: d * 7 % 40, Ham: d * 13 % 50}
			}
			switch rng.IntN(10) {
			case 0:
				c.Weight = weights[rng.IntN(len(weights))]
			case 1, 2:
			default:
				if c.Spam|c.Ham != 0 {
					c.Weight = float32(rng.NormFloat64())
				}
			}
			counts[i] = c
		}
		if n > 0 && rng.IntN(4) != 0 {
			keys[rng.IntN(n)] = biasKey
		}
		p := DefaultParams
		p.MaxFeatures = []int{150, 150, 1, 7, 0, 2999, -1, 40}[round%8]
		switch round % 11 {
		case 1:
			p.MinDev = 0
		case 2:
			p.MinDev = math.NaN()
		case 3:
			// f past 1 for features of few counts, most telling: wild
			// candidates, many after others were left out.
			p.Prior = 1.7
		case 4:
			p.Strength = math.Inf(1)
		case 5:
			p.Alpha = 0
		case 6:
			p.Alpha = 1e-310
		case 7:
			p.ChiMix = math.Inf(-1)
		case 8:
			p.Strength = 0
		case 9:
			p.Prior = -0.3
		}
		if round%13 == 4 {
			// ‖r‖ = 0: every r 0 (equal totals, equal counts).
			tot = bayesstore.Totals{Spam: 1000, Ham: 1000}
			for i := range counts {
				counts[i].Ham = counts[i].Spam
			}
		}
		if round%11 == 3 && n > 10 {
			// The wild ones last: after the histogram held MaxFeatures.
			for i := n - 5; i < n; i++ {
				counts[i] = bayesstore.Counts{Spam: 1, Weight: 0.5}
			}
		}
		want, wk := decideKnownD46(counts, keys, tot, p, nil)
		got, gk := decideKnown(counts, keys, tot, p, nil)
		if !sameBits(got, want) || gk != wk {
			t.Fatalf("round %d (n %d, max %d): got %+v (known %d) lin %#x\nwant %+v (known %d) lin %#x", round, n, p.MaxFeatures, got.Prob, gk, math.Float64bits(got.Linear), want.Prob, wk, math.Float64bits(want.Linear))
		}
	}
}
