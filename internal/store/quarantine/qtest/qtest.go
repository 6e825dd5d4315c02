// Package qtest has test helpers for the quarantine store and the console:
// a real PostgreSQL server on a loopback port and an SMTP sink.
package qtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("SEKISHO_REQUIRE_PEERS") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// FreePort returns a free loopback TCP port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func pgBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(m) > 0 {
		return m[len(m)-1]
	}
	return ""
}

// Postgres starts a throw-away PostgreSQL server on a free loopback port
// and returns its DSN. When running as root the server runs as the
// "postgres" user. It skips (or fails with SEKISHO_REQUIRE_PEERS=1) when
// PostgreSQL is not installed.
func Postgres(t testing.TB) string {
	t.Helper()
	initdb, pgctl := pgBin("initdb"), pgBin("pg_ctl")
	if initdb == "" || pgctl == "" {
		skipOrFail(t, "PostgreSQL (initdb, pg_ctl) not installed")
		return ""
	}
	base, err := os.MkdirTemp("", "sekisho-pg-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755)
	data := filepath.Join(base, "data")
	sock := filepath.Join(base, "sock")
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(base)
			skipOrFail(t, "running as root and no postgres user: %v", err)
			return ""
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{base, data, sock} {
			_ = os.Chown(d, uid, gid)
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Dir = base
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", filepath.Base(name), err, out)
		}
		return nil
	}
	if err := run(initdb, "-D", data, "-U", "sekisho", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"); err != nil {
		os.RemoveAll(base)
		t.Fatal(err)
	}
	port := FreePort(t)
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, sock)
	if err := run(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(base, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(base, "log"))
		os.RemoveAll(base)
		t.Fatalf("%v\n%s", err, log)
	}
	t.Cleanup(func() {
		_ = run(pgctl, "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(base)
	})
	return fmt.Sprintf("postgres://sekisho@127.0.0.1:%d/postgres?sslmode=disable", port)
}

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
	k := &Sink{ch: make(chan Mail, 16)}
	srv := smtp.NewServer(backend{k})
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
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
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
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
