package fuzzy_test

import (
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/fuzzy"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/fuzzystore"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// BenchmarkExtract is the signature of a parsed SA ham message (features
// and MinHash), no store.
func BenchmarkExtract(b *testing.B) {
	msgs := parsed(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := fuzzy.Extract(msgs[i%len(msgs)])
		f.Entry()
	}
}

// BenchmarkAnalyzeObserveSQLite is the per-message cost on live mail:
// Analyze (signature, lookup, bulk count) and Observe (bulk counter,
// campaign record) over the embedded store.
func BenchmarkAnalyzeObserveSQLite(b *testing.B) {
	st, err := fuzzystore.OpenSQLite(filepath.Join(b.TempDir(), "f.db"))
	if err != nil {
		b.Fatal(err)
	}
	benchAO(b, st)
}

// BenchmarkAnalyzeObserveRedis is the same over a loopback redis-server.
func BenchmarkAnalyzeObserveRedis(b *testing.B) {
	st, err := fuzzystore.OpenRedis(bg, redistest.Start(b), "b:", 0)
	if err != nil {
		b.Fatal(err)
	}
	benchAO(b, st)
}

func benchAO(b *testing.B, st *fuzzystore.Store) {
	msgs := parsed(b)
	cfg := config.Default()
	a := fuzzy.NewWithStore(cfg, st, nil)
	defer a.Close()
	for i := 0; i < 3; i++ {
		learn(b, a, testutil.Campaign(1, i), pipeline.FeedbackSpam)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tk := pipeline.NewTask("t", msgs[i%len(msgs)], pipeline.Envelope{Flow: pipeline.FlowMail}, nil)
		if err := a.Analyze(bg, tk); err != nil {
			b.Fatal(err)
		}
		a.Observe(bg, &pipeline.Result{ID: "t", Msg: tk.Msg, Env: tk.Env, Verdict: pipeline.Verdict{Action: pipeline.ActionAccept}, Values: tk.Values()})
	}
}

func parsed(b *testing.B) []*mail.Message {
	dir := testutil.Corpus(b)
	var out []*mail.Message
	for i, raw := range testutil.ReadMessages(b, filepath.Join(dir, "test", "ham")) {
		if i >= 500 {
			break
		}
		out = append(out, mail.Parse(raw, mail.Limits{}))
	}
	return out
}
