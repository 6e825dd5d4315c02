package fuzzystore

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

const schema = `
CREATE TABLE IF NOT EXISTS campaigns (
	id      TEXT PRIMARY KEY,
	first   INTEGER NOT NULL,
	last    INTEGER NOT NULL,
	seen    INTEGER NOT NULL DEFAULT 0,
	held    INTEGER NOT NULL DEFAULT 0,
	spam    INTEGER NOT NULL DEFAULT 0,
	ham     INTEGER NOT NULL DEFAULT 0,
	subject TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaigns_last ON campaigns (last);
CREATE TABLE IF NOT EXISTS idx (
	key TEXT PRIMARY KEY,
	id  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sigs (
	id  TEXT NOT NULL,
	n   INTEGER NOT NULL,
	sig BLOB NOT NULL,
	PRIMARY KEY (id, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scans (
	id   TEXT NOT NULL,
	scan TEXT NOT NULL,
	at   INTEGER NOT NULL,
	PRIMARY KEY (id, scan)
) WITHOUT ROWID;
`

// Path is the file under a data directory.
func Path(dataDir string) string { return filepath.Join(dataDir, "fuzzy.db") }

type sqliteBackend struct {
	db *sql.DB
	mem
}

// OpenSQLite opens (creating) the embedded store.
func OpenSQLite(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("fuzzystore: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("fuzzystore: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("fuzzystore: schema: %w", err)
	}
	return &Store{b: &sqliteBackend{db: db, mem: mem{bulk: map[string]*[window]slotCount{}}}}, nil
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("fuzzystore: %w", err)
}

func (s *sqliteBackend) lookup(ctx context.Context, keys []string) ([]string, error) {
	out := make([]string, len(keys))
	args := make([]any, len(keys))
	pos := map[string][]int{}
	for i, k := range keys {
		args[i] = k
		pos[k] = append(pos[k], i)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT idx.key, idx.id FROM idx JOIN campaigns c ON c.id = idx.id WHERE idx.key IN (?`+strings.Repeat(",?", len(keys)-1)+`)`, args...)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, wrap(err)
		}
		for _, i := range pos[k] {
			out[i] = id
		}
	}
	return out, wrap(rows.Err())
}

func (s *sqliteBackend) index(ctx context.Context, keys []string, id string, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	for _, k := range keys {
		// A key already indexed for a live campaign keeps it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO idx (key, id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id
			WHERE NOT EXISTS (SELECT 1 FROM campaigns WHERE campaigns.id = idx.id)`, k, id); err != nil {
			return wrap(err)
		}
	}
	return wrap(tx.Commit())
}

func (s *sqliteBackend) sigs(ctx context.Context, id string) ([]Sig, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sig FROM sigs WHERE id = ? ORDER BY n`, id)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []Sig
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, wrap(err)
		}
		if sg, ok := sigFrom(b); ok {
			out = append(out, sg)
		}
	}
	return out, wrap(rows.Err())
}

func (s *sqliteBackend) addSig(ctx context.Context, id string, sg *Sig) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sigs WHERE id = ?`, id).Scan(&n); err != nil {
		return wrap(err)
	}
	if n >= maxSigs {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO sigs (id, n, sig) VALUES (?, ?, ?)`, id, n, sg.bytes())
	return wrap(err)
}

func (s *sqliteBackend) get(ctx context.Context, id string) (*Campaign, error) {
	c := &Campaign{ID: id}
	var first, last int64
	err := s.db.QueryRowContext(ctx, `SELECT first, last, seen, held, spam, ham, subject FROM campaigns WHERE id = ?`, id).
		Scan(&first, &last, &c.Seen, &c.Held, &c.Spam, &c.Ham, &c.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	c.First, c.Last = time.Unix(first, 0), time.Unix(last, 0)
	c.Size = c.Seen + c.Held + c.Spam
	rows, err := s.db.QueryContext(ctx, `SELECT scan FROM scans WHERE id = ? ORDER BY at DESC LIMIT ?`, id, maxScans)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc string
		if err := rows.Scan(&sc); err != nil {
			return nil, wrap(err)
		}
		c.Scans = append(c.Scans, sc)
	}
	return c, wrap(rows.Err())
}

func column(k Kind) string {
	switch k {
	case Held:
		return "held"
	case Learned, Reported:
		return "spam"
	case Ham:
		return "ham"
	}
	return "seen"
}

func (s *sqliteBackend) bump(ctx context.Context, id string, k Kind, subject, scan string, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	col := column(k) // one of a closed set
	ts := now.Unix()
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, first, last, `+col+`, subject) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (id) DO UPDATE SET last = max(last, excluded.last), `+col+` = `+col+` + 1`, id, ts, ts, clip(subject, 200)); err != nil {
		return wrap(err)
	}
	if k == Held && scan != "" {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO scans (id, scan, at) VALUES (?, ?, ?)`, id, clip(scan, 100), ts); err != nil {
			return wrap(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM scans WHERE id = ? AND scan NOT IN (SELECT scan FROM scans WHERE id = ? ORDER BY at DESC LIMIT ?)`, id, id, maxScans); err != nil {
			return wrap(err)
		}
	}
	return wrap(tx.Commit())
}

