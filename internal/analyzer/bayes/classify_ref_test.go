package bayes

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// The classifier's arithmetic before the allocation-free rewrite (issue
// 17), kept to prove the rewrite gives the same bits.

func combineRef(counts []bayesstore.Counts, tot bayesstore.Totals, p Params) Decision {
	ns, nh := float64(tot.Spam), float64(tot.Ham)
	if ns == 0 || nh == 0 {
		return Decision{Prob: 0.5}
	}
	cand := make([]Evidence, 0, len(counts))
	for i, c := range counts {
		if c.Spam == 0 && c.Ham == 0 {
			continue
		}
		b := math.Min(float64(c.Spam)/ns, 1)
		g := math.Min(float64(c.Ham)/nh, 1)
		pw := b / (b + g)
		n := float64(c.Spam) + float64(c.Ham)
		f := (float64(p.Strength*p.Prior) + float64(n*pw)) / (p.Strength + n)
		if math.Abs(f-0.5) < p.MinDev {
			continue
		}
		cand = append(cand, Evidence{Index: i, Prob: f})
	}
	sort.Slice(cand, func(i, j int) bool {
		di, dj := math.Abs(cand[i].Prob-0.5), math.Abs(cand[j].Prob-0.5)
		if di != dj {
			return di > dj
		}
		return cand[i].Index < cand[j].Index
	})
	if p.MaxFeatures > 0 && len(cand) > p.MaxFeatures {
		cand = cand[:p.MaxFeatures]
	}
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
	lnA := lnChi2QRef(-2*sumLnF, df)
	lnB := lnChi2QRef(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: cand}
}

func lnChi2QRef(x float64, df int) float64 {
	if x <= 0 {
		return 0
	}
	m := x / 2
	k := df / 2
	lnM := math.Log(m)
	maxT := math.Inf(-1)
	terms := make([]float64, k)
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

func featureValuesRef(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, alpha float64, xs []float64) {
	ns, nh := float64(tot.Spam), float64(tot.Ham)
	norm := 0.0
	for i, c := range counts {
		if keys[i] == biasKey {
			xs[i] = 0
			continue
		}
		r := math.Log((float64(c.Spam) + alpha) / (ns + 2*alpha) / ((float64(c.Ham) + alpha) / (nh + 2*alpha)))
		xs[i] = r
		norm += r * r
	}
	if norm == 0 {
		return
	}
	norm = math.Sqrt(norm)
	for i := range xs {
		xs[i] /= norm
	}
}

func decideRef(counts []bayesstore.Counts, keys []uint64, tot bayesstore.Totals, p Params) Decision {
	d := combineRef(counts, tot, p)
	xs := make([]float64, len(keys))
	featureValuesRef(counts, keys, tot, p.Alpha, xs)
	d.Linear = linearScore(counts, keys, xs)
	d.Margin = d.Linear + p.ChiMix*d.Chi
	return d
}

func sameDecision(a, b Decision) bool {
	bits := math.Float64bits
	return bits(a.Prob) == bits(b.Prob) && bits(a.Chi) == bits(b.Chi) && bits(a.Linear) == bits(b.Linear) &&
		bits(a.Margin) == bits(b.Margin) && slices.Equal(a.Used, b.Used)
}

// TestDecideMatchesReference: decide gives the reference's bits on random
// messages: small counts (repeated values, ties in the ranking), large
// ones, the bias, every MaxFeatures shape.
func TestDecideMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	var used []Evidence
	for round := 0; round < 400; round++ {
		n := rng.IntN(3000)
		if round%10 == 0 {
			n = rng.IntN(5)
		}
		tot := bayesstore.Totals{Spam: uint64(1 + rng.IntN(3000)), Ham: uint64(1 + rng.IntN(3000))}
		if round%3 != 0 {
			// The same totals several rounds running, large counts from a
			// small range: the value cache's hits and collisions.
			tot = bayesstore.Totals{Spam: 948, Ham: 2111}
		}
		counts := make([]bayesstore.Counts, n)
		keys := make([]uint64, n)
		for i := range counts {
			keys[i] = rng.Uint64()
			switch rng.IntN(5) {
			case 0: // unseen
			case 1, 2:
				counts[i] = bayesstore.Counts{Spam: uint32(rng.IntN(10)), Ham: uint32(rng.IntN(10))}
			case 3:
				counts[i] = bayesstore.Counts{Spam: uint32(8 + rng.IntN(40)), Ham: uint32(rng.IntN(40))}
			default:
				counts[i] = bayesstore.Counts{Spam: uint32(rng.IntN(int(tot.Spam) + 5)), Ham: uint32(rng.IntN(int(tot.Ham) + 5))}
			}
			counts[i].Weight = float32(rng.NormFloat64() / 10)
		}
		if n > 0 {
			keys[rng.IntN(n)] = biasKey
		}
		p := DefaultParams
		switch round % 5 {
		case 1:
			p.MaxFeatures = 0
		case 2:
			p.MaxFeatures = 1
		case 3:
			p.MaxFeatures = 10000
		case 4:
			p.MinDev = 0
		}
		// Every other round into a reused evidence buffer.
		var buf []Evidence
		if round%2 == 1 {
			buf = used
		}
		got, want := decide(counts, keys, tot, p, buf), decideRef(counts, keys, tot, p)
		if round%2 == 1 && got.Used != nil {
			used = got.Used
		}
		if !sameDecision(got, want) {
			t.Fatalf("round %d (n %d, max %d): got %+v\nwant %+v", round, n, p.MaxFeatures, got, want)
		}
		wantKnown := 0
		for _, c := range counts {
			if c.Spam+c.Ham >= 2 {
				wantKnown++
			}
		}
		if _, k := decideKnown(counts, keys, tot, p, nil); k != wantKnown {
			t.Fatalf("round %d: known %d, want %d", round, k, wantKnown)
		}
	}
	if d := decide(nil, nil, bayesstore.Totals{}, DefaultParams, nil); !sameDecision(d, decideRef(nil, nil, bayesstore.Totals{}, DefaultParams)) {
		t.Fatalf("empty: %+v", d)
	}
}

