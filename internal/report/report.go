// Package report is the report-phish intake: users report a message by
// mail to the reporting address ([report] address; forwarded as an
// attachment, an ARF feedback report, RFC 5965, or the raw message) or
// with the console's Report button. Each report is re-scanned with what
// sekisho knows now and triaged:
//
//   - confirmed (the re-scan quarantines or rejects it, or an earlier copy
//     was caught): the classifier learns it as spam, and every delivered
//     copy is remediated (a dry run unless report.remediate_dry_run =
//     false);
//   - suspicious (tagged, or not fully inspectable): left for an
//     administrator;
//   - safe: the reporter is told so.
//
// The reporter gets a short answer in Japanese or English (the report's
// Accept-Language or Content-Language, its text, or the configured
// default). Only reporters in the organisation's domains teach the
// classifier, start remediation or get an answer: anyone can send mail to
// the address, and a forged report must not pull mail or poison learning.
package report

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/sekisho/sekisho/internal/store/migrate"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/smtpout"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Triage outcomes.
const (
	TriagePending    = "pending"
	TriageConfirmed  = "confirmed"
	TriageSuspicious = "suspicious"
	TriageSafe       = "safe"
	TriageFailed     = "failed"
)

// Answer states.
const (
	AnswerSent    = "sent"
	AnswerSkipped = "skipped"
	AnswerFailed  = "failed"
)

// Errors.
var (
	ErrNotFound  = errors.New("report: no such report")
	ErrQueueFull = errors.New("report: triage queue full")
)

// Report is one report and what came of it.
type Report struct {
	ID           string    `json:"id"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
	Source       string    `json:"source"` // mail or console
	Kind         string    `json:"kind"`   // attachment, arf, raw, console
	FeedbackType string    `json:"feedback_type,omitempty"`
	Reporter     string    `json:"reporter"`
	Internal     bool      `json:"internal"` // the reporter is in the organisation's domains
	Lang         string    `json:"lang"`
	Subject      string    `json:"subject"` // of the reported message
	Sender       string    `json:"sender"`  // From of the reported message
	MessageID    string    `json:"message_id"`
	Hashes       []string  `json:"hashes,omitempty"` // attachment SHA-256 values
	StoredID     string    `json:"stored_id,omitempty"`
	ScanID       string    `json:"scan_id,omitempty"`
	Action       string    `json:"action,omitempty"`
	Category     string    `json:"category,omitempty"`
	Score        float64   `json:"score"`
	Symbols      []string  `json:"symbols,omitempty"`
	Triage       string    `json:"triage"`
	Learned      string    `json:"learned,omitempty"` // spam, or why not
	RunID        string    `json:"run_id,omitempty"`  // remediation run
	Answer       string    `json:"answer,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	raw          []byte
	replyTo      string
	autoReply    bool
}

// Service takes reports and triages them. Safe for concurrent use.
type Service struct {
	cfg  *config.Config
	eng  *engine.Engine
	q    *quarantine.Store
	rem  *remediate.Remediator // nil: remediation off
	log  *slog.Logger
	db   *sql.DB
	pg   bool
	send func(ctx context.Context, from string, to []string, raw []byte) error
	// Pref returns a reporter's remembered language ("" when none); it
	// wins over what the report mail says (digest.Service.Pref).
	Pref func(ctx context.Context, addr string) string

	wake  chan struct{} // a report was stored
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	mu    sync.Mutex
	tries map[string]int // failed triage attempts
	obs   atomic.Pointer[Observer]
}

// Observer counts what the intake does (internal/metrics implements it).
type Observer interface {
	ReportReceived(source string)
	ReportTriaged(verdict string)
	ReportAnswered(outcome string)
}

// Observe sets the observer (nil: none). Safe while the worker runs.
func (s *Service) Observe(o Observer) {
	if o == nil {
		s.obs.Store(nil)
		return
	}
	s.obs.Store(&o)
}

func (s *Service) observe(f func(Observer)) {
	if o := s.obs.Load(); o != nil {
		f(*o)
	}
}

