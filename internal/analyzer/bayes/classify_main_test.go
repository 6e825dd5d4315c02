package bayes

// main's decideKnown, combine and lnChi2Q (before the bayes4 shortcuts),
// verbatim but for their names, the pooled buffer (a fresh one: the value
// cache gives the same bits either way) and the topK without the
// histogram: the oracle for FuzzDecideMain, which holds decide to main's
// bits on any input (odd Params, extreme counts and weights), not only
// on the inputs the reference (classify_ref_test.go) defines.

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

type topKMain struct {
	s []candD46
	k int
}

func (h *topKMain) reset(k int) {
	h.s, h.k = h.s[:0], k
}

func decideKnownMain(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params, used []Evidence) (Decision, int) {
	db := new(decideBufD46)
	var topm topKMain

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
	top := &topm
	top.reset(min(k, n))
	// Most features have small counts (most pairs none at all): their
	// values are computed once per message (the same expressions, so the
	// same bits).
	const small = 8
	type memo struct {
		f, r     float64
		fok, rok bool
	}
	var m [small][small]memo
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
	norm := 0.0
	known := 0
	for i, c := range counts {
		if c.Spam+c.Ham >= 2 {
			known++
		}
		var e *memo
		var ce *cachedValueD46
		if c.Spam < small && c.Ham < small {
			e = &m[c.Spam][c.Ham]
		} else {
			// Both values at once (f is not used without chi; it is
			// computed all the same, harmlessly).
			ce = vc.entry(c)
			if ce.gen != vc.gen || ce.spam != c.Spam || ce.ham != c.Ham {
				*ce = cachedValueD46{spam: c.Spam, ham: c.Ham, gen: vc.gen, f: fw(c), r: rw(c)}
			}
		}
		// The linear layer's value (the bias gets 0: it is added apart).
		if keys[i] == biasKey {
			xs[i] = 0
		} else {
			var r float64
			if e != nil {
				if !e.rok {
					e.r, e.rok = rw(c), true
				}
				r = e.r
			} else {
				r = ce.r
			}
			xs[i] = r
			norm += r * r
		}
		// The chi-square candidate.
		if !chi || c.Spam == 0 && c.Ham == 0 {
			continue
		}
		var f float64
		if e != nil {
			if !e.fok {
				e.f, e.fok = fw(c), true
			}
			f = e.f
		} else {
			f = ce.f
		}
		dev := math.Abs(f - 0.5)
		if dev < p.MinDev || top.k == 0 {
			continue
		}
		top.s = append(top.s, candD46{dev, f, i})
	}
	var d Decision
	if !chi {
		d = Decision{Prob: 0.5}
	} else {
		d = top.combineMain(used)
	}
	// Σ w·x with x = r / ‖r‖, plus the bias's weight.
	z := 0.0
	if norm != 0 {
		norm = math.Sqrt(norm)
		for i, c := range counts {
			if keys[i] == biasKey {
				z += float64(c.Weight)
			} else {
				z += float64(c.Weight) * (xs[i] / norm)
			}
		}
	} else {
		for i, c := range counts {
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

func (h *topKMain) combineMain(used []Evidence) Decision {
	cs := h.s
	if len(cs) > h.k {
		selectCandsD46(cs, h.k)
		cs = cs[:h.k]
	}
	if len(cs) == 0 {
		return Decision{Prob: 0.5}
	}
	sortCandsD46(cs)
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
	lnA := lnChi2QMain(-2*sumLnF, df)
	lnB := lnChi2QMain(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: used}
}

func lnChi2QMain(x float64, df int) float64 {
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
		if i < len(lnFactTableD46) {
			lnFact = lnFactTableD46[i]
		} else {
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

// sameBits: two decisions are the same bits (NaN included, unlike
// sameDecision's ==).
func sameBits(a, b Decision) bool {
	bits := math.Float64bits
	if bits(a.Prob) != bits(b.Prob) || bits(a.Chi) != bits(b.Chi) || bits(a.Linear) != bits(b.Linear) ||
		bits(a.Margin) != bits(b.Margin) || len(a.Used) != len(b.Used) {
		return false
	}
	for i := range a.Used {
		if a.Used[i].Index != b.Used[i].Index || bits(a.Used[i].Prob) != bits(b.Used[i].Prob) {
			return false
		}
	}
	return true
}

// fuzzDecideInput makes FuzzDecideMain's and FuzzDecideD46's inputs
// from their arguments (see FuzzDecideMain).
func fuzzDecideInput(ts, th uint64, shape uint8, v float64, data []byte) ([]bayesstore.Counts, []uint64, bayesstore.Totals, Params) {
	tot := bayesstore.Totals{Spam: ts, Ham: th}
	n := len(data) / 9
	counts := make([]bayesstore.Counts, n)
	keys := make([]uint64, n)
	for i := range counts {
		b := data[9*i : 9*i+9]
		mode := b[0]
		keys[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
		if mode&0x10 != 0 {
			keys[i] = biasKey
		}
		s := uint32(b[1]) | uint32(b[2])<<8
		h := uint32(b[3]) | uint32(b[4])<<8
		switch mode & 3 {
		case 1:
			s, h = s%8, h%8
		case 2:
			s, h = s<<16|s, h<<16|h
		case 3:
			s, h = ^s, ^h
		}
		if mode&0x20 != 0 {
			s, h = 0, 0
		}
		wb := uint32(b[5]) | uint32(b[6])<<8 | uint32(b[7])<<16 | uint32(b[8])<<24
		switch mode >> 2 & 3 {
		case 1:
			wb = 0
		case 2:
			wb = 1 << 31
		case 3:
			wb &= 1<<31 | 0x7fffff // ±subnormal (or ±0)
		}
		counts[i] = bayesstore.Counts{Spam: s, Ham: h, Weight: math.Float32frombits(wb)}
	}
	p := DefaultParams
	switch shape & 15 {
	case 1:
		p.Strength = v
	case 2:
		p.Prior = v
	case 3:
		p.MinDev = v
	case 4:
		p.Alpha = v
	case 5:
		p.ChiMix = v
	case 6:
		p.MaxFeatures = int(int8(shape))
	case 7:
		p.MinDev = 0
		p.MaxFeatures = 1 + int(shape>>4)
	case 8:
		p.Alpha = 0
	case 9:
		p.MaxFeatures = 0
		p.MinDev = v
	}
	if shape&0x80 != 0 {
		p.MaxFeatures = 1 + int(shape>>4&7)
	}
	return counts, keys, tot, p
}

// FuzzDecideMain: decideKnown gives main's bits (and known count) on any
// input: totals from 0 to 2⁶⁴−1, counts up to 2³²−1, weights of any bits
// (±0, subnormals, ±Inf, NaN), odd Params (NaN, ±Inf, negative, 0: f
// outside [0, 1], NaN devs, ‖r‖ of 0, Inf or NaN). Each 9 bytes make a
// feature: a mode byte, spam and ham (16 bits each, scaled by the mode),
// the weight's bits.
func FuzzDecideMain(f *testing.F) {
	f.Add(uint64(948), uint64(2111), uint8(0), 0.0, []byte("\x00\x01\x00\x02\x00\x00\x00\x80\x3f\x05\x07\x00\x01\x00\x00\x00\x00\x00"))
	f.Add(uint64(3), uint64(1), uint8(7), math.NaN(), []byte("\x09\x07\x00\x01\x00\x00\x00\x00\x80\x31\x00\x00\x00\x00\x01\x00\x00\x00"))
	f.Add(uint64(1<<63), uint64(1), uint8(0x43), 1e-320, []byte("\x02\xff\xff\xff\xff\x00\x00\xc0\x7f\x03\x00\x00\x01\x00\x01\x00\x80\x7f"))
	f.Fuzz(func(t *testing.T, ts, th uint64, shape uint8, v float64, data []byte) {
		counts, keys, tot, p := fuzzDecideInput(ts, th, shape, v, data)
		n := len(counts)
		got, gk := decideKnown(counts, keys, tot, p, nil)
		want, wk := decideKnownMain(counts, keys, tot, p, nil)
		if !sameBits(got, want) || gk != wk {
			t.Fatalf("n %d, shape %#x, v %v: got %+v (known %d)\nwant %+v (known %d)", n, shape, v, got, gk, want, wk)
		}
	})
}

// TestLnChi2QLargeDF: the early stop of lnChi2Q's sum gives main's bits
// where its argument is weakest: many terms (df up to 400,000: MaxFeatures
// 0 on a huge message) with m near k, so that the largest term is inside
// the sum and the terms fall slowly past it, and ln i! is summed far
// beyond its table (its rounding the largest); m just around integers
// (two largest terms), and tiny or huge m.
func TestLnChi2QLargeDF(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for round := 0; round < 300; round++ {
		k := 1 + rng.IntN(1000)
		if round%3 == 0 {
			k = 1000 + rng.IntN(200000)
		}
		var m float64
		switch round % 5 {
		case 0:
			m = float64(k) * (0.2 + rng.Float64())
		case 1:
			m = math.Nextafter(float64(1+rng.IntN(k)), float64(rng.IntN(2)*2*k))
		case 2:
			m = float64(k) - math.Sqrt(float64(k))*rng.Float64()*20
		case 3:
			m = math.Ldexp(rng.Float64(), -rng.IntN(1080))
		default:
			m = rng.ExpFloat64() * float64(k)
		}
		if m <= 0 {
			m = 1
		}
		x := 2 * m
		if got, want := lnChi2Q(x, 2*k), lnChi2QMain(x, 2*k); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("lnChi2Q(%v, %d) = %v, want %v", x, 2*k, got, want)
		}
	}
}

// FuzzLnChi2QMain: lnChi2Q gives main's bits for any x (its bits: NaN,
// ±Inf, subnormals) and df up to 2·65,536.
func FuzzLnChi2QMain(f *testing.F) {
	f.Add(uint64(0x4008000000000000), uint16(150))
	f.Add(uint64(1), uint16(3))
	f.Add(uint64(0x7ff0000000000000), uint16(9))
	f.Fuzz(func(t *testing.T, xb uint64, k uint16) {
		x := math.Float64frombits(xb)
		df := 2 * (1 + int(k))
		if got, want := lnChi2Q(x, df), lnChi2QMain(x, df); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("lnChi2Q(%v, %d) = %v, want %v", x, df, got, want)
		}
	})
}

// TestDecideMatchesMain: decideKnown gives main's bits on large messages
// (the candidates narrowed by the histogram: many more than MaxFeatures)
// with many ties in dev (few distinct counts, so equal devs on both sides
// of the k-th), devs on the histogram's bucket edges, extreme counts and
// weights (±0, subnormal, ±Inf, NaN) and odd Params.
func TestDecideMatchesMain(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	weights := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, 0.5, -0.25}
	for round := 0; round < 600; round++ {
		n := rng.IntN(4000)
		tot := bayesstore.Totals{Spam: uint64(1 + rng.IntN(3000)), Ham: uint64(1 + rng.IntN(3000))}
		switch round % 7 {
		case 1:
			tot.Spam = 0
		case 2:
			tot = bayesstore.Totals{Spam: math.MaxUint64, Ham: 1}
		}
		distinct := 1 + rng.IntN(6)
		if round%2 == 0 {
			distinct = 1000
		}
		counts := make([]bayesstore.Counts, n)
		keys := make([]uint64, n)
		for i := range counts {
			keys[i] = rng.Uint64()
			d := rng.IntN(distinct)
			counts[i] = bayesstore.Counts{Spam: uint32(d * 7 % 40), Ham: uint32(d * 13 % 50)}
			switch rng.IntN(8) {
			case 0:
				counts[i] = bayesstore.Counts{}
			case 1:
				counts[i].Spam = math.MaxUint32 - uint32(rng.IntN(2))
			}
			switch rng.IntN(4) {
			case 0:
				counts[i].Weight = weights[rng.IntN(len(weights))]
			case 1:
				counts[i].Weight = float32(rng.NormFloat64())
			}
		}
		if n > 0 {
			keys[rng.IntN(n)] = biasKey
		}
		p := DefaultParams
		p.MaxFeatures = []int{150, 1, 7, 0, 3999, -1}[round%6]
		switch round % 11 {
		case 1:
			p.MinDev = 0
		case 2:
			p.MinDev = math.NaN()
		case 3:
			p.Prior = 1.7 // f past 1: devs past 0.5
		case 4:
			p.Strength = math.Inf(1)
		case 5:
			p.Alpha = 0
		case 6:
			p.Alpha = 1e-310
		case 7:
			p.ChiMix = math.Inf(-1)
		}
		got, gk := decideKnown(counts, keys, tot, p, nil)
		want, wk := decideKnownMain(counts, keys, tot, p, nil)
		if !sameBits(got, want) || gk != wk {
			t.Fatalf("round %d (n %d, max %d): got %+v (known %d)\nwant %+v (known %d)", round, n, p.MaxFeatures, got, gk, want, wk)
		}
	}
}
