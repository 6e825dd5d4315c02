// Package enginetest builds scanning engines for tests: the one place
// that knows a test engine needs a private data directory and is closed
// when the test ends.
package enginetest

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// New builds an engine from cfg (config.Default() when nil) with every
// registered analyzer, a fresh data directory unless cfg names one, and
// closes it when the test ends.
func New(t testing.TB, cfg *config.Config) *engine.Engine {
	t.Helper()
	return NewWith(t, cfg, engine.Options{})
}

// Only builds an engine running just the given analyzers (no registered
// factory): tests of the pipeline around them.
func Only(t testing.TB, cfg *config.Config, as ...pipeline.Analyzer) *engine.Engine {
	t.Helper()
	return NewWith(t, cfg, engine.Options{Factories: []engine.Factory{}, Analyzers: as})
}

// NewWith is New with engine options (factories, extra analyzers, logger).
func NewWith(t testing.TB, cfg *config.Config, opt engine.Options) *engine.Engine {
	t.Helper()
	if cfg == nil {
		cfg = config.Default()
	}
	if cfg.General.DataDir == "" || cfg.General.DataDir == config.Default().General.DataDir {
		cfg.General.DataDir = t.TempDir()
	}
	e, err := engine.New(cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
