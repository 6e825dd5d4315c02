package sender_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
	"github.com/sekisho/sekisho/internal/testutil/cases"
)

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

// TestSeeds scans the corpus of named cases (testdata/golden,
// internal/testutil/cases) with the auth and sender analyzers over a
// correspondence history and compares the auth and sender symbols, the
// action and the category with the "sender" view, <name>.sender.golden
// (go test -run TestSeeds -update rewrites it).
func TestSeeds(t *testing.T) {
	for _, c := range cases.All(t) {
		t.Run(c.Name, func(t *testing.T) {
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
			r := e.Scan(context.Background(), c.Raw(t), pipeline.Envelope{Frontend: pipeline.FrontendCLI})
			got := cases.Want{Action: string(r.Verdict.Action), Category: string(r.Verdict.Category)}
			for _, s := range r.Verdict.Symbols {
				if d, ok := pipeline.Lookup(s.Name); ok && (d.Group == "auth" || d.Group == "sender") {
					got.Symbols = append(got.Symbols, s.Name)
				}
			}
			cases.Check(t, c, "sender", got)
		})
	}
}
