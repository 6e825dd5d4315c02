// Package smtpout hands a message to an SMTP server (the organisation's
// own MTA): quarantine release and DMARC report mail use it. STARTTLS is
// used when offered (or required); the server's certificate is verified
// when it is named by host name.
package smtpout

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Options say where and how to send.
type Options struct {
	Addr string // host:port
	Helo string
	// StartTLS: "opportunistic" (default: when offered), "require" or "none".
	StartTLS string
}

// Send delivers raw to rcpts with MAIL FROM from. Errors name the step;
// a refused or malformed recipient is an error, though the others still
// got the message (SendEach says which).
func Send(ctx context.Context, o Options, from string, rcpts []string, raw []byte) error {
	res, err := SendEach(ctx, o, from, rcpts, raw)
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("RCPT TO %s: %w", r.Rcpt, r.Err)
		}
	}
	return nil
}

// RcptResult is the outcome for one recipient: Err is nil when the server
// accepted it (and the message was then delivered).
type RcptResult struct {
	Rcpt string
	Err  error
}

// SendEach delivers raw to every recipient the server accepts. The
// sender and each recipient must be RFC 5321 paths (ParsePath: no ESMTP
// parameters smuggled in envelope strings); a malformed or refused
// recipient is reported in its result and the others still get the
// message. err is set when nothing was delivered (connection, MAIL FROM,
// no recipient accepted, DATA).
func SendEach(ctx context.Context, o Options, from string, rcpts []string, raw []byte) ([]RcptResult, error) {
	from, err := ParsePath(from)
	if err != nil {
		return nil, fmt.Errorf("MAIL FROM %q: %w", from, err)
	}
	res := make([]RcptResult, len(rcpts))
	var valid []int
	for i, r := range rcpts {
		res[i].Rcpt = r
		p, err := ParsePath(r)
		if err == nil && p == "" {
			err = ErrBadPath
		}
		if err != nil {
			res[i].Err = err
			continue
		}
		res[i].Rcpt = p
		valid = append(valid, i)
	}
	if len(valid) == 0 {
		return res, errors.New("no valid recipient")
	}
	return res, send(ctx, o, from, res, valid, raw)
}

func send(ctx context.Context, o Options, from string, res []RcptResult, valid []int, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("connect %s: %w", o.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A cancelled context (a stopping server) ends a dialogue blocked on
	// a silent peer at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if o.StartTLS != "none" {
		h, _, _ := net.SplitHostPort(o.Addr)
		conn, err = startTLS(conn, o.Helo, h, o.StartTLS == "require")
		if err != nil {
			conn.Close()
			return fmt.Errorf("%s: %w", o.Addr, err)
		}
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(o.Helo); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if err := c.Mail(from, nil); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	accepted := 0
	for _, i := range valid {
		if err := c.Rcpt(res[i].Rcpt, nil); err != nil {
			res[i].Err = err
			continue
		}
		accepted++
	}
	if accepted == 0 {
		for _, i := range valid {
			return fmt.Errorf("RCPT TO %s: %w", res[i].Rcpt, res[i].Err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
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
			return conn, errors.New("STARTTLS not offered (required)")
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
