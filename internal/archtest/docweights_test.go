package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "github.com/sekisho/sekisho/internal/engine" // every registered analyzer's symbols
	"github.com/sekisho/sekisho/internal/pipeline"
)

var (
	// "| ATT_EXECUTABLE | 6 | malware | ..." (names may be in backticks)
	docRowRe = regexp.MustCompile("^\\|\\s*`?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`?\\s*\\|\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*\\|")
	// "`DMARC_FAIL_ARC_OVERRIDE` (weight 0)"
	docProseRe = regexp.MustCompile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`\\s*\\(weight (-?[0-9]+(?:\\.[0-9]+)?)\\)")
)

// TestDocWeightsMatchRegistry: the weights the hand-written pages give
// (tables "| NAME | weight | ..." and "`NAME` (weight N)") are the
// registry's defaults, and every symbol they name exists. docs/symbols.md
// is generated (cmd/sekisho TestSymbolsDocUpToDate).
func TestDocWeightsMatchRegistry(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if len(pages) < 5 {
		t.Fatalf("only %d doc pages found", len(pages))
	}
	checked := 0
	for _, page := range pages {
		if filepath.Base(page) == "symbols.md" {
			continue
		}
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		weightTable := false
		lines := strings.Split(string(b), "\n")
		for i, line := range lines {
			// A table's rows give weights only when its header's second
			// column says so ("| symbol | weight |"); other tables count hits.
			if strings.HasPrefix(line, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|-") || strings.HasPrefix(line, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "| -") || strings.HasPrefix(line, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|:") {
				cells := strings.Split(line, "|")
				weightTable = len(cells) > 2 && strings.Contains(strings.ToLower(cells[2]), "weight")
				continue
			}
			var ms [][]string
			if m := docRowRe.FindStringSubmatch(line); m != nil && weightTable {
				ms = append(ms, m)
			}
			ms = append(ms, docProseRe.FindAllStringSubmatch(line, -1)...)
			for _, m := range ms {
				name, w := m[1], m[2]
				want, _ := strconv.ParseFloat(w, 64)
				d, ok := pipeline.Lookup(name)
				switch {
				case !ok:
					t.Errorf("%s:%d: %s is not a registered symbol", filepath.Base(page), i+1, name)
				case d.Weight != want:
					t.Errorf("%s:%d: %s has weight %g in the registry, the page says %s", filepath.Base(page), i+1, name, d.Weight, w)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no documented weights found: the patterns no longer match the pages")
	}
	t.Logf("%d documented weights checked", checked)
}
