package milter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
)

func newSession(limit int64) *session {
	cfg := config.Default()
	cfg.Serve.MaxMessageBytes = limit
	return &session{s: &Server{P: &action.Processor{Config: cfg}}, macros: map[string]string{}}
}

func TestRawRebuild(t *testing.T) {
	m := newSession(1 << 20)
	m.MailFrom("a@b", nil)
	m.Header("From", "a@b", nil)
	m.Header("Subject", "long\n\tfolded", nil)
	m.Header("X-Empty", "", nil)
	m.BodyChunk([]byte("line1\r\nline2\r\n"), nil)
	want := "From: a@b\r\nSubject: long\r\n\tfolded\r\nX-Empty: \r\n\r\nline1\r\nline2\r\n"
	if got := string(m.Raw()); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	m2 := newSession(20)
	m2.MailFrom("a@b", nil)
	m2.Header("From", "a@b", nil)
	m2.BodyChunk(bytes.Repeat([]byte("x"), 100), nil)
	if !m2.tooBig {
		t.Error("size limit not applied")
	}
	resp, _ := m2.Body(nil)
	if k, ok := resp.(keep); !ok || !strings.HasPrefix(string(k.data), "552 5.3.4") {
		t.Errorf("too big reply: %#v", resp)
	}
}

func FuzzMilterSession(f *testing.F) {
	f.Add("Subject", "a\n b", []byte("body\r\n"), "i", "QID")
	f.Add("", "\x00", []byte{}, "{auth_authen}", "user")
	f.Fuzz(func(t *testing.T, name, value string, body []byte, mk, mv string) {
		m := newSession(1 << 12)
		m.MailFrom(value, nil)
		m.RcptTo(value, nil)
		m.macros[mk] = mv
		for i := 0; i < 3; i++ {
			m.Header(name, value, nil)
		}
		m.BodyChunk(body, nil)
		raw := m.Raw()
		if !m.tooBig && int64(len(raw)) > 1<<12+64 {
			t.Fatalf("raw %d bytes over the limit", len(raw))
		}
		hdr, _ := action.SplitMessage(raw)
		action.ParseFields(hdr, 1000)
		if len(m.from) > 512 {
			t.Fatal("unbounded sender")
		}
	})
}
