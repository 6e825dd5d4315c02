// Package milter is sekisho's milter front end (Postfix smtpd_milters,
// Sendmail INPUT_MAIL_FILTER), on github.com/emersion/go-milter.
//
// Per stage it records the client (connect), HELO, envelope sender and
// recipients, the queue id (macro {i}) and the SASL user ({auth_authen});
// it collects header fields in order and the body, scans at end of
// message, and then adds headers (Authentication-Results from the
// analyzers, X-Spam-*, X-Sekisho-Verdict), rewrites the Subject, replaces
// the body for warning banners, rejects (550 5.7.1 reason + id), tempfails
// (451 4.7.1), or quarantines: sekisho stores the message first, then tells
// the MTA to discard it, or (quarantine_mode = "hold") to keep it in its
// own hold queue as well. If storing fails the MTA is told to try again
// later: nothing is lost.
package milter

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"strings"

	"github.com/emersion/go-milter"
	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Server is the milter front end.
type Server struct {
	P        *action.Processor
	Settings config.ServeMilter

	srv *milter.Server
	tl  *listen.TrackListener
}

// Serve accepts MTA connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.tl = listen.NewTrackListener(ln, s.Settings.MaxConnections)
	s.srv = &milter.Server{
		NewMilter: func() milter.Milter { return &session{s: s, macros: map[string]string{}} },
		Actions:   milter.OptAddHeader | milter.OptChangeHeader | milter.OptChangeBody | milter.OptQuarantine | milter.OptRemoveRcpt,
		Protocol:  0,
	}
	err := s.srv.Serve(s.tl)
	if err == milter.ErrServerClosed {
		return nil
	}
	return err
}

// Shutdown stops accepting, waits for scans in flight, then closes the
// MTA connections (the MTA reconnects to a new instance).
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv != nil {
		s.srv.Close()
	}
	err := s.P.Wait(ctx)
	if s.tl != nil {
		s.tl.CloseConns()
	}
	return err
}

// keep is a final response that keeps the session's backend (go-milter
// replaces the backend after accept/reject/discard, which would forget the
// connection's client and HELO for the next message of the same SMTP
// session).
type keep struct {
	code byte
	data []byte
}

func (k keep) Response() *milter.Message { return &milter.Message{Code: k.code, Data: k.data} }
func (k keep) Continue() bool            { return true }

