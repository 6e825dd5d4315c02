package reputation_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store/repstore"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// BenchmarkAnalyzeObserveSQLite is the per-message cost on live mail of
// reading and then recording the reputation of sender, domain, DKIM
// domain, network and a link domain over the embedded store (1000
// distinct senders).
func BenchmarkAnalyzeObserveSQLite(b *testing.B) {
	st, err := repstore.OpenSQLite(filepath.Join(b.TempDir(), "r.db"), 720*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	benchAO(b, st)
}

// BenchmarkAnalyzeObserveRedis is the same over a loopback redis-server.
func BenchmarkAnalyzeObserveRedis(b *testing.B) {
	st, err := repstore.OpenRedis(bg, redistest.Start(b), "b:", 720*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	benchAO(b, st)
}

func benchAO(b *testing.B, st repstore.Store) {
	r := newRig(b, st)
	msgs := make([][]byte, 1000)
	for i := range msgs {
		msgs[i] = msg(fmt.Sprintf("user%d@domain%d.example", i, i%100), fmt.Sprintf("see https://link%d.example/x", i%50))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tk := r.scanB(b, msgs[i%len(msgs)], fmt.Sprintf("198.51.%d.7", i%200))
		r.observe(tk, 0)
	}
}
