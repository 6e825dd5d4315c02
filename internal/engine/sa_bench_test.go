package engine

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// saTrained is a data directory with the classifier trained on the SA
// train split, built once per test binary (training takes seconds; a
// benchmark function runs several times while b.N ramps up).
var saTrained struct {
	once sync.Once
	dir  string
	err  error
}

func readDir(tb testing.TB, dir string) [][]byte {
	fs, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out [][]byte
	for _, f := range fs {
		raw, err := os.ReadFile(f)
		if err == nil {
			out = append(out, raw)
		}
	}
	if len(out) == 0 {
		tb.Skipf("%s: no messages", dir)
	}
	return out
}

// saEngine is the default engine (every analyzer, auth answered by an
// empty mock resolver so that no lookup leaves the machine) with the
// classifier trained on the SA train split.
func saEngine(b *testing.B, corpus string) *Engine {
	saTrained.once.Do(func() {
		// SEKISHO_SA_TRAINED names a data directory kept between runs:
		// trained once, then reused, so that a run's instruction count
		// (callgrind) holds no training, which varies from run to run.
		keep := os.Getenv("SEKISHO_SA_TRAINED")
		if keep != "" {
			if _, err := os.Stat(filepath.Join(keep, "trained.ok")); err == nil {
				saTrained.dir = keep
				return
			}
		}
		dir, err := os.MkdirTemp("", "sekisho-bench-")
		if keep != "" {
			dir, err = keep, os.MkdirAll(keep, 0o750)
		}
		if err != nil {
			saTrained.err = err
			return
		}
		saTrained.dir = dir
		if keep != "" {
			defer func() {
				if saTrained.err == nil {
					saTrained.err = os.WriteFile(filepath.Join(keep, "trained.ok"), nil, 0o640)
				}
			}()
		}
		e := saNew(b, dir)
		defer e.Close()
		for _, c := range []struct {
			sub  string
			spam bool
		}{{"train/ham", false}, {"train/spam", true}} {
			for _, raw := range readDir(b, filepath.Join(corpus, c.sub)) {
				if err := e.Learn(context.Background(), raw, c.spam); err != nil {
					saTrained.err = err
					return
				}
			}
		}
	})
	if saTrained.err != nil {
		b.Fatal(saTrained.err)
	}
	e := saNew(b, saTrained.dir)
	b.Cleanup(func() { _ = e.Close() })
	return e
}

func saNew(b *testing.B, dir string) *Engine {
	cfg := config.Default()
	cfg.General.DataDir = dir
	// No periodic store sync: a scan learns nothing, and the sync's timer
	// and file checks are not a scan's cost (the training engine writes
	// the store when it is closed).
	cfg.Bayes.SyncInterval.Duration = 0
	if os.Getenv("SEKISHO_SA_NO_TIMEOUT") != "" {
		// Under valgrind a large message's scan overruns the default
		// analyzer_timeout: counted instructions would then be those
		// of the time-out.
		cfg.Limits.AnalyzerTimeout.Duration = time.Hour
		cfg.Limits.ScanTimeout.Duration = time.Hour
	}
	mock := &dns.Mock{}
	authNew := reflect.ValueOf(auth.New).Pointer()
	var fs []Factory
	for _, f := range Registered() {
		if reflect.ValueOf(f).Pointer() == authNew {
			f = func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
				if !c.Auth.Enabled {
					return nil, nil
				}
				return auth.NewWithResolver(c, mock)
			}
		}
		fs = append(fs, f)
	}
	e, err := New(cfg, Options{Factories: fs})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkScanSATest scans the SA test split (ham and spam) with every
// default analyzer and the classifier trained on the train split: the
// per-message CPU cost issue 17 compares with Rspamd's. Parsing is
// included. Run with SEKISHO_CORPUS set and -cpu 1; profile with
// -cpuprofile.
// saLoop is BenchmarkScanSATest's measured loop, a function of its own
// so that callgrind can count it alone:
// valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*engine.saLoop'
// (with GOMAXPROCS=1, the analyzers' workers and the collector run on
// the loop's thread, inside the count).
//
//go:noinline
func saLoop(e *Engine, msgs [][]byte, n int) {
	for i := 0; i < n; i++ {
		e.Scan(context.Background(), msgs[i%len(msgs)], pipeline.Envelope{})
	}
}

func BenchmarkScanSATest(b *testing.B) {
	corpus := testutil.Corpus(b)
	msgs := append(readDir(b, filepath.Join(corpus, "test/ham")), readDir(b, filepath.Join(corpus, "test/spam"))...)
	e := saEngine(b, corpus)
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	if os.Getenv("SEKISHO_SA_WARM") != "" {
		// One pass over every message first, so that what is made once
		// (lazily compiled regexes, dictionaries, caches) is made before
		// the measured loop: callgrind's difference of two runs then
		// counts warm scans only.
		for _, m := range msgs {
			e.Scan(context.Background(), m, pipeline.Envelope{})
		}
	}
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	saLoop(e, msgs, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu*1e3/float64(b.N), "cpu-ms/msg")
	}
	b.ReportMetric(float64(bytes)/float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}
