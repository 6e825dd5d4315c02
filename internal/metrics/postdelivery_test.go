package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPostDeliveryCounters: report and digest counters appear from start
// (zeros), count what they are told, and fold unknown labels into
// "other".
func TestPostDeliveryCounters(t *testing.T) {
	m := New(nil, nil, nil)
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	before := scrape()
	for _, want := range []string{
		`sekisho_reports_received_total{source="mail"} 0`,
		`sekisho_reports_triaged_total{verdict="confirmed"} 0`,
		`sekisho_report_answers_total{outcome="failed"} 0`,
		`sekisho_digests_total{outcome="sent"} 0`,
		`sekisho_digest_link_actions_total{action="release",outcome="used"} 0`,
	} {
		if !strings.Contains(before, want+"\n") {
			t.Errorf("missing from start: %s", want)
		}
	}
	m.ReportReceived("mail")
	m.ReportReceived("console")
	m.ReportReceived("<evil>")
	m.ReportTriaged("confirmed")
	m.ReportAnswered("sent")
	m.ReportAnswered("failed")
	m.DigestSent(true)
	m.DigestSent(true)
	m.DigestSent(false)
	m.DigestLink("release", "done")
	m.DigestLink("release", "used")
	m.DigestLink("session", "expired")
	m.DigestLink("x\ny", "done")
	after := scrape()
	for _, want := range []string{
		`sekisho_reports_received_total{source="mail"} 1`,
		`sekisho_reports_received_total{source="console"} 1`,
		`sekisho_reports_received_total{source="other"} 1`,
		`sekisho_reports_triaged_total{verdict="confirmed"} 1`,
		`sekisho_report_answers_total{outcome="sent"} 1`,
		`sekisho_report_answers_total{outcome="failed"} 1`,
		`sekisho_digests_total{outcome="sent"} 2`,
		`sekisho_digests_total{outcome="failed"} 1`,
		`sekisho_digest_link_actions_total{action="release",outcome="done"} 1`,
		`sekisho_digest_link_actions_total{action="release",outcome="used"} 1`,
		`sekisho_digest_link_actions_total{action="session",outcome="expired"} 1`,
		`sekisho_digest_link_actions_total{action="other",outcome="done"} 1`,
	} {
		if !strings.Contains(after, want+"\n") {
			t.Errorf("missing: %s", want)
		}
	}
}
