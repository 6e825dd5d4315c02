package quarantine

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// URLInfo is one link of a stored message with its real destination.
type URLInfo struct {
	URL    string `json:"url"`
	Host   string `json:"host,omitempty"`
	Source string `json:"source,omitempty"`
	Anchor string `json:"anchor,omitempty"`
	Part   string `json:"part,omitempty"`
	Hidden bool   `json:"hidden,omitempty"`
	SHA256 string `json:"sha256"`
}

// Message is a stored message: the list view fills everything but Verdict,
// URLs, Attachments and Raw.
type Message struct {
	ID       string
	Kind     string // KindQuarantine or KindHistory
	ScanID   string
	Time     time.Time
	Expires  time.Time
	Frontend string

	ClientIP   string
	ClientHost string
	Helo       string
	MailFrom   string
	Rcpts      []string
	QueueID    string
	AuthUser   string
	Outbound   bool

	Subject   string
	FromAddr  string
	FromName  string
	To        string
	MessageID string
	Size      int64

	Action   string
	Category string
	Score    float64
	Duration time.Duration

	Verdict     pipeline.Verdict
	URLs        []URLInfo
	Attachments []pipeline.AttachmentInfo

	HasRaw      bool
	StoredBytes int64
	Raw         []byte

	ReleasedAt time.Time
	ReleasedBy string
	ReleaseTo  string
	Learned    string // "spam", "ham" or ""
	LearnedBy  string
	LearnedAt  time.Time
}

// Recipients returns the addresses the message is for: the envelope
// recipients, or the To/Cc addresses when the front end had no envelope.
func (m *Message) Recipients() []string { return m.Rcpts }

// entry is a message about to be written.
type entry struct {
	m       *Message
	raw     []byte // uncompressed; nil when not kept
	verdict string
	urls    string
	atts    string
	rcpts   []string // lower-cased, for msg_rcpt
	hashes  [][2]string
	done    chan error
	// once: the row may already be there (a held message's history row,
	// written by Hold and queued by Record under one id): written once.
	once bool
}

// maxURLsKept bounds the links stored per message.
const maxURLsKept = 500

