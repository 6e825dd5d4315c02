package url_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// The real binary: build sekisho and scan the seed 004 and QR mails with
// `sekisho scan --json` (the brand list is whatever internal/brands holds;
// the anchor-to-throw-away check flags seed 004 without it).
func TestCLIScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	bin := filepath.Join(t.TempDir(), "sekisho")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/sekisho/sekisho/cmd/sekisho")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "scan", "--json", "--data-dir", t.TempDir(), "testdata/seed004-kagoya.eml").Output()
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var v struct {
		Action  string
		Score   float64
		Symbols []struct{ Name string }
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]bool{}
	for _, s := range v.Symbols {
		got[s.Name] = true
	}
	// With the brand list the lying anchors are brand mismatches; without
	// it they are anchors to a throw-away domain.
	if !got["URL_ANCHOR_BRAND_MISMATCH"] && !got["URL_ANCHOR_MISMATCH_SUSPICIOUS"] {
		t.Errorf("lying anchor text not flagged: %s", out)
	}
	for _, s := range []string{"URL_SUSPICIOUS_DOMAIN", "RULE_PHISH_BRAND_NOTICE"} {
		if !got[s] {
			t.Errorf("missing %s: %s", s, out)
		}
	}
	if v.Score < 5 || v.Action == "accept" {
		t.Errorf("seed 004 accepted: %s", out)
	}
}
