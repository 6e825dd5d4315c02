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
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/klauspost/compress/s2"
	"github.com/sekisho/sekisho/internal/mail"
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
	rcpts   []string    // lower-cased, for msg_rcpt
	hashes  [][2]string // attachment hashes (and Hold's retry key), for msg_hash
	// symbols is the symbols column: " NAME1 NAME2 " (each name once);
	// oddSyms the names it cannot hold (empty, or with a space), which
	// go to msg_symbol as before version 3.
	symbols string
	oddSyms []pipeline.SymbolResult
	// texts are the pairs of descriptions the verdict column names by
	// key that the store did not know when the entry was built: inserted
	// into sym_text before the row (storeTexts, desctext.go).
	texts []*textRef
	done  chan error
	now   time.Time // when build ran (expiry is counted from it)
	// once: the row may already be there (a held message's history row,
	// written by Hold and queued by Record under one id): written once.
	once bool
	// rawBuf and colBuf are the pooled buffers behind raw and behind the
	// verdict, urls, atts and symbols columns (Record's entries; nil
	// otherwise): given back by release (bufpool.go).
	rawBuf, colBuf *[]byte
	// msg is what m points to when build made the entry (one allocation
	// for both).
	msg Message
}

// release gives back the entry's pooled buffers (a no-op for entries
// without): the caller must be the entry's last user. The fields that
// pointed into them are cleared.
func (e *entry) release() {
	if e == nil {
		return
	}
	if e.rawBuf != nil {
		putBuf(e.rawBuf)
		e.rawBuf, e.raw = nil, nil
	}
	if e.colBuf != nil {
		putBuf(e.colBuf)
		e.colBuf = nil
		e.verdict, e.urls, e.atts, e.symbols = "", "", "", ""
	}
}

// maxURLsKept bounds the links stored per message.
const maxURLsKept = 500

