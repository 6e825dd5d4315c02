package milter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	gomilter "github.com/emersion/go-milter"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func newSession(limit int64) *session {
	cfg := config.Default()
	cfg.Serve.MaxMessageBytes = limit
	m := &session{}
	m.init(&Server{P: &action.Processor{Config: cfg}})
	return m
}

func TestRawRebuild(t *testing.T) {
	m := newSession(1 << 20)
	m.MailFrom("a@b", nil)
	m.Header("From", "a@b", nil)
	m.Header("Subject", "long\n\tfolded", nil)
	m.Header("X-Empty", "", nil)
	m.Header("X-CR", "a\r\n b\r\r\nc\rd", nil)
	m.BodyChunk([]byte("line1\r\nline2\r\n"))
	want := "From: a@b\r\nSubject: long\r\n\tfolded\r\nX-Empty: \r\nX-CR: a\r\n b\r\r\nc\rd\r\n\r\nline1\r\nline2\r\n"
	if got := string(m.Raw()); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	m2 := newSession(20)
	m2.MailFrom("a@b", nil)
	m2.Header("From", "a@b", nil)
	m2.BodyChunk(bytes.Repeat([]byte("x"), 100))
	if !m2.tooBig {
		t.Error("size limit not applied")
	}
	r, _ := m2.Body(nil, &writer{})
	if r.code != repReplyCode || !strings.HasPrefix(string(r.data), "552 5.3.4") {
		t.Errorf("too big reply: %#v", r)
	}
}

// TestAppendCRLF: the rebuilt value is what replacing CRLF by LF and then
// LF by CRLF gave.
func TestAppendCRLF(t *testing.T) {
	for _, v := range []string{"", "a", "\n", "\r", "\r\n", "\r\r\n", "a\nb\r\nc\n\r", "\n\n\r\n\r"} {
		want := strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\n", "\r\n")
		if got := string(appendCRLF(nil, v)); got != want {
			t.Errorf("%q: got %q want %q", v, got, want)
		}
	}
}

// packets splits what a writer collected.
func packets(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 5 {
			t.Fatalf("short packet %q", b)
		}
		n := binary.BigEndian.Uint32(b)
		if int(n) > len(b)-4 || n == 0 {
			t.Fatalf("bad length %d of %d", n, len(b)-4)
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

// TestModifierEncoding: the bytes of each modification and reply.
func TestModifierEncoding(t *testing.T) {
	var w writer
	w.AddHeader("X-A", "v1\r\n\tv2")
	w.ChangeHeader(2, "Subject", "")
	w.InsertHeader(0, "X-I", "i")
	w.DeleteRecipient("r@x")
	w.ReplaceBody([]byte("b1\r\nb2\r\n"))
	w.Quarantine("sekisho Q (id I)")
	w.negotiate([]byte{0, 0, 0, 2, 0, 0, 0, 0x3f, 0, 0, 0, 0x7f})       // an MTA with version 2: as before
	w.negotiate([]byte{0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0x1f, 0xff, 0xff}) // Postfix 3 (milter_protocol = 6)
	w.negotiate([]byte{0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0, 0, 0x80})       // version 6 offering only SMFIP_NR_HDR
	w.negotiate([]byte{0, 0, 0, 6})                                     // short: as version 2
	w.simple(reply(550, "5.7.1", "100% bad").code, reply(550, "5.7.1", "100% bad").data)
	w.simple(respAccept.code, respAccept.data)
	want := []string{
		"hX-A\x00v1\n\tv2\x00",
		"m\x00\x00\x00\x02Subject\x00\x00",
		"i\x00\x00\x00\x00X-I\x00i\x00",
		"-<r@x>\x00",
		"bb1\nb2\n",
		"qsekisho Q (id I)\x00",
		"O\x00\x00\x00\x02\x00\x00\x00\x3b\x00\x00\x00\x00",
		"O\x00\x00\x00\x06\x00\x00\x00\x3b\x00\x07\xf3\x80",
		"O\x00\x00\x00\x06\x00\x00\x00\x3b\x00\x00\x00\x80",
		"O\x00\x00\x00\x02\x00\x00\x00\x3b\x00\x00\x00\x00",
		"y550 5.7.1 100%% bad\x00",
		"a",
	}
	got := packets(t, w.b)
	if len(got) != len(want) {
		t.Fatalf("%d packets, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("packet %d: got %q want %q", i, got[i], want[i])
		}
	}
}

func TestParsers(t *testing.T) {
	type kv struct{ k, v string }
	for in, want := range map[string][]kv{
		"":                        nil,
		"\x00":                    {{"", ""}},
		"i\x00Q1\x00":             {{"i", "Q1"}},
		"i\x00Q1\x00j":            {{"i", "Q1"}, {"j", ""}},
		"\x00i\x00\x00j\x00v\x00": {{"i", ""}, {"j", "v"}},
	} {
		var got []kv
		eachMacro([]byte(in), func(k, v []byte) { got = append(got, kv{string(k), string(v)}) })
		if len(got) != len(want) {
			t.Errorf("%q: %q", in, got)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: %q", in, got)
			}
		}
	}
	for in, want := range map[string]string{
		"":                "!",
		"\x00\x00":        ":",
		"From\x00a@b\x00": "From:a@b",
		"X\x00\x00":       "X:",
		"X\x00a\x00b\x00": "!",
		"\x00X\x00":       "X:",
	} {
		n, v, ok := headerField([]byte(in))
		got := "!"
		if ok {
			got = string(n) + ":" + string(v)
		}
		if got != want {
			t.Errorf("header %q: %q want %q", in, got, want)
		}
	}
}

// serveTest runs a Server whose scan is fn, on loopback.
func serveTest(t *testing.T, limit int64, fn func(raw []byte, env pipeline.Envelope) *action.Outcome) string {
	t.Helper()
	cfg := config.Default()
	cfg.Serve.MaxMessageBytes = limit
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter, scan: fn}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return ln.Addr().String()
}

