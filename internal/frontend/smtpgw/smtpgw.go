// Package smtpgw is sekisho's before-queue SMTP gateway: it receives mail
// (ESMTP with STARTTLS, SIZE, 8BITMIME, PIPELINING, SMTPUTF8), scans it
// during DATA and answers in the SMTP dialogue (reject 550 5.7.1, tempfail
// 451 4.7.1), and relays what passes, with sekisho's headers added, to a
// next hop. It works as Postfix's smtpd_proxy_filter (accepting XFORWARD
// and XCLIENT from trusted MTA addresses, RFC-less Postfix extensions
// documented in XFORWARD_README and XCLIENT_README) and as a standalone
// gateway in front of any MTA.
//
// The server is written here rather than on go-smtp's server because that
// one cannot advertise or accept XCLIENT/XFORWARD; go-smtp's client relays.
package smtpgw

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Server is the SMTP gateway.
type Server struct {
	P        *action.Processor
	Settings config.ServeSMTP
	// Relay sends a message on (tests replace it). Default: SMTP to NextHop.
	Relay func(ctx context.Context, from string, rcpts []string, msg []byte) (string, error)

	tlsConf *tls.Config
	trusted []netip.Prefix
	cs      listen.ConnServer
}

// Serve accepts SMTP clients on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.init(); err != nil {
		return err
	}
	s.cs.Max = s.Settings.MaxConnections
	s.cs.Handle = s.handle
	return s.cs.Serve(listen.NewLimitListener(ln, listen.ConnLimits{PerClient: s.Settings.MaxConnectionsPerClient,
		Refuse: func(c net.Conn) {
			c.Write([]byte("421 4.7.0 Too many connections from your address, try again later\r\n"))
		}}))
}

// Shutdown stops accepting and lets sessions in progress finish.
func (s *Server) Shutdown(ctx context.Context) error { return s.cs.Shutdown(ctx) }

func (s *Server) init() error {
	for _, p := range s.Settings.TrustedMTAs {
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("smtpgw: trusted_mtas: %w", err)
		}
		s.trusted = append(s.trusted, pr)
	}
	if s.Settings.StartTLS {
		var cert tls.Certificate
		var err error
		if s.Settings.TLSCert != "" {
			cert, err = tls.LoadX509KeyPair(s.Settings.TLSCert, s.Settings.TLSKey)
		} else {
			cert, err = SelfSigned(s.P.Config.General.Hostname)
		}
		if err != nil {
			return fmt.Errorf("smtpgw: TLS certificate: %w", err)
		}
		s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if s.Relay == nil {
		s.Relay = s.relaySMTP
	}
	return nil
}

// SelfSigned makes a throwaway certificate for STARTTLS.
func SelfSigned(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: host, Organization: []string{"sekisho"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{host},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// conn is one SMTP session.
type conn struct {
	s         *Server
	c         net.Conn
	r         *bufio.Reader
	w         *bufio.Writer
	peer      netip.Addr
	trusted   bool
	tls       bool
	ehlo      bool
	dead      bool      // a reply could not be written: the session is over
	end       time.Time // session_timeout: no read or write past it
	answering bool      // a received message is being answered (see deadline)

	// client as known from the socket or XCLIENT/XFORWARD
	clientIP   netip.Addr
	clientName string
	helo       string
	login      string
	queueID    string

	from    string
	hasFrom bool
	rcpts   []string
}

const maxLine = 4096

func (s *Server) handle(nc net.Conn) {
	c := &conn{s: s, c: nc, r: bufio.NewReaderSize(nc, 32<<10), w: bufio.NewWriterSize(nc, 4<<10)}
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		a, _ := netip.AddrFromSlice(ta.IP)
		c.peer = a.Unmap()
	}
	c.clientIP = c.peer
	c.trusted = s.isTrusted(c.peer)
	if d := s.Settings.SessionTimeout.Duration; d > 0 {
		c.end = time.Now().Add(d)
	}
	c.serve()
}

// deadline is d from now, but not past the session's end, except while
// a message that was received whole is answered: its scan and relay are
// bounded on their own, and a message relayed must get its reply (or the
// client would send it again).
func (c *conn) deadline(d time.Duration) time.Time {
	dl := time.Now().Add(d)
	if !c.end.IsZero() && !c.answering && c.end.Before(dl) {
		dl = c.end
	}
	return dl
}

// sessionOver: the session time-out has passed.
func (c *conn) sessionOver() bool { return !c.end.IsZero() && !time.Now().Before(c.end) }

func (c *conn) reply(code int, text string) {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(c.w, "%d%s%s\r\n", code, sep, l)
	}
	if c.dead {
		return
	}
	// A client that pipelines and never reads its replies fills the
	// socket buffers; the write then times out and the session ends
	// with a reset (listen.Abort: a plain close would leave the socket
	// waiting behind the unread replies while the client keeps sending).
	c.c.SetWriteDeadline(c.deadline(c.s.Settings.IdleTimeout.Duration))
	if err := c.w.Flush(); err != nil {
		c.dead = true
		listen.Abort(c.c)
	}
}