// build copies what is needed from a scan result (the result's message must
// not be kept beyond the call). With pooled, the copy of raw and the
// columns are in pooled buffers the entry owns until its release.
func (s *Store) build(kind string, raw []byte, r *pipeline.Result, keepRaw, pooled bool) *entry {
	now := s.Now()
	e := &entry{now: now}
	e.msg = Message{ID: makeID(now), Kind: kind, Time: now}
	m := &e.msg
	e.m = m
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
	}
	if m.Size == 0 {
		m.Size = int64(len(raw))
	}
	if keepRaw {
		if pooled && len(raw) > 0 {
			e.rawBuf = getBuf(len(raw))
			*e.rawBuf = append(*e.rawBuf, raw...)
			e.raw = *e.rawBuf
		} else {
			e.raw = append([]byte(nil), raw...)
		}
		m.HasRaw = true
	}
	if pooled {
		// Encoded in a scratch buffer, then copied into a pooled one of
		// its size class: the entry keeps it until the writer is done,
		// and a scratch buffer grown by a large verdict would be kept
		// at that size by every later entry.
		sp := jsonBufs.Get().(*[]byte)
		refs := descRefs{known: &s.texts}
		b, nv, nu := appendColumns((*sp)[:0], r, &refs)
		e.texts = refs.added
		na := len(b)
		b, e.oddSyms = appendSymbolColumn(b, m.Verdict.Symbols)
		e.colBuf = getBuf(len(b))
		*e.colBuf = append(*e.colBuf, b...)
		putColBuf(sp, b)
		c := *e.colBuf
		all := unsafe.String(unsafe.SliceData(c), len(c))
		e.verdict, e.urls, e.atts, e.symbols = all[:nv], all[nv:nu], all[nu:na], all[na:]
	} else {
		refs := descRefs{known: &s.texts}
		e.verdict, e.urls, e.atts = encodeColumnsRefs(r, &refs)
		e.texts = refs.added
		e.symbols, e.oddSyms = symbolColumn(m.Verdict.Symbols)
	}
	seenR := map[string]bool{}
	for _, a := range m.Rcpts {
		a = normAddr(a)
		if a != "" && !seenR[a] {
			seenR[a] = true
			e.rcpts = append(e.rcpts, a)
		}
	}
	// Attachment hashes only: a link's hash is found in the urls column
	// (Filter.Hash), and a message has many more links than attachments.
	for _, a := range m.Attachments {
		k := [2]string{"attachment", strings.ToLower(a.SHA256)}
		if a.SHA256 != "" && !slices.Contains(e.hashes, k) {
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

// jsonBufs are the buffers build encodes the JSON columns in.
var jsonBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledJSON bounds the buffers kept for reuse.
const maxPooledJSON = 256 << 10

// urlKey identifies a link for the links column: a link found again
// with the same source and anchor text is kept once.
type urlKey struct{ raw, source, anchor string }

// encodeColumns returns the verdict, urls and attachments columns of a
// scan (the JSON json.Marshal writes of Message.Verdict, Message.URLs and
// Message.Attachments as build filled them before: the links deduplicated,
// at most maxURLsKept, anchors trimmed to 300 bytes, each with its
// SHA-256), encoded in a pooled buffer and copied out in one string.
func encodeColumns(r *pipeline.Result) (verdict, urls, atts string) {
	return encodeColumnsRefs(r, nil)
}

// encodeColumnsRefs is encodeColumns, the descriptions refs names by key
// written as keys.
func encodeColumnsRefs(r *pipeline.Result, refs *descRefs) (verdict, urls, atts string) {
	bp := jsonBufs.Get().(*[]byte)
	b, nv, nu := appendColumns((*bp)[:0], r, refs)
	all := string(b)
	putColBuf(bp, b)
	return all[:nv], all[nv:nu], all[nu:]
}

// putColBuf gives back a buffer of jsonBufs (b: what it holds now).
func putColBuf(bp *[]byte, b []byte) {
	if cap(b) <= maxPooledJSON {
		if poisonReleased {
			poison(b)
		}
		*bp = b[:0]
		jsonBufs.Put(bp)
	}
}

// appendColumns appends the verdict, urls and attachments columns of
// encodeColumns to b; the urls column starts at nv, the attachments
// column at nu. With refs, descriptions go by key (appendVerdictJSON).
func appendColumns(b []byte, r *pipeline.Result, refs *descRefs) (_ []byte, nv, nu int) {
	var v pipeline.Verdict
	if r != nil {
		v = r.Verdict
	}
	b, ok := appendVerdictJSON(b, &v, refs)
	if !ok {
		if refs != nil {
			refs.added = refs.added[:0]
		}
		// A value json.Marshal refuses: it decides (and fails) as before.
		vb, _ := json.Marshal(v)
		b = append(b[:0], vb...)
	}
	nv = len(b)
	var nurls []mail.URL
	if r != nil {
		nurls = r.URLs
	}
	kept := 0
	// Up to 16 links are told apart by comparing with those kept (no
	// map to allocate): these are the indexes of the kept links without
	// a NUL.
	var few [16]int32
	nfew := 0
	var seen map[urlKey]struct{}
	var seenNUL map[string]struct{}
	var sum [32]byte
	for i := range nurls {
		if kept >= maxURLsKept {
			break
		}
		u := &nurls[i]
		// The key was Raw, Source and Anchor joined by NULs: parts that
		// hold a NUL are compared joined still (such a key has more
		// than two NULs, so it never equals one of parts without).
		if strings.IndexByte(u.Raw, 0) >= 0 || strings.IndexByte(u.Source, 0) >= 0 || strings.IndexByte(u.Anchor, 0) >= 0 {
			key := u.Raw + "\x00" + u.Source + "\x00" + u.Anchor
			if _, dup := seenNUL[key]; dup {
				continue
			}
			if seenNUL == nil {
				seenNUL = map[string]struct{}{}
			}
			seenNUL[key] = struct{}{}
		} else if len(nurls) <= len(few) {
			dup := false
			for _, j := range few[:nfew] {
				if p := &nurls[j]; p.Raw == u.Raw && p.Source == u.Source && p.Anchor == u.Anchor {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			few[nfew] = int32(i)
			nfew++
		} else {
			key := urlKey{u.Raw, u.Source, u.Anchor}
			if _, dup := seen[key]; dup {
				continue
			}
			if seen == nil {
				seen = make(map[urlKey]struct{}, min(len(nurls), maxURLsKept))
			}
			seen[key] = struct{}{}
		}
		if kept == 0 {
			b = append(b, '[')
		} else {
			b = append(b, ',')
		}
		kept++
		sum = sha256.Sum256(unsafe.Slice(unsafe.StringData(u.Raw), len(u.Raw)))
		info := URLInfo{URL: u.Raw, Host: u.Host, Source: u.Source, Anchor: trim(u.Anchor, 300), Part: u.Part, Hidden: u.Hidden}
		b = appendURLJSON(b, &info, &sum)
	}
	if kept == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, ']')
	}
	nu = len(b)
	b = appendAttachmentsJSON(b, v.Attachments)
	return b, nv, nu
}

// symbolColumn is the symbols column of a verdict: " NAME1 NAME2 ", each
// name once, in the verdict's order ("" without symbols), and the symbols
// whose name cannot be in it (empty or with a space) — those keep a
// msg_symbol row.
func symbolColumn(syms []pipeline.SymbolResult) (string, []pipeline.SymbolResult) {
	if len(syms) == 0 {
		return "", nil
	}
	n := 1
	for _, sym := range syms {
		n += len(sym.Name) + 1
	}
	b, odd := appendSymbolColumn(make([]byte, 0, n), syms)
	if len(b) == 0 {
		return "", odd
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), odd // b is not written again
}

// appendSymbolColumn appends the symbols column of symbolColumn to b
// (nothing when the column is "").
func appendSymbolColumn(b []byte, syms []pipeline.SymbolResult) ([]byte, []pipeline.SymbolResult) {
	if len(syms) == 0 {
		return b, nil
	}
	start := len(b)
	b = append(b, ' ')
	var odd []pipeline.SymbolResult
	// The names written so far: a name without a space is in the column
	// (" NAME ") exactly when it is one of them.
	var arr [32]string
	added := arr[:0]
	for _, sym := range syms {
		name := clean(sym.Name)
		if name == "" || strings.IndexByte(name, ' ') >= 0 {
			if !slices.ContainsFunc(odd, func(o pipeline.SymbolResult) bool { return o.Name == name }) {
				odd = append(odd, pipeline.SymbolResult{Name: name, Score: sym.Score})
			}
			continue
		}
		if slices.Contains(added, name) {
			continue
		}
		added = append(added, name)
		b = append(b, name...)
		b = append(b, ' ')
	}
	if len(b) == start+1 {
		return b[:start], odd
	}
	return b, odd
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
	// Written before Hold returns: the caller's bytes serve, no copy
	// (nil when empty, as build's copy was).
	e := s.build(KindQuarantine, raw, r, false, false)
	e.m.HasRaw = true
	if len(raw) > 0 {
		e.raw = raw
	}
	var hist *entry
	if s.cfg.Quarantine.History && r != nil && r.ID != "" && r.Verdict.Action == pipeline.ActionQuarantine {
		// The history row is the held row under another kind, id and
		// expiry: copied from e rather than built again (build is
		// deterministic but marshals the verdict and the links).
		hist = e.historyCopy(s.historyID(r), s.cfg.Quarantine.HistoryRetention.Duration)
		if len(raw) <= s.cfg.Quarantine.HistoryMaxMessageBytes {
			hist.raw, hist.m.HasRaw = e.raw, true // the same bytes: one copy, compressed once
		}
	}
	key := holdKey(raw, e.m)
	if key != "" {
		e.hashes = append(e.hashes, [2]string{hashHoldKey, key})
	}
	pre := s.prepare([]*entry{e, nil}, false)
	if hist != nil {
		hp := prepared{}
		if hist.raw != nil {
			hp = pre[0]
			hist.m.StoredBytes = e.m.StoredBytes
		}
		pre[1] = hp
	}
	req := &holdReq{ctx: ctx, e: e, hist: hist, pre: pre, key: key}
	var err error
	if s.dialect == "sqlite" {
		err = s.holdGrouped(ctx, req)
	} else {
		err = s.holdAlone(ctx, req)
	}
	if err != nil {
		return "", err
	}
	if req.dup != "" {
		s.log.Info("message held again: the copy already in quarantine stands for it", "msg_id", e.m.ScanID, "quarantine_id", req.dup, "message_id", e.m.MessageID)
		return req.dup, nil
	}
	s.log.Info("message quarantined", "msg_id", e.m.ScanID, "quarantine_id", e.m.ID, "action", e.m.Action, "category", e.m.Category, "score", e.m.Score)
	return e.m.ID, nil
}

// holdReq is a Hold to write: the held row, the scan's history row (or
// nil), their compressed messages and the retry key. dup is set to the
// id of an earlier hold of the same message when there is one (nothing
// is written for the held row then).
type holdReq struct {
	ctx  context.Context
	e    *entry
	hist *entry
	pre  []prepared
	key  string

	// Set under holdGroup.mu: claimed by the hold that writes it;
	// withdrawn by its caller (given up waiting) before any claimed it.
	claimed, withdrawn bool
	dup                string
	err                error
	done               chan struct{} // closed when dup and err are final

	// settled: err (and dup) are final: the rows are committed, or the
	// hold failed with nothing written. Only the writing hold's
	// goroutine touches it.
	settled bool
}

// holdGroup is the SQLite holds waiting for the write lock. Whichever
// takes the lock writes every hold waiting then in one transaction (group
// commit: the pages a hold changes — the tables' and indexes' last pages,
// the database header — are written to the WAL once for the group, not
// once per hold) and tells each when it is committed; a hold whose turn
// comes after its request was written returns at once. Every caller
// still returns only once its rows are committed, or with an error when
// they are not (then nothing of it is written).
type holdGroup struct {
	mu      sync.Mutex
	pending []*holdReq
}

var errHoldAborted = errors.New("quarantine: hold not written (the group's writer failed)")

// holdAlone writes one hold in its own transaction (PostgreSQL: the
// holds of several instances are ordered by the advisory lock on the
// key, and run in parallel otherwise).
func (s *Store) holdAlone(ctx context.Context, req *holdReq) error {
	if err := s.storeTexts(ctx, req.e, req.hist); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	ts := newTxStmts(tx)
	if err := s.writeHold(ctx, ts, req); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("quarantine: commit: %w", err)
	}
	s.heldWritten(req)
	return nil
}

// holdGrouped writes a hold on SQLite: queued for the write lock, written
// by this call or by the hold that has the lock when it is queued.
func (s *Store) holdGrouped(ctx context.Context, req *holdReq) error {
	req.done = make(chan struct{})
	g := &s.holds
	g.mu.Lock()
	g.pending = append(g.pending, req)
	g.mu.Unlock()
	s.holdsWaiting.Add(1)
	locked := false
	select {
	case s.wsem <- struct{}{}:
		locked = true
	case <-req.done:
	case <-ctx.Done():
	}
	s.holdsWaiting.Add(-1)
	if !locked {
		g.mu.Lock()
		if !req.claimed {
			// Given up before any hold took it: nothing of it is written.
			req.withdrawn = true
			g.pending = slices.DeleteFunc(g.pending, func(r *holdReq) bool { return r == req })
			g.mu.Unlock()
			return fmt.Errorf("quarantine: waiting to write: %w", context.Cause(ctx))
		}
		g.mu.Unlock()
		// Taken by the hold that writes now: its result is this one's.
		<-req.done
		return req.err
	}
	g.mu.Lock()
	if req.claimed {
		// Written (or being written: not while this holds the lock) by
		// an earlier group.
		g.mu.Unlock()
		<-s.wsem
		<-req.done
		return req.err
	}
	if ctx.Err() != nil {
		// Its context ended as it took the lock: given up, as if the
		// context had won the select.
		req.withdrawn = true
		g.pending = slices.DeleteFunc(g.pending, func(r *holdReq) bool { return r == req })
		g.mu.Unlock()
		<-s.wsem
		return fmt.Errorf("quarantine: waiting to write: %w", context.Cause(ctx))
	}
	// The holds whose context has ended are left: they have given up
	// (their callers withdraw them as soon as they run) and must not be
	// written now that they will not wait for it.
	var group []*holdReq
	rest := g.pending[:0]
	for _, r := range g.pending {
		if r != req && r.ctx.Err() != nil {
			rest = append(rest, r)
			continue
		}
		r.claimed = true
		group = append(group, r)
	}
	clear(g.pending[len(rest):])
	g.pending = rest
	g.mu.Unlock()
	defer func() {
		for _, r := range group {
			if !r.settled {
				// A panic past writeHoldGroup's recovery: what is not
				// known committed is rolled back; it is failed.
				r.err, r.dup = errHoldAborted, ""
			}
			close(r.done)
		}
		<-s.wsem
	}()
	s.writeHoldGroup(ctx, group)
	return req.err
}

// writeHoldGroup writes holds in one transaction, under the write lock;
// when that fails and there are several, each again in a transaction of
// its own (one hold's failure is not the others'), under its own context.
// It sets each hold's err.
//
// A panic while a transaction is open is recovered (and logged): the
// transaction is rolled back and counts as failed, so that a hold that
// panics fails alone, in its own transaction, and no hold committed
// before it — in its own transaction, or the leader's own — is reported
// failed (its caller would tempfail and the MTA's retry be held again).
func (s *Store) writeHoldGroup(ctx context.Context, group []*holdReq) {
	err := s.holdTx(ctx, group)
	if err == nil {
		for _, r := range group {
			r.settled = true
		}
		for _, r := range group {
			s.heldWritten(r)
		}
		return
	}
	if len(group) == 1 {
		group[0].err, group[0].dup, group[0].settled = err, "", true
		return
	}
	for _, r := range group {
		r.dup = ""
		r.err = s.holdTx(r.ctx, []*holdReq{r})
		if r.err != nil {
			r.dup = ""
		}
		r.settled = true
		if r.err == nil {
			s.heldWritten(r)
		}
	}
}

// holdTx writes holds in one transaction under ctx; a panic is returned
// as an error, the transaction rolled back.
func (s *Store) holdTx(ctx context.Context, holds []*holdReq) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("quarantine: panic writing a hold; rolled back", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("quarantine: hold not written: panic: %v", p)
		}
	}()
	for _, r := range holds {
		if err := s.storeTexts(ctx, r.e, r.hist); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: begin: %w", err)
	}
	// Whatever ends the transaction short (a panic too); after the
	// commit a no-op.
	defer func() { _ = tx.Rollback() }()
	ts := newTxStmts(tx)
	for _, r := range holds {
		if err := s.writeHold(ctx, ts, r); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("quarantine: commit: %w", err)
	}
	return nil
}