// offer is the protocol bits send's client offers (with version 6).
var offer gomilter.OptProtocol

// postfixOffer is what Postfix 3 offers (milter_protocol = 6): every
// SMFIP_* bit of version 6.
const postfixOffer = 0x1fffff

// send plays Postfix with go-milter's client.
func send(t *testing.T, addr string, fields [][2]string, body string, macros ...string) ([]gomilter.ModifyAction, *gomilter.Action) {
	t.Helper()
	cl := gomilter.NewClientWithOptions("tcp", addr, gomilter.ClientOptions{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		ActionMask:   gomilter.OptAddHeader | gomilter.OptChangeHeader | gomilter.OptChangeBody | gomilter.OptQuarantine | gomilter.OptRemoveRcpt,
		ProtocolMask: offer})
	s, err := cl.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if offer != 0 && s.ProtocolOpts != offer&optWantV6 {
		t.Fatalf("negotiated %#x", s.ProtocolOpts)
	}
	must := func(a *gomilter.Action, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if a.Code != gomilter.ActContinue {
			t.Fatalf("action %c %d %s", a.Code, a.SMTPCode, a.SMTPText)
		}
	}
	if err := s.Macros(gomilter.CodeConn, "j", "mx.example"); err != nil {
		t.Fatal(err)
	}
	must(s.Conn("client.example", gomilter.FamilyInet, 25000, "192.0.2.10"))
	must(s.Helo("helo.example"))
	if len(macros) > 0 {
		if err := s.Macros(gomilter.CodeMail, macros...); err != nil {
			t.Fatal(err)
		}
	}
	must(s.Mail("<sender@x.example>", []string{"SIZE=10"}))
	must(s.Rcpt("<r1@y.example>", nil))
	must(s.Rcpt("<r2@y.example>", nil))
	for _, f := range fields {
		must(s.HeaderField(f[0], f[1]))
	}
	must(s.HeaderEnd())
	mods, act, err := s.BodyReadFrom(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return mods, act
}

// TestWire: go-milter's client (as Postfix) against the loop: envelope,
// macros and the rebuilt message reach the scan; each outcome becomes
// the modifications and the reply it did before, whether the client
// offers no protocol bits (a reply to each command) or Postfix's (no
// replies before the body).
func TestWire(t *testing.T) {
	for _, o := range []gomilter.OptProtocol{0, postfixOffer} {
		offer = o
		t.Run(fmt.Sprintf("offer=%#x", o), testWire)
	}
	offer = 0
}

func testWire(t *testing.T) {
	subj := "[spam] hi"
	var gotRaw string
	var gotEnv pipeline.Envelope
	var out *action.Outcome
	addr := serveTest(t, 1<<20, func(raw []byte, env pipeline.Envelope) *action.Outcome {
		gotRaw, gotEnv = string(raw), env
		return out
	})
	fields := [][2]string{{"From", "a@x.example"}, {"Subject", "hi"}, {"X-Spam-Flag", "YES"}, {"X-Spam-Flag", "NO"}}
	body := strings.Repeat("line\r\n", 30000) // several body chunks

	out = &action.Outcome{ID: "I1", Action: pipeline.ActionTag, ServID: "mx.example",
		Headers:    []pipeline.HeaderField{{Name: "X-Spam-Flag", Value: "YES"}, {Name: "X-Sekisho-Verdict", Value: "action=tag\r\n\tscore=9"}},
		NewSubject: &subj, NewBody: []byte("new\r\nbody\r\n"), DropRcpts: []string{"r2@y.example"}}
	mods, act := send(t, addr, fields, body, "i", "QID1", "{auth_authen}", "u1")
	if act.Code != gomilter.ActAccept {
		t.Fatalf("tag: %c", act.Code)
	}
	wantRaw := "From: a@x.example\r\nSubject: hi\r\nX-Spam-Flag: YES\r\nX-Spam-Flag: NO\r\n\r\n" + body
	if gotRaw != wantRaw {
		t.Errorf("raw: %d bytes, want %d", len(gotRaw), len(wantRaw))
	}
	if gotEnv.ClientIP.String() != "192.0.2.10" || gotEnv.ClientHost != "client.example" || gotEnv.Helo != "helo.example" ||
		gotEnv.MailFrom != "sender@x.example" || strings.Join(gotEnv.Rcpts, ",") != "r1@y.example,r2@y.example" ||
		gotEnv.QueueID != "QID1" || gotEnv.AuthUser != "u1" || gotEnv.Hostname != "mx.example" {
		t.Errorf("envelope %+v", gotEnv)
	}
	var got []string
	for _, m := range mods {
		switch m.Code {
		case gomilter.ActDelRcpt:
			got = append(got, "-"+m.Rcpt)
		case gomilter.ActChangeHeader:
			got = append(got, "m"+itoa(int(m.HeaderIndex))+" "+m.HeaderName+"="+m.HeaderValue)
		case gomilter.ActAddHeader:
			got = append(got, "h "+m.HeaderName+"="+m.HeaderValue)
		case gomilter.ActReplBody:
			got = append(got, "b "+string(m.Body))
		default:
			got = append(got, string(rune(m.Code)))
		}
	}
	want := []string{"-<r2@y.example>", "m2 X-Spam-Flag=", "m1 X-Spam-Flag=", "h X-Spam-Flag=YES",
		"h X-Sekisho-Verdict=action=tag\n\tscore=9", "m1 Subject=[spam] hi", "b new\nbody\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mods\n got %q\nwant %q", got, want)
	}

	// Quarantine and hold: headers, then the reason.
	out = &action.Outcome{ID: "I2", Action: pipeline.ActionQuarantine, QuarantineID: "Q2"}
	mods, act = send(t, addr, fields, "b\r\n")
	if act.Code != gomilter.ActDiscard || len(mods) != 0 {
		t.Errorf("quarantine: %c %v", act.Code, mods)
	}
	out = &action.Outcome{ID: "I3", Action: pipeline.ActionQuarantine}
	_, act = send(t, addr, fields, "b\r\n")
	if act.Code != gomilter.ActReplyCode || act.SMTPCode != 451 || !strings.Contains(act.SMTPText, "4.3.0") {
		t.Errorf("quarantine unavailable: %+v", act)
	}
	for _, c := range []struct {
		o    action.Outcome
		code int
		text string
	}{
		{action.Outcome{Action: pipeline.ActionReject, Code: 550, Enhanced: "5.7.1", Text: "phish 100% (id X)"}, 550, "5.7.1 phish 100%% (id X)"},
		{action.Outcome{Action: pipeline.ActionTempfail, Code: 451, Enhanced: "4.7.1", Text: "scanner error"}, 451, "4.7.1 scanner error"},
	} {
		out = &c.o
		_, act = send(t, addr, fields, "b\r\n")
		if act.Code != gomilter.ActReplyCode || act.SMTPCode != c.code || act.SMTPText != c.text {
			t.Errorf("%s: %+v", c.o.Action, act)
		}
	}
	out = &action.Outcome{Taken: true}
	if _, act = send(t, addr, fields, "b\r\n"); act.Code != gomilter.ActDiscard {
		t.Errorf("taken: %c", act.Code)
	}
}

