package tune

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Scored is one message after scoring.
type Scored struct {
	Spam    bool
	Score   float64
	Flagged bool // the policy's action was not accept
}

// Metrics are the figures of one weight table on one labelled set.
type Metrics struct {
	Ham    int     `json:"ham"`
	Spam   int     `json:"spam"`
	FP     int     `json:"fp"`
	FN     int     `json:"fn"`
	FPRate float64 `json:"fp_rate"`
	Recall float64 `json:"recall"`
	AUC    float64 `json:"auc"`
	// RecallAtFP0 is the share of spam scoring above every ham, and
	// ThresholdAtFP0 that highest ham score.
	RecallAtFP0    float64 `json:"recall_at_fp0"`
	ThresholdAtFP0 float64 `json:"threshold_at_fp0"`
	// TargetFP is the share of ham allowed to be flagged; RecallAtTarget
	// is the recall with a threshold just above ThresholdAtTarget, the
	// highest ham score that keeps false positives within the target.
	TargetFP          float64 `json:"target_fp"`
	RecallAtTarget    float64 `json:"recall_at_target"`
	ThresholdAtTarget float64 `json:"threshold_at_target"`
}

// Measure computes the metrics of a scored set. targetFP is the share of
// ham that may be flagged for RecallAtTarget (0.001 allows one in 1,000).
func Measure(all []Scored, targetFP float64) Metrics {
	m := Metrics{TargetFP: targetFP}
	var ham, spam []float64
	for _, s := range all {
		if s.Spam {
			m.Spam++
			spam = append(spam, s.Score)
			if !s.Flagged {
				m.FN++
			}
		} else {
			m.Ham++
			ham = append(ham, s.Score)
			if s.Flagged {
				m.FP++
			}
		}
	}
	m.FPRate = ratio(m.FP, m.Ham)
	m.Recall = ratio(m.Spam-m.FN, m.Spam)
	m.AUC = AUC(ham, spam)
	m.RecallAtFP0, m.ThresholdAtFP0 = RecallAtFP(ham, spam, 0)
	m.RecallAtTarget, m.ThresholdAtTarget = RecallAtFP(ham, spam, int(math.Floor(targetFP*float64(len(ham)))))
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AUC is the probability that a random spam scores above a random ham
// (ties count half): the Mann-Whitney U statistic, normalised.
func AUC(ham, spam []float64) float64 {
	if len(ham) == 0 || len(spam) == 0 {
		return 0
	}
	type p struct {
		s    float64
		spam bool
	}
	all := make([]p, 0, len(ham)+len(spam))
	for _, s := range ham {
		all = append(all, p{s, false})
	}
	for _, s := range spam {
		all = append(all, p{s, true})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s < all[j].s })
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].spam {
				rankSum += avg
			}
		}
		i = j
	}
	ns, nh := float64(len(spam)), float64(len(ham))
	return (rankSum - ns*(ns+1)/2) / (ns * nh)
}

// RecallAtFP is the share of spam scoring strictly above the (k+1)-th
// highest ham score, the threshold that flags at most k ham; it returns
// that score too (−Inf when there are no more than k ham).
func RecallAtFP(ham, spam []float64, k int) (recall, threshold float64) {
	h := append([]float64(nil), ham...)
	sort.Sort(sort.Reverse(sort.Float64Slice(h)))
	threshold = math.Inf(-1)
	if k >= 0 && k < len(h) {
		threshold = h[k]
	}
	if len(spam) == 0 {
		return 0, threshold
	}
	n := 0
	for _, s := range spam {
		if s > threshold {
			n++
		}
	}
	return float64(n) / float64(len(spam)), threshold
}

// WriteWeights writes a weights file as [policy] weights_file reads it:
// the header lines as comments, then a [weights] table sorted by name.
func WriteWeights(w io.Writer, header []string, weights map[string]float64) error {
	bw := bufio.NewWriter(w)
	for _, h := range header {
		fmt.Fprintf(bw, "# %s\n", strings.NewReplacer("\r", " ", "\n", " ").Replace(h))
	}
	names := make([]string, 0, len(weights))
	for n := range weights {
		names = append(names, n)
	}
	sort.Strings(names)
	bw.WriteString("[weights]\n")
	for _, n := range names {
		fmt.Fprintf(bw, "%s = %s\n", n, formatWeight(weights[n]))
	}
	return bw.Flush()
}

// formatWeight writes a TOML float with at most two decimals.
func formatWeight(f float64) string {
	s := strconv.FormatFloat(Round2(f), 'f', -1, 64)
	for _, c := range s {
		if c == '.' {
			return s
		}
	}
	return s + ".0"
}
