package rbl

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
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
		fs, _ := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		for _, f := range fs {
			if raw, err := os.ReadFile(f); err == nil {
				out = append(out, mail.Parse(raw, mail.Limits{}))
			}
			if len(out) >= 2000 {
				break
			}
		}
	}
	if len(out) == 0 {
		b.Skip("empty corpus")
	}
	return out
}

// BenchmarkAnalyzeCorpus is the rbl analyzer alone with every list on
// (HBL included) against a loopback DNS server: "uncached" sends every
// query, "cached" is a warm resolver cache. Messages are parsed beforehand.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	msgs := corpus(b)
	s := dnstest.Start(b)
	for _, cache := range []struct {
		name    string
		entries int
	}{{"uncached", -1}, {"cached", 100000}} {
		b.Run(cache.name, func(b *testing.B) {
			cfg := config.Default()
			cfg.RBL.Enabled = true
			cfg.RBL.Lists = config.RBLBuiltins
			cfg.RBL.DQSKey = "benchkey"
			r, err := dns.New(dns.Config{Servers: []string{s.Addr}, Timeout: time.Second, CacheEntries: cache.entries})
			if err != nil {
				b.Fatal(err)
			}
			a, err := NewWithResolver(cfg, r)
			if err != nil {
				b.Fatal(err)
			}
			env := pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2")}
			q0 := s.Queries()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				task := pipeline.NewTask("b", msgs[i%len(msgs)], env, nil)
				_ = a.Analyze(context.Background(), task)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(s.Queries()-q0)/float64(b.N), "dnsq/msg")
		})
	}
}
