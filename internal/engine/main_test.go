package engine

import (
	"os"
	"testing"
)

// TestMain removes the trained classifier's directory the SA benchmarks
// share (made once, by saEngine) when the run ends.
func TestMain(m *testing.M) {
	code := m.Run()
	if saTrained.dir != "" {
		os.RemoveAll(saTrained.dir)
	}
	os.Exit(code)
}
