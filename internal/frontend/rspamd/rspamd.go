// Package rspamd speaks Rspamd's HTTP protocol (the normal worker's
// /checkv2 and the controller's /learnspam, /learnham, /ping, /stat,
// /symbols), so rspamc, Exim's `spam = ...:variant=rspamd`, Haraka's
// rspamd plugin and other Rspamd clients talk to sekisho unchanged.
//
// Request headers read (case-insensitive, as Rspamd does): IP, Helo, From,
// Rcpt (repeatable), User, Queue-Id, Settings-ID / Settings, Hostname (the
// client's resolved name; "unknown": none), Pass, Deliver-To (the
// recipient when no Rcpt is given). Bodies compressed with zstd ("Compression: zstd",
// rspamc -z) are accepted, bounded by serve.max_message_bytes. The JSON reply follows Rspamd's /checkv2 shape:
// is_skipped, score, required_score, action, symbols{NAME:{name, score,
// metric_score, description, options}}, messages, message-id, time_real,
// milter{add_headers, remove_headers} and, for "rewrite subject", subject.
//
// Action names: accept → "no action"; tag → "add header" ("rewrite
// subject" when the policy tags the subject); quarantine → "reject" after
// sekisho has stored the message (the reply's smtp_message names the
// quarantine id, so nothing is lost and nothing unsafe is delivered by a
// client that knows no quarantine); reject → "reject"; tempfail → "soft
// reject".
package rspamd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Handler serves the Rspamd protocol.
type Handler struct {
	P        *action.Processor
	Settings config.ServeFrontend
	Stats    *action.Stats
	// Password, when set, is required (header "Password") for learning.
	Password string
}

// Register adds the Rspamd paths to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /checkv2", h.check)
	mux.HandleFunc("POST /check", h.check)
	mux.HandleFunc("POST /learnspam", func(w http.ResponseWriter, r *http.Request) { h.learn(w, r, true) })
	mux.HandleFunc("POST /learnham", func(w http.ResponseWriter, r *http.Request) { h.learn(w, r, false) })
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "pong\r\n")
	})
	mux.HandleFunc("GET /stat", h.stat)
	mux.HandleFunc("GET /symbols", h.symbols)
}

// Envelope reads the Rspamd request headers into an envelope. It never
// fails: malformed values are dropped (hostile input).
func Envelope(hd http.Header) (env pipeline.Envelope, pass bool) {
	// The names are written canonically and looked up in the map as
	// they are: what hd.Get does (it canonicalises the name, and "IP",
	// "Ip" or "Queue-ID" are each one name), without canonicalising
	// (and, for non-canonical spellings, allocating) at every request.
	get := func(name string) string {
		if v := strings.TrimSpace(hget(hd, name)); v != "" {
			return clip(v, 512)
		}
		return ""
	}
	if ip := get("Ip"); ip != "" {
		if a, err := netip.ParseAddr(strings.Trim(ip, "[]")); err == nil {
			env.ClientIP = a.Unmap()
		}
	}
	env.Helo = get("Helo")
	env.MailFrom = strings.Trim(get("From"), "<>")
	for _, v := range hd["Rcpt"] {
		for { // the comma-separated addresses, without a slice of them
			r, rest, more := strings.Cut(v, ",")
			r = strings.Trim(strings.TrimSpace(r), "<>")
			if r != "" && len(env.Rcpts) < 10000 {
				env.Rcpts = append(env.Rcpts, clip(r, 512))
			}
			if !more {
				break
			}
			v = rest
		}
	}
	env.AuthUser = get("User")
	env.QueueID = get("Queue-Id")
	env.Settings = get("Settings-Id")
	if env.Settings == "" {
		env.Settings = get("Settings")
	}
	env.ClientHost = clientHost(get("Hostname"), get("Hostname-Client"))
	if len(env.Rcpts) == 0 {
		if r := strings.Trim(get("Deliver-To"), "<>"); r != "" {
			env.Rcpts = append(env.Rcpts, r)
		}
	}
	pass = strings.EqualFold(get("Pass"), "all")
	return env, pass
}

// clientHost is the client's host name from the request: Rspamd's
// Hostname header is the connecting client's resolved name (what
// Postfix's client_name macro holds, Haraka's remote host), "unknown"
// (or an address in brackets) when it has none, as the milter reads
// client_name; Hostname-Client, read by earlier sekisho releases,
// still counts when Hostname is absent.
func clientHost(hostname, legacy string) string {
	if hostname == "" {
		hostname = legacy
	}
	if strings.EqualFold(hostname, "unknown") || strings.HasPrefix(hostname, "[") {
		return ""
	}
	return hostname
}

