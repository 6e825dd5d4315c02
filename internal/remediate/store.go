package remediate

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store/migrate"
)

// Run states.
const (
	RunDryRun  = "dry-run" // nothing was touched; Apply acts on it
	RunDone    = "done"    // every copy found was moved or deleted
	RunPartial = "partial" // some mailboxes failed
	RunFailed  = "failed"  // nothing could be done
	RunUndone  = "undone"  // an administrator put the copies back
	RunApplied = "applied" // a dry run that was then applied (see AppliedBy)
)

// Item states.
const (
	ItemWouldMove   = "would-move"
	ItemWouldDelete = "would-delete"
	ItemMoved       = "moved"
	ItemDeleted     = "deleted"
	ItemNotFound    = "not-found" // mailbox searched, no copy
	ItemFailed      = "failed"
	ItemRestored    = "restored"
)

// Run is one remediation: what triggered it, what it looked for and what
// it did in each mailbox.
type Run struct {
	ID         string    `json:"id"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Trigger    string    `json:"trigger"` // console, cli, verdict, feed, campaign, report, apply
	By         string    `json:"by"`
	Reason     string    `json:"reason"`
	Action     string    `json:"action"` // move or delete
	DryRun     bool      `json:"dry_run"`
	State      string    `json:"state"`
	MessageIDs []string  `json:"message_ids"`
	Hashes     []string  `json:"hashes,omitempty"`
	Mailboxes  []string  `json:"mailboxes"`
	SourceID   string    `json:"source_id,omitempty"` // stored message that started it
	AppliedBy  string    `json:"applied_by,omitempty"`
	Items      []Item    `json:"items,omitempty"`
}

// Item is what happened to one copy (or one mailbox, when nothing was
// found or it could not be opened).
type Item struct {
	Seq       int       `json:"seq"`
	Mailbox   string    `json:"mailbox"`
	Folder    string    `json:"folder,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	State     string    `json:"state"`
	Error     string    `json:"error,omitempty"`
	Flags     []string  `json:"flags,omitempty"`
	Updated   time.Time `json:"updated"`
	copy      []byte    // the message, kept for undoing a delete
}

// Counts sums the items by state.
func (r *Run) Counts() map[string]int {
	m := map[string]int{}
	for _, it := range r.Items {
		m[it.State]++
	}
	return m
}

// ErrNotFound: no such run.
var ErrNotFound = errors.New("remediate: no such run")

var schema = []string{
	`CREATE TABLE IF NOT EXISTS remediation (
		id TEXT PRIMARY KEY,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		trigger_kind TEXT NOT NULL DEFAULT '',
		by_user TEXT NOT NULL DEFAULT '',
		reason TEXT NOT NULL DEFAULT '',
		action TEXT NOT NULL DEFAULT '',
		dry_run INTEGER NOT NULL DEFAULT 0,
		state TEXT NOT NULL DEFAULT '',
		message_ids TEXT NOT NULL DEFAULT '',
		hashes TEXT NOT NULL DEFAULT '',
		mailboxes TEXT NOT NULL DEFAULT '',
		source_id TEXT NOT NULL DEFAULT '',
		applied_by TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE INDEX IF NOT EXISTS remediation_time ON remediation (created_at)`,
	`CREATE TABLE IF NOT EXISTS remediation_item (
		run_id TEXT NOT NULL,
		seq INTEGER NOT NULL,
		mailbox TEXT NOT NULL,
		folder TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		state TEXT NOT NULL,
		error TEXT NOT NULL DEFAULT '',
		flags TEXT NOT NULL DEFAULT '',
		copy {blob},
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (run_id, seq)
	)`,
}

// Migrations of the remediation tables (in the quarantine's database):
// version 1 is the first release's schema, frozen.
var Migrations = []migrate.Step{{Version: 1, Name: "first release: remediation runs and items", SQL: schema}}

// store keeps runs in the quarantine's database (SQLite or PostgreSQL).
type store struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time
}

func openStore(ctx context.Context, db *sql.DB, dialect string, now func() time.Time) (*store, error) {
	s := &store{db: db, postgres: dialect == "postgres", now: now}
	if _, err := migrate.Apply(ctx, db, dialect, "remediate", Migrations); err != nil {
		return nil, fmt.Errorf("remediate: %w", err)
	}
	return s, nil
}

