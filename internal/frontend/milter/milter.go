// Package milter is sekisho's milter front end (Postfix smtpd_milters,
// Sendmail INPUT_MAIL_FILTER), with its own protocol loop (proto.go).
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
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/goroutine"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Server is the milter front end.
type Server struct {
	P        *action.Processor
	Settings config.ServeMilter

	mu     sync.Mutex
	ln     net.Listener
	closed atomic.Bool
	tl     *listen.LimitListener

	scan func(raw []byte, env pipeline.Envelope) *action.Outcome // tests: instead of P.Process
}

// Serve accepts MTA connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	st := s.Settings
	max := st.MaxConnections
	if max <= 0 {
		max = 200
	}
	tl := listen.NewLimitListener(ln, listen.ConnLimits{PerClient: st.MaxConnectionsPerClient,
		FirstRead: st.HandshakeTimeout.Duration, Idle: st.ReadTimeout.Duration, Total: st.SessionTimeout.Duration,
		Max: max, Track: true})
	s.mu.Lock()
	s.tl, s.ln = tl, tl
	s.mu.Unlock()
	defer tl.Close()
	if s.closed.Load() {
		return nil
	}
	for {
		c, err := tl.Accept()
		if err != nil {
			if s.closed.Load() {
				return nil
			}
			return err
		}
		go s.serveConn(c)
	}
}

// Shutdown stops accepting, waits for scans in flight, then closes the
// MTA connections (the MTA reconnects to a new instance).
func (s *Server) Shutdown(ctx context.Context) error {
	s.closed.Store(true)
	s.mu.Lock()
	ln, tl := s.ln, s.tl
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	err := s.P.Wait(ctx)
	if tl != nil {
		tl.CloseConns()
	}
	return err
}

// conn is what one MTA connection uses; pooled between connections.
type conn struct {
	br      *bufio.Reader
	r       reader
	w       writer
	pending []byte // the last SMFIC_MACRO's name/value pairs
	nr      uint32 // protocol bits agreed on (which steps get no reply)
	m       session
}

var connPool = sync.Pool{New: func() any {
	c := &conn{br: bufio.NewReaderSize(nil, 8<<10)}
	c.r.br = c.br
	return c
}}

// maxKeep bounds the buffers a pooled connection keeps.
const maxKeep = 256 << 10

func (s *Server) logf(msg string, args ...any) {
	if s.P != nil && s.P.Log != nil {
		s.P.Log.Info(msg, args...)
	}
}

// serveConn runs the protocol on one MTA connection until it quits or
// hangs up. What the session holds of [serve] max_bytes_in_flight is
// released when it ends (an MTA may hang up in the middle of a message).
func (s *Server) serveConn(nc net.Conn) {
	goroutine.GrowStack() // one stack growth now instead of several below
	c := connPool.Get().(*conn)
	c.br.Reset(nc)
	c.r.reset()
	m := &c.m
	m.init(s)
	defer func() {
		if v := recover(); v != nil {
			s.logf("milter: panic handling command", "panic", v)
		}
		nc.Close()
		m.release()
		m.clear()
		c.br.Reset(nil)
		if cap(c.pending) > maxKeep {
			c.pending = nil
		}
		c.pending = c.pending[:0]
		c.nr = 0
		if cap(c.w.b) > maxKeep {
			c.w.b = nil
		}
		c.w.b = c.w.b[:0]
		connPool.Put(c)
	}()
	if err := s.loop(c, nc); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errQuit) && !errors.Is(err, net.ErrClosed) {
		s.logf("milter: connection ended", "err", err)
	}
}

var errMalformed = errors.New("milter: malformed command")

