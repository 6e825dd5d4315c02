package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ListReporter is implemented by analyzers that ask outside lists or
// feeds (DNS block lists, threat feeds): EachList calls f once per list
// with its kind ("dnsbl", "feed"), configured name and counters. The
// names come from the configuration, a closed set.
type ListReporter interface {
	EachList(f func(kind, list string, queries, hits, errors uint64, latency time.Duration))
}

// ListSizer is implemented by list reporters that hold their entries
// (threat feeds): EachListSize gives the entries loaded per list.
type ListSizer interface {
	EachListSize(f func(kind, list string, entries int64))
}

var (
	listEntriesDesc = prometheus.NewDesc("sekisho_list_entries", "Entries (indicators) loaded from a feed.", []string{"kind", "list"}, nil)
	listQueriesDesc = prometheus.NewDesc("sekisho_list_queries_total", "Queries sent to a block list or feed.", []string{"kind", "list"}, nil)
	listHitsDesc    = prometheus.NewDesc("sekisho_list_hits_total", "Queries a block list or feed answered with a listing.", []string{"kind", "list"}, nil)
	listErrorsDesc  = prometheus.NewDesc("sekisho_list_errors_total", "Failed queries: DNS failures, time-outs, refusal codes, lists rested after failures.", []string{"kind", "list"}, nil)
	listLatencyDesc = prometheus.NewDesc("sekisho_list_latency_seconds_total", "Summed wall time of the queries (divide by queries for the mean).", []string{"kind", "list"}, nil)
)

type listCollector struct {
	mu sync.Mutex
	rs []ListReporter
}

func (*listCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- listQueriesDesc
	ch <- listHitsDesc
	ch <- listErrorsDesc
	ch <- listLatencyDesc
	ch <- listEntriesDesc
}

func (c *listCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	rs := append([]ListReporter(nil), c.rs...)
	c.mu.Unlock()
	for _, r := range rs {
		c.collect(r, ch)
	}
}

func (c *listCollector) collect(r ListReporter, ch chan<- prometheus.Metric) {
	r.EachList(func(kind, list string, q, h, e uint64, lat time.Duration) {
		ch <- prometheus.MustNewConstMetric(listQueriesDesc, prometheus.CounterValue, float64(q), kind, list)
		ch <- prometheus.MustNewConstMetric(listHitsDesc, prometheus.CounterValue, float64(h), kind, list)
		ch <- prometheus.MustNewConstMetric(listErrorsDesc, prometheus.CounterValue, float64(e), kind, list)
		ch <- prometheus.MustNewConstMetric(listLatencyDesc, prometheus.CounterValue, lat.Seconds(), kind, list)
	})
	if s, ok := r.(ListSizer); ok {
		s.EachListSize(func(kind, list string, n int64) {
			ch <- prometheus.MustNewConstMetric(listEntriesDesc, prometheus.GaugeValue, float64(n), kind, list)
		})
	}
}

// AddLists exports a list reporter's counters. Several reporters may be
// added when their (kind, list) pairs differ.
func (m *Metrics) AddLists(r ListReporter) error {
	m.listsMu.Lock()
	defer m.listsMu.Unlock()
	if m.lists == nil {
		c := &listCollector{}
		if err := m.Registry.Register(c); err != nil {
			return err
		}
		m.lists = c
	}
	m.lists.mu.Lock()
	m.lists.rs = append(m.lists.rs, r)
	m.lists.mu.Unlock()
	return nil
}
