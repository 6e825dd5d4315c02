package engine

import (
	"context"
	"net/netip"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// BenchmarkScanCorpusRBL is a full scan with every default analyzer and
// every DNS list on (HBL included, resolver cache off), answered by a
// loopback DNS server; compare with BenchmarkScanCorpusNoRBL (the same
// envelope and DNS server, lists off). Run with -cpu 1.
func BenchmarkScanCorpusRBL(b *testing.B) { benchRBL(b, true) }

// BenchmarkScanCorpusNoRBL is BenchmarkScanCorpusRBL with the lists off.
func BenchmarkScanCorpusNoRBL(b *testing.B) { benchRBL(b, false) }

func benchRBL(b *testing.B, on bool) {
	msgs := corpusFiles(b)
	s := dnstest.Start(b)
	cfg := testConfig(b)
	cfg.Auth.DNSServers = []string{s.Addr}
	cfg.RBL.Enabled = on
	cfg.RBL.DNSServers = []string{s.Addr}
	cfg.RBL.Lists = config.RBLBuiltins
	cfg.RBL.DQSKey = "benchkey"
	cfg.RBL.CacheEntries = 0
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