// holdWriteHook, when set (tests), is called as each hold is written.
var holdWriteHook func(*holdReq)

// writeHold writes a hold's rows in tx: the held row unless an earlier
// hold of the same message stands for it (req.dup), and the scan's
// history row.
func (s *Store) writeHold(ctx context.Context, ts *txStmts, req *holdReq) error {
	tx := ts.tx
	req.dup = ""
	if holdWriteHook != nil {
		holdWriteHook(req)
	}
	if req.key != "" {
		if s.dialect == "postgres" {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, req.key); err != nil {
				return fmt.Errorf("quarantine: lock: %w", err)
			}
		}
		err := tx.StmtContext(ctx, s.st.lookup).QueryRowContext(ctx, hashHoldKey, req.key, ms(s.Now().Add(-HoldDedupeWindow))).Scan(&req.dup)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("quarantine: look up an earlier hold: %w", err)
		}
	}
	es := []*entry{req.e, req.hist}
	pre := req.pre
	if req.dup != "" {
		es[0] = nil
		pre = []prepared{{}, pre[1]}
	}
	return s.insertTx(ctx, ts, es, pre)
}

// heldWritten is what follows a hold's commit.
func (s *Store) heldWritten(req *holdReq) {
	if req.hist != nil {
		// The row is in the file: the writer need not write Record's copy.
		s.heldRows.mark(req.hist.m.ID)
	}
	s.wrote()
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

// historyID is the id of a scan's history row when the scan may be held:
// newID's shape, the scan's time then 10 bytes of a keyed hash of the
// scan id (Record and Hold of one scan make the same id).
func (s *Store) historyID(r *pipeline.Result) string {
	h := sha256.New()
	h.Write(historyKey[:])
	h.Write([]byte(r.ID))
	var b [16]byte
	putIDTime(&b, r.Time)
	copy(b[6:], h.Sum(nil))
	return hex.EncodeToString(b[:])
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
	var hid string
	if r != nil && r.ID != "" && r.Verdict.Action == pipeline.ActionQuarantine {
		hid = s.historyID(r)
		if s.heldRows.take(hid) {
			s.written.Add(1) // counted as when the writer's insert was a no-op
			return nil       // Hold has written this scan's history row
		}
	}
	// The entry's copy of raw and its columns are pooled buffers: the
	// writer gives them back once its batch is written (insertBatch).
	e := s.build(KindHistory, raw, r, keep, true)
	if hid != "" {
		e.m.ID, e.once = hid, true
	}
	select {
	case s.q <- e:
		if len(s.q)+int(s.batched.Load()) >= batchMax {
			s.kickWriter() // a batch waits: no need to wait for the window
		}
		return nil
	default:
		e.release() // never queued: this is its only user
		s.dropped.Add(1)
		return errors.New("quarantine: history queue full, scan not recorded")
	}
}

// Stored messages are compressed with S2 (raw_codec "s2"): over the SA
// test corpus it spends 51 K instructions a message against zstd's
// fastest level's 285 K (and decodes in 19 K against 95 K), for 32 %
// more bytes of compressed message (0.58 of the raw size against 0.44).
// Rows written before keep their codec ("zstd"), read as before.
const codecS2 = "s2"

// compressBufs are scratch buffers messages are compressed into before
// being copied out at their size: the compressed size is not known
// beforehand, and S2 writes only into a buffer of its worst case
// (s2.MaxEncodedLen), allocating one otherwise.
var compressBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledCompress bounds the scratch buffers kept.
const maxPooledCompress = 1 << 20

// encodeS2 compresses raw into the scratch buffer *sp (grown when too
// small) and returns the compressed bytes, which lie in it.
func encodeS2(sp *[]byte, raw []byte) []byte {
	n := s2.MaxEncodedLen(len(raw))
	if n < 0 {
		// Too large for S2's block format (over 4 GiB): prepare stores
		// such a message as it is (s2Fits) and never calls this.
		panic("quarantine: message too large to compress")
	}
	if cap(*sp) < n {
		*sp = make([]byte, n)
	}
	return s2.Encode((*sp)[:n], raw)
}

// s2Fits reports whether S2's block format can hold raw compressed; a
// message that it cannot (over 4 GiB, beyond every front end's limit) is
// stored as it is (raw_codec "none") rather than failing the writer.
func s2Fits(raw []byte) bool { return s2.MaxEncodedLen(len(raw)) >= 0 }

// putCompressBuf gives back a scratch buffer of compressBufs.
func putCompressBuf(sp *[]byte) {
	if cap(*sp) <= maxPooledCompress {
		compressBufs.Put(sp)
	}
}

// compressPooled returns raw compressed in a pooled buffer (bufpool.go),
// and the buffer to give back.
func (s *Store) compressPooled(raw []byte) ([]byte, *[]byte) {
	// Compressed in the scratch buffer (of compress), then copied into
	// a pooled buffer of its size class: the batch keeps it until it is
	// written, so only what it needs.
	sp := compressBufs.Get().(*[]byte)
	c := encodeS2(sp, raw)
	bp := getBuf(len(c))
	*bp = append(*bp, c...)
	putCompressBuf(sp)
	return *bp, bp
}

// compress returns raw compressed in a slice of its own, of exactly the
// compressed size.
func (s *Store) compress(raw []byte) []byte {
	sp := compressBufs.Get().(*[]byte)
	c := encodeS2(sp, raw)
	out := make([]byte, len(c))
	copy(out, c)
	putCompressBuf(sp)
	return out
}

// decompress returns a stored message's bytes from the codec its row
// names: S2 (this release), zstd (earlier ones) or none.
func (s *Store) decompress(codec string, b []byte) ([]byte, error) {
	switch codec {
	case codecS2:
		n, err := s2.DecodedLen(b)
		if err != nil {
			return nil, fmt.Errorf("quarantine: decompress: %w", err)
		}
		if n > maxDecoded {
			return nil, ErrTooLarge
		}
		out, err := s2.Decode(nil, b)
		if err != nil {
			return nil, fmt.Errorf("quarantine: decompress: %w", err)
		}
		return out, nil
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

// clean makes text safe for both databases: valid UTF-8 without NUL
// (PostgreSQL refuses both in TEXT).
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
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
