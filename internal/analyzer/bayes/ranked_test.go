package bayes

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// mkCand is a candidate as decide collects it: with its bucket
// (wildCand for a dev past 0.5 or NaN).
func mkCand(dev, f float64, i int) cand {
	b := int32(wildCand)
	if dev <= 0.5 {
		b = int32(devBucket(dev))
	}
	return cand{dev: dev, f: f, i: i, b: b}
}

// count enters c in the histogram (or marks h wild), as decide does
// without skipping.
func (h *topK) count(c cand) {
	if c.b == wildCand {
		h.wild = true
	} else {
		h.hist[c.b]++
	}
}

// push collects c as decide does without skipping.
func (h *topK) push(c cand) {
	h.s = append(h.s, c)
	h.count(c)
}

// TestRanked: ranked gives the k most telling candidates in sortCands'
// order, for candidates collected in index order with many ties, devs
// spread within one bucket (ascending, so that the insertion sort moves
// every one and gives way to sortCands), and every k.
func TestRanked(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const w = 0.5 / (2*devBuckets - 2) // a bucket's width
	for _, n := range []int{1, 2, 3, 10, 100, 151, 500, 3000} {
		for shape := range 5 {
			s := make([]cand, n)
			for i := range s {
				var dev float64
				switch shape {
				case 0:
					dev = rng.Float64() / 2
				case 1:
					dev = float64(rng.IntN(5)) / 10
				case 2: // one bucket, rising: the worst order for insertion
					dev = 0.3 + w*float64(i)/float64(n+1)
				case 3: // two buckets, falling then rising
					dev = 0.4 + w*float64(i%2) + w*float64(n-i)/float64(4*n)
				case 4:
					dev = 0.5
				}
				s[i] = mkCand(dev, 0.5+dev, i)
			}
			want := slices.Clone(s)
			sortCands(want)
			for _, k := range []int{1, 2, 7, 150, n - 1, n, n + 1} {
				if k <= 0 {
					continue
				}
				var h topK
				h.reset(k)
				for _, c := range s {
					h.push(c)
				}
				got := h.ranked()
				if !slices.Equal(got, want[:min(k, n)]) {
					t.Fatalf("n %d shape %d k %d: order differs", n, shape, k)
				}
			}
		}
	}
}