func (c *conn) readLine() (string, error) {
	if c.dead {
		return "", net.ErrClosed
	}
	c.c.SetReadDeadline(c.deadline(c.s.Settings.IdleTimeout.Duration))
	var b []byte
	for {
		frag, isPrefix, err := c.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", errLineTooLong
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

func (c *conn) host() string { return c.s.P.Config.General.Hostname }

func (c *conn) serve() {
	c.reply(220, c.host()+" ESMTP sekisho")
	for errs := 0; errs < 20; {
		line, err := c.readLine()
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, errLineTooLong):
				c.reply(500, "5.5.2 Line too long")
			case errors.As(err, &ne) && ne.Timeout():
				c.timedOut()
			}
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		arg = strings.TrimSpace(arg)
		switch verb {
		case "EHLO", "HELO":
			if arg == "" {
				c.reply(501, "5.5.4 Syntax: "+verb+" hostname")
				continue
			}
			c.helo, c.ehlo = clip(arg, 255), verb == "EHLO"
			c.resetTx()
			if !c.ehlo {
				c.reply(250, c.host())
				continue
			}
			ext := []string{c.host() + " greets " + clip(arg, 64), "PIPELINING",
				fmt.Sprintf("SIZE %d", c.s.P.Config.Serve.MaxMessageBytes), "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"}
			if c.s.tlsConf != nil && !c.tls {
				ext = append(ext, "STARTTLS")
			}
			if c.trusted {
				ext = append(ext, "XCLIENT NAME ADDR PROTO HELO LOGIN", "XFORWARD NAME ADDR PROTO HELO IDENT SOURCE")
			}
			c.reply(250, strings.Join(ext, "\n"))
		case "STARTTLS":
			if c.s.tlsConf == nil || c.tls {
				c.reply(502, "5.5.1 STARTTLS not available")
				continue
			}
			c.reply(220, "2.0.0 Ready to start TLS")
			tc := tls.Server(c.c, c.s.tlsConf)
			tc.SetDeadline(c.deadline(30 * time.Second))
			if err := tc.Handshake(); err != nil {
				return
			}
			tc.SetDeadline(time.Time{})
			c.c, c.tls = tc, true
			c.r.Reset(tc)
			c.w.Reset(tc)
			c.helo, c.ehlo = "", false
			c.resetTx()
		case "XCLIENT":
			if !c.trusted {
				c.reply(550, "5.7.0 Insufficient authorization")
				continue
			}
			if c.hasFrom {
				c.reply(503, "5.5.1 Mail transaction in progress")
				continue
			}
			if err := c.xattrs(arg, true); err != nil {
				c.reply(501, "5.5.4 "+err.Error())
				continue
			}
			c.resetTx()
			c.helo, c.ehlo = "", false
			c.reply(220, c.host()+" ESMTP sekisho")
		case "XFORWARD":
			if !c.trusted {
				c.reply(550, "5.7.0 Insufficient authorization")
				continue
			}
			if err := c.xattrs(arg, false); err != nil {
				c.reply(501, "5.5.4 "+err.Error())
				continue
			}
			c.reply(250, "2.0.0 Ok")
		case "MAIL":
			if c.helo == "" {
				c.reply(503, "5.5.1 Send EHLO first")
				continue
			}
			if c.hasFrom {
				c.reply(503, "5.5.1 Nested MAIL command")
				continue
			}
			addr, params, ok := parsePath(arg, "FROM:")
			if !ok {
				errs++
				c.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
				continue
			}
			if sz, ok := params["SIZE"]; ok {
				n, err := strconv.ParseInt(sz, 10, 64)
				if err == nil && n > c.s.P.Config.Serve.MaxMessageBytes {
					c.reply(552, fmt.Sprintf("5.3.4 Message size exceeds fixed limit of %d bytes", c.s.P.Config.Serve.MaxMessageBytes))
					continue
				}
			}
			c.from, c.hasFrom = addr, true
			c.reply(250, "2.1.0 Ok")
		case "RCPT":
			if !c.hasFrom {
				c.reply(503, "5.5.1 Need MAIL first")
				continue
			}
			addr, _, ok := parsePath(arg, "TO:")
			if !ok || addr == "" {
				errs++
				c.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
				continue
			}
			if len(c.rcpts) >= c.s.Settings.MaxRecipients {
				c.reply(452, "4.5.3 Too many recipients")
				continue
			}
			c.rcpts = append(c.rcpts, addr)
			c.reply(250, "2.1.5 Ok")
		case "DATA":
			if !c.hasFrom || len(c.rcpts) == 0 {
				c.reply(503, "5.5.1 Need MAIL and RCPT first")
				continue
			}
			c.reply(354, "End data with <CR><LF>.<CR><LF>")
			if !c.data() {
				return
			}
			c.resetTx()
		case "RSET":
			c.resetTx()
			c.reply(250, "2.0.0 Ok")
		case "NOOP":
			c.reply(250, "2.0.0 Ok")
		case "VRFY":
			c.reply(252, "2.1.5 Cannot verify, send some mail")
		case "HELP":
			c.reply(214, "2.0.0 sekisho SMTP gateway")
		case "QUIT":
			c.reply(221, "2.0.0 Bye")
			return
		default:
			errs++
			c.reply(502, "5.5.2 Command not recognized")
		}
	}
	c.reply(421, "4.7.0 Too many errors")
}