// New opens the report table in the quarantine database. rem may be nil;
// eng may be nil for reading reports only (list, show).
func New(ctx context.Context, cfg *config.Config, eng *engine.Engine, q *quarantine.Store, rem *remediate.Remediator, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, eng: eng, q: q, rem: rem, log: log.With("component", "report"), db: q.DB(), pg: q.Dialect() == "postgres",
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.send = s.smtpSend
	// Versioned like every schema (internal/store/migrate): instances
	// starting together on one PostgreSQL take its lock.
	if _, err := migrate.Apply(ctx, s.db, q.Dialect(), "report", []migrate.Step{
		{Version: 1, Name: "phish_report", SQL: []string{schema}},
		// The queue is the table: pending reports are read oldest first.
		{Version: 2, Name: "phish_report queue", SQL: []string{
			`CREATE INDEX IF NOT EXISTS phish_report_triage ON phish_report (triage, created_at)`,
			// A worker's claim on a pending report (Unix ms; 0: none).
			`ALTER TABLE phish_report ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0`,
		}},
	}); err != nil {
		return nil, fmt.Errorf("report: create schema: %w", err)
	}
	return s, nil
}

const schema = `CREATE TABLE IF NOT EXISTS phish_report (
	id TEXT PRIMARY KEY,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT '',
	feedback_type TEXT NOT NULL DEFAULT '',
	reporter TEXT NOT NULL DEFAULT '',
	internal INTEGER NOT NULL DEFAULT 0,
	lang TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	sender TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	hashes TEXT NOT NULL DEFAULT '',
	stored_id TEXT NOT NULL DEFAULT '',
	scan_id TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	score DOUBLE PRECISION NOT NULL DEFAULT 0,
	symbols TEXT NOT NULL DEFAULT '',
	triage TEXT NOT NULL DEFAULT '',
	learned TEXT NOT NULL DEFAULT '',
	run_id TEXT NOT NULL DEFAULT '',
	answer TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	reply_to TEXT NOT NULL DEFAULT '',
	auto_reply INTEGER NOT NULL DEFAULT 0,
	raw {blob}
)`

// Address is the reporting address ("" when intake by mail is off).
func (s *Service) Address() string { return s.cfg.Report.Address }

// Start runs the triage worker until Close. The queue is the report
// table itself: every report is stored (triage "pending") before it is
// acknowledged, the worker takes pending reports oldest first, and a
// report whose triage was cut short by a stop stays pending and is taken
// again by the next start. Nothing waits in memory only.
func (s *Service) Start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-s.stop
			cancel() // cut the report in hand short: it stays pending
		}()
		expire := time.NewTicker(time.Hour)
		defer expire.Stop()
		poll := time.NewTicker(pollEvery)
		defer poll.Stop()
		s.expire()
		fails := map[string]int{}
		for {
			s.drain(ctx, fails)
			select {
			case <-s.stop:
				return
			case <-expire.C:
				s.expire()
			case <-poll.C:
				clear(fails) // failed ones get another pass
			case <-s.wake:
			}
		}
	}()
}

// pollEvery: the worker looks for pending reports this often even when
// nothing woke it (a report stored by another instance on a shared
// database, one whose triage failed).
const pollEvery = 30 * time.Second

// maxAttempts: a report whose triage fails this often (an engine error)
// is marked failed instead of being tried for ever.
const maxAttempts = 5

// drain triages pending reports until none is left, skipping those that
// failed in this pass.
func (s *Service) drain(ctx context.Context, fails map[string]int) {
	for ctx.Err() == nil {
		qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		ids, err := s.pendingIDs(qctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("report queue not read", "err", err)
			}
			return
		}
		took := 0
		for _, id := range ids {
			if ctx.Err() != nil {
				return
			}
			if _, seen := fails[id]; seen {
				continue
			}
			took++
			if ok, err := s.claim(ctx, id); err != nil || !ok {
				if err != nil && ctx.Err() == nil {
					s.log.Warn("report not claimed", "report", id, "err", err)
				}
				fails[id] = 0 // another instance has it (or the database failed): not in this pass
				continue
			}
			tctx, cancel := context.WithTimeout(ctx, triageTimeout)
			_, err := s.Triage(tctx, id)
			cancel()
			if err != nil {
				s.unclaim(id)
			}
			if err == nil || ctx.Err() != nil {
				continue
			}
			n := s.attempts(id)
			fails[id] = n
			s.log.Warn("report triage failed", "report", id, "attempt", n, "err", err)
			if n >= maxAttempts {
				s.giveUp(id, err)
			}
		}
		if took == 0 {
			return
		}
	}
}

