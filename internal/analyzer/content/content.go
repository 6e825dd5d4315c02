// Package content is a sekisho analyzer (see internal/engine/registry.go).
package content

import (
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// New builds the package's analyzers.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	return nil, nil
}