// TestLnChi2QMatchesReference: the table of ln i! gives the bits of the
// sum computed in the loop, within the table and beyond it.
func TestLnChi2QMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 19))
	for round := 0; round < 20000; round++ {
		df := 2 * (1 + rng.IntN(400))
		x := rng.ExpFloat64() * float64(df) * math.Pow(10, rng.Float64()*4-2)
		if round%100 == 0 {
			x = 0
		}
		if got, want := lnChi2Q(x, df), lnChi2QRef(x, df); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("lnChi2Q(%v, %d) = %v, want %v", x, df, got, want)
		}
	}
}

// TestSortCands: sortCands gives the order of sorting by moreTelling, for
// every length up to past its quicksort's limit, with many ties in dev.
func TestSortCands(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 700; n += 1 + n/20 {
		for round := 0; round < 20; round++ {
			s := make([]cand, n)
			for i := range s {
				dev := rng.Float64() / 2
				if round%2 == 0 {
					dev = float64(rng.IntN(4)) / 8
				}
				s[i] = cand{dev: dev, f: rng.Float64(), i: rng.IntN(1 << 20)}
			}
			rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
			// Distinct indexes (as decide's are).
			seen := map[int]bool{}
			for i := range s {
				for seen[s[i].i] {
					s[i].i++
				}
				seen[s[i].i] = true
			}
			want := slices.Clone(s)
			slices.SortFunc(want, func(a, b cand) int {
				if a.dev != b.dev {
					if a.dev > b.dev {
						return -1
					}
					return 1
				}
				return a.i - b.i
			})
			sortCands(s)
			if !slices.Equal(s, want) {
				t.Fatalf("n %d round %d: order differs", n, round)
			}
		}
	}
}

// TestSelectCands: selectCands puts the k most telling first, for every
// k, on random orders, many ties in dev, and the orders that make a
// median-of-three quickselect slow (sorted, reversed, organ pipe).
func TestSelectCands(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 1; n < 400; n += 1 + n/10 {
		for round := 0; round < 8; round++ {
			s := make([]cand, n)
			for i := range s {
				dev := rng.Float64() / 2
				if round%2 == 0 {
					dev = float64(rng.IntN(5)) / 10
				}
				s[i] = cand{dev: dev, f: dev, i: i}
			}
			switch round {
			case 1:
				sortCands(s)
			case 3:
				sortCands(s)
				slices.Reverse(s)
			case 5:
				sortCands(s)
				slices.Reverse(s[n/2:])
			default:
				rng.Shuffle(n, func(i, j int) { s[i], s[j] = s[j], s[i] })
			}
			want := slices.Clone(s)
			sortCands(want)
			for _, k := range []int{0, 1, n / 3, n - 1, n} {
				got := slices.Clone(s)
				selectCands(got, k)
				sortCands(got[:k])
				if !slices.Equal(got[:k], want[:k]) {
					t.Fatalf("n %d round %d k %d: not the k most telling", n, round, k)
				}
			}
		}
	}
}

