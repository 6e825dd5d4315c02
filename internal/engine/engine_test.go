package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"

	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_EARLY", Weight: 1, Group: "test", EN: "early.", JA: "早い。"},
		pipeline.SymbolDef{Name: "TEST_SAW_EARLY", Weight: 1, Group: "test", EN: "saw early.", JA: "早いのを見た。"},
	)
}

type fake struct {
	name  string
	stage pipeline.Stage
	fn    func(ctx context.Context, t *pipeline.Task) error
}

func (f *fake) Name() string                                        { return f.name }
func (f *fake) Stage() pipeline.Stage                               { return f.stage }
func (f *fake) Analyze(ctx context.Context, t *pipeline.Task) error { return f.fn(ctx, t) }

func testConfig(t testing.TB) *config.Config {
	c := config.Default()
	c.General.DataDir = t.TempDir()
	c.Limits.AnalyzerTimeout.Duration = 200 * time.Millisecond
	return c
}

func names(v pipeline.Verdict) []string {
	var out []string
	for _, s := range v.Symbols {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

func has(v pipeline.Verdict, n string) bool { return v.Has(n) }

func TestIsolationAndStages(t *testing.T) {
	as := []pipeline.Analyzer{
		&fake{name: "early", stage: pipeline.StageExtract, fn: func(ctx context.Context, t *pipeline.Task) error {
			t.Add("TEST_EARLY")
			t.Set("early", true)
			return nil
		}},
		&fake{name: "late", stage: pipeline.StageLate, fn: func(ctx context.Context, t *pipeline.Task) error {
			if _, ok := t.Get("early"); ok && t.Has("TEST_EARLY") {
				t.Add("TEST_SAW_EARLY")
			}
			return nil
		}},
		&fake{name: "panics", fn: func(ctx context.Context, t *pipeline.Task) error { panic("boom") }},
		&fake{name: "slow", fn: func(ctx context.Context, t *pipeline.Task) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Second):
				return nil
			}
		}},
		&fake{name: "stuck", fn: func(ctx context.Context, t *pipeline.Task) error { time.Sleep(2 * time.Second); return nil }},
		&fake{name: "fails", fn: func(ctx context.Context, t *pipeline.Task) error { return errors.New("broken") }},
	}
	e, err := New(testConfig(t), Options{Factories: []Factory{}, Analyzers: as})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := e.Scan(context.Background(), []byte("From: a@example.com\r\n\r\nhi\r\n"), pipeline.Envelope{})
	v := r.Verdict
	for _, want := range []string{"TEST_EARLY", "TEST_SAW_EARLY", pipeline.SymAnalyzerPanic, pipeline.SymAnalyzerTimeout, pipeline.SymAnalyzerError} {
		if !has(v, want) {
			t.Errorf("missing %s in %v", want, names(v))
		}
	}
	if r.Duration > 1500*time.Millisecond {
		t.Errorf("scan waited for a stuck analyzer: %v", r.Duration)
	}
}

func TestTempfailAndObserve(t *testing.T) {
	as := []pipeline.Analyzer{&fake{name: "av", fn: func(ctx context.Context, t *pipeline.Task) error {
		t.Tempfail("clamd unreachable")
		return pipeline.ErrTemporary
	}}}
	e, err := New(testConfig(t), Options{Factories: []Factory{}, Analyzers: as})
	if err != nil {
		t.Fatal(err)
	}
	var seen *pipeline.Result
	e.Observe(func(r *pipeline.Result) { seen = r })
	r := e.Scan(context.Background(), []byte("From: a@example.com\r\n\r\nhi\r\n"), pipeline.Envelope{})
	if r.Verdict.Action != pipeline.ActionTempfail || seen != r {
		t.Fatalf("got %s, observed %v", r.Verdict.Action, seen != nil)
	}
	if err := e.Learn(context.Background(), []byte("x"), true); !errors.Is(err, ErrNoLearner) {
		t.Fatalf("learn without learner: %v", err)
	}
}

