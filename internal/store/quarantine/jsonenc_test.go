package quarantine_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// TestColumnsOfRealScans compares the JSON columns with json.Marshal's
// on real scans: the fixtures, and with SEKISHO_CORPUS set (e.g.
// /work/data/sa) the corpus' test messages.
func TestColumnsOfRealScans(t *testing.T) {
	cfg := testConfig(t, "sqlite", "")
	eng := newEngine(t, cfg)
	var files []string
	for _, n := range []string{"phish-o365.eml", "phish-kagoya-ja.eml", "ham-notes.eml"} {
		files = append(files, filepath.Join("testdata", n))
	}
	if dir := os.Getenv("SEKISHO_CORPUS"); dir != "" {
		for _, sub := range []string{"test/ham", "test/spam"} {
			es, err := os.ReadDir(filepath.Join(dir, sub))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				files = append(files, filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := eng.Scan(context.Background(), raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}})
		v, u, a := quarantine.EncodeColumns(r)
		ov, ou, oa := quarantine.OldColumns(r)
		if v != ov || u != ou || a != oa {
			t.Fatalf("%s: columns differ:\n new %s\n %s\n %s\n old %s\n %s\n %s", f, v, u, a, ov, ou, oa)
		}
	}
	t.Logf("%d messages", len(files))
}
