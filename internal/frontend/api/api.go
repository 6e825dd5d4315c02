// Package api is sekisho's native JSON API on the console port:
//
//	POST /api/v1/scan          raw message as the body (envelope in the
//	                           Rspamd-style headers IP, Helo, From, Rcpt,
//	                           User, Queue-Id), or a JSON object
//	                           {"message": "...", "message_base64": "...",
//	                            "envelope": {...}} with Content-Type
//	                           application/json
//	POST /api/v1/learn/spam    raw message: teach the classifier
//	POST /api/v1/learn/ham
//	GET  /api/v1/symbols       every symbol with weight and explanations
//
// The API reports; it does not quarantine (the caller acts on "action").
package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"strings"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/frontend/rspamd"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Handler serves the JSON API.
type Handler struct {
	P        *action.Processor
	Settings config.ServeFrontend
	Stats    *action.Stats
	Password string // when set, required as "Authorization: Bearer <password>" or header Password
}

// Register adds the API routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/scan", h.scan)
	mux.HandleFunc("POST /api/v1/learn/{kind}", h.learn)
	mux.HandleFunc("POST /api/v1/report", h.report)
	mux.HandleFunc("GET /api/v1/symbols", h.symbols)
}

// Envelope is the JSON form of the envelope.
type Envelope struct {
	ClientIP string   `json:"client_ip"`
	Helo     string   `json:"helo"`
	MailFrom string   `json:"mail_from"`
	Rcpts    []string `json:"rcpts"`
	QueueID  string   `json:"queue_id"`
	AuthUser string   `json:"auth_user"`
	Hostname string   `json:"hostname"`
}

// ScanRequest is the JSON form of a scan request.
type ScanRequest struct {
	Message       string   `json:"message"`
	MessageBase64 string   `json:"message_base64"`
	Envelope      Envelope `json:"envelope"`
}

// ScanReply is what /api/v1/scan answers.
type ScanReply struct {
	ID            string                  `json:"id"`
	Action        pipeline.Action         `json:"action"`
	Category      pipeline.Category       `json:"category"`
	Score         float64                 `json:"score"`
	RequiredScore float64                 `json:"required_score"`
	Reason        string                  `json:"reason"`
	Explanation   string                  `json:"explanation"`
	ExplanationJA string                  `json:"explanation_ja"`
	Symbols       []pipeline.SymbolResult `json:"symbols"`
	Headers       []pipeline.HeaderField  `json:"headers"`
	// RemoveHeaders are forged copies of sekisho's headers in the message
	// (X-Spam-*, X-Sekisho-*, Authentication-Results with our
	// authserv-id): the caller removes them before delivery.
	RemoveHeaders []action.StripField       `json:"remove_headers,omitempty"`
	Subject       *string                   `json:"subject,omitempty"`
	Attachments   []pipeline.AttachmentInfo `json:"attachments,omitempty"`
	Unscanned     bool                      `json:"unscanned,omitempty"`
	SMTPReply     string                    `json:"smtp_reply,omitempty"`
	DurationMS    float64                   `json:"duration_ms"`
}

func (h *Handler) authorized(r *http.Request) bool {
	if h.Password == "" {
		return true
	}
	if r.Header.Get("Password") == h.Password {
		return true
	}
	return r.Header.Get("Authorization") == "Bearer "+h.Password
}

// jsonLimit is the largest JSON request body for a message of limit
// bytes: base64 (4/3) and the envelope. A message sent as a JSON string
// with many escapes may need message_base64 instead.
func jsonLimit(limit int64) int64 { return limit/3*4 + 64<<10 }