// triageTimeout bounds one triage; a claim lasts a minute longer, so a
// report whose instance died is taken again after it.
const triageTimeout = 5 * time.Minute

// claim takes a pending report for this instance (instances sharing a
// PostgreSQL database all read the one queue): true when no other
// instance holds a live claim on it.
func (s *Service) claim(ctx context.Context, id string) (bool, error) {
	now := s.q.Now()
	res, err := s.db.ExecContext(ctx, s.rebind(`UPDATE phish_report SET claimed_until = ? WHERE id = ? AND triage = ? AND claimed_until < ?`),
		now.Add(triageTimeout+time.Minute).UnixMilli(), id, TriagePending, now.UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// unclaim gives a report whose triage did not finish back to the queue
// (a stop: the next start takes it at once).
func (s *Service) unclaim(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.db.ExecContext(ctx, s.rebind(`UPDATE phish_report SET claimed_until = 0 WHERE id = ? AND triage = ?`), id, TriagePending)
}

// attempts counts a failed triage of id (kept across passes, not across
// restarts).
func (s *Service) attempts(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tries == nil {
		s.tries = map[string]int{}
	}
	s.tries[id]++
	return s.tries[id]
}

func (s *Service) giveUp(id string, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := s.get(ctx, id, true)
	if err != nil || r.Triage != TriagePending {
		return
	}
	r.Triage = TriageFailed
	r.Detail = clip("triage failed "+strconv.Itoa(maxAttempts)+" times: "+cause.Error(), 2000)
	if err := s.save(ctx, r); err != nil {
		s.log.Warn("report not marked failed", "report", id, "err", err)
		return
	}
	s.mu.Lock()
	delete(s.tries, id)
	s.mu.Unlock()
	s.observe(func(o Observer) { o.ReportTriaged(TriageFailed) })
}

// expire deletes reports older than quarantine.retention (they keep the
// reported message).
func (s *Service) expire() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cut := s.q.Now().Add(-s.cfg.Quarantine.Retention.Duration).UnixMilli()
	if res, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM phish_report WHERE created_at < ?`), cut); err != nil {
		s.log.Warn("report expiry failed", "err", err)
	} else if n, _ := res.RowsAffected(); n > 0 {
		s.log.Info("reports expired", "count", n)
	}
}

// Close stops the worker; a report in hand is left pending (taken again
// by the next start).
func (s *Service) Close() {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
}

// Intake takes a report mail (the front ends' hand-over): it is stored
// and queued for triage. The envelope sender is the reporter (the From
// address when the envelope has none).
func (s *Service) Intake(ctx context.Context, raw []byte, env pipeline.Envelope) (string, error) {
	x := Extract(raw)
	reporter := strings.ToLower(strings.Trim(strings.TrimSpace(env.MailFrom), "<>"))
	if reporter == "" {
		reporter = x.From
		x.AutoReply = true // null sender: a bounce or an automatic report
	}
	r := &Report{Source: "mail", Kind: x.Kind, FeedbackType: x.FeedbackType, Reporter: reporter, Lang: x.Lang,
		raw: x.Message, replyTo: x.MessageID, autoReply: x.AutoReply}
	return s.submit(ctx, r, true)
}

// Submit reports a stored message from the console on behalf of user
// (reporter: the user's address; lang: the console's language).
func (s *Service) Submit(ctx context.Context, storedID, reporter, lang string) (string, error) {
	m, err := s.q.Message(ctx, storedID, true)
	if err != nil {
		return "", err
	}
	if m.Raw == nil {
		return "", quarantine.ErrNoRaw
	}
	r := &Report{Source: "console", Kind: KindConsole, Reporter: strings.ToLower(reporter), Lang: lang, StoredID: storedID, raw: m.Raw}
	return s.submit(ctx, r, true)
}

func (s *Service) submit(ctx context.Context, r *Report, queue bool) (string, error) {
	r.ID = newID()
	r.Created = s.q.Now()
	r.Triage = TriagePending
	r.Internal = s.internal(r.Reporter)
	if lim := s.cfg.Serve.MaxMessageBytes; int64(len(r.raw)) > lim {
		r.raw = r.raw[:lim]
	}
	lim := mail.DefaultLimits()
	if s.eng != nil {
		lim = s.eng.Limits()
	}
	msg := mail.Parse(r.raw, lim)
	r.Subject = clip(msg.Subject, 500)
	if a, ok := msg.PrimaryFromAddress(); ok {
		r.Sender = clip(strings.ToLower(a.Addr), 320)
	}
	r.MessageID = clip(msg.MessageID, 500)
	if queue {
		// Bounded: past report.max_queue pending reports, intake refuses
		// (the front ends answer 451, the sender's MTA tries again later)
		// rather than store without limit.
		var n int
		if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM phish_report WHERE triage = ?`), TriagePending).Scan(&n); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		if n >= s.cfg.Report.MaxQueue {
			return "", ErrQueueFull
		}
	}
	if err := s.save(ctx, r); err != nil {
		return "", err
	}
	s.log.Info("report received", "report", r.ID, "source", r.Source, "kind", r.Kind, "internal", r.Internal)
	s.observe(func(o Observer) { o.ReportReceived(r.Source) })
	if queue {
		select {
		case s.wake <- struct{}{}:
		default: // the worker is already woken
		}
	}
	return r.ID, nil
}