// TestWireHold: quarantine_mode = "hold" keeps the message in the MTA's
// hold queue with a reason.
func TestWireHold(t *testing.T) {
	cfg := config.Default()
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter, scan: func([]byte, pipeline.Envelope) *action.Outcome {
		return &action.Outcome{ID: "I", Action: pipeline.ActionQuarantine, QuarantineID: "Q",
			Headers: []pipeline.HeaderField{{Name: "X-Spam-Flag", Value: "YES"}}}
	}}
	s.Settings.QuarantineMode = "hold"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	defer s.Shutdown(context.Background())
	mods, act := send(t, ln.Addr().String(), [][2]string{{"Subject", "s"}}, "b\r\n")
	if act.Code != gomilter.ActAccept || len(mods) != 2 || mods[0].Code != gomilter.ActAddHeader ||
		mods[1].Code != gomilter.ActQuarantine || mods[1].Reason != "sekisho Q (id I)" {
		t.Errorf("hold: %c %+v", act.Code, mods)
	}
}

// TestWireLimits: a header over the size bound is refused as it arrives.
func TestWireLimits(t *testing.T) {
	addr := serveTest(t, 100, func([]byte, pipeline.Envelope) *action.Outcome {
		t.Error("scanned")
		return &action.Outcome{}
	})
	cl := gomilter.NewClientWithOptions("tcp", addr, gomilter.ClientOptions{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	s, err := cl.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Conn("h", gomilter.FamilyInet, 1, "192.0.2.1")
	s.Mail("<a@b>", nil)
	act, err := s.HeaderField("X-Big", strings.Repeat("v", 200))
	if err != nil || act.Code != gomilter.ActReplyCode || act.SMTPCode != 552 {
		t.Fatalf("%+v %v", act, err)
	}
}

// exchange sends in (packets) to a connection of s and returns the codes
// of the replies, each with its data when it has any ("y552 ...").
func exchange(t *testing.T, s *Server, in []byte) []string {
	t.Helper()
	c := &memConn{r: bytes.NewReader(in)}
	s.serveConn(c)
	var out []string
	r := &c.out
	for {
		var h [4]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			break
		}
		p := make([]byte, binary.BigEndian.Uint32(h[:]))
		if _, err := io.ReadFull(r, p); err != nil {
			t.Fatal(err)
		}
		if p[0] == 'y' {
			out = append(out, string(p[:len(p)-1]))
		} else {
			out = append(out, string(p[:1]))
		}
	}
	return out
}

// memConn is a connection that reads in and collects what is written.
type memConn struct {
	net.Conn
	r   *bytes.Reader
	out bytes.Buffer
}

func (c *memConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *memConn) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *memConn) Close() error                { return nil }

