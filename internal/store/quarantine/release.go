package quarantine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"

	"github.com/emersion/go-smtp"
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
		_ = s.Audit(ctx, by, "release-failed", id, err.Error())
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
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("quarantine: release: connect %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	helo := qc.ReleaseHelo
	if helo == "" {
		helo = s.cfg.General.Hostname
	}
	if qc.ReleaseStartTLS != "none" {
		h, _, _ := net.SplitHostPort(addr)
		conn, err = startTLS(conn, helo, h, qc.ReleaseStartTLS == "require")
		if err != nil {
			conn.Close()
			return fmt.Errorf("quarantine: release: %s: %w", addr, err)
		}
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		return fmt.Errorf("quarantine: release: EHLO: %w", err)
	}
	if err := c.Mail(from, nil); err != nil {
		return fmt.Errorf("quarantine: release: MAIL FROM: %w", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(strings.TrimSpace(r), nil); err != nil {
			return fmt.Errorf("quarantine: release: RCPT TO %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("quarantine: release: DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("quarantine: release: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("quarantine: release: DATA: %w", err)
	}
	_ = c.Quit()
	return nil
}

// startTLS greets the server and upgrades to TLS when it offers STARTTLS
// (RFC 3207). It returns a connection that replays a greeting, so that the
// SMTP client can start its own session on it.
func startTLS(conn net.Conn, helo, host string, require bool) (net.Conn, error) {
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return conn, fmt.Errorf("greeting: %w", err)
	}
	if err := tp.PrintfLine("EHLO %s", helo); err != nil {
		return conn, err
	}
	_, ext, err := tp.ReadResponse(250)
	if err != nil {
		return conn, fmt.Errorf("EHLO: %w", err)
	}
	offered := false
	for _, l := range strings.Split(ext, "\n") {
		if strings.EqualFold(strings.TrimSpace(l), "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		if require {
			return conn, errors.New("STARTTLS not offered (release_starttls = require)")
		}
		return &replayConn{Conn: conn, r: io.MultiReader(strings.NewReader("220 replay\r\n"), tp.R)}, nil
	}
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return conn, err
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return conn, fmt.Errorf("STARTTLS: %w", err)
	}
	// The next hop is normally the local MTA, known by address only; its
	// certificate is verified only when it is named by host name.
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if net.ParseIP(host) != nil {
		tc.InsecureSkipVerify = true
	}
	tconn := tls.Client(conn, tc)
	if err := tconn.Handshake(); err != nil {
		return conn, fmt.Errorf("TLS handshake: %w", err)
	}
	return &replayConn{Conn: tconn, r: io.MultiReader(strings.NewReader("220 replay\r\n"), tconn)}, nil
}

type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(b []byte) (int, error) { return c.r.Read(b) }
