package metrics

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// After-delivery counters: the report-phish intake and the digests. Every
// label is from a closed set (anything else counts as "other"), and every
// series exists from start so that dashboards and increase() see zeros.

var (
	reportSources  = []string{"mail", "console"}
	reportVerdicts = []string{"confirmed", "suspicious", "safe", "failed"}
	answerOutcomes = []string{"sent", "failed", "skipped"}
	digestOutcomes = []string{"sent", "failed"}
	linkActions    = []string{"release", "release-allow", "delete", "session"}
	linkOutcomes   = []string{"done", "used", "expired", "refused", "gone", "invalid", "failed"}
)

type postDelivery struct {
	received *prometheus.CounterVec
	triaged  *prometheus.CounterVec
	answers  *prometheus.CounterVec
	digests  *prometheus.CounterVec
	links    *prometheus.CounterVec
}

func newPostDelivery(reg *prometheus.Registry) *postDelivery {
	p := &postDelivery{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_reports_received_total", Help: "Report-phish reports taken, by source (mail, console).",
		}, []string{"source"}),
		triaged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_reports_triaged_total", Help: "Reports triaged, by verdict (confirmed, suspicious, safe, failed).",
		}, []string{"verdict"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_report_answers_total", Help: "Answers to reporters, by outcome (sent, failed, skipped).",
		}, []string{"outcome"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_digests_total", Help: "Digest mails, by outcome (sent, failed).",
		}, []string{"outcome"}),
		links: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_digest_link_actions_total", Help: "Digest links carried out (POST), by action and outcome.",
		}, []string{"action", "outcome"}),
	}
	reg.MustRegister(p.received, p.triaged, p.answers, p.digests, p.links)
	for _, v := range reportSources {
		p.received.WithLabelValues(v)
	}
	for _, v := range reportVerdicts {
		p.triaged.WithLabelValues(v)
	}
	for _, v := range answerOutcomes {
		p.answers.WithLabelValues(v)
	}
	for _, v := range digestOutcomes {
		p.digests.WithLabelValues(v)
	}
	for _, a := range linkActions {
		for _, o := range linkOutcomes {
			p.links.WithLabelValues(a, o)
		}
	}
	return p
}

func closed(set []string, v string) string {
	if slices.Contains(set, v) {
		return v
	}
	return "other"
}

// ReportReceived counts a report taken (source: mail or console).
func (m *Metrics) ReportReceived(source string) {
	m.post.received.WithLabelValues(closed(reportSources, source)).Inc()
}

// ReportTriaged counts a triaged report by its verdict.
func (m *Metrics) ReportTriaged(verdict string) {
	m.post.triaged.WithLabelValues(closed(reportVerdicts, verdict)).Inc()
}

// ReportAnswered counts an answer to a reporter (sent, failed, skipped).
func (m *Metrics) ReportAnswered(outcome string) {
	m.post.answers.WithLabelValues(closed(answerOutcomes, outcome)).Inc()
}

// DigestSent counts one digest mail sent or failed.
func (m *Metrics) DigestSent(ok bool) {
	o := "sent"
	if !ok {
		o = "failed"
	}
	m.post.digests.WithLabelValues(o).Inc()
}

// DigestLink counts a digest link carried out: action (release,
// release-allow, delete, session) and outcome (done, used, expired,
// refused, gone, invalid, failed).
func (m *Metrics) DigestLink(action, outcome string) {
	m.post.links.WithLabelValues(closed(linkActions, action), closed(linkOutcomes, outcome)).Inc()
}
