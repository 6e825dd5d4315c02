package observe

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
)

// contactsWarnScore: inbound mail whose verdict carries this much
// positive score or more teaches nothing, so an attacker's first message
// does not make the attacker a contact.
const contactsWarnScore = 2

// Contacts learns the correspondence history the sender analyzer reads
// (first contact, hijacked threads) from the final verdict of live mail
// (pipeline.FlowMail; never from scan or eval): our users' outbound
// correspondents, and the senders of inbound mail the policy found no
// warning in. 'sekisho learn --ham' teaches it too (pipeline.Learner).
type Contacts struct {
	Store   contacts.Writer // nil: nothing to learn into
	LearnOn bool            // [sender] learn_contacts
	Orgs    []string        // [general] domains
	Log     *slog.Logger
	Now     func() time.Time
}

var (
	_ pipeline.Observer = (*Contacts)(nil)
	_ pipeline.Learner  = (*Contacts)(nil)
	_ pipeline.Closer   = (*Contacts)(nil)
)

// NewContacts is the engine's observer factory for [sender]: the learner
// exists whenever the sender analyzer runs; it opens the history when
// first contact or learning is on and forgets what is older than
// contacts_retention_days.
func NewContacts(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Observer, error) {
	if !cfg.Sender.Enabled {
		return nil, nil
	}
	c := &Contacts{LearnOn: cfg.Sender.LearnContacts, Orgs: cfg.General.Domains, Log: deps.Logger, Now: time.Now}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Sender.FirstContact || cfg.Sender.LearnContacts {
		st, err := openContacts(cfg, deps)
		if err != nil {
			return nil, fmt.Errorf("sender: %w", err)
		}
		if days := cfg.Sender.ContactsRetentionDays; days > 0 {
			// Forget correspondence older than the retention period.
			if err := st.Prune(context.Background(), time.Now().AddDate(0, 0, -days)); err != nil {
				c.Log.Warn("contacts prune", "err", err)
			}
		}
		c.Store = st
	}
	return []pipeline.Observer{c}, nil
}

// Close implements pipeline.Closer.
func (c *Contacts) Close() error {
	if c.Store != nil {
		return c.Store.Close()
	}
	return nil
}

// Observe implements pipeline.Observer. Outbound mail of an authenticated
// user teaches its recipients unless the policy held it (held mail was
// not sent). Inbound mail teaches its sender to its recipients when the
// verdict's positive score — the policy's weights, disabled symbols left
// out — stays below 2 and no analyzer failed or ran out of time.
func (c *Contacts) Observe(ctx context.Context, r *pipeline.Result) {
	if c.Store == nil || !c.LearnOn || r.Env.Flow != pipeline.FlowMail || r.Msg == nil {
		return
	}
	if r.Env.Outbound || r.Env.AuthUser != "" {
		if !r.Verdict.OutboundHold {
			c.learnOutbound(ctx, r.ID, r.Env, r.Msg)
		}
		return
	}
	if len(r.Msg.From) == 0 {
		return
	}
	warn := 0.0
	for _, s := range r.Verdict.Symbols {
		if s.Name == pipeline.SymAnalyzerError || s.Name == pipeline.SymAnalyzerTimeout {
			return
		}
		if s.Score > 0 {
			warn += s.Score
		}
	}
	if warn >= contactsWarnScore {
		return
	}
	from, _ := r.Msg.PrimaryFromAddress()
	c.learnInbound(ctx, r.ID, from, sender.Recipients(r.Env, r.Msg, c.Orgs), r.Msg.MessageID)
}

// Learn implements pipeline.Learner: ham teaches the history (the sender
// and recipients corresponded); spam teaches nothing.
func (c *Contacts) Learn(ctx context.Context, t *pipeline.Task, spam bool) error {
	if spam || c.Store == nil || len(t.Msg.From) == 0 {
		return nil
	}
	if t.Env.Outbound {
		if c.LearnOn {
			c.learnOutbound(ctx, t.ID, t.Env, t.Msg)
		}
		return nil
	}
	c.learnInbound(ctx, t.ID, t.Msg.From[0], sender.Recipients(t.Env, t.Msg, c.Orgs), t.Msg.MessageID)
	return nil
}

func (c *Contacts) learnInbound(ctx context.Context, id string, from mail.Address, rcpts []string, msgID string) {
	if from.Addr == "" {
		return
	}
	now := c.Now()
	for _, rc := range rcpts {
		if err := c.Store.Learn(ctx, rc, from.Addr, msgID, now); err != nil {
			c.Log.Warn("contacts learn", "msg_id", id, "err", err)
			return
		}
	}
}

// learnOutbound records our user's correspondents and message id.
func (c *Contacts) learnOutbound(ctx context.Context, id string, env pipeline.Envelope, m *mail.Message) {
	local := strings.Trim(env.MailFrom, "<> ")
	if local == "" && len(m.From) > 0 {
		local = m.From[0].Addr
	}
	if local == "" {
		return
	}
	peers := env.Rcpts
	if len(peers) == 0 {
		for _, ad := range append(append([]mail.Address(nil), m.To...), m.Cc...) {
			peers = append(peers, ad.Addr)
		}
	}
	now := c.Now()
	for i, p := range peers {
		if i >= 50 {
			break
		}
		if err := c.Store.Learn(ctx, local, p, m.MessageID, now); err != nil {
			c.Log.Warn("contacts learn", "msg_id", id, "err", err)
			return
		}
	}
}
