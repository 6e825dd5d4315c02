package policy

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// Tagged (delivered) mail must not be told "Do not release", and rejected
// mail has nothing to release either; held mail keeps that advice.
func TestAdviceFitsAction(t *testing.T) {
	p := newPolicy(t, nil)
	v := p.Decide(hits("TEST_PHISH_SIX"), nil)
	if v.Action != pipeline.ActionTag || v.Category != pipeline.CategoryPhishing {
		t.Fatalf("setup: got %s/%s", v.Action, v.Category)
	}
	for _, text := range []string{v.Explanation, v.ExplanationJA} {
		if strings.Contains(text, "Do not release") || strings.Contains(text, "解放しないで") {
			t.Fatalf("tagged mail advised not to release: %q", text)
		}
	}
	if !strings.Contains(v.Explanation, "delivered with a warning") || !strings.Contains(v.ExplanationJA, "警告付きで配送") {
		t.Fatalf("tagged advice missing: %q / %q", v.Explanation, v.ExplanationJA)
	}
	v = p.Decide(hits("TEST_PHISH_SIX", "TEST_SPAM_FOUR"), nil)
	if v.Action != pipeline.ActionQuarantine || !strings.Contains(v.Explanation, "Do not release") {
		t.Fatalf("quarantine advice: %s %q", v.Action, v.Explanation)
	}
	v = p.Decide([]pipeline.Hit{{Name: "TEST_PHISH_SIX", Factor: 3}}, nil)
	if v.Action != pipeline.ActionReject || strings.Contains(v.Explanation, "release") {
		t.Fatalf("reject advice: %s %q", v.Action, v.Explanation)
	}
	// Every category has advice for held and for delivered mail, in both languages.
	for c := range adviceEN {
		for _, a := range []pipeline.Action{pipeline.ActionQuarantine, pipeline.ActionTag} {
			en, ja, ok := advice(a, c)
			if !ok || en == "" || ja == "" {
				t.Errorf("no advice for %s/%s", a, c)
			}
		}
	}
}
