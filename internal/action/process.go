// Package action holds what every front end (milter, SMTP gateway,
// Rspamd and spamd protocols, JSON API) shares: one Processor that scans a
// message with a deadline, applies the fail-safe, keeps quarantined mail,
// holds abusive outbound senders, and says which headers, subject and body
// changes and which SMTP reply go with the verdict. Front ends only
// translate it into their protocol.
package action

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Processor turns a message into an Outcome. Safe for concurrent use.
type Processor struct {
	Engine *engine.Engine
	Store  pipeline.Quarantine // may be nil: quarantine then tempfails (nothing lost)
	Config *config.Config
	Log    *slog.Logger
	// Banner returns a replacement body (everything after the header block)
	// carrying a warning banner, or nil for none.
	Banner func(raw []byte, r *pipeline.Result) []byte
	// Sealer adds an ARC set to delivered mail ([serve.arc]); nil: off.
	Sealer *Sealer
	// Reports takes mail to the report-phish address out of the flow
	// ([report] address); nil: off.
	Reports Intaker

	wg sync.WaitGroup // messages in flight (graceful shutdown)
}

// Options of one Process call.
type Options struct {
	Frontend string               // pipeline.FrontendMilter, FrontendSMTP, ...
	Settings config.ServeFrontend // timeouts and fail-safe of this front end
	Banner   bool                 // add warning banners
	// Hold quarantined mail in the store (milter, SMTP gateway, Rspamd).
	// False leaves the action to the caller (spamd, API report only).
	Hold bool
}

// Outcome is what a front end does with a message.
type Outcome struct {
	ID        string           // scan id (or a fresh id when unscanned)
	Result    *pipeline.Result // nil when unscanned
	Action    pipeline.Action  // final action after fail-safe and outbound holds
	Unscanned bool             // no verdict in time (or verdict tempfail) and fail-safe accept
	Outbound  bool             // held by outbound abuse tracking
	// QuarantineID names the stored copy when Action is quarantine.
	QuarantineID string
	// Headers to add to delivered mail, in order.
	Headers []pipeline.HeaderField
	// NewSubject is the raw new Subject value, when the subject is tagged.
	NewSubject *string
	// NewBody replaces the body (banner), nil when unchanged.
	NewBody []byte
	// ServID is this host's authserv-id; Apply drops forged copies of
	// sekisho's headers (forged.go) with it.
	ServID string
	// Strip lists the forged copies in the scanned message, for front
	// ends that tell the MTA what to remove (Rspamd remove_headers, the
	// JSON API).
	Strip []StripField
	// Taken: the message went to the report-phish intake only; the milter
	// discards it, the SMTP gateway accepts it without relaying.
	Taken bool
	// DropRcpts are recipients to remove before delivery (the report
	// address, when the message also went to others).
	DropRcpts []string
	// SMTP reply for reject and tempfail (and quarantine where it applies).
	Code     int
	Enhanced string
	Text     string
}

// Verdict returns the verdict or an empty one.
func (o *Outcome) Verdict() *pipeline.Verdict {
	if o.Result != nil {
		return &o.Result.Verdict
	}
	return &pipeline.Verdict{Action: o.Action, Category: pipeline.CategoryClean}
}

// Reply formats the SMTP reply "CODE X.Y.Z text".
func (o *Outcome) Reply() string { return fmt.Sprintf("%d %s %s", o.Code, o.Enhanced, o.Text) }

// ErrTooBig is returned by front ends for messages above serve.max_message_bytes.
var ErrTooBig = errors.New("frontend: message too big")

// Begin marks a message in flight; End when done. Wait waits for all.
func (p *Processor) Begin() { p.wg.Add(1) }

// End ends what Begin started.
func (p *Processor) End() { p.wg.Done() }

