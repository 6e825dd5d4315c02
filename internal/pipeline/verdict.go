package pipeline

import (
	"context"
	"time"

	"github.com/sekisho/sekisho/internal/mail"
)

// SymbolResult is one scored symbol on a verdict.
type SymbolResult struct {
	Name     string   `json:"name"`
	Score    float64  `json:"score"`
	Options  []string `json:"options"`
	Category Category `json:"category,omitempty"`
	EN       string   `json:"description,omitempty"`
	JA       string   `json:"description_ja,omitempty"`
}

// Verdict is the policy's decision about one message.
type Verdict struct {
	Action        Action         `json:"action"`
	Category      Category       `json:"category"`
	Score         float64        `json:"score"`
	RequiredScore float64        `json:"required_score"` // score at which the policy rejects
	Symbols       []SymbolResult `json:"symbols"`
	// Explanation says in one or two sentences what was found and what to
	// do, for a mail administrator (English and Japanese).
	Explanation   string `json:"explanation"`
	ExplanationJA string `json:"explanation_ja"`
	// Reason is a short text for an SMTP reply or a log line.
	Reason string `json:"reason"`
	// SubjectPrefix is set when the policy wants the subject tagged.
	SubjectPrefix string           `json:"subject_prefix,omitempty"`
	Attachments   []AttachmentInfo `json:"attachments,omitempty"`
	// Auth holds the message-authentication results (SPF, DKIM, ARC,
	// iprev, DMARC) as data; the action step writes them as an
	// Authentication-Results header. Nil when nothing was checked.
	Auth *AuthResults `json:"auth,omitempty"`
	// Headers is read from verdicts stored by earlier versions (their
	// Authentication-Results header); new verdicts carry Auth instead.
	Headers []HeaderField `json:"headers,omitempty"`
	// Tempfail reasons when Action is tempfail.
	TempfailReasons []string `json:"tempfail_reasons,omitempty"`
	// OutboundHold is true when the policy held an authenticated sender's
	// mail for outbound abuse ([serve.outbound] hold_action).
	OutboundHold bool `json:"outbound_hold,omitempty"`
}

// AuthResults are the results of one authserv-id (RFC 8601 §2.2).
type AuthResults struct {
	ServID  string       `json:"authserv_id"`
	Methods []AuthMethod `json:"methods,omitempty"`
}

// AuthMethod is one resinfo of RFC 8601 §2.2: the method ("spf", "dkim",
// "iprev", "arc", "dmarc"), its result, and its properties by name
// ("smtp.mailfrom", "header.d", ...; "reason" for the reason).
type AuthMethod struct {
	Method string            `json:"method"`
	Result string            `json:"result"`
	Props  map[string]string `json:"props,omitempty"`
}

// Has reports whether the verdict carries a symbol.
func (v *Verdict) Has(name string) bool {
	for _, s := range v.Symbols {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Result is a whole scan: the message, the envelope and the verdict.
type Result struct {
	ID       string
	Msg      *mail.Message
	Env      Envelope
	Verdict  Verdict
	URLs     []mail.URL    // message and analyzer-added URLs
	Duration time.Duration // wall time of the scan
	Time     time.Time     // when the scan started
	// Values are what analyzers stored on the task (Task.Set), read-only,
	// for observers of the verdict (DMARC report rows, autolearn).
	Values map[string]any
}

// Get returns a value an analyzer stored on the scan's task.
func (r *Result) Get(key string) (any, bool) {
	v, ok := r.Values[key]
	return v, ok
}

// Quarantine keeps messages the policy decided to hold. Front ends call it
// when the action is quarantine (and for outbound holds); if it fails the
// front end must tempfail, so nothing is lost. Hold may read raw until it
// returns (it does not copy it first): the caller must not change raw
// meanwhile.
type Quarantine interface {
	Hold(ctx context.Context, raw []byte, r *Result) (id string, err error)
}

// Recorder keeps a history of scans (also of delivered mail) for the
// console. Recording failures are logged, never fatal.
type Recorder interface {
	Record(ctx context.Context, raw []byte, r *Result) error
}
