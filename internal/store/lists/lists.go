// Package lists keeps the recipients' allow and block lists: per user
// (scope = a recipient address) and per domain (scope = a recipient
// domain), each entry a sender address or a sender domain. The policy
// honours them (policy.ApplyLists) through the engine's list lookup; the
// console edits them. The table lives in the quarantine database; the
// entries are held in memory (at most MaxEntries) and reloaded after
// every change and every ReloadEvery.
package lists

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/sekisho/sekisho/internal/store/migrate"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/policy"
)

// Kinds.
const (
	Allow = "allow"
	Block = "block"
)

// Bounds.
const (
	MaxEntries  = 100000
	ReloadEvery = 30 * time.Second
)

// Errors.
var (
	ErrInvalid = errors.New("lists: invalid entry")
	ErrFull    = errors.New("lists: too many entries")
)

// Entry is one list line.
type Entry struct {
	Scope   string    `json:"scope"` // recipient address or recipient domain
	Kind    string    `json:"kind"`  // allow or block
	Value   string    `json:"value"` // sender address or sender domain
	By      string    `json:"by"`
	Created time.Time `json:"created"`
}

// IsDomainScope reports whether the entry applies to a whole domain.
func (e Entry) IsDomainScope() bool { return !strings.Contains(e.Scope, "@") }

const schema = `CREATE TABLE IF NOT EXISTS sender_list (
	scope TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	by_user TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	PRIMARY KEY (scope, kind, value)
)`

// Store is the lists table with its in-memory copy. Safe for concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time

	mu     sync.RWMutex
	byScop map[string][]Entry
	loaded time.Time
	n      int
}

// Open creates the table when missing and loads it.
func Open(ctx context.Context, db *sql.DB, dialect string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	if _, err := migrate.Apply(ctx, db, dialect, "lists", []migrate.Step{{Version: 1, Name: "allow/block lists", SQL: []string{schema}}}); err != nil {
		return nil, fmt.Errorf("lists: create schema: %w", err)
	}
	s := &Store{db: db, postgres: dialect == "postgres", now: now}
	return s, s.reload(ctx)
}