// timedOut says goodbye to a client that was silent for idle_timeout or
// reached session_timeout (RFC 5321 §4.5.3.2: 421 and close), the reply
// written within a few seconds whatever the session's end.
func (c *conn) timedOut() {
	text := "4.4.2 Idle timeout, closing connection"
	if c.sessionOver() {
		text = "4.4.2 Session time limit exceeded, closing connection"
		c.s.P.Log.Info("smtp: session time limit", "client", c.peer.String(), "limit", c.s.Settings.SessionTimeout.Duration)
	}
	fmt.Fprintf(c.w, "421 %s (%s)\r\n", text, c.host())
	c.c.SetWriteDeadline(time.Now().Add(min(5*time.Second, c.s.Settings.IdleTimeout.Duration)))
	if err := c.w.Flush(); err != nil {
		c.dead = true
		listen.Abort(c.c)
	}
}

func (c *conn) resetTx() {
	c.from, c.hasFrom, c.rcpts = "", false, nil
}

// xattrs applies XCLIENT or XFORWARD attributes (xtext values; the
// special values [UNAVAILABLE] and [TEMPUNAVAIL] clear an attribute).
func (c *conn) xattrs(arg string, xclient bool) error {
	if arg == "" {
		return errors.New("attributes required")
	}
	for _, kv := range strings.Fields(arg) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("bad attribute %q", clip(kv, 40))
		}
		v = XtextDecode(v)
		if v == "[UNAVAILABLE]" || v == "[TEMPUNAVAIL]" {
			v = ""
		}
		switch strings.ToUpper(k) {
		case "ADDR":
			v = strings.TrimPrefix(strings.TrimPrefix(v, "IPV6:"), "ipv6:")
			if v == "" {
				c.clientIP = netip.Addr{}
				continue
			}
			a, err := netip.ParseAddr(v)
			if err != nil {
				return fmt.Errorf("bad ADDR")
			}
			c.clientIP = a.Unmap()
		case "NAME":
			c.clientName = clip(v, 255)
		case "HELO":
			c.helo = clip(v, 255)
		case "LOGIN":
			if xclient {
				c.login = clip(v, 255)
			}
		case "IDENT":
			c.queueID = clip(v, 64)
		case "PROTO", "SOURCE", "PORT", "DESTADDR", "DESTPORT":
		default:
			return fmt.Errorf("unknown attribute %q", clip(k, 20))
		}
	}
	return nil
}

