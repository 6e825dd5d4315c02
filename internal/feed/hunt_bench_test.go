package feed

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// BenchmarkHunt is one retro-hunt for 10 new indicators over 1,000
// corpus messages held in the quarantine with their raw bytes (each is
// read, decompressed and parsed again). ns/op is per hunt.
func BenchmarkHunt(b *testing.B) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		b.Skip("SEKISHO_CORPUS not set")
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	q, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	fs, _ := filepath.Glob(filepath.Join(dir, "all/spam", "*"))
	n := 0
	for _, f := range fs {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		m := mail.Parse(raw, mail.Limits{})
		if _, err := q.Hold(ctx, raw, &pipeline.Result{ID: "x", Msg: m, URLs: m.URLs}); err != nil {
			b.Fatal(err)
		}
		if n++; n >= 1000 {
			break
		}
	}
	var inds []Indicator
	for _, d := range []string{"a.example", "b.example", "c.example", "d.example", "e.example", "f.example", "g.example", "h.example", "i.example", "j.example"} {
		inds = append(inds, Indicator{Ref: d, Terms: []Term{{KindDomain, d}}})
	}
	m := NewMatcher(map[string][]Indicator{"f": inds})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Hunt(ctx, q, m, MailLimits(cfg), time.Time{}, MaxHunt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/msg")
}
