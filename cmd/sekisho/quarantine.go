package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// QuarantineCmd works on the quarantine store directly (no server needed).
type QuarantineCmd struct {
	List    QListCmd    `cmd:"" aliases:"ls" help:"List quarantined messages (or the scan history)."`
	Show    QShowCmd    `cmd:"" help:"Show a message's verdict, envelope, symbols, links and attachments."`
	Release QReleaseCmd `cmd:"" help:"Send messages to quarantine.release_host, byte for byte."`
	Delete  QDeleteCmd  `cmd:"" aliases:"rm" help:"Delete messages."`
	Export  QExportCmd  `cmd:"" help:"Write a message's original bytes (.eml)."`
	Learn   QLearnCmd   `cmd:"" help:"Teach the classifier a stored message: learn spam|ham ID..."`
	Expire  QExpireCmd  `cmd:"" help:"Delete expired entries now (serve does it every expire_interval)."`
}

// QListCmd lists messages.
type QListCmd struct {
	History  bool          `help:"List the scan history instead of the quarantine."`
	All      bool          `help:"List both."`
	Rcpt     string        `help:"Recipient contains."`
	Sender   string        `help:"Envelope sender, From address or name contains."`
	Subject  string        `help:"Subject contains."`
	Category string        `help:"Category (clean, spam, phishing, malware, bec, extortion, fraud)."`
	Action   string        `help:"Action (accept, tag, quarantine, reject, tempfail)."`
	Since    time.Duration `help:"Only the last DURATION (e.g. 24h)."`
	MinScore *float64      `name:"min-score" help:"Score at least."`
	Symbol   string        `help:"Has this symbol."`
	Hash     string        `help:"Has a URL or attachment with this SHA-256."`
	Limit    int           `default:"50" help:"At most this many (max 1000)."`
	JSON     bool          `name:"json" help:"JSON lines."`
}

