package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestBenchMilter: `sekisho bench --milter` starts the daemon with its
// milter front end, plays Postfix for every message (the bench's own
// client: milter protocol 6, no replies where sekisho asks for none,
// two connections at a time on loopback) and prints the latency
// percentiles beside the Rspamd-protocol round.
func TestBenchMilter(t *testing.T) {
	bin := testutil.Binary(t)
	td := filepath.Join("..", "analyzer", "bayes", "testdata", "ja")
	cmd := exec.Command(bin, "bench", "--milter", "--rounds", "1", "--clients", "2",
		"--ham", filepath.Join(td, "test", "ham"), "--spam", filepath.Join(td, "test", "spam"),
		"--train-ham", filepath.Join(td, "train", "ham"), "--train-spam", filepath.Join(td, "train", "spam"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`(?m)^round 1  milter +(\d+) msgs +0 errors .* p50 [0-9.]+ p95 [0-9.]+ p99 [0-9.]+ max [0-9.]+ .*MB peak RSS$`)
	m := re.FindStringSubmatch(string(out))
	if m == nil || m[1] == "0" {
		t.Fatalf("no milter round with latencies and no errors:\n%s", out)
	}
	if !strings.Contains(string(out), "round 1  sekisho") {
		t.Fatalf("no Rspamd-protocol round:\n%s", out)
	}
}
