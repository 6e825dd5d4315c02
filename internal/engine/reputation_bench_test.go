package engine

import (
	"context"
	"net/netip"
	"syscall"
	"testing"
	"time"

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
	// CPU time (user + system of the process) per message: on a loaded
	// shared host the wall time says more about the neighbours.
	var r0, r1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Scan(context.Background(), msgs[i%len(msgs)], env)
	}
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
