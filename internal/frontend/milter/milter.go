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
	"sync"
	"sync/atomic"

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
	st := s.Settings
	ll := listen.NewLimitListener(ln, listen.ConnLimits{PerClient: st.MaxConnectionsPerClient,
		FirstRead: st.HandshakeTimeout.Duration, Idle: st.ReadTimeout.Duration, Total: st.SessionTimeout.Duration})
	s.tl = listen.NewTrackListener(ll, s.Settings.MaxConnections)
	hl := &hookListener{Listener: s.tl}
	s.srv = &milter.Server{
		// go-milter calls NewMilter right after Accept, in the same
		// goroutine: the session learns its connection, whose Close
		// releases what the session holds of [serve] max_bytes_in_flight
		// (an MTA may hang up in the middle of a message).
		NewMilter: func() milter.Milter {
			m := &session{s: s, macros: map[string]string{}}
			if c := hl.last; c != nil {
				hl.last = nil
				c.sess.Store(m)
			}
			return m
		},
		Actions:  milter.OptAddHeader | milter.OptChangeHeader | milter.OptChangeBody | milter.OptQuarantine | milter.OptRemoveRcpt,
		Protocol: 0,
	}
	err := s.srv.Serve(hl)
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

// hookListener remembers the connection it accepted last (Serve's
// goroutine only).
type hookListener struct {
	net.Listener
	last *hookConn
}

func (l *hookListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	hc := &hookConn{Conn: c}
	l.last = hc
	return hc, nil
}

type hookConn struct {
	net.Conn
	sess atomic.Pointer[session]
}

func (c *hookConn) Close() error {
	err := c.Conn.Close()
	if m := c.sess.Load(); m != nil {
		m.release()
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

	resMu sync.Mutex
	res   listen.Reservation // this message's bytes in [serve] max_bytes_in_flight
	busy  bool               // the bound was reached: tempfail at the end
}

// reserve holds n more bytes of the process-wide bound for this message.
func (m *session) reserve(n int64) bool {
	m.resMu.Lock()
	defer m.resMu.Unlock()
	return m.res.Reserve(listen.InFlight, n)
}

// release returns what this message holds.
func (m *session) release() {
	m.resMu.Lock()
	m.res.Release()
	m.resMu.Unlock()
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
	m.body = bytes.Buffer{}
	m.release()
	m.busy = false
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

// maxFields is the most header fields a message may have through the
// milter (go-milter keeps a copy of every field until the end of the
// header, so the count and size are refused as they arrive).
const maxFields = 10000

func (m *session) Header(name, value string, mod *milter.Modifier) (milter.Response, error) {
	m.merge(mod)
	n := int64(len(name) + len(value) + 4)
	m.size += n
	m.nfields++
	if m.size > m.s.P.Config.Serve.MaxMessageBytes || m.nfields > maxFields {
		// Refused now: the MTA stops sending, the library stops keeping.
		m.tooBig = true
		return reply(552, "5.3.4", "Message header too big for the content filter"), nil
	}
	if !m.reserve(2 * n) { // ours and the library's copy
		m.busy = true
		return reply(451, "4.3.2", "Content filter busy, try again later"), nil
	}
	m.fields = append(m.fields, field{name, value})
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
		m.body = bytes.Buffer{}
		return reply(552, "5.3.4", "Message too big for the content filter"), nil
	}
	if !m.reserve(int64(len(chunk))) {
		m.busy = true
		m.body = bytes.Buffer{}
		return reply(451, "4.3.2", "Content filter busy, try again later"), nil
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
	if m.busy || !m.reserve(m.size) { // the message rebuilt for the scan
		m.resetMsg()
		return reply(451, "4.3.2", "Content filter busy, try again later"), nil
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
	// Remove copies of our own headers forged upstream (X-Spam-*,
	// X-Sekisho-*, Authentication-Results with our authserv-id: see
	// action/forged.go). Indexes count per name, 1-based; deleting is
	// changing to empty; the last first, so earlier indexes stay valid.
	fs := make([]pipeline.HeaderField, len(fields))
	for i, f := range fields {
		fs[i] = pipeline.HeaderField{Name: f.name, Value: f.value}
	}
	strip := action.StripList(fs, o.ServID)
	for i := len(strip) - 1; i >= 0; i-- {
		if err := mod.ChangeHeader(strip[i].Index, strip[i].Name, ""); err != nil {
			return err
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
