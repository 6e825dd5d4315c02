package attach

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
)

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// buildISO makes an ISO 9660 image with genisoimage (nil when missing).
func buildISO(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	bin, err := exec.LookPath("genisoimage")
	if err != nil {
		testutil.PeerMissing(t, "genisoimage not installed: ISO case")
		return nil
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	for n, b := range files {
		os.WriteFile(filepath.Join(src, n), b, 0o644)
	}
	out := filepath.Join(dir, "x.iso")
	if b, err := exec.Command(bin, "-quiet", "-J", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("genisoimage: %v %s", err, b)
	}
	b, _ := os.ReadFile(out)
	return b
}
