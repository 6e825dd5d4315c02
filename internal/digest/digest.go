// Package digest sends each recipient a periodic mail listing their held
// (quarantined) mail, with signed, expiring, single-use links to release
// it, release it and allow the sender, or delete it. The links work
// without an account: the HMAC-SHA256 signature (key in the data
// directory, digest.key) is the authority, limited to one message, one
// recipient, one use and a lifetime. Releasing through a link follows the
// console's rule for recipients: only when web.recipient_release is on,
// and never mail categorised as malware.
package digest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/sekisho/sekisho/internal/store/migrate"
	"log/slog"
	"mime"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/smtpout"
	"github.com/sekisho/sekisho/internal/store/lists"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

var schema = []string{
	`CREATE TABLE IF NOT EXISTS digest_used (
		nonce TEXT PRIMARY KEY,
		used_at BIGINT NOT NULL,
		action TEXT NOT NULL DEFAULT '',
		msg_id TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE TABLE IF NOT EXISTS digest_state (
		name TEXT PRIMARY KEY,
		value TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE TABLE IF NOT EXISTS digest_item (
		msg_id TEXT NOT NULL,
		rcpt TEXT NOT NULL,
		sent_at BIGINT NOT NULL,
		PRIMARY KEY (msg_id, rcpt)
	)`,
	`CREATE TABLE IF NOT EXISTS user_lang (
		address TEXT PRIMARY KEY,
		lang TEXT NOT NULL
	)`,
}

// Service builds and sends digests and carries out their links.
type Service struct {
	cfg   *config.Config
	q     *quarantine.Store
	lists *lists.Store // nil: "release and allow" only releases
	key   []byte
	db    *sql.DB
	pg    bool
	log   *slog.Logger
	// Send delivers one digest (tests replace it).
	Send func(ctx context.Context, from string, to []string, raw []byte) error

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
	obs  atomic.Pointer[Observer]
}

// Observer counts digests (internal/metrics implements it).
type Observer interface {
	DigestSent(ok bool)
}

// Observe sets the observer (nil: none).
func (s *Service) Observe(o Observer) {
	if o == nil {
		s.obs.Store(nil)
		return
	}
	s.obs.Store(&o)
}

// New opens the digest tables and the signing key.
func New(ctx context.Context, cfg *config.Config, q *quarantine.Store, ls *lists.Store, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := LoadKey(cfg.General.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, q: q, lists: ls, key: key, db: q.DB(), pg: q.Dialect() == "postgres", log: log.With("component", "digest"),
		stop: make(chan struct{})}
	s.Send = s.smtpSend
	if _, err := migrate.Apply(ctx, s.db, q.Dialect(), "digest", []migrate.Step{{Version: 1, Name: "digest tables", SQL: schema}}); err != nil {
		return nil, fmt.Errorf("digest: create schema: %w", err)
	}
	return s, nil
}

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

// Start sends digests every digest.interval until Close.
func (s *Service) Start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.Digest.Interval.Duration)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
				if _, err := s.Run(ctx, false); err != nil {
					s.log.Warn("digest run failed", "err", err)
				}
				cancel()
			}
		}
	}()
}

// Close stops the schedule.
func (s *Service) Close() {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
}

// ---- languages

// SetLang remembers a recipient's language (the console's switcher and
// the digest pages set it).
func (s *Service) SetLang(ctx context.Context, addr, lang string) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" || lang != "en" && lang != "ja" {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM user_lang WHERE address = ?`), addr); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO user_lang (address, lang) VALUES (?, ?)`), addr, lang)
	return err
}

