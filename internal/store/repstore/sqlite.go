package repstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// SQLite is the embedded backend: one table, one row per key.
type SQLite struct {
	db       *sql.DB
	halfLife time.Duration
}

const schema = `
CREATE TABLE IF NOT EXISTS rep (
	key   TEXT PRIMARY KEY,
	ham   REAL NOT NULL, spam REAL NOT NULL, mal REAL NOT NULL,
	good  REAL NOT NULL, bad REAL NOT NULL, rcpt REAL NOT NULL,
	first INTEGER NOT NULL,
	last  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rep_last ON rep (last);
`

// Path is the file under a data directory.
func Path(dataDir string) string { return filepath.Join(dataDir, "reputation.db") }

// OpenSQLite opens (creating) the file. It holds who writes to the
// organisation: created readable by sekisho alone.
func OpenSQLite(path string, halfLife time.Duration) (*SQLite, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("repstore: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("repstore: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("repstore: schema: %w", err)
	}
	return &SQLite{db: db, halfLife: halfLife}, nil
}

// Get implements Reader.
func (s *SQLite) Get(ctx context.Context, keys []string, now time.Time) ([]Counts, error) {
	out := make([]Counts, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	idx := map[string][]int{}
	args := make([]any, 0, len(keys))
	for i, k := range keys {
		if _, ok := idx[k]; !ok {
			args = append(args, k)
		}
		idx[k] = append(idx[k], i)
	}
	q := `SELECT key, ham, spam, mal, good, bad, rcpt, first, last FROM rep WHERE key IN (?` + strings.Repeat(",?", len(args)-1) + `)`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("repstore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var c Counts
		var first, last int64
		if err := rows.Scan(&k, &c.Ham, &c.Spam, &c.Malware, &c.Good, &c.Bad, &c.Rcpts, &first, &last); err != nil {
			return nil, fmt.Errorf("repstore: %w", err)
		}
		f := decay(now.Sub(time.Unix(last, 0)), s.halfLife)
		c.Ham, c.Spam, c.Malware, c.Good, c.Bad, c.Rcpts = c.Ham*f, c.Spam*f, c.Malware*f, c.Good*f, c.Bad*f, c.Rcpts*f
		c.First, c.Known = time.Unix(first, 0), true
		for _, i := range idx[k] {
			out[i] = c
		}
	}
	return out, rows.Err()
}

// Record implements Store: read, decay and write back in one transaction.
func (s *SQLite) Record(ctx context.Context, keys []string, d Delta, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("repstore: %w", err)
	}
	defer tx.Rollback()
	ts := now.Unix()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		var c [6]float64
		var first, last int64
		err := tx.QueryRowContext(ctx, `SELECT ham, spam, mal, good, bad, rcpt, first, last FROM rep WHERE key = ?`, k).
			Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &first, &last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			first, last = ts, ts
		case err != nil:
			return fmt.Errorf("repstore: %w", err)
		}
		f := decay(now.Sub(time.Unix(last, 0)), s.halfLife)
		add := [6]float64{d.Ham, d.Spam, d.Malware, d.Good, d.Bad, d.Rcpts}
		for i := range c {
			c[i] = c[i]*f + add[i]
		}
		if ts > last {
			last = ts
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rep (key, ham, spam, mal, good, bad, rcpt, first, last) VALUES (?,?,?,?,?,?,?,?,?)
			ON CONFLICT (key) DO UPDATE SET ham=excluded.ham, spam=excluded.spam, mal=excluded.mal, good=excluded.good,
			bad=excluded.bad, rcpt=excluded.rcpt, last=excluded.last`, k, c[0], c[1], c[2], c[3], c[4], c[5], first, last); err != nil {
			return fmt.Errorf("repstore: %w", err)
		}
	}
	return tx.Commit()
}

// Prune forgets keys not written since before.
func (s *SQLite) Prune(ctx context.Context, before time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM rep WHERE last < ?`, before.Unix()); err != nil {
		return fmt.Errorf("repstore: %w", err)
	}
	return nil
}

// Close implements Reader.
func (s *SQLite) Close() error { return s.db.Close() }

var _ Store = (*SQLite)(nil)
