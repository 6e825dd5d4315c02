package engine

import (
	"context"
	"net/netip"
	"testing"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// BenchmarkScanCorpusRepFuzzy is a full scan of live mail (FlowMail: the
// observers record reputation, bulk counters and campaigns after each
// verdict) with learned reputation and campaign hashes on, in their
// embedded SQLite stores, a campaign learned; compare with
// BenchmarkScanCorpusNoRepFuzzy. Run with -cpu 1.
func BenchmarkScanCorpusRepFuzzy(b *testing.B) { benchRepFuzzy(b, "sqlite") }

// BenchmarkScanCorpusRepFuzzyRedis is the same with both stores in a
// loopback redis-server.
func BenchmarkScanCorpusRepFuzzyRedis(b *testing.B) { benchRepFuzzy(b, "redis") }

// BenchmarkScanCorpusNoRepFuzzy is the baseline: both off.
func BenchmarkScanCorpusNoRepFuzzy(b *testing.B) { benchRepFuzzy(b, "") }

func benchRepFuzzy(b *testing.B, backend string) {
	msgs := corpusFiles(b)
	cfg := testConfig(b)
	cfg.Auth.DNSServers = []string{dnstest.Start(b).Addr}
	if backend != "" {
		cfg.Reputation.Enabled, cfg.Fuzzy.Enabled = true, true
	}
	if backend == "redis" {
		url := redistest.Start(b)
		cfg.Reputation.Redis, cfg.Fuzzy.Redis = url, url
	}
	e, err := New(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if backend != "" {
		for i := 0; i < 3; i++ {
			if err := e.Learn(context.Background(), testutil.Campaign(1, i), true); err != nil {
				b.Fatal(err)
			}
		}
	}
	env := pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2"), Helo: "client.example", MailFrom: "a@sender.example",
		Rcpts: []string{"u@example.jp"}, Frontend: pipeline.FrontendMilter, Flow: pipeline.FlowMail}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Scan(context.Background(), msgs[i%len(msgs)], env)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
