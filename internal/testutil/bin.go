// Package testutil holds what tests that drive the real sekisho binary
// share.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once    sync.Once
	binPath string
	binErr  error
)

// Binary builds cmd/sekisho once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "sekisho-test-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "sekisho")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/sekisho/sekisho/cmd/sekisho").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}
