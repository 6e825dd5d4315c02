package testutil

// An SMTP sink standing in for a next hop, a relay host or a release
// target: every message it accepts is kept for the test to read.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message a Sink received.
type Mail struct {
	From  string
	Rcpts []string
	Data  []byte
}

// Sink is an SMTP server on loopback that keeps what it receives.
type Sink struct {
	Addr string
	mu   sync.Mutex
	got  []Mail
	ch   chan Mail
}

// SMTPSink starts a sink; it stops when the test ends.
func SMTPSink(t testing.TB) *Sink {
	t.Helper()
	return SMTPSinkAt(t, "127.0.0.1:0")
}

// SMTPSinkAt starts a sink listening on addr (a host side of a veth pair
// for a daemon in a network namespace); it stops when the test ends.
func SMTPSinkAt(t testing.TB, addr string) *Sink {
	t.Helper()
	k := &Sink{ch: make(chan Mail, 16)}
	srv := smtp.NewServer(backend{k})
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	k.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return k
}

// Wait returns the next message or fails after d.
func (k *Sink) Wait(t testing.TB, d time.Duration) Mail {
	t.Helper()
	select {
	case m := <-k.ch:
		return m
	case <-time.After(d):
		t.Fatalf("SMTP sink: nothing received in %v", d)
	}
	return Mail{}
}

// Port is the sink's loopback port.
func (k *Sink) Port() int {
	_, p, _ := net.SplitHostPort(k.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// WaitFor waits until the sink holds a message containing marker, or
// fails after d.
func (k *Sink) WaitFor(t testing.TB, marker string, d time.Duration) Mail {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, m := range k.Received() {
			if bytes.Contains(m.Data, []byte(marker)) {
				return m
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("SMTP sink: no message contains %q (have %d)", marker, len(k.Received()))
	return Mail{}
}

// Received returns everything received so far.
func (k *Sink) Received() []Mail {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Mail(nil), k.got...)
}

type backend struct{ k *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{k: b.k}, nil }

type session struct {
	k *Sink
	m Mail
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.m = Mail{From: from}
	return nil
}

// Rcpt accepts every recipient but those whose local part starts with
// "refused" (550), so tests can see per-recipient results.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "refused") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.m.Rcpts = append(s.m.Rcpts, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	if len(s.m.Rcpts) == 0 {
		return errors.New("no recipients")
	}
	s.m.Data = buf.Bytes()
	s.k.mu.Lock()
	s.k.got = append(s.k.got, s.m)
	s.k.mu.Unlock()
	select {
	case s.k.ch <- s.m:
	default:
	}
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