// TestWireVersions: an MTA that offers version 2 gets a reply to every
// command; one that offers version 6 with the no-reply bits (Postfix 3)
// gets none before the body; a refusal at a step without a reply comes
// at the next step that replies.
func TestWireVersions(t *testing.T) {
	cfg := config.Default()
	cfg.Serve.MaxMessageBytes = 200
	scans := 0
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter, scan: func(raw []byte, env pipeline.Envelope) *action.Outcome {
		scans++
		if string(raw) != "Subject: hi\r\nX-A: b\r\n\r\nbody\r\n" || env.MailFrom != "a@b" || env.QueueID != "Q" {
			t.Errorf("scan %q %+v", raw, env)
		}
		return &action.Outcome{Action: pipeline.ActionTag, Headers: []pipeline.HeaderField{{Name: "X-Spam-Flag", Value: "NO"}}}
	}}
	var w writer
	optneg := func(version, proto uint32) {
		w.simple('O', binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, version), 0x3f), proto))
	}
	message := func(connect string, hdr ...string) {
		w.simple('D', []byte("Cj\x00mx\x00"))
		w.simple('C', []byte(connect))
		w.simple('H', []byte("helo\x00"))
		w.simple('D', []byte("Mi\x00Q\x00"))
		w.simple('M', []byte("<a@b>\x00"))
		w.simple('R', []byte("<c@d>\x00"))
		for _, h := range hdr {
			w.simple('L', []byte(h))
		}
		w.simple('N', nil)
		w.simple('B', []byte("body\r\n"))
		w.simple('E', nil)
		w.simple('Q', nil)
	}
	good := "h\x004\x00\x19192.0.2.1\x00"
	big := "X-Big\x00" + strings.Repeat("v", 300) + "\x00"
	for _, c := range []struct {
		name          string
		version, offr uint32
		connect       string
		hdr           []string
		want          string
		scans         int
	}{
		{"v2", 2, 0x7f, good, []string{"Subject\x00hi\x00", "X-A\x00b\x00"}, "O c c c c c c c c h a", 1},
		{"v6-none", 6, 0, good, []string{"Subject\x00hi\x00", "X-A\x00b\x00"}, "O c c c c c c c c h a", 1},
		{"v6-postfix", 6, postfixOffer, good, []string{"Subject\x00hi\x00", "X-A\x00b\x00"}, "O c h a", 1},
		{"v6-hdr-only", 6, 0x80, good, []string{"Subject\x00hi\x00", "X-A\x00b\x00"}, "O c c c c c c h a", 1},
		// A header over the bound: refused at once, or at the body.
		{"v2-big", 2, 0x7f, good, []string{big}, "O c c c c y552 5.3.4 Message header too big for the content filter", 0},
		{"v6-big", 6, postfixOffer, good, []string{big, "X-A\x00b\x00"}, "O y552 5.3.4 Message header too big for the content filter" +
			" y552 5.3.4 Message header too big for the content filter", 0},
		// A malformed connect: tempfail at once, or at the body.
		{"v2-badconn", 2, 0x7f, "h\x004", []string{"Subject\x00hi\x00", "X-A\x00b\x00"}, "O t c c c c c c c h a", 1},
		{"v6-badconn", 6, postfixOffer, "h\x004", []string{"Subject\x00hi\x00"}, "O t t", 0},
	} {
		w.b, scans = w.b[:0], 0
		optneg(c.version, c.offr)
		message(c.connect, c.hdr...)
		got := strings.Join(exchange(t, s, w.b), " ")
		if c.name == "v2-big" {
			got = strings.SplitAfter(got, "filter")[0] // the MTA stops at the refusal
		}
		if got != c.want || scans != c.scans {
			t.Errorf("%s: %d scans, replies %q\nwant %q", c.name, scans, got, c.want)
		}
	}
}

