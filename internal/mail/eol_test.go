package mail

import (
	"strings"
	"testing"
)

func TestLineEnds(t *testing.T) {
	hdr := "From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\n"
	cases := []struct {
		name, raw string
		want      []string
		not       []string
	}{
		{"crlf", hdr + "hello\r\n", nil, []string{AnomalyBareLF, AnomalyMixedEOL, AnomalySMTPSmuggling}},
		{"stored", strings.ReplaceAll(hdr, "\r\n", "\n") + "hello\n", []string{AnomalyBareLF}, []string{AnomalyMixedEOL}},
		{"mixed", hdr + "hello\nworld\r\n", []string{AnomalyMixedEOL}, []string{AnomalyBareLF, AnomalySMTPSmuggling}},
		{"smuggle-lf", hdr + "hi\n.\r\nMAIL FROM:<x@bank.example>\r\nRCPT TO:<b@example.jp>\r\nDATA\r\nforged\r\n", []string{AnomalySMTPSmuggling, AnomalyMixedEOL}, nil},
		{"smuggle-cr", hdr + "hi\r.\r\nmail from:<x@bank.example>\r\nrcpt to:<b@example.jp>\r\nrcpt to:<c@example.jp>\r\ndata\r\n", []string{AnomalySMTPSmuggling}, nil},
		{"smuggle-normalised", hdr + "hi\r\n.\r\nRSET\r\nMAIL FROM:<x@bank.example>\r\nRCPT TO:<b@example.jp>\r\nDATA\r\n", []string{AnomalySMTPSmuggling}, []string{AnomalyMixedEOL}},
		// Prose about SMTP, and a transcript with replies, are not an envelope.
		{"howto", hdr + "Type these:\r\n.\r\nMAIL FROM is the sender and RCPT TO the recipient.\r\n", nil, []string{AnomalySMTPSmuggling}},
		{"transcript", hdr + "DATA\r\nhello\r\n.\r\n250 2.0.0 Ok\r\nMAIL FROM:<a@b>\r\n250 Ok\r\nRCPT TO:<c@d>\r\n", nil, []string{AnomalySMTPSmuggling}},
		{"no-data", hdr + "x\n.\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\n", nil, []string{AnomalySMTPSmuggling}},
	}
	for _, c := range cases {
		m := Parse([]byte(c.raw), Limits{})
		for _, w := range c.want {
			if !m.HasAnomaly(w) {
				t.Errorf("%s: no %s (%v)", c.name, w, m.Anomalies)
			}
		}
		for _, w := range c.not {
			if m.HasAnomaly(w) {
				t.Errorf("%s: unexpected %s", c.name, w)
			}
		}
	}
}