// Pref is a recipient's remembered language, "" when none.
func (s *Service) Pref(ctx context.Context, addr string) string {
	var l string
	if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT lang FROM user_lang WHERE address = ?`), strings.ToLower(addr)).Scan(&l); err == nil && (l == "en" || l == "ja") {
		return l
	}
	return ""
}

// Lang is a recipient's language: remembered, else digest.default_language,
// else web.default_language.
func (s *Service) Lang(ctx context.Context, addr string) string {
	var l string
	if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT lang FROM user_lang WHERE address = ?`), strings.ToLower(addr)).Scan(&l); err == nil && (l == "en" || l == "ja") {
		return l
	}
	if s.cfg.Digest.DefaultLanguage != "" {
		return s.cfg.Digest.DefaultLanguage
	}
	return s.cfg.Web.DefaultLanguage
}

// ---- links

// Item is a held message as a link shows it.
type Item struct {
	Claims   Claims
	ID       string
	Sender   string
	Subject  string
	Received time.Time
	Category string
	Reason   string // in the page's language
	Malware  bool
	// CanRelease: the recipient may release it (recipient_release on and
	// not malware).
	CanRelease bool
}

// Peek checks a link without using it (the confirm page of GET).
func (s *Service) Peek(ctx context.Context, tok, lang string) (*Item, error) {
	c, err := Verify(s.key, tok, s.q.Now())
	if err != nil {
		return nil, err
	}
	if c.Action == ActSession {
		return nil, ErrBadToken
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM digest_used WHERE nonce = ?`), c.Nonce).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrUsed
	}
	m, err := s.held(ctx, c)
	if err != nil {
		return nil, err
	}
	it := s.item(m, lang)
	it.Claims = c
	if (c.Action == ActRelease || c.Action == ActReleaseAllow) && !it.CanRelease {
		return it, ErrRefused
	}
	return it, nil
}

// held loads the link's message: still held, not released, for the
// link's recipient.
func (s *Service) held(ctx context.Context, c Claims) (*quarantine.Message, error) {
	m, err := s.q.Message(ctx, c.QID, false)
	if errors.Is(err, quarantine.ErrNotFound) {
		return nil, ErrGone
	}
	if err != nil {
		return nil, err
	}
	if m.Kind != quarantine.KindQuarantine || !m.ReleasedAt.IsZero() {
		return nil, ErrGone
	}
	if !slices.Contains(m.Rcpts, c.Rcpt) {
		return nil, ErrBadToken
	}
	return m, nil
}

func (s *Service) item(m *quarantine.Message, lang string) *Item {
	it := &Item{ID: m.ID, Sender: m.FromAddr, Subject: m.Subject, Received: m.Time, Category: m.Category,
		Malware: m.Category == string(pipeline.CategoryMalware)}
	if it.Sender == "" {
		it.Sender = m.MailFrom
	}
	it.CanRelease = s.cfg.Web.RecipientRelease && !it.Malware && m.HasRaw
	it.Reason = reason(m, lang)
	return it
}

// reason explains in lang why a message is held: its category and the
// strongest symbol's explanation.
func reason(m *quarantine.Message, lang string) string {
	cat := categoryText[lang][m.Category]
	if cat == "" {
		cat = m.Category
	}
	var top string
	for _, sy := range m.Verdict.Symbols {
		if sy.Score > 0 {
			top = sy.EN
			if lang == "ja" {
				top = sy.JA
			}
			break
		}
	}
	if top == "" {
		return cat
	}
	sep := ": "
	if lang == "ja" {
		sep = ":"
	}
	return cat + sep + top
}

var categoryText = map[string]map[string]string{
	"en": {"spam": "Spam", "phishing": "Phishing", "malware": "Malware", "bec": "Business email compromise",
		"extortion": "Extortion", "fraud": "Fraud", "unscannable": "Could not be inspected", "clean": "Held"},
	"ja": {"spam": "迷惑メール", "phishing": "フィッシング", "malware": "マルウェア", "bec": "ビジネスメール詐欺",
		"extortion": "脅迫", "fraud": "詐欺", "unscannable": "検査不能", "clean": "保留"},
}

// Act carries out a link (the POST of the confirm page): once. When the
// action fails before anything changed (the next hop refused a release),
// the link stays usable.
func (s *Service) Act(ctx context.Context, tok, lang string) (*Item, error) {
	it, err := s.Peek(ctx, tok, lang)
	if err != nil {
		return it, err
	}
	c := it.Claims
	res, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO digest_used (nonce, used_at, action, msg_id) VALUES (?, ?, ?, ?)`),
		c.Nonce, s.q.Now().UnixMilli(), c.Action, c.QID)
	if err != nil {
		// A concurrent use won the insert.
		return it, ErrUsed
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return it, ErrUsed
	}
	by := "digest:" + c.Rcpt
	undo := func() {
		_, _ = s.db.ExecContext(context.WithoutCancel(ctx), s.rebind(`DELETE FROM digest_used WHERE nonce = ?`), c.Nonce)
	}
	switch c.Action {
	case ActDelete:
		if err := s.q.Delete(ctx, c.QID, by); err != nil {
			undo()
			return it, err
		}
	case ActRelease, ActReleaseAllow:
		if c.Action == ActReleaseAllow && s.lists != nil && it.Sender != "" {
			if _, err := s.lists.Add(ctx, c.Rcpt, lists.Allow, it.Sender, by); err != nil {
				s.log.Warn("digest: allow sender failed", "rcpt", c.Rcpt, "err", err)
			} else {
				_ = s.q.Accounts().Audit(ctx, by, "allow-sender", c.QID, it.Sender)
			}
		}
		if err := s.q.Release(ctx, c.QID, by); err != nil {
			undo()
			return it, err
		}
	}
	s.log.Info("digest link used", "action", c.Action, "quarantine_id", c.QID)
	return it, nil
}