// TestWireAbortAndReuse: an aborted message leaves the connection's
// client and HELO for the next message of the session; a second message
// on the same connection is scanned whole.
func TestWireAbortAndReuse(t *testing.T) {
	var envs []pipeline.Envelope
	var raws []string
	addr := serveTest(t, 1<<20, func(raw []byte, env pipeline.Envelope) *action.Outcome {
		envs, raws = append(envs, env), append(raws, string(raw))
		return &action.Outcome{Action: pipeline.ActionAccept}
	})
	cl := gomilter.NewClientWithOptions("tcp", addr, gomilter.ClientOptions{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	s, err := cl.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Conn("h.example", gomilter.FamilyInet6, 1, "2001:db8::1")
	s.Helo("helo")
	s.Macros(gomilter.CodeMail, "i", "Q1")
	s.Mail("<a@b>", nil)
	s.HeaderField("Subject", "first")
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Q2", "Q3"} {
		s.Macros(gomilter.CodeMail, "i", q)
		s.Mail("<c@d>", nil)
		s.Rcpt("<e@f>", nil)
		s.HeaderField("Subject", q)
		s.HeaderEnd()
		if _, act, err := s.BodyReadFrom(strings.NewReader("x\r\n")); err != nil || act.Code != gomilter.ActAccept {
			t.Fatalf("%v %v", act, err)
		}
	}
	if len(envs) != 2 {
		t.Fatalf("%d scans", len(envs))
	}
	for i, q := range []string{"Q2", "Q3"} {
		e := envs[i]
		if e.QueueID != q || e.Helo != "helo" || e.ClientIP.String() != "2001:db8::1" || e.MailFrom != "c@d" || len(e.Rcpts) != 1 {
			t.Errorf("message %d: %+v", i, e)
		}
		if raws[i] != "Subject: "+q+"\r\n\r\nx\r\n" {
			t.Errorf("message %d: %q", i, raws[i])
		}
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
		m.BodyChunk(body)
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

// FuzzConn: any byte stream from the MTA ends the connection cleanly or
// gets well-formed replies; nothing panics, nothing grows past the bounds.
func FuzzConn(f *testing.F) {
	pkt := func(code byte, data string) string {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(len(data)+1))
		return string(b[:]) + string(code) + data
	}
	f.Add(pkt('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff") + pkt('D', "Cj\x00mx\x00") +
		pkt('C', "h\x004\x00\x19192.0.2.1\x00") + pkt('H', "helo\x00") + pkt('D', "Mi\x00Q\x00") + pkt('M', "<a@b>\x00SIZE=1\x00") +
		pkt('R', "<c@d>\x00") + pkt('L', "Subject\x00hi\x00") + pkt('N', "") + pkt('B', "body\r\n") + pkt('E', "") + pkt('Q', ""))
	f.Add(pkt('C', "h\x004") + pkt('A', "") + pkt('L', "\x00\x00") + pkt('D', "") + pkt('T', ""))
	// Version 6 with Postfix's bits: a malformed connect, a header over
	// the bound, more headers, an unknown command, DATA.
	f.Add(pkt('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff") + pkt('C', "h\x004") + pkt('M', "<a@b>\x00") +
		pkt('L', "X\x00"+strings.Repeat("v", 300)) + pkt('L', "Y\x00y") + pkt('U', "XYZZY\x00") + pkt('T', "") + pkt('N', "") +
		pkt('B', "b") + pkt('E', "") + pkt('M', "<c@d>\x00") + pkt('L', "Z\x00z") + pkt('E', ""))
	f.Add(pkt('O', "\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00\x80") + pkt('L', "a\x00b") + pkt('O', "\x00\x00\x00\x02") +
		pkt('L', "c\x00d") + pkt('E', ""))
	f.Add(pkt('M', "x") + pkt('L', "a\x00b\x00c") + pkt('B', strings.Repeat("x", 300)) + pkt('E', "") + pkt('K', ""))
	f.Add("\x00\x00\x00\x00")
	f.Add("\xff\xff\xff\xff")
	// A folded value of bare LFs: each becomes CRLF in the rebuilt message.
	f.Add(pkt('M', "<a@b>\x00") + pkt('L', "X\x00"+strings.Repeat("\n", 240)) + pkt('E', ""))
	// A big macro packet, then many commands that follow it.
	f.Add(pkt('D', "C"+strings.Repeat("a\x00b\x00", 2000)) + strings.Repeat(pkt('L', "a\x00b"), 50) + pkt('E', ""))
	f.Fuzz(func(t *testing.T, in string) {
		cfg := config.Default()
		cfg.Serve.MaxMessageBytes = 256
		s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter,
			scan: func(raw []byte, env pipeline.Envelope) *action.Outcome {
				if len(raw) > 256+64+2 {
					t.Fatalf("raw %d bytes", len(raw))
				}
				return &action.Outcome{Action: pipeline.ActionTag, Headers: []pipeline.HeaderField{{Name: "X-A", Value: "v"}}}
			}}
		// All the input is read (net.Pipe's Close would hang up both
		// ways before the replies are read).
		c := &memConn{r: bytes.NewReader([]byte(in))}
		before := listen.InFlight.Used() // other tests' sessions may hold some
		s.serveConn(c)
		if n := listen.InFlight.Used(); n != before {
			t.Fatalf("bytes in flight left after the connection: %d (%d before)", n, before)
		}
		// The replies: each is a well-formed packet.
		r := &c.out
		for {
			var h [4]byte
			if _, err := io.ReadFull(r, h[:]); err != nil {
				break
			}
			n := binary.BigEndian.Uint32(h[:])
			if n == 0 || n > 1<<12 {
				t.Fatalf("reply length %d", n)
			}
			p := make([]byte, n)
			if _, err := io.ReadFull(r, p); err != nil {
				t.Fatalf("truncated reply %q", p)
			}
			if !strings.ContainsRune("acdtyOh", rune(p[0])) {
				t.Fatalf("reply %q", p)
			}
			if p[0] == 'O' {
				// Version 2 with nothing, or 6 with what was offered
				// of what the server wants.
				v, proto := binary.BigEndian.Uint32(p[1:]), binary.BigEndian.Uint32(p[9:])
				if len(p) != 13 || (v != 2 || proto != 0) && (v != 6 || proto&^optWantV6 != 0) {
					t.Fatalf("optneg reply %q", p)
				}
			}
		}
	})
}

// BenchmarkConn: one message per connection through the protocol loop
// (the scan is a stub that tags), over a pipe, as Postfix sends it.
// SEKISHO_CORPUS=/work/data/sa for the corpus' test ham.
func BenchmarkConn(b *testing.B) {
	var msgs [][]byte
	if dir := os.Getenv("SEKISHO_CORPUS"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "test", "ham", "*"))
		for _, f := range files[:min(len(files), 500)] {
			if m, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, m)
			}
		}
	}
	if len(msgs) == 0 {
		msgs = [][]byte{[]byte("From: a@b\r\nSubject: s\r\nReceived: from x by y; Mon, 2 Jan 2006 15:04:05 -0700\r\n\r\n" + strings.Repeat("body line\r\n", 500))}
	}
	// The commands of each message, encoded once.
	streams := make([][]byte, len(msgs))
	for i, m := range msgs {
		var w writer
		w.simple('O', []byte{0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0x1f, 0xff, 0xff}) // Postfix 3's offer
		w.simple('D', []byte("Cj\x00mx.example\x00"))
		w.simple('C', []byte("client.example\x004\x61\xa8192.0.2.10\x00"))
		w.simple('H', []byte("client.example\x00"))
		w.simple('D', []byte("Mi\x00QID\x00"))
		w.simple('M', []byte("<a@b.example>\x00"))
		w.simple('R', []byte("<c@d.example>\x00"))
		hdr, body := action.SplitMessage(m)
		for _, f := range action.ParseFields(hdr, 1000) {
			w.simple('L', []byte(f.Name+"\x00"+f.Value+"\x00"))
		}
		w.simple('N', nil)
		for len(body) > 0 {
			n := min(len(body), 65535)
			w.simple('B', body[:n])
			body = body[n:]
		}
		w.simple('E', nil)
		w.simple('Q', nil)
		streams[i] = w.b
	}
	cfg := config.Default()
	out := &action.Outcome{Action: pipeline.ActionTag, Headers: []pipeline.HeaderField{{Name: "X-Spam-Flag", Value: "YES"}, {Name: "X-Sekisho-Verdict", Value: "action=tag"}}}
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter, scan: func([]byte, pipeline.Envelope) *action.Outcome { return out }}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, c := net.Pipe()
		done := make(chan struct{})
		go func() {
			s.serveConn(c)
			close(done)
		}()
		go func() {
			a.Write(streams[i%len(streams)])
		}()
		io.Copy(io.Discard, a)
		<-done
	}
}