// FuzzDecideReference: decide (its shortcuts: the unseen features' value,
// the weights of 0 left out of Σ w·x, the candidates narrowed by their
// histogram before the quickselect) gives the reference's bits. Each 4
// bytes make a feature: its counts (small, or spread over the totals),
// its weight (0 and −0 among them) and whether it is the bias.
func FuzzDecideReference(f *testing.F) {
	f.Add(uint16(948), uint16(2111), uint8(0), []byte("\x01\x02\x00\x10\x00\x00\x00\x00\xff\xff\x80\x01"))
	f.Add(uint16(3), uint16(1), uint8(2), []byte("\x07\x00\x01\x00\x00\x07\x00\x00\x03\x03\x03\x03"))
	f.Fuzz(func(t *testing.T, spam, ham uint16, shape uint8, data []byte) {
		tot := bayesstore.Totals{Spam: uint64(spam), Ham: uint64(ham)}
		n := len(data) / 4
		counts := make([]bayesstore.Counts, n)
		keys := make([]uint64, n)
		for i := range counts {
			b := data[4*i : 4*i+4]
			keys[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
			if b[3]&0x80 != 0 && b[3]&0x40 != 0 {
				keys[i] = biasKey
			}
			s, h := uint32(b[0]), uint32(b[1])
			if b[2]&1 != 0 { // small counts: ties
				s, h = s%8, h%8
			} else if b[2]&2 != 0 { // spread over the totals
				s, h = s*uint32(spam)/255, h*uint32(ham)/255
			}
			w := float32(int8(b[3]&0x3f<<2)) / 64
			switch b[2] >> 6 {
			case 0:
				w = 0
			case 1:
				w = float32(math.Copysign(0, -1))
			}
			counts[i] = bayesstore.Counts{Spam: s, Ham: h, Weight: w}
		}
		p := DefaultParams
		switch shape % 6 {
		case 1:
			p.MaxFeatures = 0
		case 2:
			p.MaxFeatures = 1
		case 3:
			p.MaxFeatures = 1 + int(shape)/6
		case 4:
			p.MinDev = 0
		case 5:
			p.MaxFeatures = 5
			p.MinDev = 0.3
		}
		got, want := decide(counts, keys, tot, p, nil), decideRef(counts, keys, tot, p)
		if !sameDecision(got, want) {
			t.Fatalf("n %d, shape %d: got %+v\nwant %+v", n, shape, got, want)
		}
	})
}

// TestRankedEdges: ranked gives the k most telling in order, on devs
// with many ties, on the edges of the buckets and of their range.
func TestRankedEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for round := 0; round < 2000; round++ {
		n := 1 + rng.IntN(1500)
		s := make([]cand, n)
		for i := range s {
			dev := rng.Float64() / 2
			switch round % 4 {
			case 0:
				dev = float64(rng.IntN(6)) / 10
			case 1:
				dev = 0.5 - float64(rng.IntN(3))*1e-17
			case 2:
				dev = math.Nextafter(float64(rng.IntN(devBuckets))/(2*devBuckets-2), float64(rng.IntN(2)))
			}
			s[i] = mkCand(dev, dev, i)
		}
		k := 1 + rng.IntN(n)
		want := slices.Clone(s)
		sortCands(want)
		var h topK
		h.reset(k)
		for _, c := range s {
			h.count(c)
		}
		if h.wild {
			// A dev past 0.5 (a bucket edge nudged up): combine does
			// not rank these.
			continue
		}
		h.s = slices.Clone(s)
		got := h.ranked()
		if !slices.Equal(got, want[:min(k, n)]) {
			t.Fatalf("round %d (n %d, k %d): the k most telling differ", round, n, k)
		}
	}
}

// FuzzLnChi2QReference: lnChi2Q (its sum stopped once the terms past the
// largest no longer change it) gives the reference's bits.
func FuzzLnChi2QReference(f *testing.F) {
	f.Add(3.0, uint16(150))
	f.Add(1380.0, uint16(150))
	f.Add(1e-300, uint16(1))
	f.Fuzz(func(t *testing.T, x float64, k uint16) {
		df := 2 * (1 + int(k)%600)
		if got, want := lnChi2Q(x, df), lnChi2QRef(x, df); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("lnChi2Q(%v, %d) = %v, want %v", x, df, got, want)
		}
	})
}
