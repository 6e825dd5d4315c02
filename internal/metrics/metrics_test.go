package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestObserveClosedLabels(t *testing.T) {
	m := New([]string{"header", "url"}, func(context.Context) (int, int64, error) { return 3, 4096, nil }, func() uint64 { return 2 })
	m.Observe(&pipeline.Result{Env: pipeline.Envelope{Frontend: "milter"}, Duration: 12 * time.Millisecond,
		Verdict: pipeline.Verdict{Action: pipeline.ActionQuarantine, Category: pipeline.CategoryPhishing, Score: 12,
			Symbols: []pipeline.SymbolResult{{Name: pipeline.SymAnalyzerTimeout, Options: []string{"url"}}, {Name: pipeline.SymAnalyzerError, Options: []string{"attacker.example"}}, {Name: "NOT_REGISTERED_X"}}}})
	m.Observe(&pipeline.Result{Env: pipeline.Envelope{Frontend: "evil<script>"}, Verdict: pipeline.Verdict{Action: "weird", Category: "nope"}})
	srv := httptest.NewServer(m.Handler(""))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 1<<20)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	body := sb.String()
	for _, want := range []string{
		`sekisho_scans_total{action="quarantine",category="phishing",frontend="milter"} 1`,
		`sekisho_scans_total{action="other",category="other",frontend="other"} 1`,
		`sekisho_analyzer_failures_total{analyzer="url",kind="timeout"} 1`,
		`sekisho_analyzer_failures_total{analyzer="other",kind="error"} 1`,
		`sekisho_scan_duration_seconds_bucket{frontend="milter",le="0.025"} 1`,
		`sekisho_quarantine_messages 3`, `sekisho_quarantine_bytes 4096`, `sekisho_history_dropped_total 2`,
		`sekisho_symbol_hits_total{symbol="PIPELINE_ANALYZER_TIMEOUT"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(body, "attacker.example") || strings.Contains(body, "NOT_REGISTERED_X") || strings.Contains(body, "evil") {
		t.Error("open label value leaked into metrics")
	}
}

func TestToken(t *testing.T) {
	m := New(nil, nil, nil)
	h := m.Handler("s3cret")
	for _, c := range []struct {
		auth string
		code int
	}{{"", 401}, {"Bearer nope", 401}, {"Bearer s3cret", 200}} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != c.code {
			t.Errorf("%q: %d", c.auth, w.Code)
		}
	}
}

// TestFailuresFromStart: analyzer-failure series exist at zero before the
// first failure (dashboards and increase() alerts need them).
func TestFailuresFromStart(t *testing.T) {
	m := New([]string{"header", "url"}, nil, nil)
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`sekisho_analyzer_failures_total{analyzer="header",kind="error"} 0`,
		`sekisho_analyzer_failures_total{analyzer="url",kind="timeout"} 0`,
		`sekisho_analyzer_failures_total{analyzer="url",kind="panic"} 0`,
		`sekisho_analyzer_failures_total{analyzer="scan",kind="timeout"} 0`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("missing %s", want)
		}
	}
}

type fakeLists struct{}

func (fakeLists) EachList(f func(kind, list string, queries, hits, errors uint64, latency time.Duration)) {
	f("dnsbl", "zen", 10, 3, 2, 1500*time.Millisecond)
}

func TestListMetrics(t *testing.T) {
	m := New(nil, nil, nil)
	if err := m.AddLists(fakeLists{}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`sekisho_list_queries_total{kind="dnsbl",list="zen"} 10`, `sekisho_list_hits_total{kind="dnsbl",list="zen"} 3`,
		`sekisho_list_errors_total{kind="dnsbl",list="zen"} 2`, `sekisho_list_latency_seconds_total{kind="dnsbl",list="zen"} 1.5`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("no %s", want)
		}
	}
}
