package bayes

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// oldNarrow / oldCombine: main's code, verbatim.
func (h *topK) oldNarrow(s []cand) []cand {
	if h.wild {
		return s
	}
	need, sum := uint32(h.k), uint32(0)
	t := devBuckets - 1
	for ; t > 0; t-- {
		if sum += h.hist[t]; sum >= need {
			break
		}
	}
	if t == 0 {
		return s
	}
	n := 0
	for _, c := range s {
		if devBucket(c.dev) >= t {
			s[n] = c
			n++
		}
	}
	return s[:n]
}

func (h *topK) oldCombine(used []Evidence) Decision {
	cs := h.s
	if len(cs) > h.k {
		cs = h.oldNarrow(cs)
		selectCands(cs, h.k)
		cs = cs[:h.k]
	}
	if len(cs) == 0 {
		return Decision{Prob: 0.5}
	}
	sortCands(cs)
	if cap(used) < len(cs) {
		used = make([]Evidence, len(cs))
	}
	used = used[:len(cs)]
	var sumLnF, sumLn1F float64
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
	lnA := lnChi2Q(-2*sumLnF, df)
	lnB := lnChi2Q(-2*sumLn1F, df)
	prob := (1 + math.Exp(lnA) - math.Exp(lnB)) / 2
	return Decision{Prob: prob, Chi: lnA - lnB, Used: used}
}

func genDev(mode, v byte, r *rand.Rand) float64 {
	const w = 2*devBuckets - 2
	b := float64(int(v)*4 + int(mode>>4)&3) // bucket index 0..1023
	switch mode & 15 {
	case 0, 1, 2: // exactly on a bucket's edge, and its neighbours
		e := b / w
		switch mode & 15 {
		case 1:
			e = math.Nextafter(e, 0)
		case 2:
			e = math.Nextafter(e, 1)
		}
		return math.Min(e, 0.5)
	case 3:
		return 0.5
	case 4:
		return 0
	case 5:
		return math.Nextafter(0.5, 1) // wild
	case 6:
		return math.NaN()
	case 7: // few distinct values: ties
		return float64(v%5) / 10
	case 8:
		return float64(v%3)/w + 0.25
	case 9:
		return r.Float64() / 2
	case 10:
		return math.Copysign(0, -1)
	case 11:
		return math.Inf(1)
	case 12: // the same dev, different buckets' neighbours
		return (b + 0.5) / w
	default:
		return float64(v) / 256 / 2
	}
}

// checkLogs is the log cache of checkRanked's combine, kept from one
// input to the next (as a pooled decideBuf's is from message to message).
var checkLogs logCache

func checkRanked(t *testing.T, data []byte, k int, seed uint64, shuffle bool) {
	lc := &checkLogs
	r := rand.New(rand.NewPCG(seed, 1))
	var s []cand
	for j := 0; j+1 < len(data); j += 2 {
		dev := genDev(data[j], data[j+1], r)
		f := 0.5 + dev
		if data[j+1]&1 == 1 {
			f = 0.5 - dev
		}
		s = append(s, mkCand(dev, f, len(s)))
	}
	if shuffle {
		r.Shuffle(len(s), func(a, b int) { s[a], s[b] = s[b], s[a] })
	}
	if k <= 0 {
		k = 1
	}
	var a, b topK
	a.reset(k)
	b.reset(k)
	for _, c := range s {
		a.push(c)
		b.push(c)
	}
	if !a.wild {
		nonWild++
	}
	got := a.combine(nil, lc)
	want := b.oldCombine(nil)
	if math.Float64bits(got.Prob) != math.Float64bits(want.Prob) || math.Float64bits(got.Chi) != math.Float64bits(want.Chi) ||
		!slices.EqualFunc(got.Used, want.Used, func(x, y Evidence) bool {
			return x.Index == y.Index && math.Float64bits(x.Prob) == math.Float64bits(y.Prob)
		}) {
		t.Fatalf("n %d k %d: got %v %v used %v, want %v %v used %v", len(s), k, got.Prob, got.Chi, got.Used, want.Prob, want.Chi, want.Used)
	}
	// Reuse of the same topK (pool): a second round from reset.
	a.reset(k)
	for _, c := range s {
		a.push(c)
	}
	got2 := a.combine(nil, nil)
	if !slices.EqualFunc(got2.Used, got.Used, func(x, y Evidence) bool {
		return x.Index == y.Index && math.Float64bits(x.Prob) == math.Float64bits(y.Prob)
	}) {
		t.Fatalf("second round differs")
	}
}

func FuzzRankedMatchesOld(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 2, 1, 3, 0, 7, 3, 7, 3}, uint16(2), uint64(1), false)
	f.Add([]byte{6, 0, 0, 5, 9, 9}, uint16(1), uint64(2), true)
	f.Add(make([]byte, 600), uint16(150), uint64(3), false)
	f.Fuzz(func(t *testing.T, data []byte, k uint16, seed uint64, shuffle bool) {
		checkRanked(t, data, int(k), seed, shuffle)
	})
}

var nonWild int

// TestRankedMatchesOldRandom: many random inputs, big n.
func TestRankedMatchesOldRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 43))
	rounds := 20000
	if testing.Short() {
		rounds = 2000
	}
	for round := 0; round < rounds; round++ {
		n := 1 + r.IntN(3000)
		if round%3 == 0 {
			n = 1 + r.IntN(40)
		}
		data := make([]byte, 2*n)
		modes := r.IntN(16)
		for j := range data {
			data[j] = byte(r.Uint32())
			if j%2 == 0 && modes < 4 {
				data[j] = data[j]&0xf0 | byte(modes)
			} else if j%2 == 0 && modes < 12 {
				nw := []byte{0, 1, 2, 3, 4, 7, 8, 9, 10, 12, 13}
				data[j] = data[j]&0xf0 | nw[r.IntN(len(nw))]
			}
		}
		ks := []int{1, 2, 8, 150, n - 1, n, n + 1, 1 + r.IntN(n+5)}
		checkRanked(t, data, ks[r.IntN(len(ks))], r.Uint64(), r.IntN(4) == 0)
	}
	t.Logf("non-wild rounds: %d", nonWild)
}