// Wait waits for messages in flight, at most until ctx ends.
func (p *Processor) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Process scans raw and decides what to do. Mail to the report-phish
// address goes to the intake first (see intake.go). Every outcome names the
// forged copies of sekisho's own headers for removal (forged.go).
func (p *Processor) Process(ctx context.Context, raw []byte, env pipeline.Envelope, opt Options) *Outcome {
	var o *Outcome
	if oi, rest, drop := p.intake(ctx, raw, env, opt); oi != nil {
		o = oi
	} else if drop != nil {
		env.Rcpts = rest
		o = p.process(ctx, raw, env, opt)
		o.DropRcpts = drop
	} else {
		o = p.process(ctx, raw, env, opt)
	}
	if o.ServID == "" {
		o.ServID = ServID(p.Config)
	}
	if o.Result != nil && o.Result.Msg != nil {
		o.Strip = stripScanned(o.Result.Msg.Headers, o.ServID)
	}
	return o
}

// stripScanned is StripList of the scanned message's fields (raw
// values), without copying the field list when nothing is forged (nearly
// always).
func stripScanned(hs mail.Headers, servID string) []StripField {
	forged := false
	for _, h := range hs {
		if OwnHeader(h.Name, h.Raw, servID) {
			forged = true
			break
		}
	}
	if !forged {
		return nil
	}
	fs := make([]pipeline.HeaderField, 0, len(hs))
	for _, h := range hs {
		fs = append(fs, pipeline.HeaderField{Name: h.Name, Value: h.Raw})
	}
	return StripList(fs, servID)
}