func (s *Server) loop(c *conn, nc net.Conn) error {
	m := &c.m
	for {
		code, data, err := c.r.next()
		if err != nil {
			return err
		}
		var rp resp
		switch code {
		case cmdOptNeg:
			c.nr = c.w.negotiate(data)
			if _, err := nc.Write(c.w.b); err != nil {
				return err
			}
			c.w.b = c.w.b[:0]
			continue
		case cmdMacro:
			if len(data) == 0 {
				return errMalformed
			}
			c.pending = append(c.pending[:0], data[1:]...)
			continue
		case cmdConnect:
			host := cString(data)
			if len(data) < len(host)+2 {
				return errMalformed
			}
			rest := data[len(host)+1:]
			family := rest[0]
			rest = rest[1:]
			if family == '4' || family == '6' {
				if len(rest) < 2 {
					// go-milter's answer, with a fresh session
					m.release()
					m.clear()
					m.init(s)
					rp = respTempFail
					if c.nr&pNRConn != 0 { // the MTA reads no reply: every message gets it
						m.connFail = true
					}
					break
				}
				rest = rest[2:] // the port
			}
			rp = m.Connect(string(host), parseIP(cString(rest)), c.pending)
		case cmdHelo:
			if n := len(data); n > 0 && data[n-1] == 0 {
				data = data[:n-1]
			}
			rp = m.Helo(string(data), c.pending)
		case cmdMail:
			rp = m.MailFrom(string(trimAngle(cString(data))), c.pending)
		case cmdRcpt:
			rp = m.RcptTo(string(trimAngle(cString(data))), c.pending)
		case cmdHeader:
			name, value, ok := headerField(data)
			if !ok {
				rp = respContinue
				break
			}
			rp = m.header(name, value, c.pending)
		case cmdEOH:
			m.merge(c.pending)
			m.endHeader()
			rp = respContinue
		case cmdBody:
			rp = m.BodyChunk(data)
		case cmdEOB:
			rp, err = m.Body(c.pending, &c.w)
			if err != nil {
				return err
			}
		case cmdAbort:
			m.Abort()
			c.pending = c.pending[:0]
			continue
		case cmdQuit:
			return errQuit
		case cmdData, cmdUnknown:
			rp = respContinue
		default:
			s.logf("milter: unrecognized command", "code", string(rune(code)))
			return errMalformed
		}
		switch code {
		case cmdConnect, cmdHelo, cmdMail, cmdRcpt, cmdHeader, cmdEOH, cmdEOB:
			// The macros sent for this command are in the session now:
			// merged once, not again at every later command (which cost
			// a merge of the whole packet per header field, and brought
			// the last message's queue id back into the next one).
			c.pending = c.pending[:0]
		}
		if c.nr&noReply(code) != 0 {
			// No reply to this step: a refusal stays in the session
			// for the next step that replies.
			continue
		}
		if rp.code == repContinue {
			if r := m.refusal(); r.code != 0 {
				rp = r
			}
		}
		c.w.simple(rp.code, rp.data)
		if _, err := nc.Write(c.w.b); err != nil {
			return err
		}
		if cap(c.w.b) > maxKeep {
			c.w.b = nil
		}
		c.w.b = c.w.b[:0]
	}
}

func reply(code int, enhanced, text string) resp {
	// Sendmail and Postfix expand "%" in reply text.
	text = strings.ReplaceAll(text, "%", "%%")
	return resp{code: repReplyCode, data: []byte(strings.TrimSpace(itoa(code)+" "+enhanced+" "+text) + "\x00")}
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

// session is one MTA connection's state.
type session struct {
	s      *Server
	macros map[string]string

	clientIP   netip.Addr
	clientHost string
	helo       string

	from    string
	rcpts   []string
	hdr     []byte                 // the header fields' names and values, one after another
	hspans  []hspan                // where each field's name and value end in hdr
	fields  []pipeline.HeaderField // the fields, all in one string (endHeader)
	body    bytes.Buffer
	size    int64
	tooBig  bool
	nfields int

	// refuse is this message's refusal (a header or the body over the
	// bounds), given again at each later step that replies: the MTA
	// reads no reply to some steps (SMFIP_NR_*). connFail: a malformed
	// connect the MTA did not read the tempfail to; every message of the
	// connection gets it.
	refuse   resp
	connFail bool

	// res and busy belong to the connection's one goroutine, like the rest.
	res  listen.Reservation // this message's bytes in [serve] max_bytes_in_flight
	busy bool               // the bound was reached: tempfail at the end
}

// init readies a (new or pooled and cleared) session for a connection.
func (m *session) init(s *Server) {
	m.s = s
	if m.macros == nil {
		m.macros = map[string]string{}
	}
}

// clear forgets the connection (the session goes back to the pool).
func (m *session) clear() {
	m.resetMsg()
	clear(m.macros)
	m.s = nil
	m.clientIP, m.clientHost, m.helo = netip.Addr{}, "", ""
	m.connFail = false
}

// hspan is where a header field's name and value end in session.hdr (the
// name starts where the previous field's value ends).
type hspan struct{ name, value int }

// refusal is what a step that replies answers instead of continue: the
// refusal of this message or of the connection, if any.
func (m *session) refusal() resp {
	if m.connFail {
		return respTempFail
	}
	return m.refuse
}

// reserve holds n more bytes of the process-wide bound for this message.
func (m *session) reserve(n int64) bool {
	return m.res.Reserve(listen.InFlight, n)
}

// release returns what this message holds.
func (m *session) release() {
	m.res.Release()
}

// maxMacroName and maxMacroValue clip what a session keeps of one macro
// (at most 200 of them): a connection holds a few hundred KB at most,
// whatever the MTA sends.
const (
	maxMacroName  = 64
	maxMacroValue = 1024
)

// merge adds the macros the MTA sent last (SMFIC_MACRO) to the session's.
func (m *session) merge(mac []byte) {
	eachMacro(mac, func(k, v []byte) {
		if len(k) > maxMacroName {
			k = k[:maxMacroName]
		}
		if len(v) > maxMacroValue {
			v = v[:maxMacroValue]
		}
		if len(m.macros) < 200 {
			if old, ok := m.macros[string(k)]; ok && old == string(v) {
				return
			}
			m.macros[string(k)] = string(v)
		}
	})
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
	clear(m.rcpts)
	clear(m.fields)
	m.from, m.rcpts, m.fields, m.hspans = "", m.rcpts[:0], m.fields[:0], m.hspans[:0]
	if cap(m.hdr) > maxKeep {
		m.hdr = nil
	}
	m.hdr = m.hdr[:0]
	m.refuse = resp{}
	if m.body.Cap() > maxKeep {
		m.body = bytes.Buffer{}
	}
	m.body.Reset()
	m.release()
	m.busy = false
	m.size, m.tooBig, m.nfields = 0, false, 0
	for _, k := range [...]string{"i", "{auth_authen}", "{auth_type}", "{auth_author}", "{mail_addr}", "{rcpt_addr}"} {
		delete(m.macros, k)
	}
}

// parseIP is what netip.AddrFromSlice(net.ParseIP(string(b))) gave
// (invalid when b is not an address or has a zone), without the copies.
func parseIP(b []byte) netip.Addr {
	a, err := netip.ParseAddr(string(b))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}
	}
	return a
}

