// Package fuzzmsg is the one fuzz harness for analyzers that read a
// parsed message (issue 14: fuzz every parser that sees attacker bytes):
// seed files by glob plus literal seeds, then every input parsed and
// given to each analyzer. A crash or hang is the failure.
package fuzzmsg

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Analyzers seeds f with the files matching globs and the seeds given,
// and fuzzes as over the parsed inputs.
func Analyzers(f *testing.F, as []pipeline.Analyzer, globs []string, seeds ...[]byte) {
	f.Helper()
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mail.Parse(raw, mail.Limits{})
		for _, a := range as {
			a.Analyze(context.Background(), pipeline.NewTask("f", m, pipeline.Envelope{}, nil))
		}
	})
}