func (s *store) rebind(q string) string {
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

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "r" + hex.EncodeToString(b[:])
}

func join(v []string) string { return strings.Join(v, "\n") }
func split(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// save writes the run and all its items (replacing earlier ones).
func (s *store) save(ctx context.Context, r *Run) error {
	r.Updated = s.now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remediate: save: %w", err)
	}
	defer tx.Rollback()
	ex := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, s.rebind(q), args...)
		return err
	}
	if err := ex(`DELETE FROM remediation WHERE id = ?`, r.ID); err != nil {
		return fmt.Errorf("remediate: save: %w", err)
	}
	if err := ex(`INSERT INTO remediation (id, created_at, updated_at, trigger_kind, by_user, reason, action, dry_run, state,
		message_ids, hashes, mailboxes, source_id, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Created.UnixMilli(), r.Updated.UnixMilli(), r.Trigger, clean(r.By), clean(r.Reason), r.Action, b2i(r.DryRun), r.State,
		clean(join(r.MessageIDs)), join(r.Hashes), clean(join(r.Mailboxes)), r.SourceID, clean(r.AppliedBy)); err != nil {
		return fmt.Errorf("remediate: save: %w", err)
	}
	if err := ex(`DELETE FROM remediation_item WHERE run_id = ?`, r.ID); err != nil {
		return fmt.Errorf("remediate: save: %w", err)
	}
	for i := range r.Items {
		it := &r.Items[i]
		it.Seq = i
		if it.Updated.IsZero() {
			it.Updated = r.Updated
		}
		var cp any
		if it.copy != nil {
			cp = it.copy
		}
		if err := ex(`INSERT INTO remediation_item (run_id, seq, mailbox, folder, message_id, state, error, flags, copy, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, i, clean(it.Mailbox), clean(it.Folder), clean(it.MessageID), it.State,
			clean(it.Error), clean(strings.Join(it.Flags, " ")), cp, it.Updated.UnixMilli()); err != nil {
			return fmt.Errorf("remediate: save item: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remediate: save: %w", err)
	}
	return nil
}

const runCols = `id, created_at, updated_at, trigger_kind, by_user, reason, action, dry_run, state, message_ids, hashes, mailboxes, source_id, applied_by`

func scanRun(sc interface{ Scan(...any) error }) (*Run, error) {
	var r Run
	var c, u int64
	var dry int
	var ids, hs, mbs string
	if err := sc.Scan(&r.ID, &c, &u, &r.Trigger, &r.By, &r.Reason, &r.Action, &dry, &r.State, &ids, &hs, &mbs, &r.SourceID, &r.AppliedBy); err != nil {
		return nil, err
	}
	r.Created, r.Updated, r.DryRun = time.UnixMilli(c), time.UnixMilli(u), dry != 0
	r.MessageIDs, r.Hashes, r.Mailboxes = split(ids), split(hs), split(mbs)
	return &r, nil
}

// get loads one run with its items (copies included when withCopies).
func (s *store) get(ctx context.Context, id string, withCopies bool) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, s.rebind(`SELECT `+runCols+` FROM remediation WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("remediate: get: %w", err)
	}
	cols := `seq, mailbox, folder, message_id, state, error, flags, updated_at`
	if withCopies {
		cols += `, copy`
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT `+cols+` FROM remediation_item WHERE run_id = ? ORDER BY seq`), id)
	if err != nil {
		return nil, fmt.Errorf("remediate: get items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var flags string
		var u int64
		dst := []any{&it.Seq, &it.Mailbox, &it.Folder, &it.MessageID, &it.State, &it.Error, &flags, &u}
		if withCopies {
			dst = append(dst, &it.copy)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("remediate: get items: %w", err)
		}
		it.Flags = strings.Fields(flags)
		it.Updated = time.UnixMilli(u)
		r.Items = append(r.Items, it)
	}
	return r, rows.Err()
}

// list returns the newest runs, without items.
func (s *store) list(ctx context.Context, limit int) ([]*Run, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+runCols+` FROM remediation ORDER BY created_at DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("remediate: list: %w", err)
	}
	defer rows.Close()
	var out []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("remediate: list: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// clean keeps text valid UTF-8 without NUL (PostgreSQL refuses both).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