// ---- building and sending

// Sent is one digest (or, in a dry run, one that would be sent).
type Sent struct {
	Rcpt  string   `json:"rcpt"`
	Lang  string   `json:"lang"`
	Items []string `json:"items"` // quarantine ids
	Error string   `json:"error,omitempty"`
	raw   []byte
}

// Raw is the digest mail.
func (x Sent) Raw() []byte { return x.raw }

const stateLast = "last_run"

// grace: each run looks this far behind the previous one, so that a
// message stamped before a run but stored after it is not missed; what
// a digest already listed (table digest_item) is not listed again.
const grace = time.Hour

// Run builds a digest per recipient of the mail held since the previous
// run (at most one interval back on the first run) and sends them unless
// dryRun. It returns what was (or would be) sent.
func (s *Service) Run(ctx context.Context, dryRun bool) ([]Sent, error) {
	if s.cfg.Digest.BaseURL == "" {
		return nil, errors.New("digest: digest.base_url is not set")
	}
	now := s.q.Now()
	since := now.Add(-s.cfg.Digest.Interval.Duration)
	var last string
	if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT value FROM digest_state WHERE name = ?`), stateLast).Scan(&last); err == nil {
		if v, err := strconv.ParseInt(last, 10, 64); err == nil {
			since = time.UnixMilli(v).Add(-grace)
		}
	}
	listed := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT msg_id, rcpt FROM digest_item WHERE sent_at >= ?`), since.Add(-grace).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	for rows.Next() {
		var id, r string
		if err := rows.Scan(&id, &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("digest: %w", err)
		}
		listed[id+"\n"+r] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	byRcpt := map[string][]*quarantine.Message{}
	for off := 0; off < 100000; off += 1000 {
		ms, _, err := s.q.List(ctx, quarantine.Filter{Kind: quarantine.KindQuarantine, Since: since, Until: now, Limit: 1000, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Outbound || !m.ReleasedAt.IsZero() {
				continue
			}
			for _, r := range m.Rcpts {
				if s.ours(r) && !listed[m.ID+"\n"+r] && len(byRcpt[r]) < s.cfg.Digest.MaxItems {
					byRcpt[r] = append(byRcpt[r], m)
				}
			}
		}
		if len(ms) < 1000 {
			break
		}
	}
	rcpts := make([]string, 0, len(byRcpt))
	for r := range byRcpt {
		rcpts = append(rcpts, r)
	}
	sort.Strings(rcpts)
	var out []Sent
	for _, r := range rcpts {
		lang := s.Lang(ctx, r)
		var items []*Item
		for _, m := range byRcpt[r] {
			full, err := s.q.Message(ctx, m.ID, false)
			if err != nil {
				continue
			}
			items = append(items, s.item(full, lang))
		}
		x := Sent{Rcpt: r, Lang: lang}
		for _, it := range items {
			x.Items = append(x.Items, it.ID)
		}
		x.raw = s.compose(r, lang, items, now)
		if !dryRun {
			err := s.Send(ctx, "", []string{r}, x.raw)
			if o := s.obs.Load(); o != nil {
				(*o).DigestSent(err == nil)
			}
			if err != nil {
				x.Error = err.Error()
				s.log.Warn("digest not sent", "rcpt", r, "err", err)
			} else {
				for _, id := range x.Items {
					if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO digest_item (msg_id, rcpt, sent_at) VALUES (?, ?, ?)`),
						id, r, now.UnixMilli()); err != nil {
						s.log.Warn("digest item not recorded", "rcpt", r, "err", err)
					}
				}
			}
		}
		out = append(out, x)
	}
	if !dryRun {
		if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM digest_item WHERE sent_at < ?`),
			now.Add(-7*24*time.Hour-s.cfg.Digest.Interval.Duration).UnixMilli()); err != nil {
			return out, err
		}
		// Used nonces matter only while their links live.
		if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM digest_used WHERE used_at < ?`),
			now.Add(-2*s.cfg.Digest.LinkLifetime.Duration).UnixMilli()); err != nil {
			return out, err
		}
		if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM digest_state WHERE name = ?`), stateLast); err != nil {
			return out, err
		}
		if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO digest_state (name, value) VALUES (?, ?)`), stateLast, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
			return out, err
		}
		s.log.Info("digests sent", "recipients", len(out))
	}
	return out, nil
}

func (s *Service) ours(addr string) bool {
	doms := s.cfg.Digest.Domains
	if len(doms) == 0 {
		doms = s.cfg.General.Domains
	}
	if len(doms) == 0 {
		return strings.Contains(addr, "@")
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	d := addr[at+1:]
	for _, x := range doms {
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// SignInLink is the URL that signs rcpt in to the console until exp,
// scoped to rcpt's own held mail (see SignIn).
func (s *Service) SignInLink(rcpt string, exp time.Time) string {
	tok := Sign(s.key, Claims{Action: ActSession, Rcpt: rcpt, Expires: exp, Nonce: newNonce()})
	return strings.TrimSuffix(s.cfg.Digest.BaseURL, "/") + "/digest/signin/" + url.PathEscape(tok)
}

// SignIn checks a sign-in link and returns its recipient. Unlike the
// message links it is not single-use: it opens the recipient's own view
// until it expires, where every action follows the console's rules for
// recipients.
func (s *Service) SignIn(tok string) (string, error) {
	c, err := Verify(s.key, tok, s.q.Now())
	if err != nil {
		return "", err
	}
	if c.Action != ActSession {
		return "", ErrBadToken
	}
	return c.Rcpt, nil
}

// LinkAction is the action a correctly signed link names (expired or
// not), "" for anything else (for counting).
func (s *Service) LinkAction(tok string) string {
	c, err := Verify(s.key, tok, s.q.Now())
	if err != nil && !errors.Is(err, ErrExpired) {
		return ""
	}
	return c.Action
}

// Link is the URL of one action on one message for rcpt.
func (s *Service) Link(c Claims) string {
	return strings.TrimSuffix(s.cfg.Digest.BaseURL, "/") + "/digest/" + url.PathEscape(Sign(s.key, c))
}

var texts = map[string]map[string]string{
	"en": {
		"subject": "[sekisho] %d held message(s) for %s",
		"intro":   "These messages to %s were held by sekisho. Each link asks you to confirm; the links of a message work once, until %s.",
		"from":    "From", "subj": "Subject", "when": "Received", "why": "Reason",
		"release": "Release", "allow": "Release and always allow this sender", "delete": "Delete",
		"malware": "This message contains malware and cannot be released. Ask your administrator if you need it.",
		"norel":   "Ask your administrator to release this message.",
		"signin":  "See all your held mail (until %s): %s",
	},
	"ja": {
		"subject": "[sekisho] %[2]s 宛の保留メール %[1]d 通",
		"intro":   "%s 宛の次のメールを sekisho が保留しました。リンクを開くと確認画面が表示されます。各メールのリンクは %s まで、1 回だけ使えます。",
		"from":    "差出人", "subj": "件名", "when": "受信日時", "why": "理由",
		"release": "受信する(解放)", "allow": "受信して、この差出人を今後も許可する", "delete": "削除する",
		"malware": "このメールにはマルウェアが含まれているため解放できません。必要な場合は管理者に相談してください。",
		"norel":   "解放が必要な場合は管理者に依頼してください。",
		"signin":  "保留中のメールをまとめて確認(%s まで有効):%s",
	},
}

// compose builds one digest mail (text/plain, UTF-8, base64).
func (s *Service) compose(rcpt, lang string, items []*Item, now time.Time) []byte {
	t := texts[lang]
	exp := now.Add(s.cfg.Digest.LinkLifetime.Duration)
	var body strings.Builder
	fmt.Fprintf(&body, t["intro"]+"\n", rcpt, exp.Local().Format("2006-01-02 15:04"))
	fmt.Fprintf(&body, "\n"+t["signin"]+"\n", exp.Local().Format("2006-01-02 15:04"), s.SignInLink(rcpt, exp))
	for i, it := range items {
		nonce := newNonce()
		claims := func(a string) Claims { return Claims{Action: a, QID: it.ID, Rcpt: rcpt, Expires: exp, Nonce: nonce} }
		fmt.Fprintf(&body, "\n%d. %s: %s\n   %s: %s\n   %s: %s\n   %s: %s\n", i+1, t["from"], oneLine(it.Sender), t["subj"], oneLine(it.Subject),
			t["when"], it.Received.Local().Format("2006-01-02 15:04"), t["why"], oneLine(it.Reason))
		switch {
		case it.Malware:
			fmt.Fprintf(&body, "   %s\n", t["malware"])
		case !it.CanRelease:
			fmt.Fprintf(&body, "   %s\n", t["norel"])
		default:
			fmt.Fprintf(&body, "   %s: %s\n   %s: %s\n", t["release"], s.Link(claims(ActRelease)), t["allow"], s.Link(claims(ActReleaseAllow)))
		}
		fmt.Fprintf(&body, "   %s: %s\n", t["delete"], s.Link(claims(ActDelete)))
	}
	from := s.cfg.Digest.From
	if from == "" {
		from = "postmaster@" + s.cfg.General.Hostname
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", "sekisho <"+from+">")
	hdr("To", "<"+rcpt+">")
	hdr("Subject", mime.BEncoding.Encode("UTF-8", fmt.Sprintf(t["subject"], len(items), rcpt)))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<digest-"+newNonce()+"@"+s.cfg.General.Hostname+">")
	hdr("Auto-Submitted", "auto-generated")
	hdr("Content-Language", lang)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(body.String(), "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200]
		for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
			s = s[:len(s)-1]
		}
		s = strings.ToValidUTF8(s, "") + "…"
	}
	return s
}

func (s *Service) smtpSend(ctx context.Context, from string, to []string, raw []byte) error {
	host := s.cfg.Digest.SMTPHost
	if host == "" {
		host = s.cfg.Quarantine.ReleaseHost
	}
	o, d := smtpout.ReleaseOptions(s.cfg, host)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return smtpout.Send(ctx, o, from, to, raw)
}
