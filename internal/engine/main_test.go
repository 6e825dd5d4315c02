package engine

import (
	"os"
	"testing"
)

// TestMain removes the trained classifier's directory the SA benchmarks
// share (made once, by saEngine) when the run ends, unless it is the
// kept one of SEKISHO_SA_TRAINED.
func TestMain(m *testing.M) {
	code := m.Run()
	if saTrained.dir != "" && saTrained.dir != os.Getenv("SEKISHO_SA_TRAINED") {
		os.RemoveAll(saTrained.dir)
	}
	os.Exit(code)
}