// internal reports whether addr is in the organisation's domains
// (general.domains; when that is empty, nobody is: configure it).
func (s *Service) internal(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	d := addr[at+1:]
	for _, x := range s.cfg.General.Domains {
		x = strings.ToLower(x)
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// Triage re-scans a report, acts on the outcome and answers the
// reporter. It is idempotent for reports already triaged.
func (s *Service) Triage(ctx context.Context, id string) (*Report, error) {
	r, err := s.get(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if r.Triage != TriagePending {
		return r, nil
	}
	if s.eng == nil {
		return r, errors.New("report: no engine to re-scan with")
	}
	var rcpts []string
	if r.Reporter != "" {
		rcpts = []string{r.Reporter}
	}
	res := s.eng.Scan(ctx, r.raw, pipeline.Envelope{Frontend: pipeline.FrontendLearn, Rcpts: rcpts, Hostname: s.cfg.General.Hostname})
	v := res.Verdict
	r.ScanID, r.Action, r.Category, r.Score = res.ID, string(v.Action), string(v.Category), v.Score
	for _, sy := range v.Symbols {
		if len(r.Symbols) < 20 && sy.Score != 0 {
			r.Symbols = append(r.Symbols, sy.Name)
		}
	}
	for _, a := range v.Attachments {
		if a.SHA256 != "" && len(r.Hashes) < 50 && !slices.Contains(r.Hashes, strings.ToLower(a.SHA256)) {
			r.Hashes = append(r.Hashes, strings.ToLower(a.SHA256))
		}
	}
	bad := (v.Action == pipeline.ActionQuarantine || v.Action == pipeline.ActionReject) &&
		v.Category != pipeline.CategoryClean && v.Category != pipeline.CategoryUnscannable
	var detail []string
	if !bad {
		// What sekisho caught since: an earlier copy of the same message
		// or attachment quarantined or rejected.
		var ids []string
		if r.MessageID != "" {
			ids = []string{r.MessageID}
		}
		if cs, err := s.q.Copies(ctx, ids, r.Hashes, 200); err == nil {
			for _, c := range cs {
				if (c.Action == string(pipeline.ActionQuarantine) || c.Action == string(pipeline.ActionReject)) &&
					c.Category != string(pipeline.CategoryClean) && c.Category != string(pipeline.CategoryUnscannable) && c.Category != "" {
					bad = true
					r.Category = c.Category
					detail = append(detail, "an earlier copy was caught as "+c.Category+" ("+c.ID+")")
					break
				}
			}
		}
	}
	switch {
	case bad:
		r.Triage = TriageConfirmed
	case v.Action != pipeline.ActionAccept || v.Category != pipeline.CategoryClean:
		r.Triage = TriageSuspicious
	default:
		r.Triage = TriageSafe
	}
	if r.Triage == TriageConfirmed {
		detail = append(detail, s.act(ctx, r)...)
	}
	if r.Source == "mail" && s.Pref != nil {
		if l := s.Pref(ctx, r.Reporter); l != "" {
			r.Lang = l
		}
	}
	r.Answer = AnswerSkipped
	switch {
	case !s.cfg.Report.Answer:
		detail = append(detail, "answer: off")
	case !r.Internal:
		detail = append(detail, "answer: reporter outside general.domains")
	case r.autoReply:
		detail = append(detail, "answer: automatic report (no answer to automatic mail)")
	default:
		if err := s.answer(ctx, r); err != nil {
			r.Answer = AnswerFailed
			detail = append(detail, "answer: "+err.Error())
			s.log.Warn("report answer not sent", "report", r.ID, "err", err)
		} else {
			r.Answer = AnswerSent
		}
	}
	r.Detail = clip(strings.Join(detail, "; "), 2000)
	if err := s.save(ctx, r); err != nil {
		return r, err
	}
	s.mu.Lock()
	delete(s.tries, r.ID)
	s.mu.Unlock()
	s.observe(func(o Observer) { o.ReportTriaged(r.Triage); o.ReportAnswered(r.Answer) })
	s.log.Info("report triaged", "report", r.ID, "triage", r.Triage, "category", r.Category, "score", r.Score,
		"learned", r.Learned, "run", r.RunID, "answer", r.Answer)
	return r, nil
}

// act learns and remediates a confirmed report of an internal reporter.
func (s *Service) act(ctx context.Context, r *Report) []string {
	var detail []string
	if !r.Internal {
		return []string{"not learned or remediated: reporter outside general.domains"}
	}
	rc := s.cfg.Report
	if rc.Learn {
		err := s.eng.Learn(ctx, r.raw, true)
		switch {
		case errors.Is(err, engine.ErrNoLearner):
			r.Learned = "no learner"
		case err != nil:
			r.Learned = "failed"
			detail = append(detail, "learn: "+err.Error())
		default:
			r.Learned = "spam"
		}
	}
	if rc.Remediate && s.rem == nil {
		detail = append(detail, "remediation: [remediate] is off")
	}
	if rc.Remediate && s.rem != nil {
		req := remediate.Request{Hashes: r.Hashes, DryRun: rc.RemediateDryRun, Trigger: "report", By: r.Reporter,
			Reason: "report " + r.ID + " confirmed " + r.Category}
		// A Message-ID is the sender's choice: it is searched only when the
		// reporter really received a delivered copy with it.
		if r.MessageID != "" {
			if cs, err := s.q.Copies(ctx, []string{r.MessageID}, nil, 200); err == nil {
				for _, c := range cs {
					if c.Action != string(pipeline.ActionQuarantine) && c.Action != string(pipeline.ActionReject) &&
						slices.Contains(c.Rcpts, r.Reporter) {
						req.MessageIDs = []string{r.MessageID}
						req.Mailboxes = []string{r.Reporter}
						break
					}
				}
			}
		}
		if len(req.MessageIDs) == 0 && len(req.Hashes) == 0 {
			detail = append(detail, "remediation: no attachment and no delivered copy to the reporter")
		} else {
			run, err := s.rem.Run(ctx, req)
			if run != nil {
				r.RunID = run.ID
			}
			if err != nil {
				detail = append(detail, "remediation: "+err.Error())
			}
		}
	}
	return detail
}

func (s *Service) smtpSend(ctx context.Context, from string, to []string, raw []byte) error {
	host := s.cfg.Report.SMTPHost
	if host == "" {
		host = s.cfg.Quarantine.ReleaseHost
	}
	o, d := smtpout.ReleaseOptions(s.cfg, host)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return smtpout.Send(ctx, o, from, to, raw)
}

// ---- storage

func (s *Service) rebind(q string) string {
	if !s.pg {
		return q
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Service) save(ctx context.Context, r *Report) error {
	r.Updated = s.q.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("report: save: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM phish_report WHERE id = ?`), r.ID); err != nil {
		return fmt.Errorf("report: save: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO phish_report (id, created_at, updated_at, source, kind, feedback_type, reporter, internal, lang,
		subject, sender, message_id, hashes, stored_id, scan_id, action, category, score, symbols, triage, learned, run_id, answer, detail,
		reply_to, auto_reply, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.Created.UnixMilli(), r.Updated.UnixMilli(), r.Source, r.Kind, clean(r.FeedbackType), clean(r.Reporter), b2i(r.Internal), r.Lang,
		clean(r.Subject), clean(r.Sender), clean(r.MessageID), strings.Join(r.Hashes, " "), r.StoredID, r.ScanID, r.Action, r.Category, r.Score,
		strings.Join(r.Symbols, " "), r.Triage, r.Learned, r.RunID, r.Answer, clean(r.Detail), clean(r.replyTo), b2i(r.autoReply), r.raw)
	if err != nil {
		return fmt.Errorf("report: save: %w", err)
	}
	return tx.Commit()
}

const cols = `id, created_at, updated_at, source, kind, feedback_type, reporter, internal, lang, subject, sender, message_id, hashes,
	stored_id, scan_id, action, category, score, symbols, triage, learned, run_id, answer, detail, reply_to, auto_reply`

func scanRow(sc interface{ Scan(...any) error }, extra ...any) (*Report, error) {
	r := &Report{}
	var created, updated int64
	var internal, auto int
	var hashes, symbols string
	args := []any{&r.ID, &created, &updated, &r.Source, &r.Kind, &r.FeedbackType, &r.Reporter, &internal, &r.Lang, &r.Subject, &r.Sender,
		&r.MessageID, &hashes, &r.StoredID, &r.ScanID, &r.Action, &r.Category, &r.Score, &symbols, &r.Triage, &r.Learned, &r.RunID,
		&r.Answer, &r.Detail, &r.replyTo, &auto}
	if err := sc.Scan(append(args, extra...)...); err != nil {
		return nil, err
	}
	r.Created, r.Updated = time.UnixMilli(created), time.UnixMilli(updated)
	r.Internal, r.autoReply = internal != 0, auto != 0
	r.Hashes, r.Symbols = strings.Fields(hashes), strings.Fields(symbols)
	return r, nil
}

func (s *Service) get(ctx context.Context, id string, withRaw bool) (*Report, error) {
	q := `SELECT ` + cols
	if withRaw {
		q += `, raw`
	}
	q += ` FROM phish_report WHERE id = ?`
	row := s.db.QueryRowContext(ctx, s.rebind(q), id)
	var raw []byte
	var extra []any
	if withRaw {
		extra = append(extra, &raw)
	}
	r, err := scanRow(row, extra...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.raw = raw
	return r, nil
}

// Get returns one report.
func (s *Service) Get(ctx context.Context, id string) (*Report, error) { return s.get(ctx, id, false) }

// Raw returns the reported message of a report.
func (s *Service) Raw(ctx context.Context, id string) ([]byte, error) {
	r, err := s.get(ctx, id, true)
	if err != nil {
		return nil, err
	}
	return r.raw, nil
}

// List returns the newest reports, of one reporter when reporters is not nil.
func (s *Service) List(ctx context.Context, limit int, reporters []string) ([]*Report, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + cols + ` FROM phish_report`
	var args []any
	if reporters != nil {
		if len(reporters) == 0 {
			return nil, nil
		}
		q += ` WHERE reporter IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(reporters)), ", ") + `)`
		for _, r := range reporters {
			args = append(args, strings.ToLower(r))
		}
	}
	q += ` ORDER BY created_at DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("report: list: %w", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("report: list: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) pendingIDs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT id FROM phish_report WHERE triage = ? AND claimed_until < ? ORDER BY created_at LIMIT 1000`), TriagePending, s.q.Now().UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "p" + hex.EncodeToString(b[:])
}

func normID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return strings.TrimSpace(s[i+1 : i+j])
		}
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// clean drops NUL and invalid UTF-8 (PostgreSQL refuses both in TEXT).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}
