package sender_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
)

var update = flag.Bool("update", false, "rewrite the .symbols golden files")

const testConfig = `
[general]
domains = ["example.co.jp"]
[auth]
trusted_relays = ["mx.example.co.jp", "mail.example.co.jp"]
authserv_id = "mx.example.co.jp"
[sender]
protected_domains = ["partner-corp.co.jp"]
min_history = 1
[[sender.protected_people]]
name = "山田 太郎"
aliases = ["Taro Yamada", "やまだ たろう"]
addresses = ["t.yamada@example.co.jp"]
`

// newEngine builds an engine with only the auth and sender analyzers over
// a mock resolver (no network) and a contacts store in dir.
func newEngine(t *testing.T, dir string, prepare func(*contacts.Store)) *engine.Engine {
	t.Helper()
	cfg, err := config.Parse(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.General.DataDir = dir
	st, err := contacts.Open(filepath.Join(dir, "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(st)
	}
	mock := &dns.Mock{TXT: map[string][]string{}}
	authF := func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
		return authz.NewWithResolver(c, mock)
	}
	senderF := func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
		return []pipeline.Analyzer{sender.NewAnalyzer(c, st)}, nil
	}
	e, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{authF, senderF}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestSeeds scans the seed cases and compares symbols and category with
// the golden .symbols files (go test -run TestSeeds -update rewrites them).
func TestSeeds(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	if len(files) == 0 {
		t.Fatal("no test cases")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e := newEngine(t, t.TempDir(), func(st *contacts.Store) {
				// The recipient's real history: a thread with the partner whose
				// mailbox Emotet later stole, and some other correspondence.
				ctx := context.Background()
				now := time.Now()
				st.Learn(ctx, "tanaka@example.co.jp", "suzuki@yamada-shoji.co.jp", "a1b2c3@yamada-shoji.co.jp", now)
				st.Learn(ctx, "staff@example.co.jp", "colleague@partner-corp.co.jp", "x1@partner-corp.co.jp", now)
				st.Learn(ctx, "accounting@example.co.jp", "billing@partner-corp.co.jp", "x2@partner-corp.co.jp", now)
				st.Learn(ctx, "keiri@example.co.jp", "billing@partner-corp.co.jp", "x3@partner-corp.co.jp", now)
				st.Learn(ctx, "user@example.co.jp", "info@partner-corp.co.jp", "x4@partner-corp.co.jp", now)
			})
			r := e.Scan(context.Background(), raw, pipeline.Envelope{Frontend: "cli"})
			var lines []string
			for _, s := range r.Verdict.Symbols {
				if d, ok := pipeline.Lookup(s.Name); ok && (d.Group == "auth" || d.Group == "sender") {
					lines = append(lines, s.Name)
				}
			}
			sort.Strings(lines)
			got := strings.Join(lines, "\n") + "\ncategory: " + string(r.Verdict.Category) + "\n"
			golden := strings.TrimSuffix(f, ".eml") + ".symbols"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update after review)\ngot:\n%s", err, got)
			}
			if got != string(want) {
				t.Errorf("symbols differ\ngot:\n%s\nwant:\n%s\nverdict: %+v", got, want, r.Verdict)
			}
		})
	}
}
