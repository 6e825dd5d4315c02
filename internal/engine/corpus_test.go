package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// defaultEngine is the engine every deployment starts with: the default
// configuration and every registered analyzer, except that the auth
// analyzer asks an empty mock resolver instead of the network, so the
// verdicts are the same on every machine (no SPF, DKIM or DMARC records
// exist, which is how most of this test mail would look to a gateway
// that receives it without authentication results anyway).
func defaultEngine(t testing.TB) *Engine {
	t.Helper()
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	mock := &dns.Mock{}
	authNew := reflect.ValueOf(auth.New).Pointer()
	var fs []Factory
	for _, f := range Registered() {
		if reflect.ValueOf(f).Pointer() == authNew {
			f = func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
				if !c.Auth.Enabled {
					return nil, nil
				}
				return auth.NewWithResolver(c, mock)
			}
		}
		fs = append(fs, f)
	}
	e, err := New(cfg, Options{Factories: fs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// symbolList renders a verdict's symbols as NAME(score: options), highest
// score first.
func symbolList(v pipeline.Verdict) string {
	ss := append([]pipeline.SymbolResult(nil), v.Symbols...)
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].Score > ss[j].Score })
	var parts []string
	for _, s := range ss {
		p := fmt.Sprintf("%s(%.1f", s.Name, s.Score)
		if len(s.Options) > 0 {
			p += ": " + strings.Join(s.Options, "; ")
		}
		parts = append(parts, p+")")
	}
	if len(parts) == 0 {
		return "(no symbols)"
	}
	return strings.Join(parts, " ")
}

// TestHamCorpus scans every message under testdata/ham (Japanese and
// European business, transactional, carrier, newsletter and bounce mail,
// written by scripts/gen-ham) with the default configuration: each one
// must be delivered untouched (action accept). A failure lists the
// symbols that pushed the message over the tag threshold.
func TestHamCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "ham", "*", "*.eml"))
	if err != nil || len(files) < 120 {
		t.Fatalf("ham corpus: %d files, %v", len(files), err)
	}
	e := defaultEngine(t)
	flagged := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := e.Scan(context.Background(), raw, pipeline.Envelope{})
		if r.Verdict.Action != pipeline.ActionAccept {
			flagged++
			rel, _ := filepath.Rel(filepath.Join("..", "..", "testdata", "ham"), f)
			t.Errorf("%s: %s (score %.1f): %s", rel, r.Verdict.Action, r.Verdict.Score, symbolList(r.Verdict))
		}
	}
	t.Logf("ham: %d of %d messages flagged", flagged, len(files))
}