// build copies what is needed from a scan result (the result's message must
// not be kept beyond the call).
func (s *Store) build(kind string, raw []byte, r *pipeline.Result, keepRaw bool) *entry {
	now := s.Now()
	m := &Message{ID: newID(), Kind: kind, Time: now}
	if r != nil {
		m.ScanID = r.ID
		if !r.Time.IsZero() {
			m.Time = r.Time
		}
		env := r.Env
		m.Frontend = env.Frontend
		if env.ClientIP.IsValid() {
			m.ClientIP = env.ClientIP.String()
		}
		m.ClientHost, m.Helo, m.MailFrom = env.ClientHost, env.Helo, env.MailFrom
		m.QueueID, m.AuthUser, m.Outbound = env.QueueID, env.AuthUser, env.Outbound
		m.Rcpts = append([]string(nil), env.Rcpts...)
		if msg := r.Msg; msg != nil {
			m.Subject = msg.Subject
			if len(msg.From) > 0 {
				m.FromAddr, m.FromName = msg.From[0].Addr, msg.From[0].Name
			} else {
				m.FromName = msg.FromHeader
			}
			var to []string
			for _, a := range msg.To {
				to = append(to, a.Addr)
			}
			for _, a := range msg.Cc {
				to = append(to, a.Addr)
			}
			m.To = strings.Join(to, ", ")
			if len(m.Rcpts) == 0 {
				m.Rcpts = to
			}
			m.MessageID = msg.MessageID
			m.Size = int64(msg.Size)
		}
		m.Action, m.Category, m.Score = string(r.Verdict.Action), string(r.Verdict.Category), r.Verdict.Score
		m.Duration = r.Duration
		m.Verdict = r.Verdict
		m.Attachments = r.Verdict.Attachments
		seen := map[string]bool{}
		for _, u := range r.URLs {
			if len(m.URLs) >= maxURLsKept {
				break
			}
			key := u.Raw + "\x00" + u.Source + "\x00" + u.Anchor
			if seen[key] {
				continue
			}
			seen[key] = true
			h := sha256.Sum256([]byte(u.Raw))
			m.URLs = append(m.URLs, URLInfo{URL: u.Raw, Host: u.Host, Source: u.Source, Anchor: trim(u.Anchor, 300), Part: u.Part, Hidden: u.Hidden, SHA256: hex.EncodeToString(h[:])})
		}
	}
	if m.Size == 0 {
		m.Size = int64(len(raw))
	}
	e := &entry{m: m}
	if keepRaw {
		e.raw = append([]byte(nil), raw...)
		m.HasRaw = true
	}
	vb, _ := json.Marshal(m.Verdict)
	ub, _ := json.Marshal(m.URLs)
	ab, _ := json.Marshal(m.Attachments)
	e.verdict, e.urls, e.atts = string(vb), string(ub), string(ab)
	seenR := map[string]bool{}
	for _, a := range m.Rcpts {
		a = normAddr(a)
		if a != "" && !seenR[a] {
			seenR[a] = true
			e.rcpts = append(e.rcpts, a)
		}
	}
	seenH := map[[2]string]bool{}
	for _, a := range m.Attachments {
		k := [2]string{"attachment", strings.ToLower(a.SHA256)}
		if a.SHA256 != "" && !seenH[k] {
			seenH[k] = true
			e.hashes = append(e.hashes, k)
		}
	}
	for _, u := range m.URLs {
		k := [2]string{"url", u.SHA256}
		if !seenH[k] {
			seenH[k] = true
			e.hashes = append(e.hashes, k)
		}
	}
	switch kind {
	case KindQuarantine:
		m.Expires = now.Add(s.cfg.Quarantine.Retention.Duration)
	default:
		m.Expires = now.Add(s.cfg.Quarantine.HistoryRetention.Duration)
	}
	return e
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

func normAddr(a string) string {
	a = strings.TrimSpace(strings.Trim(strings.TrimSpace(a), "<>"))
	return strings.ToLower(a)
}

// HoldDedupeWindow is how long a held message keeps a retry of the same
// message from being held again (see Hold).
const HoldDedupeWindow = 24 * time.Hour

// Hold keeps a message; the returned id names it. It writes synchronously:
// when it fails the front end must tempfail so that nothing is lost.
//
// The same transaction writes the scan's history row (when the history is
// on and the verdict is quarantine, as Record decides), under the id
// Record gives it, so a held message's history survives
// the instance that held it being killed right after answering; whichever
// of the two writes comes second is a no-op.
//
// A message held again within HoldDedupeWindow — same Message-ID, sender,
// recipients and body: the MTA's retry of a message whose answer was lost
// when an instance died — is not stored twice: Hold returns the id of the
// copy already held (and not yet released). On PostgreSQL an advisory
// lock on the key orders two instances holding the same message at once.
func (s *Store) Hold(ctx context.Context, raw []byte, r *pipeline.Result) (string, error) {
	if !s.cfg.Quarantine.Enabled {
		return "", ErrDisabled
	}
	e := s.build(KindQuarantine, raw, r, true)
	key := holdKey(raw, e.m)
	if key != "" {
		e.hashes = append(e.hashes, [2]string{hashHoldKey, key})
	}
	var hist *entry
	if s.cfg.Quarantine.History && r != nil && r.ID != "" && r.Verdict.Action == pipeline.ActionQuarantine {
		hist = s.build(KindHistory, raw, r, len(raw) <= s.cfg.Quarantine.HistoryMaxMessageBytes)
		hist.m.ID, hist.once = s.historyID(r.ID), true
	}
	pre := s.prepare([]*entry{e, hist})
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("quarantine: begin: %w", err)
	}
	t := txer{s, tx}
	id := ""
	if key != "" {
		if s.dialect == "postgres" {
			if err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, key); err != nil {
				_ = tx.Rollback()
				return "", fmt.Errorf("quarantine: lock: %w", err)
			}
		}
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT m.id FROM msg_hash h JOIN messages m ON m.id = h.msg_id
			WHERE h.kind = ? AND h.value = ? AND m.kind = ? AND m.released_at = 0 AND m.received_at >= ?
			ORDER BY m.received_at LIMIT 1`), hashHoldKey, key, KindQuarantine, ms(s.Now().Add(-HoldDedupeWindow))).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			_ = tx.Rollback()
			return "", fmt.Errorf("quarantine: look up an earlier hold: %w", err)
		}
	}
	es := []*entry{e, hist}
	if id != "" {
		es[0], pre[0] = nil, prepared{}
	}
	if err := s.insertTx(ctx, t, es, pre); err != nil {
		_ = tx.Rollback()
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("quarantine: commit: %w", err)
	}
	if id != "" {
		s.log.Info("message held again: the copy already in quarantine stands for it", "msg_id", e.m.ScanID, "quarantine_id", id, "message_id", e.m.MessageID)
		return id, nil
	}
	s.log.Info("message quarantined", "msg_id", e.m.ScanID, "quarantine_id", e.m.ID, "action", e.m.Action, "category", e.m.Category, "score", e.m.Score)
	return e.m.ID, nil
}

// hashHoldKey is the msg_hash kind of a held message's retry key.
const hashHoldKey = "holdkey"

// holdKey identifies a message across an MTA's retries: Message-ID,
// envelope sender, recipients and the body's hash (the header block
// changes with each delivery attempt: Received, queue ids). "" when the
// message has no Message-ID: then nothing is deduplicated.
func holdKey(raw []byte, m *Message) string {
	if strings.TrimSpace(m.MessageID) == "" {
		return ""
	}
	// The body starts after the first empty line (CRLF or LF endings).
	end := -1
	if i := bytes.Index(raw, []byte("\n\r\n")); i >= 0 {
		end = i + 3
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 && (end < 0 || i+2 < end) {
		end = i + 2
	}
	body := raw
	if end >= 0 {
		body = raw[end:]
	}
	rc := make([]string, 0, len(m.Rcpts))
	for _, a := range m.Rcpts {
		rc = append(rc, normAddr(a))
	}
	sort.Strings(rc)
	bh := sha256.Sum256(body)
	h := sha256.New()
	for _, p := range []string{strings.ToLower(strings.TrimSpace(m.MessageID)), normAddr(m.MailFrom), strings.Join(rc, ","), hex.EncodeToString(bh[:])} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// historyKey makes history ids of held scans: unguessable like newID,
// and the same for Record and Hold of one scan in this process.
var historyKey = func() [16]byte {
	var k [16]byte
	_, _ = rand.Read(k[:])
	return k
}()

// historyID is the id of a scan's history row when the scan may be held.
func (s *Store) historyID(scanID string) string {
	h := sha256.New()
	h.Write(historyKey[:])
	h.Write([]byte(scanID))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Record keeps a scan in the history. It never blocks: the entry is queued
// for the writer goroutine, or dropped (and counted) when the queue is full.
// A scan whose verdict is quarantine gets the id Hold uses for the same
// row (Hold writes it at once; the later write is a no-op).
func (s *Store) Record(ctx context.Context, raw []byte, r *pipeline.Result) error {
	if !s.cfg.Quarantine.Enabled || !s.cfg.Quarantine.History || s.closed.Load() {
		return nil
	}
	keep := len(raw) <= s.cfg.Quarantine.HistoryMaxMessageBytes
	e := s.build(KindHistory, raw, r, keep)
	if r != nil && r.ID != "" && r.Verdict.Action == pipeline.ActionQuarantine {
		e.m.ID, e.once = s.historyID(r.ID), true
	}
	select {
	case s.q <- e:
		return nil
	default:
		s.dropped.Add(1)
		return errors.New("quarantine: history queue full, scan not recorded")
	}
}

type flushReq chan struct{}

// Flush waits until everything recorded so far is written.
func (s *Store) Flush(ctx context.Context) error {
	if s.closed.Load() {
		return nil
	}
	f := make(flushReq)
	select {
	case s.q <- f:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-f:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const batchMax = 200

func (s *Store) writer() {
	defer s.wg.Done()
	var batch []*entry
	var flushes []flushReq
	write := func() {
		if len(batch) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			if err := s.insert(ctx, batch); err != nil {
				s.log.Error("history write failed", "entries", len(batch), "err", err)
			} else {
				s.written.Add(uint64(len(batch)))
			}
			cancel()
			batch = batch[:0]
		}
		for _, f := range flushes {
			close(f)
		}
		flushes = flushes[:0]
	}
	take := func(it any) {
		switch v := it.(type) {
		case *entry:
			batch = append(batch, v)
		case flushReq:
			flushes = append(flushes, v)
		}
	}
	for {
		select {
		case it := <-s.q:
			take(it)
		drain:
			for len(batch) < batchMax {
				select {
				case it := <-s.q:
					take(it)
				default:
					break drain
				}
			}
			write()
		case <-s.closing:
			for {
				select {
				case it := <-s.q:
					take(it)
					if len(batch) >= batchMax {
						write()
					}
				default:
					write()
					return
				}
			}
		}
	}
}

func (s *Store) compress(raw []byte) []byte {
	return s.enc.EncodeAll(raw, make([]byte, 0, len(raw)/3+64))
}

func (s *Store) decompress(codec string, b []byte) ([]byte, error) {
	switch codec {
	case "zstd":
		out, err := s.dec.DecodeAll(b, nil)
		if err != nil {
			return nil, fmt.Errorf("quarantine: decompress: %w", err)
		}
		if len(out) > maxDecoded {
			return nil, ErrTooLarge
		}
		return out, nil
	case "", "none":
		return b, nil
	}
	return nil, fmt.Errorf("quarantine: unknown codec %q", codec)
}

const insertMessage = `INSERT INTO messages (id, kind, scan_id, received_at, expires_at, frontend,
	client_ip, client_host, helo, mail_from, rcpts, queue_id, auth_user, outbound,
	subject, from_addr, from_name, to_addrs, message_id, size, action, category, score, duration_us,
	verdict, urls, attachments, raw, raw_codec, stored_bytes)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// prepared is an entry's compressed message.
type prepared struct {
	raw   []byte
	codec string
}

// prepare compresses the entries' messages (outside any transaction);
// nil entries are skipped.
func (s *Store) prepare(es []*entry) []prepared {
	pre := make([]prepared, len(es))
	for i, e := range es {
		if e != nil && e.raw != nil {
			pre[i] = prepared{s.compress(e.raw), "zstd"}
			e.m.StoredBytes = int64(len(pre[i].raw))
		}
	}
	return pre
}

func (s *Store) insert(ctx context.Context, es []*entry) error {
	pre := s.prepare(es)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: begin: %w", err)
	}
	if err := s.insertTx(ctx, txer{s, tx}, es, pre); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("quarantine: commit: %w", err)
	}
	return nil
}

