package spamd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Server is the spamd front end.
type Server struct {
	P        *action.Processor
	Settings config.ServeSpamd
	Stats    *action.Stats
	cs       listen.ConnServer
}

// Serve accepts spamc connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.cs.Max = s.Settings.MaxConnections
	s.cs.Handle = s.handle
	return s.cs.Serve(listen.NewLimitListener(ln, listen.ConnLimits{PerClient: s.Settings.MaxConnectionsPerClient,
		Refuse: func(c net.Conn) { c.Write([]byte(ErrorReply(ExTempFail, "too many connections from your address"))) }}))
}

// Shutdown stops accepting and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.cs.Shutdown(ctx) }

func (s *Server) handle(c net.Conn) {
	// The request must be read within read_timeout; the reply written
	// within the scan's time and a minute.
	rt := s.Settings.ReadTimeout.Duration
	if rt <= 0 {
		rt = s.Settings.ScanTimeout.Duration + 60*time.Second
	}
	c.SetDeadline(time.Now().Add(rt))
	br := readers.Get().(*bufio.Reader)
	br.Reset(c)
	defer func() {
		// Nothing of the request points into the reader's buffer
		// (ReadRequestReserved copies the lines and the body): it goes
		// back to the pool when the request is read.
		if br != nil {
			br.Reset(nil)
			readers.Put(br)
		}
	}()
	var res listen.Reservation
	defer res.Release()
	req, err := ReadRequestReserved(br, s.P.Config.Serve.MaxMessageBytes, &res)
	br.Reset(nil)
	readers.Put(br)
	br = nil
	c.SetDeadline(time.Now().Add(s.Settings.ScanTimeout.Duration + 60*time.Second))
	if err != nil {
		var pe *ProtoError
		if errors.As(err, &pe) {
			c.Write([]byte(ErrorReply(pe.Code, pe.Msg)))
			s.P.Log.Warn("spamd: bad request", "err", pe.Msg, "remote", c.RemoteAddr().String())
		}
		return
	}
	out := s.Respond(context.Background(), req, remoteIP(c))
	if _, err := c.Write(out); err != nil {
		listen.Abort(c) // a client that does not read its reply: reset, not a FIN behind it
	}
}

// readers are the connections' 64 KiB request readers (one per
// connection was 64 KiB allocated and cleared per message).
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

func remoteIP(c net.Conn) netip.Addr {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		a, _ := netip.AddrFromSlice(ta.IP)
		return a.Unmap()
	}
	return netip.Addr{}
}

// Respond answers one request (exported for tests over net.Pipe-less paths).
func (s *Server) Respond(ctx context.Context, req *Request, peer netip.Addr) []byte {
	compress := strings.EqualFold(req.Headers["compress"], "zlib")
	switch req.Method {
	case "PING":
		return []byte("SPAMD/1.5 0 PONG\r\n")
	case "SKIP":
		return nil
	case "TELL":
		return s.tell(ctx, req)
	}
	// spamc knows nothing of the SMTP envelope (its User header names the
	// local account the message is checked for): the scan rests on the
	// message itself, with any trusted Received header it carries.
	env := pipeline.Envelope{}
	o := s.P.Process(ctx, req.Body, env, action.Options{Frontend: pipeline.FrontendSpamd, Settings: s.Settings.ServeFrontend})
	if o.Action == pipeline.ActionTempfail {
		return []byte(ErrorReply(ExTempFail, o.Text))
	}
	if o.Code == 552 {
		return []byte(ErrorReply(ExTooBig, o.Text))
	}
	v := o.Verdict()
	isSpam := o.Action == pipeline.ActionTag || o.Action == pipeline.ActionQuarantine || o.Action == pipeline.ActionReject
	thr := s.P.Config.Policy.TagScore
	verdict := "False"
	if isSpam {
		verdict = "True"
	}
	spamHdr := fmt.Sprintf("Spam: %s ; %.1f / %.1f", verdict, v.Score, thr)
	hdrs := []string{spamHdr}
	var out []byte
	switch req.Method {
	case "CHECK":
		out = appendReply(nil, hdrs, nil, false, false)
	case "SYMBOLS":
		names := make([]string, 0, len(v.Symbols))
		for _, sy := range v.Symbols {
			names = append(names, sy.Name)
		}
		out = appendReply(nil, hdrs, []byte(strings.Join(names, ",")), true, compress)
	case "REPORT":
		out = appendReply(nil, hdrs, []byte(report(s.P.Config, o, thr)), true, compress)
	case "REPORT_IFSPAM":
		if isSpam {
			out = appendReply(nil, hdrs, []byte(report(s.P.Config, o, thr)), true, compress)
		} else {
			out = appendReply(nil, hdrs, nil, true, compress)
		}
	case "PROCESS":
		out = appendReply(nil, hdrs, o.Apply(req.Body), true, compress)
	case "HEADERS":
		out = appendReply(nil, hdrs, o.ApplyHeader(req.Body), true, compress)
	}
	return out
}