func (m *session) Connect(host string, addr netip.Addr, mac []byte) resp {
	m.merge(mac)
	m.clientHost = host
	if addr.IsValid() {
		m.clientIP = addr.Unmap()
	}
	return respContinue
}

func (m *session) Helo(name string, mac []byte) resp {
	m.merge(mac)
	m.helo = clip(name, 255)
	return respContinue
}

func (m *session) MailFrom(from string, mac []byte) resp {
	m.resetMsg()
	m.merge(mac)
	m.from = clip(from, 512)
	return respContinue
}

func (m *session) RcptTo(rcpt string, mac []byte) resp {
	m.merge(mac)
	if len(m.rcpts) < 10000 {
		m.rcpts = append(m.rcpts, clip(rcpt, 512))
	}
	return respContinue
}

var lfByte = []byte{'\n'}

// maxFields is the most header fields a message may have through the
// milter (refused as they arrive, like the size).
const maxFields = 10000

// Header takes one header field.
func (m *session) Header(name, value string, mac []byte) resp {
	return m.header([]byte(name), []byte(value), mac)
}

func (m *session) header(name, value []byte, mac []byte) resp {
	m.merge(mac)
	if m.refuse.code != 0 {
		return m.refuse
	}
	// Name, ": ", value and CRLF, and a CR for every LF of a folded
	// value (Postfix sends LF; Raw writes CRLF).
	n := int64(len(name) + len(value) + 4 + bytes.Count(value, lfByte))
	m.size += n
	m.nfields++
	if m.size > m.s.P.Config.Serve.MaxMessageBytes || m.nfields > maxFields {
		// Refused now (the MTA stops sending), or, if the MTA reads
		// no reply per field, at the next step that replies.
		m.tooBig = true
		m.refuse = reply(552, "5.3.4", "Message header too big for the content filter")
		return m.refuse
	}
	if !m.reserve(2 * n) { // the field and its copy in the rebuilt message
		m.busy = true
		m.refuse = reply(451, "4.3.2", "Content filter busy, try again later")
		return m.refuse
	}
	// Into the message's block; strings at the end of the header.
	m.hdr = append(m.hdr, name...)
	ne := len(m.hdr)
	m.hdr = append(m.hdr, value...)
	m.hspans = append(m.hspans, hspan{ne, len(m.hdr)})
	return respContinue
}

// endHeader makes the fields collected so far into m.fields, all in one
// string (one allocation per message, not per field).
func (m *session) endHeader() {
	if len(m.fields) == len(m.hspans) {
		return
	}
	all := string(m.hdr)
	clear(m.fields)
	m.fields = m.fields[:0]
	at := 0
	for _, sp := range m.hspans {
		m.fields = append(m.fields, pipeline.HeaderField{Name: all[at:sp.name], Value: all[sp.name:sp.value]})
		at = sp.value
	}
}