// hget is hd.Get(name) for a name written canonically.
func hget(hd http.Header, name string) string {
	if v := hd[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Symbol is one symbol in the reply.
type Symbol struct {
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	MetricScore float64  `json:"metric_score"`
	Description string   `json:"description,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// Reply is the /checkv2 JSON reply.
type Reply struct {
	IsSkipped     bool              `json:"is_skipped"`
	Score         float64           `json:"score"`
	RequiredScore float64           `json:"required_score"`
	Action        string            `json:"action"`
	Symbols       map[string]Symbol `json:"symbols"`
	Messages      map[string]string `json:"messages"`
	MessageID     string            `json:"message-id,omitempty"`
	TimeReal      float64           `json:"time_real"`
	Milter        *Milter           `json:"milter,omitempty"`
	Subject       string            `json:"subject,omitempty"`
	ScanID        string            `json:"sekisho_id"`
	Category      string            `json:"sekisho_category"`
	Explanation   string            `json:"sekisho_explanation,omitempty"`
	ExplanationJA string            `json:"sekisho_explanation_ja,omitempty"`
	QuarantineID  string            `json:"sekisho_quarantine_id,omitempty"`
}

// Milter is the milter block clients apply.
type Milter struct {
	AddHeaders    map[string]any `json:"add_headers,omitempty"`
	RemoveHeaders map[string]int `json:"remove_headers,omitempty"`
}

type hdrValue struct {
	Value string `json:"value"`
	Order int    `json:"order"`
}

// ActionName maps an outcome to Rspamd's action names.
func ActionName(o *action.Outcome) string {
	switch o.Action {
	case pipeline.ActionAccept:
		return "no action"
	case pipeline.ActionTag:
		if o.NewSubject != nil {
			return "rewrite subject"
		}
		return "add header"
	case pipeline.ActionQuarantine, pipeline.ActionReject:
		return "reject"
	case pipeline.ActionTempfail:
		return "soft reject"
	}
	return "no action"
}

func (h *Handler) check(w http.ResponseWriter, r *http.Request) {
	// (The connection's goroutine grew its stack for the request in
	// the listener: listen.LimitListener's RemoteAddr.)
	start := time.Now()
	ce := hget(r.Header, "Compression")
	if ce != "" && !strings.EqualFold(ce, "none") && !strings.EqualFold(ce, "zstd") {
		httpError(w, http.StatusUnsupportedMediaType, "compression "+clip(ce, 20)+" is not supported (zstd is)")
		return
	}
	var res listen.Reservation
	defer res.Release()
	raw, err := readBody(w, r, h.P.Config.Serve.MaxMessageBytes, &res)
	if err == nil && strings.EqualFold(ce, "zstd") {
		raw, err = unzstd(raw, h.P.Config.Serve.MaxMessageBytes)
		if err == nil && !res.Reserve(listen.InFlight, int64(len(raw))) {
			err = listen.ErrBusy
		}
	}
	if err != nil {
		if errors.Is(err, listen.ErrBusy) {
			Busy(w)
			return
		}
		if errors.Is(err, action.ErrTooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message too big (limit %d bytes)", h.P.Config.Serve.MaxMessageBytes))
			return
		}
		httpError(w, http.StatusBadRequest, "cannot read message")
		return
	}
	env, _ := Envelope(r.Header)
	// A manual check (rspamc, whose default User-Agent is "rspamc") is
	// only a question: no MTA acts on the answer, so quarantined mail is
	// not stored (each run stored another copy). MTA integrations (Rspamd
	// proxy, Haraka, Exim, milters) hold as before. docs/frontends.md.
	o := h.P.Process(r.Context(), raw, env, action.Options{Frontend: pipeline.FrontendRspamd, Settings: h.Settings, Hold: !ManualCheck(r.Header)})
	writeOutcome(w, o, time.Since(start))
}

// writeOutcome answers the /checkv2 reply to o: what writeJSON writes of
// BuildReply(o, took), written from o without the Reply (appendOutcome).
func writeOutcome(w http.ResponseWriter, o *action.Outcome, took time.Duration) {
	b := replyBufs.Get().(*bytes.Buffer)
	b.Reset()
	out, ok := appendOutcome(b.AvailableBuffer(), o, took)
	if !ok {
		replyBufs.Put(b)
		writeJSON(w, http.StatusOK, BuildReply(o, took))
		return
	}
	b.Write(out)
	writeBuf(w, http.StatusOK, b)
}

// replyBufs are the buffers replies are built in.
var replyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledReply bounds the buffers kept for reuse (a reply with
// thousands of symbols or headers is not kept alive).
const maxPooledReply = 64 << 10

// writeJSON answers v as JSON (what json.Encoder writes: the same bytes
// as before, newline included), built in a pooled buffer and written
// once with its Content-Length: one write, no chunked encoding.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b := replyBufs.Get().(*bytes.Buffer)
	b.Reset()
	done := false
	if rep, ok := v.(*Reply); ok {
		// The scan reply, the one written for every message: without
		// reflection (replyjson.go), the same bytes.
		if out, ok := appendReply(b.AvailableBuffer(), rep); ok {
			b.Write(out)
			done = true
		}
	}
	if !done {
		if err := json.NewEncoder(b).Encode(v); err != nil {
			b.Reset()
			b.WriteString(`{"error":"cannot encode the reply"}` + "\n")
			code = http.StatusInternalServerError
		}
	}
	writeBuf(w, code, b)
}

// writeBuf answers b's JSON with its Content-Length, in one write, and
// puts b back in the pool.
func writeBuf(w http.ResponseWriter, code int, b *bytes.Buffer) {
	// Both values in one allocation, assigned under their canonical
	// names (what Header.Set does, without a slice for each).
	vals := &[2]string{"application/json", strconv.Itoa(b.Len())}
	h := w.Header()
	h["Content-Type"] = vals[0:1:1]
	h["Content-Length"] = vals[1:2:2]
	w.WriteHeader(code)
	w.Write(b.Bytes())
	if b.Cap() <= maxPooledReply {
		replyBufs.Put(b)
	}
}

// ManualCheck reports whether a /checkv2 request comes from a person
// running rspamc rather than an MTA: its User-Agent is rspamc's default.
func ManualCheck(h http.Header) bool {
	ua := hget(h, "User-Agent")
	return len(ua) >= 6 && strings.EqualFold(ua[:6], "rspamc")
}

// BuildReply turns an outcome into the /checkv2 reply.
func BuildReply(o *action.Outcome, took time.Duration) *Reply {
	v := o.Verdict()
	rep := &Reply{Score: v.Score, RequiredScore: v.RequiredScore, Action: ActionName(o), Symbols: map[string]Symbol{},
		Messages: map[string]string{}, TimeReal: took.Seconds(), ScanID: o.ID, Category: string(v.Category),
		Explanation: v.Explanation, ExplanationJA: v.ExplanationJA, QuarantineID: o.QuarantineID}
	if o.Result == nil {
		rep.IsSkipped = o.Unscanned
	} else if o.Result.Msg != nil {
		rep.MessageID = o.Result.Msg.MessageID
	}
	for _, s := range v.Symbols {
		rep.Symbols[s.Name] = Symbol{Name: s.Name, Score: s.Score, MetricScore: s.Score, Description: s.EN, Options: s.Options}
	}
	if msg, ok := smtpMessage(o); ok {
		rep.Messages["smtp_message"] = msg
	}
	if len(o.Headers) > 0 || o.NewSubject != nil || len(o.Strip) > 0 {
		m := &Milter{AddHeaders: map[string]any{}}
		for i, hf := range o.Headers {
			val := hdrValue{Value: strings.ReplaceAll(hf.Value, "\r\n", "\n"), Order: i}
			if prev, ok := m.AddHeaders[hf.Name]; ok {
				switch p := prev.(type) {
				case hdrValue:
					m.AddHeaders[hf.Name] = []hdrValue{p, val}
				case []hdrValue:
					m.AddHeaders[hf.Name] = append(p, val)
				}
				continue
			}
			m.AddHeaders[hf.Name] = val
		}
		// Remove copies of our own headers forged upstream (action/forged.go):
		// our names always (0: every occurrence), and every other forged
		// field found (X-Spam-*, X-Sekisho-*: all of that name; an
		// Authentication-Results with our authserv-id: its place, the
		// first such one when several, as remove_headers holds one number
		// per name).
		m.RemoveHeaders = map[string]int{"X-Spam-Flag": 0, "X-Spam-Status": 0, "X-Spam-Score": 0, "X-Spam-Symbols": 0, "X-Sekisho-Verdict": 0}
		for _, sf := range o.Strip {
			if sf.Name == "Authentication-Results" {
				if _, ok := m.RemoveHeaders[sf.Name]; !ok {
					m.RemoveHeaders[sf.Name] = sf.Index
				}
				continue
			}
			m.RemoveHeaders[sf.Name] = 0
		}
		rep.Milter = m
	}
	if o.NewSubject != nil {
		rep.Subject = *o.NewSubject
	}
	return rep
}

// smtpMessage is the reply's messages.smtp_message, if any.
func smtpMessage(o *action.Outcome) (string, bool) {
	switch o.Action {
	case pipeline.ActionReject, pipeline.ActionTempfail, pipeline.ActionQuarantine:
		if o.Code != 0 && o.Code != 250 {
			return o.Enhanced + " " + o.Text, true
		} else if o.QuarantineID != "" {
			// The MTA refuses the message (action "reject"): say it is
			// held, not "Ok" under a 5xx code.
			return "5.7.1 Message held in quarantine for review (id " + o.ID + ")", true
		} else if o.Action == pipeline.ActionQuarantine {
			return "5.7.1 Message would be held in quarantine (manual check: no copy kept) (id " + o.ID + ")", true
		}
	}
	return "", false
}

// learned is the reply to a learn request.
var learned = json.RawMessage(`{"success":true}`)

func (h *Handler) learn(w http.ResponseWriter, r *http.Request, spam bool) {
	if h.Password != "" && r.Header.Get("Password") != h.Password {
		httpError(w, http.StatusForbidden, "password required")
		return
	}
	var res listen.Reservation
	defer res.Release()
	raw, err := readBody(w, r, h.P.Config.Serve.MaxMessageBytes, &res)
	if errors.Is(err, listen.ErrBusy) {
		Busy(w)
		return
	}
	if err != nil {
		httpError(w, http.StatusRequestEntityTooLarge, "message too big or unreadable")
		return
	}
	if status, msg := h.P.Learn(r.Context(), raw, spam, h.Settings.ScanTimeout.Duration, h.Stats); status != http.StatusOK {
		httpError(w, status, msg)
		return
	}
	writeJSON(w, http.StatusOK, learned)
}

func (h *Handler) stat(w http.ResponseWriter, r *http.Request) {
	s := h.Stats
	if s == nil {
		s = &action.Stats{}
	}
	out := map[string]any{
		"read_only": false, "scanned": s.Scanned.Load(), "learned": s.LearnSpam.Load() + s.LearnHam.Load(),
		"actions": map[string]int64{"reject": s.Reject.Load() + s.Quarantine.Load(), "soft reject": s.Tempfail.Load(),
			"rewrite subject": 0, "add header": s.Tag.Load(), "greylist": 0, "no action": s.Accept.Load()},
		"spam_count": s.Reject.Load() + s.Quarantine.Load() + s.Tag.Load(), "ham_count": s.Accept.Load(),
		"connections": 0, "control_connections": 0, "pools_allocated": 0, "pools_freed": 0, "bytes_allocated": 0,
		"chunks_allocated": 0, "shared_chunks_allocated": 0, "chunks_freed": 0, "chunks_oversized": 0,
		"fragmented": 0, "total_learns": s.LearnSpam.Load() + s.LearnHam.Load(), "statfiles": []any{}, "fuzzy_hashes": map[string]any{},
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) symbols(w http.ResponseWriter, r *http.Request) {
	groups := map[string][]map[string]any{}
	for _, d := range pipeline.AllSymbols() {
		groups[d.Group] = append(groups[d.Group], map[string]any{"symbol": d.Name, "weight": h.P.Engine.Policy().Weight(d.Name),
			"description": d.EN, "description_ja": d.JA, "category": d.Category})
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	out := make([]map[string]any, 0, len(names))
	for _, g := range names {
		out = append(out, map[string]any{"group": g, "rules": groups[g]})
	}
	writeJSON(w, http.StatusOK, out)
}

// unzstd decompresses a zstd body (rspamc -z), bounded by limit.
func unzstd(b []byte, limit int64) ([]byte, error) {
	mem := uint64(limit) + 1<<20
	d, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderMaxMemory(mem), zstd.WithDecoderMaxWindow(mem), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	out, err := io.ReadAll(io.LimitReader(d, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, action.ErrTooBig
	}
	return out, nil
}

// readBody reads at most limit bytes: a larger Content-Length is refused
// before reading, and the bytes are reserved in the process-wide bound
// ([serve] max_bytes_in_flight, listen.ErrBusy when full) until res is
// released.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, res *listen.Reservation) ([]byte, error) {
	b, err := listen.ReadBody(r.Body, r.ContentLength, limit, listen.InFlight, res)
	if errors.Is(err, listen.ErrTooBig) {
		return nil, action.ErrTooBig
	}
	return b, err
}

// Busy answers 503 with Retry-After: the bytes in flight are at their
// bound ([serve] max_bytes_in_flight); the client tries again later.
func Busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	w.Header().Set("Connection", "close")
	httpError(w, http.StatusServiceUnavailable, "busy, try again later")
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
