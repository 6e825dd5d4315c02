package repstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// SQLite is the embedded backend: one table, one row per key. Writes
// are gathered in memory and written in one transaction every
// flushEvery (or at maxPending keys, or on Close): one commit per message
// would cost more than the scan. Get sees the gathered writes.
type SQLite struct {
	db       *sql.DB
	halfLife time.Duration

	mu      sync.Mutex
	pending map[string]*pendingRow
	lastErr error
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	closed  bool
}

type pendingRow struct {
	d     [6]float64
	first time.Time // of the earliest gathered write
	at    time.Time // of the latest
}

const (
	flushEvery = 250 * time.Millisecond
	maxPending = 5000
)

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
	s := &SQLite{db: db, halfLife: halfLife, pending: map[string]*pendingRow{}, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.flusher()
	return s, nil
}

func (s *SQLite) flusher() {
	defer close(s.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			s.flush()
			return
		case <-t.C:
		case <-s.kick:
		}
		s.flush()
	}
}

// flush writes what was gathered.
func (s *SQLite) flush() {
	s.mu.Lock()
	p := s.pending
	if len(p) == 0 {
		s.mu.Unlock()
		return
	}
	s.pending = map[string]*pendingRow{}
	s.mu.Unlock()
	if err := s.write(context.Background(), p); err != nil {
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
	}
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("repstore: %w", err)
	}
	s.mu.Lock()
	for k, is := range idx {
		pr := s.pending[k]
		if pr == nil {
			continue
		}
		f := decay(now.Sub(pr.at), s.halfLife)
		for _, i := range is {
			c := &out[i]
			c.Ham, c.Spam, c.Malware = c.Ham+f*pr.d[0], c.Spam+f*pr.d[1], c.Malware+f*pr.d[2]
			c.Good, c.Bad, c.Rcpts = c.Good+f*pr.d[3], c.Bad+f*pr.d[4], c.Rcpts+f*pr.d[5]
			if !c.Known {
				c.Known, c.First = true, pr.first
			}
		}
	}
	s.mu.Unlock()
	return out, nil
}

// Record implements Store: the write is gathered and written within
// flushEvery; an error of an earlier write is returned.
func (s *SQLite) Record(_ context.Context, keys []string, d Delta, now time.Time) error {
	add := [6]float64{d.Ham, d.Spam, d.Malware, d.Good, d.Bad, d.Rcpts}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	for _, k := range keys {
		r := s.pending[k]
		if r == nil {
			r = &pendingRow{first: now, at: now}
			s.pending[k] = r
		}
		for i := range r.d {
			r.d[i] += add[i] // writes within flushEvery: no decay between them
		}
		if now.After(r.at) {
			r.at = now
		}
	}
	n := len(s.pending)
	err := s.lastErr
	s.lastErr = nil
	s.mu.Unlock()
	if n >= maxPending {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return err
}

// Flush writes what was gathered now.
func (s *SQLite) Flush() error {
	s.flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.lastErr
	s.lastErr = nil
	return err
}

// write decays and adds gathered rows in one transaction.
func (s *SQLite) write(ctx context.Context, p map[string]*pendingRow) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("repstore: %w", err)
	}
	defer tx.Rollback()
	for k, pr := range p {
		var c [6]float64
		var first, last int64
		ts := pr.at.Unix()
		err := tx.QueryRowContext(ctx, `SELECT ham, spam, mal, good, bad, rcpt, first, last FROM rep WHERE key = ?`, k).
			Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &first, &last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			first, last = pr.first.Unix(), ts
		case err != nil:
			return fmt.Errorf("repstore: %w", err)
		}
		f := decay(pr.at.Sub(time.Unix(last, 0)), s.halfLife)
		for i := range c {
			c[i] = c[i]*f + pr.d[i]
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

// Close writes what was gathered and closes the file.
func (s *SQLite) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	err := s.lastErr
	return errors.Join(err, s.db.Close())
}

var _ Store = (*SQLite)(nil)
