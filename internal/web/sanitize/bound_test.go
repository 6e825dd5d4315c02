package sanitize

import (
	"strings"
	"testing"
)

// TestBoundedDOM (issue 14): 300,000 nested tables become at most MaxDepth
// open elements with a notice in the reader's language; the text stays.
func TestBoundedDOM(t *testing.T) {
	src := strings.Repeat("<table><tr><td>x", 300000)
	for _, lang := range []string{"en", "ja"} {
		out := HTML(src, lang)
		if n := strings.Count(out, "<table"); n > MaxDepth {
			t.Errorf("%d tables emitted", n)
		}
		if !strings.Contains(out, `id="sekisho-truncated"`) {
			t.Errorf("%s: no notice", lang)
		}
		if lang == "ja" && !strings.Contains(out, "簡略化") {
			t.Errorf("ja notice missing")
		}
	}
	flat := strings.Repeat("<p>a</p>", 30000)
	out := HTML(flat, "en")
	if n := strings.Count(out, "<p>"); n > MaxElements {
		t.Errorf("%d elements emitted", n)
	}
	// Ordinary mail is untouched by the bounds.
	if out := HTML("<table><tr><td><b>hi</b></td></tr></table>", "en"); strings.Contains(out, "sekisho-truncated") || !strings.Contains(out, "<b>hi</b>") {
		t.Errorf("ordinary HTML: %s", out)
	}
}

// BenchmarkNestedTables: the 300,000 nested tables of issue 14.
func BenchmarkNestedTables(b *testing.B) {
	src := strings.Repeat("<table><tr><td>x", 300000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		HTML(src, "en")
	}
}
