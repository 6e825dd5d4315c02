package quarantine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/jsonw"
	"github.com/sekisho/sekisho/internal/smtpout"
)

// Release sends a quarantined message's original bytes to the configured
// next hop (quarantine.release_host) with its original envelope, and
// records who released it. Lines already ending in CRLF go out byte for
// byte; bare LF line ends become CRLF as SMTP requires (RFC 5321 §2.3.8).
func (s *Store) Release(ctx context.Context, id, by string) error {
	m, err := s.Message(ctx, id, true)
	if err != nil {
		return err
	}
	if m.Kind != KindQuarantine {
		return ErrNotHeld
	}
	if !m.HasRaw {
		return ErrNoRaw
	}
	rcpts := m.Rcpts
	if len(rcpts) == 0 {
		return errors.New("quarantine: release: the message has no recipients")
	}
	host := s.cfg.Quarantine.ReleaseHost
	res, err := s.send(ctx, host, m.MailFrom, rcpts, m.Raw)
	if err != nil {
		_ = s.acc.Audit(ctx, by, "release-failed", id, err.Error())
		return err
	}
	// Per recipient: the message went to those the next hop accepted;
	// the others are reported (and audited), not retried.
	var part *PartialRelease
	for _, r := range res {
		if r.Err != nil {
			if part == nil {
				part = &PartialRelease{}
			}
			part.Refused = append(part.Refused, r)
		}
	}
	s.log.Info("message released", "msg_id", m.ScanID, "quarantine_id", id, "by", by, "to", host, "recipients", len(res))
	if err := s.MarkReleased(ctx, id, by, host); err != nil {
		return err
	}
	if part != nil {
		part.Delivered = len(res) - len(part.Refused)
		_ = s.acc.Audit(ctx, by, "release-partial", id, part.Error())
		s.log.Warn("release: some recipients refused", "quarantine_id", id, "refused", part.Error())
		return part
	}
	return nil
}

// PartialRelease is Release's error when the message went to some
// recipients only: the others were malformed (not RFC 5321 paths) or
// refused by the next hop. The message counts as released.
type PartialRelease struct {
	Delivered int
	Refused   []smtpout.RcptResult
}

func (p *PartialRelease) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "released to %d recipient(s); not to", p.Delivered)
	for i, r := range p.Refused {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %q (%v)", r.Rcpt, r.Err)
	}
	return b.String()
}

// send delivers raw over SMTP, reporting per recipient.
func (s *Store) send(ctx context.Context, addr, from string, rcpts []string, raw []byte) ([]smtpout.RcptResult, error) {
	o, d := smtpout.ReleaseOptions(s.cfg, addr)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	res, err := smtpout.SendEach(ctx, o, from, rcpts, raw)
	if err != nil {
		return res, fmt.Errorf("quarantine: release: %w", err)
	}
	return res, nil
}

// encodeRcpts stores recipients as a JSON array: a quoted local part may
// hold ", " ("john, x"@corp.example), which the old ", "-joined form
// split into bogus recipients (issue 14).
func encodeRcpts(rs []string) string {
	if len(rs) == 0 {
		return ""
	}
	// json.Marshal's bytes, without reflection (jsonenc_internal_test.go).
	n := 2
	for _, r := range rs {
		n += len(r) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, r)
	}
	b = append(b, ']')
	return string(b)
}

// decodeRcpts reads both forms: the JSON array, and the ", "-joined form
// of rows stored before, split outside quotes.
func decodeRcpts(s string) []string {
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "[") {
		var rs []string
		if json.Unmarshal([]byte(s), &rs) == nil {
			return rs
		}
	}
	var out []string
	inQ, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQ:
			i++
		case s[i] == '"':
			inQ = !inQ
		case !inQ && strings.HasPrefix(s[i:], ", "):
			out = append(out, s[start:i])
			start = i + 2
			i++
		}
	}
	return append(out, s[start:])
}
