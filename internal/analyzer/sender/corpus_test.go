package sender_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/engine"
	mailpkg "github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// corpusEngine: auth (DNS answering "not found") and sender with the
// default configuration, as 'sekisho eval' runs them.
func corpusEngine(tb testing.TB) *engine.Engine {
	cfg, err := config.Parse("")
	if err != nil {
		tb.Fatal(err)
	}
	cfg.General.DataDir = tb.TempDir()
	mock := &dns.Mock{}
	authF := func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
		return authz.NewWithResolver(c, mock)
	}
	e, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{authF, sender.New}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

func corpusFiles(tb testing.TB, kind string) []string {
	dir := testutil.Corpus(tb)
	files, _ := filepath.Glob(filepath.Join(dir, "test", kind, "*"))
	if len(files) == 0 {
		tb.Skipf("no messages under %s/test/%s", dir, kind)
	}
	return files
}

// TestCorpusHam guards the false positives: on the SpamAssassin ham, no
// symbol of weight 1 or more fires on more than 0.5% of messages, and no
// message reaches the tag score on these analyzers alone.
func TestCorpusHam(t *testing.T) {
	files := corpusFiles(t, "ham")
	e := corpusEngine(t)
	counts := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := e.Scan(context.Background(), raw, pipeline.Envelope{Frontend: "eval"})
		for _, s := range r.Verdict.Symbols {
			counts[s.Name]++
		}
		if r.Verdict.Score >= 5 {
			t.Errorf("%s: score %.1f on ham: %+v", filepath.Base(f), r.Verdict.Score, r.Verdict.Symbols)
		}
	}
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d, _ := pipeline.Lookup(n)
		rate := float64(counts[n]) / float64(len(files))
		t.Logf("%-32s %4d ham (%.2f%%), weight %g", n, counts[n], 100*rate, d.Weight)
		if d.Weight >= 1 && rate > 0.005 {
			t.Errorf("%s fires on %.2f%% of ham", n, 100*rate)
		}
	}
}

// BenchmarkCorpus runs the auth and sender analyzers (DNS mocked) over
// SpamAssassin messages parsed beforehand: the analyzers' own cost.
func BenchmarkCorpus(b *testing.B) {
	files := corpusFiles(b, "ham")
	if len(files) > 300 {
		files = files[:300]
	}
	var raws [][]byte
	total := 0
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		raws = append(raws, raw)
		total += len(raw)
	}
	e := corpusEngine(b)
	msgs := make([]*mailpkg.Message, len(raws))
	for i, r := range raws {
		msgs[i] = e.Parse(r)
	}
	b.SetBytes(int64(total / len(raws)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.ScanMessage(context.Background(), msgs[i%len(msgs)], pipeline.Envelope{Frontend: "eval"})
	}
}

// BenchmarkAnalyzeCorpus runs the sender analyzer alone (no history, no
// authentication results) on SpamAssassin ham and spam parsed
// beforehand, with a protected person and domain configured: ns/op is per
// message.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	var msgs []*mailpkg.Message
	for _, kind := range []string{"ham", "spam"} {
		files := corpusFiles(b, kind)
		if len(files) > 300 {
			files = files[:300]
		}
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			msgs = append(msgs, mailpkg.Parse(raw, mailpkg.Limits{}))
		}
	}
	cfg, err := config.Parse(testConfig)
	if err != nil {
		b.Fatal(err)
	}
	a := sender.NewAnalyzer(cfg, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := pipeline.NewTask("b", msgs[i%len(msgs)], pipeline.Envelope{}, nil)
		a.Analyze(context.Background(), t)
	}
}