func reply(code int, enhanced, text string) milter.Response {
	// Sendmail and Postfix expand "%" in reply text.
	text = strings.ReplaceAll(text, "%", "%%")
	return keep{code: 'y', data: []byte(strings.TrimSpace(itoa(code)+" "+enhanced+" "+text) + "\x00")}
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for n > 0 || i == len(b) {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

var (
	respAccept  = keep{code: 'a'}
	respDiscard = keep{code: 'd'}
)

type field struct{ name, value string }

// session is one MTA connection's state.
type session struct {
	s      *Server
	macros map[string]string

	clientIP   netip.Addr
	clientHost string
	helo       string

	from     string
	rcpts    []string
	fields   []field
	body     bytes.Buffer
	size     int64
	tooBig   bool
	nfields  int
	inMsg    bool
	rcptsCut bool
}

func (m *session) merge(mod *milter.Modifier) {
	if mod == nil {
		return
	}
	for k, v := range mod.Macros {
		if len(m.macros) < 200 {
			m.macros[k] = v
		}
	}
}

func (m *session) macro(names ...string) string {
	for _, n := range names {
		if v := m.macros[n]; v != "" {
			return v
		}
	}
	return ""
}

func (m *session) resetMsg() {
	m.from, m.rcpts, m.fields = "", nil, nil
	m.body.Reset()
	m.size, m.tooBig, m.nfields, m.inMsg, m.rcptsCut = 0, false, 0, false, false
	for _, k := range []string{"i", "{auth_authen}", "{auth_type}", "{auth_author}", "{mail_addr}", "{rcpt_addr}"} {
		delete(m.macros, k)
	}
}

func (m *session) Connect(host, family string, port uint16, addr net.IP, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	m.clientHost = host
	if a, ok := netip.AddrFromSlice(addr); ok {
		m.clientIP = a.Unmap()
	}
	return milter.RespContinue, nil
}

func (m *session) Helo(name string, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	m.helo = clip(name, 255)
	return milter.RespContinue, nil
}

func (m *session) MailFrom(from string, mod *milter.Modifier) (milter.Response, error) {
	m.resetMsg()
	m.merge(mod)
	m.inMsg = true
	m.from = clip(from, 512)
	return milter.RespContinue, nil
}

func (m *session) RcptTo(rcpt string, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	if len(m.rcpts) < 10000 {
		m.rcpts = append(m.rcpts, clip(rcpt, 512))
	}
	return milter.RespContinue, nil
}

func (m *session) Header(name, value string, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	m.size += int64(len(name) + len(value) + 4)
	m.nfields++
	if m.size > m.s.P.Config.Serve.MaxMessageBytes {
		m.tooBig = true
	}
	if !m.tooBig && m.nfields <= 10000 {
		m.fields = append(m.fields, field{name, value})
	}
	return milter.RespContinue, nil
}

func (m *session) Headers(h textproto.MIMEHeader, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	return milter.RespContinue, nil
}

func (m *session) BodyChunk(chunk []byte, mod *milter.Modifier) (milter.Response, error) {
	m.size += int64(len(chunk))
	if m.size > m.s.P.Config.Serve.MaxMessageBytes {
		m.tooBig = true
		m.body.Reset()
		return milter.RespContinue, nil
	}
	m.body.Write(chunk)
	return milter.RespContinue, nil
}

func (m *session) Abort(mod *milter.Modifier) error {
	m.resetMsg()
	return nil
}

// Raw rebuilds the message as the MTA received it (CRLF line ends).
func (m *session) Raw() []byte {
	var b bytes.Buffer
	b.Grow(int(m.size) + 64)
	for _, f := range m.fields {
		v := strings.ReplaceAll(strings.ReplaceAll(f.value, "\r\n", "\n"), "\n", "\r\n")
		b.WriteString(f.name + ": " + v + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(m.body.Bytes())
	return b.Bytes()
}

func (m *session) Body(mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	p := m.s.P
	if m.tooBig {
		return reply(552, "5.3.4", "Message too big for the content filter"), nil
	}
	raw := m.Raw()
	env := pipeline.Envelope{ClientIP: m.clientIP, ClientHost: m.clientHost, Helo: m.helo, MailFrom: m.from,
		Rcpts: m.rcpts, QueueID: m.macro("i"), AuthUser: m.macro("{auth_authen}"), Hostname: m.macro("j")}
	if env.ClientHost == "unknown" || strings.HasPrefix(env.ClientHost, "[") {
		env.ClientHost = ""
	}
	o := p.Process(context.Background(), raw, env, action.Options{Frontend: pipeline.FrontendMilter,
		Settings: m.s.Settings.ServeFrontend, Banner: m.s.Settings.Banner, Hold: true})
	resp, err := apply(o, mod, m.s.Settings.QuarantineMode, m.fields, p.Log)
	m.resetMsg()
	return resp, err
}

// apply tells the MTA what to do with the outcome.
func apply(o *action.Outcome, mod *milter.Modifier, qmode string, fields []field, log *slog.Logger) (milter.Response, error) {
	if o.Taken { // went to the report-phish intake only
		return respDiscard, nil
	}
	for _, r := range o.DropRcpts {
		if err := mod.DeleteRecipient(r); err != nil {
			return nil, err
		}
	}
	switch o.Action {
	case pipeline.ActionReject, pipeline.ActionTempfail:
		return reply(o.Code, o.Enhanced, o.Text), nil
	case pipeline.ActionQuarantine:
		if o.QuarantineID == "" { // not held: never drop
			return reply(451, "4.3.0", "Quarantine unavailable, try again later (id "+o.ID+")"), nil
		}
		if qmode != "hold" {
			return respDiscard, nil
		}
		if err := addHeaders(o, mod, fields); err != nil {
			return nil, err
		}
		if err := mod.Quarantine("sekisho " + o.QuarantineID + " (id " + o.ID + ")"); err != nil {
			return nil, err
		}
		return respAccept, nil
	}
	if err := addHeaders(o, mod, fields); err != nil {
		return nil, err
	}
	if o.NewBody != nil {
		if err := mod.ReplaceBody(o.NewBody); err != nil {
			return nil, err
		}
	}
	return respAccept, nil
}

func addHeaders(o *action.Outcome, mod *milter.Modifier, fields []field) error {
	// Remove copies of our own headers forged upstream (first occurrence
	// indexes count per name, 1-based; deleting = changing to empty).
	counts := map[string]int{}
	for _, f := range fields {
		n := textproto.CanonicalMIMEHeaderKey(f.name)
		switch n {
		case "X-Spam-Flag", "X-Spam-Status", "X-Spam-Score", "X-Spam-Symbols", "X-Sekisho-Verdict":
			counts[n]++
		}
	}
	for n, c := range counts {
		for i := c; i >= 1; i-- {
			if err := mod.ChangeHeader(i, n, ""); err != nil {
				return err
			}
		}
	}
	for _, h := range o.Headers {
		if err := mod.AddHeader(h.Name, h.Value); err != nil {
			return err
		}
	}
	if o.NewSubject != nil {
		has := false
		for _, f := range fields {
			if strings.EqualFold(f.name, "Subject") {
				has = true
				break
			}
		}
		if has {
			return mod.ChangeHeader(1, "Subject", *o.NewSubject)
		}
		return mod.AddHeader("Subject", *o.NewSubject)
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