// XtextDecode decodes RFC 3461 xtext ("+2B" → "+"); bad escapes stay as they are.
func XtextDecode(s string) string {
	if !strings.Contains(s, "+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '+' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parsePath parses "FROM:<addr> PARAM=V ..." (the prefix is case-insensitive).
func parsePath(arg, prefix string) (string, map[string]string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", nil, false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	var addr string
	if strings.HasPrefix(rest, "<") {
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return "", nil, false
		}
		addr, rest = rest[1:end], rest[end+1:]
	} else {
		addr, rest, _ = strings.Cut(rest, " ")
	}
	if len(addr) > 512 || strings.ContainsAny(addr, " \t\r\n") {
		return "", nil, false
	}
	// Source routes "@a,@b:user@d" are ignored (RFC 5321 §4.1.2).
	if i := strings.LastIndexByte(addr, ':'); i >= 0 && strings.HasPrefix(addr, "@") {
		addr = addr[i+1:]
	}
	params := map[string]string{}
	for _, p := range strings.Fields(rest) {
		k, v, _ := strings.Cut(p, "=")
		if len(params) < 20 {
			params[strings.ToUpper(k)] = v
		}
	}
	return addr, params, true
}

// readData reads a dot-terminated message, undoing dot-stuffing and
// normalising line ends to CRLF. Past limit it keeps reading to the end
// but reports tooBig.
//
// Only <CRLF>.<CRLF> ends the data (RFC 5321 §4.1.1.4). A lone dot with a
// bare LF or CR on either side stays content: a relay that took it for
// the end would read what follows as a second transaction from the same
// client, which is how SMTP smuggling forges mail (CVE-2023-51764). What
// follows such a dot is scanned as part of the message instead, where
// MIME_SMTP_SMUGGLING finds an envelope after it.
func readData(r *bufio.Reader, limit int64) (msg []byte, tooBig bool, err error) {
	return readDataReserved(r, limit, nil)
}

// readDataReserved is readData with the bytes held reserved in [serve]
// max_bytes_in_flight (res, released by the caller), in 1 MiB steps: when
// the bound is reached the rest is read and dropped, and the error is
// listen.ErrBusy (the client is told to try again later).
func readDataReserved(r *bufio.Reader, limit int64, res *listen.Reservation) (msg []byte, tooBig bool, err error) {
	var b bytes.Buffer
	busy := false
	var held int64
	reserve := func() {
		if res == nil || busy || tooBig {
			return
		}
		for int64(b.Len()) > held {
			if !res.Reserve(listen.InFlight, 1<<20) {
				busy = true
				b = bytes.Buffer{}
				return
			}
			held += 1 << 20
		}
	}
	prevCRLF := true // the DATA command line ended in CRLF
	partial := false // the previous read was cut by the buffer, not by LF
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// very long line: keep going, the next read continues it
			if !tooBig && !busy {
				b.Write(line)
			}
			if int64(b.Len()) > limit {
				tooBig = true
				b.Reset()
			}
			reserve()
			partial = true
			continue
		}
		if err != nil {
			return nil, false, err
		}
		crlf := len(line) >= 2 && line[len(line)-2] == '\r'
		if !partial && prevCRLF && crlf && len(line) == 3 && line[0] == '.' {
			break
		}
		t := bytes.TrimRight(line, "\r\n")
		if !partial && len(t) > 1 && t[0] == '.' {
			t = t[1:]
		}
		if !tooBig && !busy {
			b.Write(t)
			b.WriteString("\r\n")
			if int64(b.Len()) > limit {
				tooBig = true
				b.Reset()
			}
			reserve()
		}
		prevCRLF = crlf
		partial = false
	}
	if tooBig {
		return nil, true, nil
	}
	if busy {
		return nil, false, listen.ErrBusy
	}
	return b.Bytes(), false, nil
}

func (c *conn) data() bool {
	c.c.SetReadDeadline(c.deadline(c.s.Settings.IdleTimeout.Duration + 10*time.Minute))
	var res listen.Reservation
	defer res.Release()
	raw, tooBig, err := readDataReserved(c.r, c.s.P.Config.Serve.MaxMessageBytes, &res)
	if err == nil {
		c.answering = true
		defer func() { c.answering = false }()
	}
	if errors.Is(err, listen.ErrBusy) {
		c.reply(451, "4.3.2 Busy, try again later")
		return true
	}
	if err != nil {
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			c.timedOut()
		}
		return false
	}
	if tooBig {
		c.reply(552, fmt.Sprintf("5.3.4 Message too big (limit %d bytes)", c.s.P.Config.Serve.MaxMessageBytes))
		return true
	}
	p := c.s.P
	env := pipeline.Envelope{ClientIP: c.clientIP, ClientHost: c.clientName, Helo: c.helo, MailFrom: c.from,
		Rcpts: append([]string(nil), c.rcpts...), QueueID: c.queueID, AuthUser: c.login}
	o := p.Process(context.Background(), raw, env, action.Options{Frontend: pipeline.FrontendSMTP, Settings: c.s.Settings.ServeFrontend,
		Banner: c.s.Settings.Banner, Hold: true})
	if o.Taken { // went to the report-phish intake only
		c.reply(250, "2.0.0 "+o.Text)
		return true
	}
	rcpts := c.rcpts
	if o.DropRcpts != nil {
		rcpts = nil
		for _, r := range c.rcpts {
			if !slices.Contains(o.DropRcpts, r) {
				rcpts = append(rcpts, r)
			}
		}
	}
	switch o.Action {
	case pipeline.ActionReject, pipeline.ActionTempfail:
		c.reply(o.Code, o.Enhanced+" "+o.Text)
		return true
	case pipeline.ActionQuarantine:
		if o.QuarantineID == "" {
			c.reply(451, "4.3.0 Quarantine unavailable, try again later (id "+o.ID+")")
			return true
		}
		c.reply(250, "2.0.0 Ok: held in quarantine (id "+o.ID+")")
		return true
	}
	received := pipeline.HeaderField{Name: "Received", Value: c.received(o.ID)}
	out := o.ApplyWith(raw, received) // forged copies of our headers dropped
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	resp, err := c.s.Relay(ctx, c.from, rcpts, out)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code >= 400 && se.Code < 600 {
			code := se.Code
			c.reply(code, fmt.Sprintf("%d.%d.%d Next hop: %s", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], clip(oneLine(se.Message), 200)))
		} else {
			c.reply(451, "4.4.1 Next hop unavailable, try again later (id "+o.ID+")")
		}
		p.Log.Warn("smtp: relay failed", "msg_id", o.ID, "err", err)
		return true
	}
	p.Log.Info("smtp: relayed", "msg_id", o.ID, "next_hop", c.s.Settings.NextHop, "reply", clip(resp, 100))
	c.reply(250, "2.0.0 "+relayedText(resp)+" (id "+o.ID+")")
	return true
}