// Run implements the command.
func (c QListCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	f := quarantine.Filter{Kind: quarantine.KindQuarantine, Rcpt: c.Rcpt, Sender: c.Sender, Subject: c.Subject,
		Category: c.Category, Action: c.Action, MinScore: c.MinScore, Symbol: c.Symbol, Hash: c.Hash, Limit: c.Limit}
	if c.History {
		f.Kind = quarantine.KindHistory
	}
	if c.All {
		f.Kind = ""
	}
	if c.Since > 0 {
		f.Since = time.Now().Add(-c.Since)
	}
	ms, total, err := st.List(context.Background(), f)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		for _, m := range ms {
			if err := enc.Encode(summary(m)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tSCORE\tCATEGORY\tACTION\tFROM\tTO\tSUBJECT")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Time.Local().Format("2006-01-02 15:04"), m.Score, m.Category, m.Action,
			clip(m.FromAddr, 40), clip(strings.Join(m.Rcpts, ","), 40), clip(flat(m.Subject), 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d of %d\n", len(ms), total)
	return nil
}

func summary(m *quarantine.Message) map[string]any {
	out := map[string]any{
		"id": m.ID, "kind": m.Kind, "scan_id": m.ScanID, "time": m.Time, "expires": m.Expires,
		"client_ip": m.ClientIP, "client_host": m.ClientHost, "helo": m.Helo, "mail_from": m.MailFrom, "rcpts": m.Rcpts, "queue_id": m.QueueID,
		"subject": m.Subject, "from": m.FromAddr, "from_name": m.FromName, "size": m.Size,
		"action": m.Action, "category": m.Category, "score": m.Score, "duration_ms": m.Duration.Seconds() * 1000,
	}
	if !m.ReleasedAt.IsZero() {
		out["released_at"], out["released_by"], out["release_to"] = m.ReleasedAt, m.ReleasedBy, m.ReleaseTo
	}
	if m.Learned != "" {
		out["learned"], out["learned_by"] = m.Learned, m.LearnedBy
	}
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// QShowCmd shows one message.
type QShowCmd struct {
	ID   string `arg:"" help:"Message id."`
	JSON bool   `name:"json" help:"JSON (with verdict, links and attachments)."`
	Lang string `default:"en" enum:"en,ja" help:"Language of the explanations."`
}

// Run implements the command.
func (c QShowCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.Message(context.Background(), c.ID, false)
	if err != nil {
		return err
	}
	if c.JSON {
		out := summary(m)
		out["verdict"], out["urls"], out["attachments"] = m.Verdict, m.URLs, m.Attachments
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := os.Stdout
	fmt.Fprintf(w, "ID:        %s (%s)\nScan ID:   %s\nReceived:  %s\nSubject:   %s\nFrom:      %s <%s>\n", m.ID, m.Kind, m.ScanID, m.Time.Local().Format(time.RFC3339), flat(m.Subject), m.FromName, m.FromAddr)
	fmt.Fprintf(w, "Envelope:  client %s helo %s from <%s> to %s queue %s\n", m.ClientIP, m.Helo, m.MailFrom, strings.Join(m.Rcpts, ", "), m.QueueID)
	fmt.Fprintf(w, "Verdict:   %s, %s, score %.2f (scan %v)\n", m.Action, m.Category, m.Score, m.Duration)
	expl := m.Verdict.Explanation
	if c.Lang == "ja" && m.Verdict.ExplanationJA != "" {
		expl = m.Verdict.ExplanationJA
	}
	if expl != "" {
		fmt.Fprintf(w, "           %s\n", expl)
	}
	if !m.ReleasedAt.IsZero() {
		fmt.Fprintf(w, "Released:  %s by %s to %s\n", m.ReleasedAt.Local().Format(time.RFC3339), m.ReleasedBy, m.ReleaseTo)
	}
	if m.Learned != "" {
		fmt.Fprintf(w, "Learned:   %s by %s\n", m.Learned, m.LearnedBy)
	}
	fmt.Fprintln(w, "\nSymbols:")
	for _, s := range m.Verdict.Symbols {
		e := s.EN
		if c.Lang == "ja" && s.JA != "" {
			e = s.JA
		}
		fmt.Fprintf(w, "  %-34s %6.2f  %s", s.Name, s.Score, e)
		if len(s.Options) > 0 {
			fmt.Fprintf(w, " [%s]", strings.Join(s.Options, "; "))
		}
		fmt.Fprintln(w)
	}
	if len(m.URLs) > 0 {
		fmt.Fprintln(w, "\nLinks (real destination ← text shown):")
		for _, u := range m.URLs {
			fmt.Fprintf(w, "  %s", u.URL)
			if u.Anchor != "" && u.Anchor != u.URL {
				fmt.Fprintf(w, "  ← %q", u.Anchor)
			}
			fmt.Fprintf(w, "  (%s)\n", u.Source)
		}
	}
	if len(m.Attachments) > 0 {
		fmt.Fprintln(w, "\nAttachments:")
		for _, a := range m.Attachments {
			fmt.Fprintf(w, "  %s %s %s/%s %d bytes sha256 %s\n", a.Path, a.Name, a.DeclaredType, a.DetectedType, a.Size, a.SHA256)
		}
	}
	return nil
}

func cliUser() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// QReleaseCmd releases messages.
type QReleaseCmd struct {
	IDs []string `arg:"" name:"id" help:"Message ids."`
	By  string   `help:"Who releases (recorded); default cli:$USER."`
}

// Run implements the command.
func (c QReleaseCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	by := c.By
	if by == "" {
		by = cliUser()
	}
	fb := &releaseFeedback{g: g}
	defer fb.close()
	var errs []error
	for _, id := range c.IDs {
		if err := st.Release(context.Background(), id, by); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
			continue
		}
		fmt.Printf("released %s\n", id)
		fb.send(st, id)
	}
	return errors.Join(errs...)
}

// QDeleteCmd deletes messages.
type QDeleteCmd struct {
	IDs []string `arg:"" name:"id" help:"Message ids."`
}

// Run implements the command.
func (c QDeleteCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	var errs []error
	for _, id := range c.IDs {
		if err := st.Delete(context.Background(), id, cliUser()); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Printf("deleted %s\n", id)
	}
	return errors.Join(errs...)
}

// QExportCmd writes the original message.
type QExportCmd struct {
	ID     string `arg:"" help:"Message id."`
	Output string `short:"o" help:"File to write (default: standard output)." type:"path"`
}

// Run implements the command.
func (c QExportCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	raw, err := st.Get(context.Background(), c.ID)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if c.Output != "" && c.Output != "-" {
		f, err := os.OpenFile(c.Output, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	_, err = w.Write(raw)
	return err
}

// QLearnCmd teaches the classifier.
type QLearnCmd struct {
	Label string   `arg:"" enum:"spam,ham" help:"spam or ham."`
	IDs   []string `arg:"" name:"id" help:"Message ids."`
}

// Run implements the command.
func (c QLearnCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	st, err := quarantine.Open(context.Background(), cfg, g.Logger(cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := g.Engine(cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	spam := c.Label == "spam"
	for _, id := range c.IDs {
		raw, err := st.Get(context.Background(), id)
		if err != nil {
			return err
		}
		if err := eng.Learn(context.Background(), raw, spam); err != nil {
			if errors.Is(err, engine.ErrNoLearner) {
				return errors.New("the classifier is disabled (bayes.enabled = false): nothing was learned")
			}
			return err
		}
		if err := st.MarkLearned(context.Background(), id, spam, cliUser()); err != nil {
			return err
		}
		fmt.Printf("learned %s as %s\n", id, c.Label)
	}
	return nil
}

// QExpireCmd runs the expiry now.
type QExpireCmd struct{}

// Run implements the command.
func (QExpireCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Expire(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("expired %d messages\n", n)
	return nil
}

func flat(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