func (s *sqliteBackend) list(ctx context.Context, limit int) ([]Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, first, last, seen, held, spam, ham, subject,
		(SELECT count(*) FROM scans WHERE scans.id = campaigns.id) FROM campaigns ORDER BY last DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		var c Campaign
		var first, last int64
		var scans int
		if err := rows.Scan(&c.ID, &first, &last, &c.Seen, &c.Held, &c.Spam, &c.Ham, &c.Subject, &scans); err != nil {
			return nil, wrap(err)
		}
		c.First, c.Last = time.Unix(first, 0), time.Unix(last, 0)
		c.Size = c.Seen + c.Held + c.Spam
		out = append(out, c)
	}
	return out, wrap(rows.Err())
}

func (s *sqliteBackend) del(ctx context.Context, id string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM campaigns WHERE id = ?`, `DELETE FROM sigs WHERE id = ?`, `DELETE FROM scans WHERE id = ?`, `DELETE FROM idx WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return wrap(err)
		}
	}
	return wrap(tx.Commit())
}

func (s *sqliteBackend) prune(ctx context.Context, before time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM campaigns WHERE last < ?`, before.Unix())
	if err != nil {
		return wrap(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		if err := s.del(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteBackend) close() error { return s.db.Close() }

// mem holds the embedded backend's bulk counters: per band key, a ring of
// ten-minute slots. Bounded: at most maxBulkKeys keys, the stalest
// dropped first when full.
type mem struct {
	mu   sync.Mutex
	bulk map[string]*[window]slotCount
}

type slotCount struct {
	slot int64
	n    int
}

const maxBulkKeys = 200000

func (m *mem) bulkAdd(_ context.Context, keys []string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	sl := slotOf(now)
	if len(m.bulk) >= maxBulkKeys {
		for k, r := range m.bulk {
			if live(r, sl) == 0 {
				delete(m.bulk, k)
			}
		}
		if len(m.bulk) >= maxBulkKeys {
			m.bulk = map[string]*[window]slotCount{}
		}
	}
	for _, k := range keys {
		r := m.bulk[k]
		if r == nil {
			r = &[window]slotCount{}
			m.bulk[k] = r
		}
		c := &r[sl%window]
		if c.slot != sl {
			*c = slotCount{slot: sl}
		}
		c.n++
	}
	return nil
}

func live(r *[window]slotCount, sl int64) int {
	n := 0
	for _, c := range r {
		if c.slot > sl-window && c.slot <= sl {
			n += c.n
		}
	}
	return n
}

func (m *mem) bulkCount(_ context.Context, keys []string, now time.Time) ([]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sl := slotOf(now)
	out := make([]int, len(keys))
	for i, k := range keys {
		if r := m.bulk[k]; r != nil {
			out[i] = live(r, sl)
		}
	}
	return out, nil
}