// read reads the request within the bounds: a Content-Length above what
// a message of [serve] max_message_bytes needs is refused before reading
// (413), and the bytes are reserved in [serve] max_bytes_in_flight while
// the request is served (503 when full; res is released by the caller).
func (h *Handler) read(w http.ResponseWriter, r *http.Request, res *listen.Reservation) ([]byte, pipeline.Envelope, bool) {
	limit := h.P.Config.Serve.MaxMessageBytes
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	bodyLimit := limit
	if ct == "application/json" {
		bodyLimit = jsonLimit(limit)
	}
	body, err := listen.ReadBody(r.Body, r.ContentLength, bodyLimit, listen.InFlight, res)
	switch {
	case errors.Is(err, listen.ErrTooBig):
		jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message too big (limit %d bytes)", limit))
		return nil, pipeline.Envelope{}, false
	case errors.Is(err, listen.ErrBusy):
		rspamd.Busy(w)
		return nil, pipeline.Envelope{}, false
	case err != nil:
		jsonError(w, http.StatusBadRequest, "cannot read request")
		return nil, pipeline.Envelope{}, false
	}
	if ct != "application/json" {
		if int64(len(body)) > limit {
			jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message too big (limit %d bytes)", limit))
			return nil, pipeline.Envelope{}, false
		}
		env, _ := rspamd.Envelope(r.Header)
		return body, env, true
	}
	var req ScanRequest
	if err := json.Unmarshal(body, &req); err != nil {
		jsonError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return nil, pipeline.Envelope{}, false
	}
	raw := []byte(req.Message)
	if req.MessageBase64 != "" {
		raw, err = base64.StdEncoding.DecodeString(req.MessageBase64)
		if err != nil {
			jsonError(w, http.StatusBadRequest, "bad message_base64")
			return nil, pipeline.Envelope{}, false
		}
	}
	if int64(len(raw)) > limit {
		jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message too big (limit %d bytes)", limit))
		return nil, pipeline.Envelope{}, false
	}
	if !res.Reserve(listen.InFlight, int64(len(raw))) { // the decoded copy
		rspamd.Busy(w)
		return nil, pipeline.Envelope{}, false
	}
	e := req.Envelope
	env := pipeline.Envelope{Helo: e.Helo, MailFrom: e.MailFrom, Rcpts: e.Rcpts, QueueID: e.QueueID, AuthUser: e.AuthUser, Hostname: e.Hostname}
	if e.ClientIP != "" {
		a, err := netip.ParseAddr(e.ClientIP)
		if err != nil {
			jsonError(w, http.StatusBadRequest, "bad envelope.client_ip")
			return nil, pipeline.Envelope{}, false
		}
		env.ClientIP = a.Unmap()
	}
	return raw, env, true
}

func (h *Handler) scan(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		jsonError(w, http.StatusUnauthorized, "password required")
		return
	}
	var res listen.Reservation
	defer res.Release()
	raw, env, ok := h.read(w, r, &res)
	if !ok {
		return
	}
	o := h.P.Process(r.Context(), raw, env, action.Options{Frontend: pipeline.FrontendAPI, Settings: h.Settings})
	v := o.Verdict()
	rep := ScanReply{ID: o.ID, Action: o.Action, Category: v.Category, Score: v.Score, RequiredScore: v.RequiredScore,
		Reason: v.Reason, Explanation: v.Explanation, ExplanationJA: v.ExplanationJA, Symbols: v.Symbols,
		Headers: o.Headers, RemoveHeaders: o.Strip, Subject: o.NewSubject, Attachments: v.Attachments, Unscanned: o.Unscanned}
	if rep.Symbols == nil {
		rep.Symbols = []pipeline.SymbolResult{}
	}
	if o.Code != 0 {
		rep.SMTPReply = o.Reply()
	}
	if o.Result != nil {
		rep.DurationMS = float64(o.Result.Duration.Microseconds()) / 1000
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rep)
}

func (h *Handler) learn(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		jsonError(w, http.StatusUnauthorized, "password required")
		return
	}
	var spam bool
	switch r.PathValue("kind") {
	case "spam":
		spam = true
	case "ham":
	default:
		jsonError(w, http.StatusNotFound, "learn/spam or learn/ham")
		return
	}
	var res listen.Reservation
	defer res.Release()
	raw, _, ok := h.read(w, r, &res)
	if !ok {
		return
	}
	if status, msg := h.P.Learn(r.Context(), raw, spam, h.Settings.ScanTimeout.Duration, h.Stats); status != http.StatusOK {
		jsonError(w, status, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"learned\":%q}\n", map[bool]string{true: "spam", false: "ham"}[spam])
}

func (h *Handler) symbols(w http.ResponseWriter, r *http.Request) {
	type sym struct {
		pipeline.SymbolDef
		Effective float64 `json:"effective_weight"`
	}
	var out []sym
	for _, d := range pipeline.AllSymbols() {
		out = append(out, sym{d, h.P.Engine.Policy().Weight(d.Name)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func jsonError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]string{"error": strings.TrimSpace(msg)})
	w.Write(append(b, '\n'))
}
