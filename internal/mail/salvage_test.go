package mail_test

import (
	"bytes"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// The lure's attachment is found past every soft limit, and the breach is
// reported (the policy fails closed on it).
func TestLimitsKeepLooking(t *testing.T) {
	zipFound := func(m *mail.Message) bool {
		for _, a := range m.Attachments {
			if a.Filename == "請求書.zip" && bytes.HasPrefix(a.Body, []byte("PK")) {
				return true
			}
		}
		return false
	}
	cases := []struct {
		name    string
		raw     []byte
		anomaly string
	}{
		{"headers", testdoc.EmotetAfterHeaders(1001), mail.AnomalyTooManyHeaders},
		{"header bytes", testdoc.EmotetAfterHeaderBytes(1<<20 + 1000), mail.AnomalyHeaderTooLong},
		{"parts", testdoc.EmotetAfterParts(1000), mail.AnomalyTooManyParts},
		{"depth", testdoc.EmotetAtDepth(20), mail.AnomalyTooDeep},
		{"depth 200", testdoc.EmotetAtDepth(200), mail.AnomalyTooDeep},
		{"rfc822 parts", testdoc.EmotetInRFC822(testdoc.EmotetAfterParts(1000)), mail.AnomalyTooManyParts},
		{"rfc822 depth", testdoc.EmotetInRFC822(testdoc.EmotetAtDepth(20)), mail.AnomalyTooDeep},
		{"rfc822 headers", testdoc.EmotetInRFC822(testdoc.EmotetAfterHeaders(1001)), mail.AnomalyTooManyHeaders},
	}
	for _, c := range cases {
		m := mail.Parse(c.raw, mail.Limits{})
		if !m.HasAnomaly(c.anomaly) {
			t.Errorf("%s: no %s: %+v", c.name, c.anomaly, m.Anomalies)
		}
		if !zipFound(m) {
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename+"/"+a.ContentType)
			}
			t.Errorf("%s: the attachment past the limit was not found (attachments %q, %d parts)", c.name, names, len(m.Parts))
		}
	}
	// Under the limits nothing is reported and the lure is found.
	m := mail.Parse(testdoc.EmotetAtDepth(5), mail.Limits{})
	if !zipFound(m) || m.HasAnomaly(mail.AnomalyTooDeep) {
		t.Errorf("depth 5: %+v", m.Anomalies)
	}
}

// Past the limit the number of parts kept is bounded.
func TestSalvageBounded(t *testing.T) {
	m := mail.Parse(testdoc.EmotetAfterParts(20000), mail.Limits{})
	if len(m.Parts) > 1000+300 {
		t.Fatalf("%d parts kept", len(m.Parts))
	}
	if !m.HasAnomaly(mail.AnomalyTooManyParts) {
		t.Fatal("no anomaly")
	}
}

// BenchmarkParseHostile measures the soft-limit paths (bytes/s on one core).
func BenchmarkParseHostile(b *testing.B) {
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"parts20000", testdoc.EmotetAfterParts(20000)},
		{"depth200", testdoc.EmotetAtDepth(200)},
		{"headers100000", testdoc.EmotetAfterHeaders(100000)},
		{"headerbytes8MiB", testdoc.EmotetAfterHeaderBytes(8 << 20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.raw)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				mail.Parse(c.raw, mail.Limits{})
			}
		})
	}
}