func (s *Server) tell(ctx context.Context, req *Request) []byte {
	if !s.Settings.AllowTell {
		return []byte(ErrorReply(ExNoPerm, "TELL is not allowed (serve.spamd.allow_tell = false)"))
	}
	class := strings.ToLower(req.Headers["message-class"])
	set := strings.ToLower(req.Headers["set"])
	remove := strings.ToLower(req.Headers["remove"])
	doSet := strings.Contains(set, "local") || strings.Contains(set, "remote")
	doRemove := strings.Contains(remove, "local") || strings.Contains(remove, "remote")
	if !doSet && !doRemove {
		return []byte(ErrorReply(ExProtocol, "Set: local or Remove: local required"))
	}
	if doSet && class != "spam" && class != "ham" {
		return []byte(ErrorReply(ExProtocol, "Message-class must be spam or ham"))
	}
	ctx, cancel := context.WithTimeout(ctx, s.Settings.ScanTimeout.Duration)
	defer cancel()
	failed := func(what string, err error) []byte {
		if errors.Is(err, engine.ErrNoLearner) {
			return []byte(ErrorReply(ExUnavailable, "the classifier is disabled"))
		}
		s.P.Log.Error("spamd: "+what+" failed", "err", err)
		return []byte(ErrorReply(ExSoftware, what+" failed"))
	}
	reply := "SPAMD/1.1 0 EX_OK\r\n"
	// As spamd: Remove (spamc -L forget) takes the message back; with Set
	// as well, it is then learned under the given class.
	if doRemove && !doSet {
		known, err := s.P.Engine.Forget(ctx, req.Body)
		if err != nil {
			return failed("forgetting", err)
		}
		if known {
			reply += "DidRemove: local\r\n"
		}
	}
	if doSet {
		if err := s.P.Engine.Learn(ctx, req.Body, class == "spam"); err != nil {
			return failed("learning", err)
		}
		if s.Stats != nil {
			if class == "spam" {
				s.Stats.LearnSpam.Add(1)
			} else {
				s.Stats.LearnHam.Add(1)
			}
		}
		reply += "DidSet: local\r\n"
	}
	return []byte(reply + "\r\n")
}

// report writes the REPORT text: a short explanation (English, then
// Japanese) and the table of symbols.
func report(cfg *config.Config, o *action.Outcome, thr float64) string {
	v := o.Verdict()
	var b strings.Builder
	fmt.Fprintf(&b, "sekisho on %s: %s (id %s)\n", cfg.General.Hostname, strings.ToUpper(string(o.Action)), o.ID)
	if v.Explanation != "" {
		fmt.Fprintf(&b, "%s\n%s\n", v.Explanation, v.ExplanationJA)
	}
	fmt.Fprintf(&b, "\nContent analysis details:   (%.1f points, %.1f required)\n\n", v.Score, thr)
	b.WriteString(" pts rule name              description\n")
	b.WriteString("---- ---------------------- --------------------------------------------------\n")
	for _, s := range v.Symbols {
		desc := s.EN
		if len(s.Options) > 0 {
			desc += " [" + strings.Join(s.Options, ", ") + "]"
		}
		fmt.Fprintf(&b, "%4.1f %-22s %s\n", s.Score, s.Name, desc)
	}
	return b.String()
}
