package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"

	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// loadCorpus reads every file under $SEKISHO_CORPUS (or skips).
func loadCorpus(tb testing.TB) ([]string, [][]byte) {
	tb.Helper()
	dir := testutil.Corpus(tb)
	var names []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	if len(names) == 0 {
		tb.Skip("empty corpus")
	}
	msgs := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, b)
	}
	return names, msgs
}

func benchCorpus(b *testing.B, withHeader bool) {
	_, msgs := loadCorpus(b)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	var an pipeline.Analyzer
	if withHeader {
		cfg := config.Default()
		as, err := header.New(cfg, pipeline.Deps{})
		if err != nil || len(as) == 0 {
			b.Fatal("header analyzer", err)
		}
		an = as[0]
	}
	ctx := context.Background()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, raw := range msgs {
			m := mail.Parse(raw, mail.Limits{})
			if an != nil {
				t := pipeline.NewTask("b", m, pipeline.Envelope{}, nil)
				_ = an.Analyze(ctx, t)
			}
			n++
		}
	}
	sec := b.Elapsed().Seconds()
	cpu := cpuSeconds() - cpu0
	b.ReportMetric(float64(n)/sec, "msgs/s")
	b.ReportMetric(float64(total)*float64(n)/float64(len(msgs))/sec/1e6, "MB/s")
	// On a shared machine wall time overstates the cost: also report
	// messages per second of CPU time this process used (all threads).
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "msgs/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkParseCorpus parses every message of $SEKISHO_CORPUS.
func BenchmarkParseCorpus(b *testing.B) { benchCorpus(b, false) }

// BenchmarkParseHeaderCorpus parses and runs the header analyzer.
func BenchmarkParseHeaderCorpus(b *testing.B) { benchCorpus(b, true) }

// cpuSeconds is the user+system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