// TestMacrosOncePerCommand: the macros sent before a command belong to
// it; the next message of the connection does not get the last one's
// queue id again.
func TestMacrosOncePerCommand(t *testing.T) {
	pkt := func(code byte, data string) string {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(len(data)+1))
		return string(b[:]) + string(code) + data
	}
	cfg := config.Default()
	var ids []string
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter,
		scan: func(raw []byte, env pipeline.Envelope) *action.Outcome {
			ids = append(ids, env.QueueID)
			return &action.Outcome{Action: pipeline.ActionAccept}
		}}
	in := pkt('C', "h\x004\x00\x19192.0.2.1\x00") +
		pkt('M', "<a@b>\x00") + pkt('L', "A\x00b") + pkt('N', "") + pkt('D', "Ei\x00Q1\x00") + pkt('E', "") +
		pkt('M', "<c@d>\x00") + pkt('L', "A\x00b") + pkt('N', "") + pkt('E', "") + pkt('Q', "")
	s.serveConn(&memConn{r: bytes.NewReader([]byte(in))})
	if len(ids) != 2 || ids[0] != "Q1" || ids[1] != "" {
		t.Fatalf("queue ids %q, want [Q1 \"\"]", ids)
	}
}

// FuzzParseIP: parseIP gives the client address the connect step took
// before (net.ParseIP, then netip.AddrFromSlice and Unmap).
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "::1", "::ffff:192.0.2.1", "fe80::1%eth0", "2001:db8::1", "IPv6:::1", "01.2.3.4", "", "1.2.3.4.5", "::ffff:1.2.3.4%x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got netip.Addr
		if a, ok := netip.AddrFromSlice(net.ParseIP(string(b))); ok {
			want = a.Unmap()
		}
		if a := parseIP(b); a.IsValid() {
			got = a.Unmap()
		}
		if got != want {
			t.Fatalf("%q: %v, want %v", b, got, want)
		}
	})
}

