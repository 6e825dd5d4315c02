package mail

import (
	"strings"
	"testing"
	"time"
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

// refEOL and refSmuggledDot are the plain byte-by-byte versions.
func refEOL(raw []byte) (crlf, lf, cr int) {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '\n':
			if i > 0 && raw[i-1] == '\r' {
				crlf++
			} else {
				lf++
			}
		case '\r':
			if i+1 >= len(raw) || raw[i+1] != '\n' {
				cr++
			}
		}
	}
	return crlf, lf, cr
}

func refSmuggledDot(raw []byte) (off int, odd, ok bool) {
	for d := 1; d+1 < len(raw); d++ {
		if raw[d] != '.' || raw[d-1] != '\n' && raw[d-1] != '\r' || raw[d+1] != '\n' && raw[d+1] != '\r' {
			continue
		}
		crlfBefore := d >= 2 && raw[d-2] == '\r' && raw[d-1] == '\n'
		crlfAfter := d+2 < len(raw) && raw[d+1] == '\r' && raw[d+2] == '\n'
		next := d + 2
		if crlfAfter {
			next = d + 3
		}
		if smtpEnvelopeFollows(raw[next:min(len(raw), next+2048)]) {
			return d, !crlfBefore || !crlfAfter, true
		}
	}
	return 0, false, false
}

// FuzzLineEnds: the counting and the dot search are the plain loops'.
func FuzzLineEnds(f *testing.F) {
	f.Add([]byte("a\r\nb\nc\rd\r\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\n"))
	f.Add([]byte("\r.\n.\rmail from:<a>\nrcpt to:<b>\ndata\n"))
	f.Add([]byte(".\n\r\n.\r\n\r\r\n"))
	f.Add([]byte(strings.Repeat("x.", 300) + "\r\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\n"))
	f.Add([]byte(strings.Repeat(".", 200) + "\n.\n" + strings.Repeat("a.b", 50) + "\r.\rmail from:<a>\nrcpt to:<b>\ndata\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, b, c := countEOL(raw)
		x, y, z := refEOL(raw)
		if a != x || b != y || c != z {
			t.Fatalf("countEOL(%q) = %d %d %d, want %d %d %d", raw, a, b, c, x, y, z)
		}
		o1, d1, k1 := smuggledDot(raw)
		o2, d2, k2 := refSmuggledDot(raw)
		if o1 != o2 || d1 != d2 || k1 != k2 {
			t.Fatalf("smuggledDot(%q) = %d %v %v, want %d %v %v", raw, o1, d1, k1, o2, d2, k2)
		}
	})
}

// TestSmuggledDotLinear: dot rows after each line-start dot send
// nextLineDot to its pair searches on every call; with only "\n." (or
// only "\r.") in the message, the search for the other pair must not run
// to the end each time (3 MB took seconds when it did, ms otherwise).
func TestSmuggledDotLinear(t *testing.T) {
	for _, eol := range []string{"\n", "\r"} {
		raw := []byte(strings.Repeat(eol+"."+strings.Repeat(".", 20), 3<<20/22))
		st := time.Now()
		_, _, ok := smuggledDot(raw)
		if d := time.Since(st); ok || d > 1500*time.Millisecond {
			t.Errorf("smuggledDot over %d bytes of %q-dot rows: %v, %v", len(raw), eol, ok, d)
		}
	}
}
