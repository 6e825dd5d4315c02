package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/mail"
)

// Envelope is what the mail flow knows about a message beyond its bytes.
// When scanning a stored file most fields are empty; analyzers that need
// them (SPF) may derive them from a trusted Received header.
type Envelope struct {
	ClientIP   netip.Addr // connecting client; invalid when unknown
	ClientHost string     // its verified reverse name, if known
	Helo       string
	MailFrom   string   // envelope sender (may be "" for bounces)
	Rcpts      []string // envelope recipients
	QueueID    string
	AuthUser   string // SASL user for authenticated (outbound) submissions
	Hostname   string // our host name as the MTA knows it
	Frontend   string // who handed the message over: one of the Frontend* names
	Settings   string // front-end-supplied settings id (Rspamd "Settings-ID"), may be ""
	// Outbound is true for mail from authenticated or local senders going out.
	Outbound bool
	// Flow says whether the message is live mail or a stored file; only
	// live mail teaches the learning observers (Bayes autolearn, reports).
	Flow Flow
}

// Front-end names: Envelope.Frontend, log lines, metric labels and the
// console's filters use these, and only these.
const (
	FrontendMilter = "milter" // Postfix/Sendmail milter (live mail)
	FrontendSMTP   = "smtp"   // SMTP gateway / content filter (live mail)
	FrontendRspamd = "rspamd" // Rspamd HTTP protocol (live mail)
	FrontendSpamd  = "spamd"  // SpamAssassin spamd protocol (live mail)
	FrontendAPI    = "api"    // JSON API (live mail)
	FrontendCLI    = "cli"    // sekisho scan, quarantine commands (offline)
	FrontendEval   = "eval"   // sekisho eval (offline)
	FrontendLearn  = "learn"  // learn, train, spamd TELL, console feedback (offline)
)

// Frontends lists every front-end name.
var Frontends = []string{FrontendCLI, FrontendMilter, FrontendSMTP, FrontendRspamd, FrontendSpamd, FrontendAPI, FrontendLearn, FrontendEval}

// Flow is where a scanned message comes from.
type Flow uint8

// Flows. The zero value is the safe one: an offline scan learns nothing.
const (
	// FlowOffline: a stored file or a measurement (scan, eval, learn,
	// tests). Observers that learn or record skip it.
	FlowOffline Flow = iota
	// FlowMail: live mail handed over by a front end (milter, SMTP
	// gateway, Rspamd, spamd, JSON API).
	FlowMail
)

// String implements fmt.Stringer.
func (f Flow) String() string {
	if f == FlowMail {
		return "mail"
	}
	return "offline"
}

// Hit is one symbol an analyzer reported. The score comes from the policy:
// weight × Factor (Factor defaults to 1; Bayes scales it by confidence).
type Hit struct {
	Name    string
	Factor  float64
	Options []string
}

