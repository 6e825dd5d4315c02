package rspamd

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

type benchSym struct{}

func (benchSym) Name() string { return "bench-sym" }
func (benchSym) Analyze(ctx context.Context, t *pipeline.Task) error {
	t.Add("TEST_ACTION_PHISH")
	return nil
}

// BenchmarkCheckHTTP is one /checkv2 request over its own connection
// (as rspamc and sekisho bench send them) to a server with an engine of
// one trivial analyzer: net/http, the handler, the action step and the
// reply, what the Rspamd front end costs besides the analyzers. The
// client's allocations are counted too (the same before and after).
func BenchmarkCheckHTTP(b *testing.B) {
	raw, err := os.ReadFile("../../store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	eng := enginetest.Only(b, cfg, benchSym{})
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	(&Handler{P: p, Settings: cfg.Serve.Rspamd}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", srv.URL+"/checkv2", bytes.NewReader(raw))
		req.Header.Set("Ip", "192.0.2.1")
		req.Header.Set("From", "a@example.com")
		req.Header.Set("Rcpt", "b@example.jp")
		req.Header.Set("Queue-Id", "ABC123")
		resp, err := cl.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}