func (p *Processor) process(ctx context.Context, raw []byte, env pipeline.Envelope, opt Options) *Outcome {
	p.Begin()
	defer p.End()
	env.Frontend = opt.Frontend
	env.Flow = pipeline.FlowMail
	if env.Hostname == "" {
		env.Hostname = p.Config.General.Hostname
	}
	if env.AuthUser != "" {
		env.Outbound = true
	}
	log := p.Log
	if int64(len(raw)) > p.Config.Serve.MaxMessageBytes {
		o := &Outcome{ID: p.Engine.NewID(), Action: pipeline.ActionReject, Code: 552, Enhanced: "5.3.4",
			Text: fmt.Sprintf("Message too big (limit %d bytes)", p.Config.Serve.MaxMessageBytes)}
		log.Warn("message too big", "msg_id", o.ID, "frontend", opt.Frontend, "size", len(raw))
		return o
	}
	timeout := opt.Settings.ScanTimeout.Duration
	if timeout <= 0 {
		timeout = 25 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	// The scan runs on one of the engine's workers, so that this
	// goroutine can give up at the time-out (the scan then goes on, and
	// its result is sent into ch's room and dropped).
	ch := resultChans.Get().(chan *pipeline.Result)
	p.Engine.ScanAsync(sctx, raw, env, ch)
	var res *pipeline.Result
	select {
	case res = <-ch:
		resultChans.Put(ch) // received: nothing else is sent into it
	case <-sctx.Done():
	}
	if res == nil {
		id := p.Engine.NewID()
		log.Warn("no verdict in time", "msg_id", id, "frontend", opt.Frontend, "timeout", timeout, "fail_safe", opt.Settings.FailSafe)
		return p.failSafe(&Outcome{ID: id}, opt, "scan timeout")
	}
	// The policy's verdict is final (outbound holds included): the action
	// step only carries it out.
	v := &res.Verdict
	o := &Outcome{ID: res.ID, Result: res, Action: v.Action, Outbound: v.OutboundHold, ServID: ServID(p.Config)}
	if log.Enabled(ctx, slog.LevelInfo) { // the symbol list is built for the line only
		log.Info("scanned", "msg_id", o.ID, "frontend", opt.Frontend, "queue_id", env.QueueID, "action", v.Action,
			"category", v.Category, "score", v.Score, "symbols", symbolList(v, false), "ms", res.Duration.Milliseconds())
	}
	switch o.Action {
	case pipeline.ActionTempfail:
		if o.Outbound {
			o.Code, o.Enhanced, o.Text = 451, "4.7.1", fmt.Sprintf("Sending limit reached for this account, try again later (id %s)", o.ID)
			return o
		}
		return p.failSafe(o, opt, strings.Join(v.TempfailReasons, "; "))
	case pipeline.ActionReject:
		o.Code, o.Enhanced = 550, "5.7.1"
		o.Text = fmt.Sprintf("%s: %s (id %s)", p.Config.Serve.Quarantine.RejectMessage, smtpSafe(v.Reason), o.ID)
		return o
	case pipeline.ActionQuarantine:
		if !opt.Hold {
			break
		}
		if p.Store == nil {
			o.Action = pipeline.ActionTempfail
			o.Code, o.Enhanced, o.Text = 451, "4.3.0", fmt.Sprintf("Quarantine unavailable, try again later (id %s)", o.ID)
			log.Error("quarantine: no store", "msg_id", o.ID)
			return o
		}
		qid, err := p.Store.Hold(context.WithoutCancel(ctx), raw, res)
		if err != nil {
			o.Action = pipeline.ActionTempfail
			o.Code, o.Enhanced, o.Text = 451, "4.3.0", fmt.Sprintf("Quarantine unavailable, try again later (id %s)", o.ID)
			log.Error("quarantine: hold failed; tempfail", "msg_id", o.ID, "err", err)
			return o
		}
		o.QuarantineID = qid
		o.Code, o.Enhanced, o.Text = 250, "2.7.0", fmt.Sprintf("Ok: held in quarantine as %s (id %s)", qid, o.ID)
		log.Info("quarantined", "msg_id", o.ID, "quarantine_id", qid, "outbound", o.Outbound)
	}
	o.Headers = p.headers(o, "")
	if o.Action == pipeline.ActionTag && v.SubjectPrefix != "" {
		// The parsed field list keeps each raw value: no second split.
		rawSubj, decoded := "", ""
		if res.Msg != nil {
			decoded = res.Msg.Subject
			for _, f := range res.Msg.Headers {
				if strings.EqualFold(f.Name, "Subject") {
					rawSubj = crlfFolds(strings.TrimLeft(f.Raw, " \t"))
					break
				}
			}
		}
		if s, ok := SubjectRewrite(rawSubj, decoded, v.SubjectPrefix); ok {
			o.NewSubject = &s
		}
	}
	if opt.Banner && p.Banner != nil && (o.Action == pipeline.ActionAccept || o.Action == pipeline.ActionTag) {
		o.NewBody = p.Banner(raw, res)
	}
	if p.Sealer != nil && (o.Action == pipeline.ActionAccept || o.Action == pipeline.ActionTag) {
		// Last: the seal covers the message as delivered. A failure costs
		// the seal, never the message.
		hs, err := p.Sealer.Seal(raw, o, p.Config.General.Hostname)
		if err != nil {
			log.Warn("arc: sealing failed; delivered unsealed", "msg_id", o.ID, "err", err)
		}
		o.Headers = append(hs, o.Headers...)
	}
	return o
}

// resultChans are the channels scan results come back on (room for
// one). One is reused only once its result was received.
var resultChans = sync.Pool{New: func() any { return make(chan *pipeline.Result, 1) }}

// crlfFolds writes the folds of a raw header value with CRLF, whatever
// line ends the message used (as ParseFields joins folded lines).
func crlfFolds(raw string) string {
	if !strings.Contains(raw, "\n") {
		return strings.TrimRight(raw, "\r")
	}
	lines := strings.Split(raw, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\r\n")
}

// failSafe applies the front end's fail-safe when no usable verdict exists.
func (p *Processor) failSafe(o *Outcome, opt Options, why string) *Outcome {
	if why == "" {
		why = "temporary failure"
	}
	o.ServID = ServID(p.Config)
	if opt.Settings.FailSafe == "accept" {
		o.Action = pipeline.ActionAccept
		o.Unscanned = true
		o.Headers = p.headers(o, why)
		return o
	}
	o.Action = pipeline.ActionTempfail
	o.Code, o.Enhanced, o.Text = 451, "4.7.1", fmt.Sprintf("Message could not be checked now, try again later (id %s)", o.ID)
	return o
}

// headers builds the headers added to delivered mail.
func (p *Processor) headers(o *Outcome, unscanned string) []pipeline.HeaderField {
	hc := p.Config.Serve.Headers
	var out []pipeline.HeaderField
	if o.Result == nil || o.Unscanned {
		if hc.VerdictHeader || unscanned != "" {
			out = append(out, pipeline.HeaderField{Name: "X-Sekisho-Verdict",
				Value: Fold("X-Sekisho-Verdict", fmt.Sprintf("action=unscanned; reason=%s; id=%s", headerToken(unscanned), o.ID))})
		}
		return out
	}
	v := &o.Result.Verdict
	if v.Auth != nil && p.Config.Auth.AddHeader {
		out = append(out, pipeline.HeaderField{Name: "Authentication-Results", Value: AuthenticationResults(v.Auth)})
	}
	if o.Action == pipeline.ActionAccept && !hc.OnAccept {
		return out
	}
	flag := o.Action != pipeline.ActionAccept
	if out == nil && (hc.SpamHeaders || hc.VerdictHeader) {
		out = make([]pipeline.HeaderField, 0, 5)
	}
	// The values are built in one scratch buffer (what fmt wrote: %.2f
	// is strconv's 'f' with 2 digits).
	var scratch [256]byte
	if hc.SpamHeaders {
		yes, status := "NO", "No"
		if flag {
			yes, status = "YES", "Yes"
		}
		score := strconv.FormatFloat(v.Score, 'f', 2, 64)
		b := append(scratch[:0], status...)
		b = append(b, ", score="...)
		b = append(b, score...)
		b = append(b, " required="...)
		b = strconv.AppendFloat(b, p.Config.Policy.TagScore, 'f', 2, 64)
		b = append(b, " tests="...)
		b = appendTests(b, v)
		out = append(out,
			pipeline.HeaderField{Name: "X-Spam-Flag", Value: yes},
			pipeline.HeaderField{Name: "X-Spam-Score", Value: score},
			pipeline.HeaderField{Name: "X-Spam-Status", Value: Fold("X-Spam-Status", string(b))})
		if len(v.Symbols) > 0 {
			out = append(out, pipeline.HeaderField{Name: "X-Spam-Symbols", Value: Fold("X-Spam-Symbols", symbolList(v, true))})
		}
	}
	if hc.VerdictHeader {
		b := append(scratch[:0], "action="...)
		b = append(b, o.Action...)
		b = append(b, "; category="...)
		b = append(b, v.Category...)
		b = append(b, "; score="...)
		b = strconv.AppendFloat(b, v.Score, 'f', 2, 64)
		b = append(b, "; required="...)
		b = strconv.AppendFloat(b, v.RequiredScore, 'f', 2, 64)
		b = append(b, "; id="...)
		b = append(b, o.ID...)
		if o.QuarantineID != "" {
			b = append(b, "; quarantine="...)
			b = append(b, o.QuarantineID...)
		}
		out = append(out, pipeline.HeaderField{Name: "X-Sekisho-Verdict", Value: Fold("X-Sekisho-Verdict", string(b))})
	}
	return out
}

func headerToken(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == ';' {
			return '-'
		}
		return r
	}, s)
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// smtpSafe keeps a reply text to printable ASCII on one line.
func smtpSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// Learn teaches the classifier one message for the HTTP front ends (Rspamd
// /learnspam and /learnham, the JSON API), counting it in stats (may be
// nil). It returns an HTTP status and, on failure, a message for the client;
// the detail goes to the log.
func (p *Processor) Learn(ctx context.Context, raw []byte, spam bool, timeout time.Duration, stats *Stats) (status int, msg string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := p.Engine.Learn(ctx, raw, spam); err != nil {
		if errors.Is(err, engine.ErrNoLearner) {
			return http.StatusNotImplemented, "the classifier is disabled ([bayes] enabled = false)"
		}
		p.Log.Error("learn failed", "err", err)
		return http.StatusInternalServerError, "learning failed"
	}
	if stats != nil {
		if spam {
			stats.LearnSpam.Add(1)
		} else {
			stats.LearnHam.Add(1)
		}
	}
	return http.StatusOK, ""
}
