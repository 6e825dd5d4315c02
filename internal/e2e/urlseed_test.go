package e2e

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/cases"
)

// The real binary (moved from internal/analyzer/url): scan the corpus
// case seed004-kagoya-html-anchors (the lying anchors) with
// `sekisho scan --json` (the brand list is whatever internal/brands holds;
// the anchor-to-throw-away check flags seed 004 without it).
func TestURLSeed004Binary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testutil.Binary(t)
	eml := cases.Get(t, "seed004-kagoya-html-anchors").Path
	out, err := exec.Command(bin, "scan", "--json", "--data-dir", t.TempDir(), eml).Output()
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
