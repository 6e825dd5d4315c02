package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	ifeed "github.com/sekisho/sekisho/internal/feed"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func corpus(b *testing.B) []*mail.Message {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		b.Skip("SEKISHO_CORPUS not set")
	}
	var out []*mail.Message
	for _, sub := range []string{"all/ham", "all/spam"} {
		fs, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		n := 0
		for _, f := range fs {
			if raw, err := os.ReadFile(f); err == nil {
				out = append(out, mail.Parse(raw, mail.Limits{}))
				n++
			}
			if n >= 1000 {
				break
			}
		}
	}
	if len(out) == 0 {
		b.Skip("empty corpus")
	}
	return out
}

// indicators makes n indicators of every kind in the mix a real feed set
// has (40% domains, 30% URLs, 10% addresses and prefixes, 10% e-mail
// addresses, 10% file hashes).
func indicators(n int) []ifeed.Indicator {
	out := make([]ifeed.Indicator, 0, n)
	for i := 0; i < n; i++ {
		var t ifeed.Term
		switch i % 10 {
		case 0, 1, 2, 3:
			t = ifeed.Term{Kind: ifeed.KindDomain, Value: fmt.Sprintf("bad%d.example", i)}
		case 4, 5, 6:
			t = ifeed.Term{Kind: ifeed.KindURL, Value: fmt.Sprintf("http://host%d.example/p/%d", i%5000, i)}
		case 7:
			if i%20 == 7 {
				t = ifeed.Term{Kind: ifeed.KindIP, Value: fmt.Sprintf("198.%d.%d.0/%d", (i/256)%256, i%256, 20+i%5)}
				t.Value = ifeed.NormIP(t.Value)
			} else {
				t = ifeed.Term{Kind: ifeed.KindIP, Value: fmt.Sprintf("203.%d.%d.%d", (i/65536)%256, (i/256)%256, i%256)}
			}
		case 8:
			t = ifeed.Term{Kind: ifeed.KindEmail, Value: fmt.Sprintf("drop%d@mail%d.example", i, i%300)}
		case 9:
			h := sha256.Sum256([]byte(fmt.Sprint(i)))
			t = ifeed.Term{Kind: ifeed.KindSHA256, Value: hex.EncodeToString(h[:])}
		}
		out = append(out, ifeed.Indicator{Ref: fmt.Sprint(i), Terms: []ifeed.Term{t}})
	}
	return out
}

// BenchmarkAnalyzeCorpus is the feed analyzer alone with 100,000
// indicators loaded, on 2,000 SpamAssassin corpus messages parsed
// beforehand (MD5, SHA-1 and SHA-256 of attachments included).
func BenchmarkAnalyzeCorpus(b *testing.B) {
	msgs := corpus(b)
	feeds := []config.Feed{{Name: "bench", Type: "list", Path: "x"}}
	a := NewWithMatcher(feeds, ifeed.NewMatcher(map[string][]ifeed.Indicator{"bench": indicators(100000)}))
	ctx := context.Background()
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m.Raw))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		a.Analyze(ctx, pipeline.NewTask("b", m, pipeline.Envelope{}, nil))
	}
	b.ReportMetric(float64(bytes)/float64(len(msgs)), "bytes/msg")
}

// BenchmarkLoad100k is building the index from the SQLite store (what a
// start or a reload after an update costs) with 100,000 indicators.
func BenchmarkLoad100k(b *testing.B) {
	ctx := context.Background()
	st, err := ifeed.OpenStore(ctx, filepath.Join(b.TempDir(), "feeds.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	if _, err := st.Apply(ctx, "bench", &ifeed.Batch{Indicators: indicators(100000)}, true, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("storing 100k indicators: %v", time.Since(start))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []ifeed.Row
		st.Each(ctx, time.Now(), func(r ifeed.Row) { rows = append(rows, r) })
		ifeed.NewMatcher(ifeed.Indicators(rows))
	}
}