// cStringRef and headerFieldRef are cString and headerField as they
// were (byte loops): the references of FuzzHeaderField.
func cStringRef(data []byte) []byte {
	for i, c := range data {
		if c == 0 {
			return data[:i]
		}
	}
	return data
}

func headerFieldRef(data []byte) (name, value []byte, ok bool) {
	if len(data) == 0 {
		return nil, nil, false
	}
	data = trimNUL(data)
	name, value, found := bytes.Cut(data, nul)
	if !found {
		return data, nil, true
	}
	for _, c := range value {
		if c == 0 {
			return nil, nil, false
		}
	}
	return name, value, true
}

func FuzzHeaderField(f *testing.F) {
	for _, s := range []string{"", "\x00", "Subject\x00hi\x00", "\x00\x00a\x00b\x00\x00", "a\x00b\x00c", "name", "a\x00\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n1, v1, ok1 := headerField(b)
		n2, v2, ok2 := headerFieldRef(b)
		if ok1 != ok2 || !bytes.Equal(n1, n2) || !bytes.Equal(v1, v2) || (n1 == nil) != (n2 == nil) || (v1 == nil) != (v2 == nil) {
			t.Fatalf("%q: %q %q %v, want %q %q %v", b, n1, v1, ok1, n2, v2, ok2)
		}
		if c1, c2 := cString(b), cStringRef(b); !bytes.Equal(c1, c2) || len(c1) != len(c2) {
			t.Fatalf("cString %q: %q, want %q", b, c1, c2)
		}
	})
}

