package action_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

// BenchmarkProcess is a front end's call of Process for a tagged
// message with an engine of one trivial analyzer: the parse, the
// scan's bookkeeping and the action step's own work (the headers added,
// the forged-header check), what a front end pays besides the analyzers.
func BenchmarkProcess(b *testing.B) {
	raw, err := os.ReadFile("../store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	eng := enginetest.Only(b, cfg, phish{})
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler)}
	env := pipeline.Envelope{Rcpts: []string{"tanaka@example.jp"}}
	opt := action.Options{Frontend: pipeline.FrontendMilter}
	b.ReportAllocs()
	for b.Loop() {
		o := p.Process(context.Background(), raw, env, opt)
		if len(o.Headers) == 0 {
			b.Fatal("no headers")
		}
	}
}
