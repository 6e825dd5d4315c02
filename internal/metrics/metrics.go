// Package metrics exposes sekisho's Prometheus metrics: scans by action,
// category and front end, scan latency, analyzer failures, symbol hits and
// the quarantine size. Every label comes from a closed set (the action and
// category enums, the known front ends, registered symbols, the engine's
// analyzer names); anything else is counted as "other", never as itself.
package metrics

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// SizeFunc reports the quarantine's message count and original bytes.
type SizeFunc func(ctx context.Context) (messages int, bytes int64, err error)

// Metrics holds the collectors of one process.
type Metrics struct {
	Registry *prometheus.Registry

	scans      *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	failures   *prometheus.CounterVec
	symbols    *prometheus.CounterVec
	score      prometheus.Histogram
	dropped    prometheus.CounterFunc
	analyzers  map[string]bool
	frontends  map[string]bool
	sizeMu     sync.Mutex
	sizeAt     time.Time
	sizeN      int
	sizeB      int64
	sizeFn     SizeFunc
	historyOut func() uint64
	listsMu    sync.Mutex
	lists      *listCollector // DNS lists and feeds (lists.go)
	post       *postDelivery  // reports and digests (postdelivery.go)
}

var frontends = []string{pipeline.FrontendCLI, pipeline.FrontendMilter, pipeline.FrontendSMTP, pipeline.FrontendRspamd, pipeline.FrontendSpamd, pipeline.FrontendAPI, pipeline.FrontendLearn}

// New registers the collectors. analyzers are the engine's analyzer names
// (the closed set for the analyzer label).
func New(analyzers []string, size SizeFunc, historyDropped func() uint64) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{Registry: reg, analyzers: map[string]bool{}, frontends: map[string]bool{}, sizeFn: size, historyOut: historyDropped}
	for _, a := range analyzers {
		m.analyzers[a] = true
	}
	for _, f := range frontends {
		m.frontends[f] = true
	}
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sekisho_scans_total", Help: "Messages scanned, by action, category and front end.",
	}, []string{"action", "category", "frontend"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sekisho_scan_duration_seconds", Help: "Wall time of one scan.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"frontend"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sekisho_analyzer_failures_total", Help: "Analyzer errors, timeouts and recovered panics, and whole-scan timeouts (analyzer \"scan\").",
	}, []string{"analyzer", "kind"})
	m.symbols = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sekisho_symbol_hits_total", Help: "Scans on which a symbol fired.",
	}, []string{"symbol"})
	m.score = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "sekisho_scan_score", Help: "Scores of scanned messages.",
		Buckets: []float64{-5, 0, 2, 5, 8, 10, 15, 20, 30},
	})
	reg.MustRegister(m.scans, m.duration, m.failures, m.symbols, m.score)
	m.post = newPostDelivery(reg)
	// Initialise the closed sets so that dashboards see zeros.
	for _, a := range []pipeline.Action{pipeline.ActionAccept, pipeline.ActionTag, pipeline.ActionQuarantine, pipeline.ActionReject, pipeline.ActionTempfail} {
		for _, c := range pipeline.Categories {
			m.scans.WithLabelValues(string(a), string(c), pipeline.FrontendMilter)
		}
	}
	// Failures too: zero from start, so alerts on increase() work before
	// the first failure.
	m.failures.WithLabelValues("scan", "timeout")
	for a := range m.analyzers {
		for _, k := range []string{"error", "timeout", "panic"} {
			m.failures.WithLabelValues(a, k)
		}
	}
	if size != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "sekisho_quarantine_messages", Help: "Messages held in the quarantine.",
		}, func() float64 { n, _ := m.size(); return float64(n) }))
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "sekisho_quarantine_bytes", Help: "Original size of the messages held in the quarantine.",
		}, func() float64 { _, b := m.size(); return float64(b) }))
	}
	if historyDropped != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "sekisho_history_dropped_total", Help: "Scans not recorded in the history because the writer queue was full.",
		}, func() float64 { return float64(historyDropped()) }))
	}
	return m
}

// size caches the quarantine size for 15 s so that scrapes stay cheap.
func (m *Metrics) size() (int, int64) {
	m.sizeMu.Lock()
	defer m.sizeMu.Unlock()
	if time.Since(m.sizeAt) > 15*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, b, err := m.sizeFn(ctx)
		cancel()
		if err == nil {
			m.sizeN, m.sizeB, m.sizeAt = n, b, time.Now()
		}
	}
	return m.sizeN, m.sizeB
}

func (m *Metrics) frontend(f string) string {
	if m.frontends[f] {
		return f
	}
	return "other"
}

// Observe counts one scan (register it with engine.Observe).
func (m *Metrics) Observe(r *pipeline.Result) {
	fe := m.frontend(r.Env.Frontend)
	act := string(r.Verdict.Action)
	if act == "" || pipeline.Action(act).Rank() < 0 {
		act = "other"
	}
	cat := string(r.Verdict.Category)
	if _, err := pipeline.ParseCategory(cat); err != nil {
		cat = "other"
	}
	m.scans.WithLabelValues(act, cat, fe).Inc()
	m.duration.WithLabelValues(fe).Observe(r.Duration.Seconds())
	m.score.Observe(r.Verdict.Score)
	for _, s := range r.Verdict.Symbols {
		if _, ok := pipeline.Lookup(s.Name); ok {
			m.symbols.WithLabelValues(s.Name).Inc()
		}
		kind := ""
		switch s.Name {
		case pipeline.SymAnalyzerError:
			kind = "error"
		case pipeline.SymAnalyzerTimeout:
			kind = "timeout"
		case pipeline.SymAnalyzerPanic:
			kind = "panic"
		case pipeline.SymScanTimeout:
			m.failures.WithLabelValues("scan", "timeout").Inc()
			continue
		default:
			continue
		}
		if len(s.Options) == 0 {
			m.failures.WithLabelValues("other", kind).Inc()
		}
		for _, a := range s.Options {
			if !m.analyzers[a] {
				a = "other"
			}
			m.failures.WithLabelValues(a, kind).Inc()
		}
	}
}

// Handler serves the metrics; with a token, it requires
// "Authorization: Bearer TOKEN".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !constEq(got, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sekisho metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func constEq(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}
