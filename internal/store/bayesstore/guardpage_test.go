//go:build linux && amd64

package bayesstore

import (
	"os"
	"os/exec"
	"testing"
	"unsafe"
)

// TestGuardPageFaults checks the guard TestSearchLinesLastLineGuard and
// FuzzSearchLinesDiff rely on: a read one line past guardLines' last
// line faults (in a child process, which must die).
func TestGuardPageFaults(t *testing.T) {
	if os.Getenv("SEKISHO_GUARD_CHILD") != "" {
		ls := guardLines(t, 3)
		p := (*uint64)(unsafe.Add(unsafe.Pointer(&ls[2]), lineSize))
		t.Logf("read %d past the guard", *p)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestGuardPageFaults$", "-test.count", "1")
	cmd.Env = append(os.Environ(), "SEKISHO_GUARD_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("a read past the guard did not fault:\n%s", out)
	}
}