// readerRef is reader.next as it was (every packet copied out of the
// bufio.Reader): the reference of FuzzReaderInPlace.
func readerRef(br *bufio.Reader, buf *[]byte) (byte, []byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return 0, nil, errZeroPacket
	}
	if n > maxPacket {
		return 0, nil, fmt.Errorf("milter: packet length %d exceeds %d bytes", n, maxPacket)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return p[0], p[1:], nil
}

// FuzzReaderInPlace: the packets (and the error that ends them) read
// with payloads in place are those the copying reader read, whatever the
// buffer size and however the stream arrives (one byte per read or all
// at once); a payload returned in place keeps its bytes until the next
// call.
func FuzzReaderInPlace(f *testing.F) {
	var w writer
	w.simple('O', []byte{0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0x1f, 0xff, 0xff})
	w.simple('D', []byte("Cj\x00mx.example\x00"))
	w.simple('L', []byte("Subject\x00hello\x00"))
	w.simple('B', bytes.Repeat([]byte("body\r\n"), 3000))
	w.simple('E', nil)
	f.Add(w.b, uint16(16), false)
	f.Add(w.b, uint16(8192), true)
	f.Add([]byte{0, 0, 0, 0}, uint16(64), false)
	f.Add([]byte{0, 0, 0, 3, 'L', 'a'}, uint16(64), false)
	f.Add([]byte{0xff, 0, 0, 3, 'L', 'a'}, uint16(64), false)
	f.Fuzz(func(t *testing.T, stream []byte, size uint16, slow bool) {
		var src io.Reader = bytes.NewReader(stream)
		if slow {
			src = iotest.OneByteReader(src)
		}
		r := reader{br: bufio.NewReaderSize(src, int(size))}
		ref := bufio.NewReaderSize(bytes.NewReader(stream), 1<<20)
		var buf []byte
		for {
			c1, d1, e1 := r.next()
			c2, d2, e2 := readerRef(ref, &buf)
			if c1 != c2 || !bytes.Equal(d1, d2) || fmt.Sprint(e1) != fmt.Sprint(e2) {
				t.Fatalf("next: %c %q %v, want %c %q %v", c1, d1, e1, c2, d2, e2)
			}
			if e1 != nil {
				return
			}
		}
	})
}

// TestPooledConnReaderReset: a pooled connection whose last packet was
// returned in place (its bytes left to discard at the next read) starts
// the next MTA connection from that connection's first byte: the reader
// forgets what it was to discard.
func TestPooledConnReaderReset(t *testing.T) {
	cfg := config.Default()
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter,
		scan: func([]byte, pipeline.Envelope) *action.Outcome { return &action.Outcome{Action: pipeline.ActionAccept} }}
	var w writer
	w.simple('O', []byte{0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0x1f, 0xff, 0xff})
	w.simple('Q', nil)
	for i := range 20 {
		stale := connPool.Get().(*conn)
		stale.r.inPlace = 9 // as if a 5-byte payload packet had been returned in place
		connPool.Put(stale)
		a, c := net.Pipe()
		done := make(chan struct{})
		go func() {
			s.serveConn(c)
			close(done)
		}()
		go a.Write(w.b)
		a.SetReadDeadline(time.Now().Add(5 * time.Second))
		got, _ := io.ReadAll(a)
		a.Close()
		<-done
		// The negotiation reply: length 13, 'O', version 6.
		if len(got) < 9 || got[4] != 'O' || binary.BigEndian.Uint32(got[5:]) != 6 {
			t.Fatalf("connection %d: reply %q, want the negotiation", i, got)
		}
	}
}