func TestDefaultEngineStarts(t *testing.T) {
	e, err := New(testConfig(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if len(e.Analyzers()) == 0 {
		t.Fatal("no analyzers")
	}
}

// corpusFiles returns up to n corpus messages, or skips.
func corpusFiles(b *testing.B) [][]byte {
	dir := testutil.Corpus(b)
	var out [][]byte
	for _, sub := range []string{"all/ham", "all/spam"} {
		fs, _ := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		for _, f := range fs {
			raw, err := os.ReadFile(f)
			if err == nil {
				out = append(out, raw)
			}
		}
	}
	if len(out) == 0 {
		b.Skip("empty corpus")
	}
	return out
}

func benchScan(b *testing.B, opt Options) {
	msgs := corpusFiles(b)
	e, err := New(testConfig(b), opt)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		e.Scan(context.Background(), m, pipeline.Envelope{})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	// On a shared machine wall time overstates the cost: CPU time this
	// process used (all threads) per message.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu*1e3/float64(b.N), "cpu-ms/msg")
	}
	b.ReportMetric(float64(bytes)/float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}

// BenchmarkParseHeaderCorpus is parsing plus header analysis (issue 2's
// throughput target). Run with -cpu 1.
func BenchmarkParseHeaderCorpus(b *testing.B) {
	benchScan(b, Options{Factories: []Factory{header.New}})
}

// BenchmarkScanCorpus is a full scan with every default analyzer.
func BenchmarkScanCorpus(b *testing.B) {
	benchScan(b, Options{})
}

// observing is an analyzer that also observes the final verdict.
type observing struct {
	fake
	got []*pipeline.Result
}

func (o *observing) Observe(ctx context.Context, r *pipeline.Result) { o.got = append(o.got, r) }

func init() {
	pipeline.Register(pipeline.SymbolDef{Name: "TEST_ENGINE_OUTBOUND", Weight: 1, Group: "test", EN: "x.", JA: "x。", OutboundHold: true})
}

// The verdict leaving the engine is final (the policy holds outbound
// abuse), and observers see exactly that verdict, with the analyzers'
// values and the envelope's flow, after the scan.
func TestObserversSeeFinalVerdict(t *testing.T) {
	o := &observing{fake: fake{name: "obs", fn: func(ctx context.Context, t *pipeline.Task) error {
		t.Add("TEST_ENGINE_OUTBOUND")
		t.Set("obs.value", 42)
		t.SetAuth(&pipeline.AuthResults{ServID: "mx.example"})
		return nil
	}}}
	cfg := testConfig(t)
	cfg.Serve.Outbound.HoldAction = "tempfail"
	e, err := New(cfg, Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{o}})
	if err != nil {
		t.Fatal(err)
	}
	env := pipeline.Envelope{AuthUser: "alice", Flow: pipeline.FlowMail}
	r := e.Scan(context.Background(), []byte("From: a@example.com\r\n\r\nhi\r\n"), env)
	if r.Verdict.Action != pipeline.ActionTempfail || !r.Verdict.OutboundHold {
		t.Fatalf("verdict %s hold %v", r.Verdict.Action, r.Verdict.OutboundHold)
	}
	if len(o.got) != 1 || o.got[0] != r || o.got[0].Env.Flow != pipeline.FlowMail {
		t.Fatalf("observed %d", len(o.got))
	}
	if v, _ := r.Get("obs.value"); v != 42 || r.Verdict.Auth == nil || r.Verdict.Auth.ServID != "mx.example" {
		t.Fatalf("values %v auth %+v", v, r.Verdict.Auth)
	}
	// Not authenticated: no hold.
	r = e.Scan(context.Background(), []byte("From: a@example.com\r\n\r\nhi\r\n"), pipeline.Envelope{})
	if r.Verdict.OutboundHold || r.Verdict.Action != pipeline.ActionAccept {
		t.Fatalf("unauthenticated: %s hold %v", r.Verdict.Action, r.Verdict.OutboundHold)
	}
}

// cpuSeconds is the user+system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func TestNewIDFormat(t *testing.T) {
	e := &Engine{idPrefix: "0a1b2c3d"}
	for _, seq := range []uint64{0, 1, 0xabc, 0xfffff, 0xffffff, 0x1000000, 1<<64 - 2} {
		e.idSeq.Store(seq)
		if got, want := e.NewID(), fmt.Sprintf("%s%06x", e.idPrefix, seq+1); got != want {
			t.Errorf("NewID after %d = %q, want %q", seq, got, want)
		}
	}
}