func (s *Store) rebind(q string) string {
	if !s.postgres {
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

func (s *Store) reload(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, kind, value, by_user, created_at FROM sender_list ORDER BY created_at LIMIT `+strconv.Itoa(MaxEntries))
	if err != nil {
		return fmt.Errorf("lists: load: %w", err)
	}
	defer rows.Close()
	m := map[string][]Entry{}
	n := 0
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Scope, &e.Kind, &e.Value, &e.By, &at); err != nil {
			return fmt.Errorf("lists: load: %w", err)
		}
		e.Created = time.UnixMilli(at)
		m[e.Scope] = append(m[e.Scope], e)
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lists: load: %w", err)
	}
	s.mu.Lock()
	s.byScop, s.loaded, s.n = m, s.now(), n
	s.mu.Unlock()
	return nil
}

// Normalise checks and lower-cases a scope (address or domain) or value
// (address or domain).
func Normalise(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "<>")))
	v = strings.TrimSuffix(v, ".")
	if v == "" || len(v) > 254 || strings.ContainsAny(v, " \t\r\n,;<>\"'\\()[]") || strings.Count(v, "@") > 1 {
		return "", false
	}
	dom := v
	if at := strings.IndexByte(v, '@'); at >= 0 {
		if at == 0 {
			return "", false
		}
		dom = v[at+1:]
	}
	if dom == "" || !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.Contains(dom, "..") {
		return "", false
	}
	return v, true
}

// Add adds (or keeps) an entry.
func (s *Store) Add(ctx context.Context, scope, kind, value, by string) (Entry, error) {
	sc, ok1 := Normalise(scope)
	val, ok2 := Normalise(value)
	if !ok1 || !ok2 || kind != Allow && kind != Block {
		return Entry{}, ErrInvalid
	}
	s.mu.RLock()
	full := s.n >= MaxEntries
	s.mu.RUnlock()
	if full {
		return Entry{}, ErrFull
	}
	e := Entry{Scope: sc, Kind: kind, Value: val, By: by, Created: s.now()}
	// The other kind for the same sender goes: one entry decides.
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sender_list WHERE scope = ? AND value = ?`), sc, val); err != nil {
		return e, fmt.Errorf("lists: add: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO sender_list (scope, kind, value, by_user, created_at) VALUES (?, ?, ?, ?, ?)`),
		sc, kind, val, by, e.Created.UnixMilli()); err != nil {
		return e, fmt.Errorf("lists: add: %w", err)
	}
	return e, s.reload(ctx)
}

// Remove deletes an entry; false when there was none.
func (s *Store) Remove(ctx context.Context, scope, kind, value string) (bool, error) {
	sc, _ := Normalise(scope)
	val, _ := Normalise(value)
	res, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sender_list WHERE scope = ? AND kind = ? AND value = ?`), sc, kind, val)
	if err != nil {
		return false, fmt.Errorf("lists: remove: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, s.reload(ctx)
}

// Entries lists the entries of the given scopes (all when scopes is nil),
// sorted by scope, kind and value.
func (s *Store) Entries(scopes []string) []Entry {
	s.maybeReload()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Entry
	if scopes == nil {
		for _, es := range s.byScop {
			out = append(out, es...)
		}
	} else {
		for _, sc := range scopes {
			if v, ok := Normalise(sc); ok {
				out = append(out, s.byScop[v]...)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Value < b.Value
	})
	return out
}

// maybeReload picks up changes another process made, at most every
// ReloadEvery, in the background.
func (s *Store) maybeReload() {
	s.mu.RLock()
	stale := s.now().Sub(s.loaded) > ReloadEvery
	s.mu.RUnlock()
	if stale {
		s.mu.Lock()
		s.loaded = s.now() // one reload at a time
		s.mu.Unlock()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.reload(ctx)
		}()
	}
}

func domainOf(a string) string {
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		return a[at+1:]
	}
	return a
}

// matches reports whether entry value v names sender address addr.
func matches(v, addr string) bool {
	if addr == "" {
		return false
	}
	if strings.Contains(v, "@") {
		return v == addr
	}
	d := domainOf(addr)
	return d == v || strings.HasSuffix(d, "."+v)
}

// decide is one recipient's answer: the user's own entries first, then
// the domain's; within one scope a block wins.
func (s *Store) decide(rcpt, from, envFrom string) (string, string) {
	for _, sc := range []string{rcpt, domainOf(rcpt)} {
		var allow string
		for _, e := range s.byScop[sc] {
			hit := matches(e.Value, from)
			if e.Kind == Block && (hit || matches(e.Value, envFrom)) {
				return Block, sc + ": " + e.Value
			}
			if e.Kind == Allow && hit && allow == "" {
				allow = sc + ": " + e.Value
			}
		}
		if allow != "" {
			return Allow, allow
		}
	}
	return "", ""
}

// Match is the engine's list lookup (engine.ListLookup): Allow when every
// recipient allows the sender (matched on the From address), Block when
// every recipient blocks it (From or envelope sender).
func (s *Store) Match(_ context.Context, env pipeline.Envelope, msg *mail.Message) policy.ListMatch {
	s.maybeReload()
	if len(env.Rcpts) == 0 {
		return policy.ListMatch{}
	}
	from := ""
	if msg != nil {
		if a, ok := msg.PrimaryFromAddress(); ok {
			from = strings.ToLower(a.Addr)
		}
	}
	envFrom := strings.ToLower(strings.Trim(strings.TrimSpace(env.MailFrom), "<>"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.byScop) == 0 {
		return policy.ListMatch{}
	}
	var kind, entry string
	for i, r := range env.Rcpts {
		r = strings.ToLower(strings.Trim(strings.TrimSpace(r), "<>"))
		k, e := s.decide(r, from, envFrom)
		if k == "" || i > 0 && k != kind {
			return policy.ListMatch{}
		}
		if i == 0 {
			kind, entry = k, e
		}
	}
	return policy.ListMatch{Allow: kind == Allow, Block: kind == Block, Entry: entry}
}