// AttachmentInfo records one attachment or inner file (of an archive or
// document) for the verdict, so threat feeds and remediation can match it.
type AttachmentInfo struct {
	Path         string `json:"path"` // "2" or "2/invoice.zip/a.xlsm": part path then inner names
	Name         string `json:"name"`
	DeclaredType string `json:"declared_type,omitempty"`
	DetectedType string `json:"detected_type,omitempty"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	Encrypted    bool   `json:"encrypted,omitempty"`
}

// Task is the shared, concurrency-safe scratch space of one scan.
// Analyzers read Msg and Env and report hits; they never decide.
type Task struct {
	ID     string // one id per scan, on every log line
	Msg    *mail.Message
	Env    Envelope
	Start  time.Time
	Logger *slog.Logger

	mu          sync.Mutex
	hits        []Hit
	hitBuf      [8]Hit // hits' first array: most messages have fewer
	data        map[string]any
	extraURLs   []mail.URL
	urls        []mail.URL // what URLs returns, until AddURLs adds more
	attachments []AttachmentInfo
	tempfail    []string
	auth        *AuthResults
}

// HeaderField is a header the action step adds to the delivered message.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SetAuth records the message-authentication results (the auth analyzer
// does, once); they travel on the verdict as data and the action step
// writes the Authentication-Results header from them.
func (t *Task) SetAuth(a *AuthResults) {
	t.mu.Lock()
	t.auth = a
	t.mu.Unlock()
}

// Auth returns what SetAuth recorded (nil when nothing was checked).
func (t *Task) Auth() *AuthResults {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.auth
}

// Values returns a copy of what analyzers stored with Set, for the
// observers that run after the verdict (Result.Get).
func (t *Task) Values() map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]any, len(t.data))
	for k, v := range t.data {
		out[k] = v
	}
	return out
}

// NewTask makes a task for a parsed message.
func NewTask(id string, msg *mail.Message, env Envelope, logger *slog.Logger) *Task {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := &Task{ID: id, Msg: msg, Env: env, Start: time.Now(), Logger: logger.With("msg_id", id), data: map[string]any{}}
	t.hits = t.hitBuf[:0]
	return t
}

// Add reports a symbol with factor 1 and optional evidence strings.
func (t *Task) Add(name string, options ...string) { t.AddScaled(name, 1, options...) }

// AddScaled reports a symbol whose score is weight × factor. Reporting the
// same symbol twice keeps the larger factor and merges options (bounded).
func (t *Task) AddScaled(name string, factor float64, options ...string) {
	for i, o := range options {
		options[i] = cleanOption(o)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.hits {
		if t.hits[i].Name == name {
			if factor > t.hits[i].Factor {
				t.hits[i].Factor = factor
			}
			for _, o := range options {
				if len(t.hits[i].Options) >= 10 {
					break
				}
				if !contains(t.hits[i].Options, o) {
					t.hits[i].Options = append(t.hits[i].Options, o)
				}
			}
			return
		}
	}
	if len(options) > 10 {
		options = options[:10]
	}
	t.hits = append(t.hits, Hit{Name: name, Factor: factor, Options: append([]string(nil), options...)})
}

// cleanOption makes evidence safe to show: valid UTF-8, no control
// characters, at most 200 bytes (cut on a rune boundary).
func cleanOption(o string) string {
	if !utf8.ValidString(o) {
		o = strings.ToValidUTF8(o, "\uFFFD")
	}
	if strings.IndexFunc(o, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		o = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, o)
	}
	if len(o) > 200 {
		n := 200
		for n > 0 && !utf8.RuneStart(o[n]) {
			n--
		}
		o = o[:n] + "…"
	}
	return o
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Has reports whether a symbol was reported (by an earlier stage, or
// concurrently — only earlier stages are guaranteed to be visible).
func (t *Task) Has(name string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range t.hits {
		if h.Name == name {
			return true
		}
	}
	return false
}

// Hits returns a copy of the hits so far, sorted by name.
func (t *Task) Hits() []Hit {
	t.mu.Lock()
	out := make([]Hit, len(t.hits))
	copy(out, t.hits)
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b Hit) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Set stores a value for analyzers of later stages (typed keys are
// recommended: use a package-level string constant with the package name).
func (t *Task) Set(key string, v any) {
	t.mu.Lock()
	t.data[key] = v
	t.mu.Unlock()
}

// Get fetches a value stored by Set.
func (t *Task) Get(key string) (any, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.data[key]
	return v, ok
}

// AddURLs adds links found outside the MIME text (PDF, QR codes, archives)
// so the URL analyzer of a later stage checks them too.
func (t *Task) AddURLs(us ...mail.URL) {
	t.mu.Lock()
	if len(t.extraURLs)+len(us) <= 2000 {
		t.extraURLs = append(t.extraURLs, us...)
		t.urls = nil
	}
	t.mu.Unlock()
}

// URLs returns the message's URLs plus those added by analyzers. The
// slice is shared by every caller until the next AddURLs: read it, never
// write its elements (appending to it copies: it has no spare capacity).
func (t *Task) URLs() []mail.URL {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.urls == nil {
		if len(t.extraURLs) == 0 && t.Msg.URLs != nil {
			t.urls = t.Msg.URLs
		} else {
			t.urls = make([]mail.URL, 0, len(t.Msg.URLs)+len(t.extraURLs))
			t.urls = append(t.urls, t.Msg.URLs...)
			t.urls = append(t.urls, t.extraURLs...)
		}
	}
	return t.urls[:len(t.urls):len(t.urls)]
}

// AddAttachment records an attachment or inner file on the verdict.
func (t *Task) AddAttachment(a AttachmentInfo) {
	t.mu.Lock()
	if len(t.attachments) < 1000 {
		t.attachments = append(t.attachments, a)
	}
	t.mu.Unlock()
}

// Attachments returns what AddAttachment recorded.
func (t *Task) Attachments() []AttachmentInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]AttachmentInfo(nil), t.attachments...)
}

// Tempfail asks the policy to answer "try again later" because a check
// that must not be skipped could not finish (its fail-safe says tempfail).
func (t *Task) Tempfail(reason string) {
	t.mu.Lock()
	t.tempfail = append(t.tempfail, reason)
	t.mu.Unlock()
}

// TempfailReasons returns what Tempfail recorded.
func (t *Task) TempfailReasons() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.tempfail...)
}

// Stage orders analyzers: all analyzers of one stage run concurrently and
// see every hit and value of earlier stages.
type Stage int

// Stages.
const (
	StageExtract Stage = 0  // open containers, authenticate: attachments, archives, PDF, QR, SPF, DKIM, ARC
	StageMain    Stage = 10 // most checks: header, URL, content rules, Bayes, sender, DMARC
	StageLate    Stage = 20 // checks on other checks' results: history, outbound, reputation
	StageMeta    Stage = 25 // the content rules, whose meta rules combine any earlier symbol (FROM_FREEMAIL of the late sender check)
	StageFinal   Stage = 30 // combinations of the late checks: impersonation across name, subject, sign-off and links
)

// Analyzer examines a message and reports symbols on the task.
// A returned error becomes PIPELINE_ANALYZER_ERROR; wrap ErrTemporary for
// errors that should follow the fail-safe (tempfail or pass with header).
type Analyzer interface {
	Name() string
	Analyze(ctx context.Context, t *Task) error
}

// Staged is implemented by analyzers that do not run in StageMain.
type Staged interface {
	Stage() Stage
}

// Learner is implemented by analyzers that learn from labelled mail
// (the Bayes classifier). spam=false means ham.
type Learner interface {
	Learn(ctx context.Context, t *Task, spam bool) error
}

// Forgetter is implemented by analyzers that can take back what they
// learned from a message (spamd TELL with Remove, learn forget). It
// reports whether the message had been learned.
type Forgetter interface {
	Forget(ctx context.Context, t *Task) (bool, error)
}

// Observer is implemented by analyzers that learn from the final verdict
// (the Bayes autolearner). The engine calls Observe after the policy has
// decided, in registry order, for every scan; an observer reads the
// verdict's real score and r.Env.Flow, and never changes the verdict.
type Observer interface {
	Observe(ctx context.Context, r *Result)
}

// Closer is implemented by analyzers holding resources.
type Closer interface {
	Close() error
}

// Errors.
var (
	// ErrTemporary marks an analyzer error as temporary (DNS timeout,
	// clamd unreachable): the result is unknown, not negative.
	ErrTemporary = errors.New("pipeline: temporary failure")
)

// Deps are the shared resources an analyzer factory may use.
type Deps struct {
	Logger  *slog.Logger
	DataDir string // sekisho's state directory (exists when the factory runs)
}
