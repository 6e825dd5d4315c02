package quarantine

import (
	"context"
	"errors"
	"fmt"

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
	if err := s.send(ctx, host, m.MailFrom, rcpts, m.Raw); err != nil {
		_ = s.acc.Audit(ctx, by, "release-failed", id, err.Error())
		return err
	}
	s.log.Info("message released", "msg_id", m.ScanID, "quarantine_id", id, "by", by, "to", host)
	return s.MarkReleased(ctx, id, by, host)
}

// send delivers raw over SMTP.
func (s *Store) send(ctx context.Context, addr, from string, rcpts []string, raw []byte) error {
	qc := s.cfg.Quarantine
	ctx, cancel := context.WithTimeout(ctx, qc.ReleaseTimeout.Duration)
	defer cancel()
	helo := qc.ReleaseHelo
	if helo == "" {
		helo = s.cfg.General.Hostname
	}
	if err := smtpout.Send(ctx, smtpout.Options{Addr: addr, Helo: helo, StartTLS: qc.ReleaseStartTLS}, from, rcpts, raw); err != nil {
		return fmt.Errorf("quarantine: release: %w", err)
	}
	return nil
}
