package bayes

import (
	"context"
	"sync"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// saLookups is the SA test split's features (keys) and their counts in
// the store saScoreSetup opens, made once per test binary.
var saLookups struct {
	once   sync.Once
	keys   [][]uint64
	counts [][]bayesstore.Counts
	tot    bayesstore.Totals
}

func saLookupSetup(b *testing.B) (*Classifier, [][]uint64, [][]bayesstore.Counts, bayesstore.Totals) {
	c, test := saScoreSetup(b)
	saLookups.once.Do(func() {
		ctx := context.Background()
		tot, err := c.st.Totals(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		saLookups.tot = tot
		for _, m := range test {
			keys := tokenize.Message(m, nil, c.opts()).Keys()
			counts := make([]bayesstore.Counts, len(keys))
			if err := c.st.Lookup(ctx, "", keys, counts); err != nil {
				b.Fatal(err)
			}
			saLookups.keys = append(saLookups.keys, keys)
			saLookups.counts = append(saLookups.counts, counts)
		}
	})
	return c, saLookups.keys, saLookups.counts, saLookups.tot
}

// BenchmarkDecideSA: decideKnown over the SA test split's counts (the
// store trained on the train split): the classifier's decision alone,
// one message an operation.
func BenchmarkDecideSA(b *testing.B) {
	c, keys, counts, tot := saLookupSetup(b)
	used := make([]Evidence, 0, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(keys)
		d, _ := decideKnown(counts[j], keys[j], tot, c.params, used[:0])
		used = d.Used
	}
}

// BenchmarkLookupSA: the store's lookups of the SA test split's features,
// one message an operation.
func BenchmarkLookupSA(b *testing.B) {
	c, keys, _, _ := saLookupSetup(b)
	n := 0
	for _, k := range keys {
		n = max(n, len(k))
	}
	out := make([]bayesstore.Counts, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i%len(keys)]
		out = out[:len(k)]
		if err := c.st.Lookup(ctx, "", k, out); err != nil {
			b.Fatal(err)
		}
	}
}
