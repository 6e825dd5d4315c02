package auth_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// BenchmarkAuthCorpus runs the auth (extract) and dmarc (main) analyzers
// over the SA test split parsed beforehand, as `sekisho bench` posts it
// (client 192.0.2.10, HELO client.example), over an empty mock resolver:
// ns/op is per message, DNS excluded.
func BenchmarkAuthCorpus(b *testing.B) {
	dir := testutil.Corpus(b)
	var msgs []*mail.Message
	for _, sub := range []string{"test/ham", "test/spam"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		sort.Strings(files)
		for _, f := range files {
			if raw, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, mail.Parse(raw, mail.Limits{}))
			}
		}
	}
	if len(msgs) == 0 {
		b.Skip("no corpus messages")
	}
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	as, err := authz.NewWithResolver(cfg, &dns.Mock{})
	if err != nil {
		b.Fatal(err)
	}
	env := pipeline.Envelope{ClientIP: netip.MustParseAddr("192.0.2.10"), Helo: "client.example"}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := pipeline.NewTask("b", msgs[i%len(msgs)], env, nil)
		for _, a := range as {
			_ = a.Analyze(ctx, t)
		}
	}
}