// insertTx writes entries (nil ones skipped) in t; the caller rolls back
// on error.
func (s *Store) insertTx(ctx context.Context, t txer, es []*entry, pre []prepared) error {
	for i, e := range es {
		if e == nil {
			continue
		}
		m := e.m
		var raw any
		if pre[i].raw != nil {
			raw = pre[i].raw
		}
		out := 0
		if m.Outbound {
			out = 1
		}
		q := insertMessage
		if e.once {
			q += ` ON CONFLICT (id) DO NOTHING`
		}
		res, err := t.tx.ExecContext(ctx, s.rebind(q), m.ID, m.Kind, m.ScanID, ms(m.Time), ms(m.Expires), clean(m.Frontend),
			clean(m.ClientIP), clean(m.ClientHost), clean(m.Helo), clean(m.MailFrom), clean(encodeRcpts(m.Rcpts)), clean(m.QueueID), clean(m.AuthUser), out,
			clean(m.Subject), clean(m.FromAddr), clean(m.FromName), clean(m.To), clean(m.MessageID), m.Size, m.Action, m.Category, m.Score, m.Duration.Microseconds(),
			clean(e.verdict), clean(e.urls), clean(e.atts), raw, pre[i].codec, m.StoredBytes)
		if err != nil {
			return fmt.Errorf("quarantine: insert: %w", err)
		}
		if e.once {
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				continue // written already (by Hold, or by the writer)
			}
		}
		for _, a := range e.rcpts {
			if err := t.exec(ctx, `INSERT INTO msg_rcpt (msg_id, addr) VALUES (?, ?)`, m.ID, clean(a)); err != nil {
				return fmt.Errorf("quarantine: insert recipient: %w", err)
			}
		}
		for _, sym := range m.Verdict.Symbols {
			if err := t.exec(ctx, `INSERT INTO msg_symbol (msg_id, name, score) VALUES (?, ?, ?)`, m.ID, clean(sym.Name), sym.Score); err != nil {
				return fmt.Errorf("quarantine: insert symbol: %w", err)
			}
		}
		for _, h := range e.hashes {
			if err := t.exec(ctx, `INSERT INTO msg_hash (msg_id, kind, value) VALUES (?, ?, ?)`, m.ID, h[0], clean(h[1])); err != nil {
				return fmt.Errorf("quarantine: insert hash: %w", err)
			}
		}
	}
	return nil
}

// clean makes text safe for both databases: valid UTF-8 without NUL
// (PostgreSQL refuses both in TEXT).
func clean(s string) string {
	if !strings.ContainsRune(s, 0) && isUTF8(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

func isUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.ToValidUTF8(s, "") == s
		}
	}
	return true
}

// Get returns a stored message's original bytes.
func (s *Store) Get(ctx context.Context, id string) ([]byte, error) {
	var raw []byte
	var codec string
	err := s.queryRow(ctx, `SELECT raw, raw_codec FROM messages WHERE id = ?`, id).Scan(&raw, &codec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("quarantine: get: %w", err)
	}
	if raw == nil {
		return nil, ErrNoRaw
	}
	return s.decompress(codec, raw)
}
