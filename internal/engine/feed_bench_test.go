package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/feed"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// BenchmarkScanCorpusFeeds is a full scan of corpus messages with one
// feed of 100,000 indicators loaded from the store (40% domains, 30%
// URLs, 10% addresses and prefixes, 10% e-mail addresses, 10% SHA-256);
// BenchmarkScanCorpusNoFeeds is the same without it.
func BenchmarkScanCorpusFeeds(b *testing.B) { benchFeeds(b, true) }

// BenchmarkScanCorpusNoFeeds is BenchmarkScanCorpusFeeds without feeds.
func BenchmarkScanCorpusNoFeeds(b *testing.B) { benchFeeds(b, false) }

func benchFeeds(b *testing.B, on bool) {
	msgs := corpusFiles(b)
	cfg := testConfig(b)
	cfg.Auth.DNSServers = []string{dnstest.Start(b).Addr}
	if on {
		cfg.Feeds = []config.Feed{{Name: "bench", Type: "list", Path: "/nonexistent"}}
		st, err := feed.OpenStore(context.Background(), feed.StorePath(cfg.General.DataDir))
		if err != nil {
			b.Fatal(err)
		}
		inds := make([]feed.Indicator, 0, 100000)
		for i := 0; i < 100000; i++ {
			var t feed.Term
			switch i % 10 {
			case 0, 1, 2, 3:
				t = feed.Term{Kind: feed.KindDomain, Value: fmt.Sprintf("bad%d.example", i)}
			case 4, 5, 6:
				t = feed.Term{Kind: feed.KindURL, Value: fmt.Sprintf("http://host%d.example/p/%d", i%5000, i)}
			case 7:
				t = feed.Term{Kind: feed.KindIP, Value: feed.NormIP(fmt.Sprintf("198.%d.%d.0/%d", (i/256)%256, i%256, 20+i%5))}
			case 8:
				t = feed.Term{Kind: feed.KindEmail, Value: fmt.Sprintf("drop%d@mail%d.example", i, i%300)}
			case 9:
				h := sha256.Sum256([]byte(fmt.Sprint(i)))
				t = feed.Term{Kind: feed.KindSHA256, Value: hex.EncodeToString(h[:])}
			}
			inds = append(inds, feed.Indicator{Ref: fmt.Sprint(i), Terms: []feed.Term{t}})
		}
		if _, err := st.Apply(context.Background(), "bench", &feed.Batch{Indicators: inds}, true, time.Now()); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	e, err := New(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	env := pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2"), Helo: "client.example", MailFrom: "a@sender.example"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Scan(context.Background(), msgs[i%len(msgs)], env)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
