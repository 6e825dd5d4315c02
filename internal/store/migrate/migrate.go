// Package migrate applies versioned schema migrations to sekisho's SQL
// stores (SQLite and PostgreSQL).
//
// Each store (component) lists its migrations in order, version 1 being
// the schema of the first release. The versions applied are recorded in
// the table schema_version (component, version, name, applied_at), shared
// by the components that live in one database. Opening a database applies
// what is missing, in one transaction, so a failed migration leaves the
// database as it was; a database newer than the binary (a downgrade) is
// refused rather than written to.
//
// On PostgreSQL, instances that start at once take an advisory lock, so
// that one of them migrates and the others see the result.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrTooNew is returned when the database was written by a newer sekisho.
var ErrTooNew = errors.New("migrate: database schema is newer than this sekisho")

// Step is one migration. SQL statements run in order, then Func (for data
// moves that SQL alone cannot express). In SQL, {blob} stands for the
// binary column type of the dialect (BLOB or BYTEA).
type Step struct {
	Version int
	Name    string
	SQL     []string
	Func    func(ctx context.Context, tx *sql.Tx, dialect string) error
}

// Result says what Apply did.
type Result struct {
	From, To int // version before and after
}

// advisoryLock is the PostgreSQL advisory lock key of migrations.
const advisoryLock = 0x5e615e0

// Apply brings component's schema in db ("sqlite" or "postgres" dialect)
// to the last version of steps.
func Apply(ctx context.Context, db *sql.DB, dialect, component string, steps []Step) (Result, error) {
	for i, s := range steps {
		if s.Version != i+1 {
			return Result{}, fmt.Errorf("migrate: %s: step %d has version %d (versions must be 1, 2, 3 ...)", component, i, s.Version)
		}
	}
	latest := len(steps)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, fmt.Errorf("migrate: %s: %w", component, err)
	}
	defer tx.Rollback()
	if dialect == "postgres" {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLock); err != nil {
			return Result{}, fmt.Errorf("migrate: %s: lock: %w", component, err)
		}
	}
	// Created under the lock: instances starting together on one
	// PostgreSQL would otherwise race on the catalog.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		component TEXT NOT NULL,
		version INTEGER NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		applied_at BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (component, version)
	)`); err != nil {
		return Result{}, fmt.Errorf("migrate: %s: schema_version table: %w", component, err)
	}
	cur, err := current(ctx, tx, dialect, component)
	if err != nil {
		return Result{}, err
	}
	res := Result{From: cur, To: cur}
	if cur > latest {
		return res, fmt.Errorf("%w: %s is at version %d, this sekisho knows up to %d (restore the backup taken before the upgrade, or run the newer release)", ErrTooNew, component, cur, latest)
	}
	if cur == latest {
		return res, nil
	}
	blob := "BLOB"
	if dialect == "postgres" {
		blob = "BYTEA"
	}
	for _, s := range steps[cur:] {
		for _, q := range s.SQL {
			if _, err := tx.ExecContext(ctx, strings.ReplaceAll(q, "{blob}", blob)); err != nil {
				return res, fmt.Errorf("migrate: %s: version %d (%s): %w", component, s.Version, s.Name, err)
			}
		}
		if s.Func != nil {
			if err := s.Func(ctx, tx, dialect); err != nil {
				return res, fmt.Errorf("migrate: %s: version %d (%s): %w", component, s.Version, s.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, Rebind(dialect, `INSERT INTO schema_version (component, version, name, applied_at) VALUES (?, ?, ?, ?)`),
			component, s.Version, s.Name, time.Now().Unix()); err != nil {
			return res, fmt.Errorf("migrate: %s: record version %d: %w", component, s.Version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("migrate: %s: commit: %w", component, err)
	}
	res.To = latest
	return res, nil
}

// Version returns the version of component recorded in db (0: none).
func Version(ctx context.Context, db *sql.DB, dialect, component string) (int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: dialect == "postgres"})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return current(ctx, tx, dialect, component)
}

func current(ctx context.Context, tx *sql.Tx, dialect, component string) (int, error) {
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, Rebind(dialect, `SELECT MAX(version) FROM schema_version WHERE component = ?`), component).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: %s: read version: %w", component, err)
	}
	return int(v.Int64), nil
}

// Rebind rewrites "?" placeholders to "$1", "$2" ... for PostgreSQL.
func Rebind(dialect, q string) string {
	if dialect != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