// relayedText is the next hop's answer to DATA without its own enhanced
// status code ("2.0.0 Ok: queued as X" becomes "Ok: queued as X"), so
// the client reads one code, not two.
func relayedText(resp string) string {
	t := strings.TrimSpace(clip(oneLine(resp), 120))
	if f := strings.Fields(t); len(f) > 0 && enhanced.MatchString(f[0]) {
		t = strings.TrimSpace(t[len(f[0]):])
	}
	if t == "" {
		return "Ok"
	}
	if !strings.HasPrefix(strings.ToLower(t), "ok") {
		t = "Ok: " + t
	}
	return t
}

// enhanced matches an RFC 3463 status code (class.subject.detail).
var enhanced = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}$`)

func (c *conn) received(id string) string {
	proto := "SMTP"
	if c.ehlo {
		proto = "ESMTP"
	}
	if c.tls {
		proto += "S"
	}
	from := c.helo
	ip := ""
	if c.clientIP.IsValid() {
		ip = "[" + c.clientIP.String() + "]"
	}
	name := c.clientName
	if name == "" {
		name = "unknown"
	}
	v := fmt.Sprintf("from %s (%s %s) by %s (sekisho) with %s id %s; %s", from, name, ip, c.host(), proto, id,
		time.Now().Format(time.RFC1123Z))
	return action.Fold("Received", v)
}

func oneLine(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ") }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// relaySMTP delivers to the configured next hop with go-smtp's client.
func (s *Server) relaySMTP(ctx context.Context, from string, rcpts []string, msg []byte) (string, error) {
	d := net.Dialer{Timeout: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", s.Settings.NextHop)
	if err != nil {
		return "", err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	var cl *smtp.Client
	plain := true
	if s.Settings.NextHopTLS != "none" {
		plain = false
		host, _, _ := net.SplitHostPort(s.Settings.NextHop)
		cl, err = smtp.NewClientStartTLS(nc, &tls.Config{ServerName: host, InsecureSkipVerify: s.Settings.NextHopTLS != "require"})
		if err != nil {
			nc.Close()
			if s.Settings.NextHopTLS == "require" {
				return "", fmt.Errorf("next hop STARTTLS: %w", err)
			}
			// opportunistic: retry in the clear
			if nc, err = d.DialContext(ctx, "tcp", s.Settings.NextHop); err != nil {
				return "", err
			}
			if dl, ok := ctx.Deadline(); ok {
				nc.SetDeadline(dl)
			}
			cl, plain = smtp.NewClient(nc), true
		}
	} else {
		cl = smtp.NewClient(nc)
	}
	defer cl.Close()
	if plain {
		if err := cl.Hello(s.P.Config.General.Hostname); err != nil {
			return "", err
		}
	}
	opts := &smtp.MailOptions{}
	if ok, _ := cl.Extension("8BITMIME"); ok {
		opts.Body = smtp.Body8BitMIME
	}
	if err := cl.Mail(from, opts); err != nil {
		return "", err
	}
	for _, r := range rcpts {
		if err := cl.Rcpt(r, nil); err != nil {
			return "", err
		}
	}
	w, err := cl.Data()
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(w, bytes.NewReader(msg)); err != nil {
		return "", err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	cl.Quit()
	return resp.StatusText, nil
}
