package mail

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestCorpus parses every message of $SEKISHO_CORPUS (the SpamAssassin
// public corpus): no panic, invariants hold, and every message has a
// parsed From or gives the header analyzer a reason to flag it (From
// missing or holding no usable address).
func TestCorpus(t *testing.T) {
	dir := testutil.Corpus(t)
	n, noFrom := 0, 0
	// Anomaly counts per sub-directory (ham/spam): the MIME_* symbols the
	// header analyzer will report.
	stats := map[string]map[string]int{}
	msgs := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		m := Parse(raw, Limits{})
		checkInvariants(t, m, Limits{})
		n++
		rel, _ := filepath.Rel(dir, p)
		group := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		if stats[group] == nil {
			stats[group] = map[string]int{}
		}
		msgs[group]++
		seen := map[string]bool{}
		for _, a := range m.Anomalies {
			if !seen[a.Code] {
				seen[a.Code] = true
				stats[group][a.Code]++
			}
		}
		if len(m.From) == 0 || m.From[0].Addr == "" {
			noFrom++
			if strings.Contains(m.FromHeader, "@") {
				t.Errorf("%s: From %q parsed to %+v", p, m.FromHeader, m.From)
			}
			t.Logf("%s: no usable From (%q)", filepath.Base(p), m.FromHeader)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("empty corpus")
	}
	t.Logf("%d messages, %d without a usable From", n, noFrom)
	groups := make([]string, 0, len(stats))
	for g := range stats {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		codes := make([]string, 0, len(stats[g]))
		for c := range stats[g] {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			t.Logf("%s (%d msgs): %s %d (%.1f%%)", g, msgs[g], c, stats[g][c], 100*float64(stats[g][c])/float64(msgs[g]))
		}
	}
}