func (m *session) BodyChunk(chunk []byte) resp {
	if r := m.refusal(); r.code != 0 {
		return r
	}
	m.size += int64(len(chunk))
	if m.size > m.s.P.Config.Serve.MaxMessageBytes {
		m.tooBig = true
		m.body = bytes.Buffer{}
		m.release() // nothing of this message is kept now
		m.refuse = reply(552, "5.3.4", "Message too big for the content filter")
		return m.refuse
	}
	if !m.reserve(int64(len(chunk))) {
		m.busy = true
		m.body = bytes.Buffer{}
		m.release()
		m.refuse = reply(451, "4.3.2", "Content filter busy, try again later")
		return m.refuse
	}
	m.body.Write(chunk)
	return respContinue
}

func (m *session) Abort() {
	m.resetMsg()
}

// Raw rebuilds the message as the MTA received it (CRLF line ends).
func (m *session) Raw() []byte {
	m.endHeader()
	b := make([]byte, 0, int(m.size)+64)
	for _, f := range m.fields {
		b = append(b, f.Name...)
		b = append(b, ':', ' ')
		b = appendCRLF(b, f.Value)
		b = append(b, '\r', '\n')
	}
	b = append(b, '\r', '\n')
	return append(b, m.body.Bytes()...)
}

// appendCRLF appends v with every LF (bare or after a CR) as CRLF.
func appendCRLF(b []byte, v string) []byte {
	for {
		i := strings.IndexByte(v, '\n')
		if i < 0 {
			return append(b, v...)
		}
		if i > 0 && v[i-1] == '\r' {
			b = append(b, v[:i+1]...)
		} else {
			b = append(b, v[:i]...)
			b = append(b, '\r', '\n')
		}
		v = v[i+1:]
	}
}

// Body is the end of the message: scan, then the modifications (into w)
// and the final reply.
func (m *session) Body(mac []byte, w *writer) (resp, error) {
	m.merge(mac)
	p := m.s.P
	if m.connFail {
		m.resetMsg()
		return respTempFail, nil
	}
	if m.tooBig { // the refusal of the header or the body
		r := m.refuse
		m.resetMsg()
		return r, nil
	}
	if m.busy || !m.reserve(m.size) { // the message rebuilt for the scan
		m.resetMsg()
		return reply(451, "4.3.2", "Content filter busy, try again later"), nil
	}
	raw := m.Raw()
	env := pipeline.Envelope{ClientIP: m.clientIP, ClientHost: m.clientHost, Helo: m.helo, MailFrom: m.from,
		Rcpts: slices.Clone(m.rcpts), QueueID: m.macro("i"), AuthUser: m.macro("{auth_authen}"), Hostname: m.macro("j")}
	if env.ClientHost == "unknown" || strings.HasPrefix(env.ClientHost, "[") {
		env.ClientHost = ""
	}
	var o *action.Outcome
	if m.s.scan != nil {
		o = m.s.scan(raw, env)
	} else {
		o = p.Process(context.Background(), raw, env, action.Options{Frontend: pipeline.FrontendMilter,
			Settings: m.s.Settings.ServeFrontend, Banner: m.s.Settings.Banner, Hold: true})
	}
	r, err := apply(o, w, m.s.Settings.QuarantineMode, m.fields, p.Log)
	m.resetMsg()
	return r, err
}

// modifier is what apply needs of the connection (the writer; tests
// record).
type modifier interface {
	AddHeader(name, value string) error
	ChangeHeader(index int, name, value string) error
	DeleteRecipient(r string) error
	ReplaceBody(body []byte) error
	Quarantine(reason string) error
}

// apply tells the MTA what to do with the outcome.
func apply(o *action.Outcome, mod modifier, qmode string, fields []pipeline.HeaderField, log *slog.Logger) (resp, error) {
	if o.Taken { // went to the report-phish intake only
		return respDiscard, nil
	}
	for _, r := range o.DropRcpts {
		if err := mod.DeleteRecipient(r); err != nil {
			return resp{}, err
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
			return resp{}, err
		}
		if err := mod.Quarantine("sekisho " + o.QuarantineID + " (id " + o.ID + ")"); err != nil {
			return resp{}, err
		}
		return respAccept, nil
	}
	if err := addHeaders(o, mod, fields); err != nil {
		return resp{}, err
	}
	if o.NewBody != nil {
		if err := mod.ReplaceBody(o.NewBody); err != nil {
			return resp{}, err
		}
	}
	return respAccept, nil
}

func addHeaders(o *action.Outcome, mod modifier, fields []pipeline.HeaderField) error {
	// Remove copies of our own headers forged upstream (X-Spam-*,
	// X-Sekisho-*, Authentication-Results with our authserv-id: see
	// action/forged.go). Indexes count per name, 1-based; deleting is
	// changing to empty; the last first, so earlier indexes stay valid.
	strip := action.StripList(fields, o.ServID)
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
			if strings.EqualFold(f.Name, "Subject") {
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
