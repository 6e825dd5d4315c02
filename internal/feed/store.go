package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Store keeps indicators, per-feed state and retro-hunt matches in SQLite
// (<data_dir>/feeds.db), so they survive restarts and are shared by serve
// and the command line.
type Store struct {
	db *sql.DB
}

var storeSchema = []string{
	`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE IF NOT EXISTS indicators (
		feed TEXT NOT NULL,
		obj TEXT NOT NULL,
		ref TEXT NOT NULL,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		nterms INTEGER NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		valid_from INTEGER NOT NULL DEFAULT 0,
		valid_until INTEGER NOT NULL DEFAULT 0,
		added INTEGER NOT NULL,
		PRIMARY KEY (feed, ref, kind, value)
	)`,
	`CREATE INDEX IF NOT EXISTS indicators_obj ON indicators (feed, obj)`,
	`CREATE INDEX IF NOT EXISTS indicators_value ON indicators (kind, value)`,
	`CREATE TABLE IF NOT EXISTS feed_state (
		feed TEXT PRIMARY KEY,
		cursor TEXT NOT NULL DEFAULT '',
		last_update INTEGER NOT NULL DEFAULT 0,
		last_ok INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		updates INTEGER NOT NULL DEFAULT 0,
		errors INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE TABLE IF NOT EXISTS hunt_matches (
		store_id TEXT NOT NULL,
		feed TEXT NOT NULL,
		ref TEXT NOT NULL,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		msg_kind TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		received INTEGER NOT NULL DEFAULT 0,
		subject TEXT NOT NULL DEFAULT '',
		sender TEXT NOT NULL DEFAULT '',
		where_found TEXT NOT NULL DEFAULT '',
		found INTEGER NOT NULL,
		PRIMARY KEY (store_id, feed, ref)
	)`,
	`CREATE INDEX IF NOT EXISTS hunt_matches_found ON hunt_matches (found)`,
}

// OpenStore opens (creating) the store at path.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("feed: store: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("feed: store: %w", err)
	}
	db.SetMaxOpenConns(4)
	for _, q := range storeSchema {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("feed: store: %w", err)
		}
	}
	_ = os.Chmod(path, 0o600)
	return &Store{db: db}, nil
}

// StorePath is the store's file under the data directory.
func StorePath(dataDir string) string { return filepath.Join(dataDir, "feeds.db") }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Version changes whenever indicators change (readers reload on change).
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func bump(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (k, v) VALUES ('version', 1) ON CONFLICT (k) DO UPDATE SET v = meta.v + 1`)
	return err
}

type rowKey struct{ ref, kind, value string }

func objOf(ref string) string {
	if i := strings.LastIndexByte(ref, '#'); i > 0 {
		return ref[:i]
	}
	return ref
}

// Apply stores a batch for feed. full replaces every indicator of the
// feed (a list or bundle is the whole feed); otherwise the batch's STIX
// objects replace their previous versions and revoked ones are removed
// (TAXII increments). It returns the indicators that are new.
func (s *Store) Apply(ctx context.Context, feed string, b *Batch, full bool, now time.Time) ([]Indicator, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old := map[rowKey]int64{}
	load := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k rowKey
			var added int64
			if err := rows.Scan(&k.ref, &k.kind, &k.value, &added); err != nil {
				return err
			}
			old[k] = added
		}
		return rows.Err()
	}
	if full {
		if err := load(`SELECT ref, kind, value, added FROM indicators WHERE feed = ?`, feed); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM indicators WHERE feed = ?`, feed); err != nil {
			return nil, err
		}
	} else {
		for _, id := range append(append([]string(nil), b.Objects...), b.Revoked...) {
			if err := load(`SELECT ref, kind, value, added FROM indicators WHERE feed = ? AND obj = ?`, feed, id); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM indicators WHERE feed = ? AND obj = ?`, feed, id); err != nil {
				return nil, err
			}
		}
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO indicators (feed, obj, ref, kind, value, nterms, name, valid_from, valid_until, added)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var added []Indicator
	nowS := now.Unix()
	for _, ind := range b.Indicators {
		isNew := false
		for _, t := range ind.Terms {
			k := rowKey{ind.Ref, t.Kind, t.Value}
			at, ok := old[k]
			if !ok {
				at, isNew = nowS, true
			}
			if _, err := st.ExecContext(ctx, feed, objOf(ind.Ref), ind.Ref, t.Kind, t.Value, len(ind.Terms), ind.Name, ind.ValidFrom, ind.ValidUntil, at); err != nil {
				return nil, err
			}
		}
		if isNew {
			added = append(added, ind)
		}
	}
	if err := bump(ctx, tx); err != nil {
		return nil, err
	}
	return added, tx.Commit()
}

// Expire removes indicators past valid_until, and those of feed older than
// maxAge (when > 0). It returns how many rows went.
func (s *Store) Expire(ctx context.Context, feed string, maxAge time.Duration, now time.Time) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `DELETE FROM indicators WHERE feed = ? AND valid_until > 0 AND valid_until <= ?`, feed, now.Unix())
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	if maxAge > 0 {
		r, err := tx.ExecContext(ctx, `DELETE FROM indicators WHERE feed = ? AND added < ?`, feed, now.Add(-maxAge).Unix())
		if err != nil {
			return 0, err
		}
		m, _ := r.RowsAffected()
		n += m
	}
	if n > 0 {
		if err := bump(ctx, tx); err != nil {
			return 0, err
		}
	}
	return n, tx.Commit()
}

// Forget removes every indicator and the state of a feed no longer
// configured.
func (s *Store) Forget(ctx context.Context, feed string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM indicators WHERE feed = ?`, `DELETE FROM feed_state WHERE feed = ?`} {
		if _, err := tx.ExecContext(ctx, q, feed); err != nil {
			return err
		}
	}
	if err := bump(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Row is one stored indicator term.
type Row struct {
	Feed, Ref, Kind, Value, Name string
	NTerms                       int
	ValidFrom, ValidUntil, Added int64
}

// Each calls f for every indicator term not past valid_until at now.
func (s *Store) Each(ctx context.Context, now time.Time, f func(Row)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT feed, ref, kind, value, nterms, name, valid_from, valid_until, added FROM indicators
		WHERE valid_until = 0 OR valid_until > ? ORDER BY feed, ref`, now.Unix())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Feed, &r.Ref, &r.Kind, &r.Value, &r.NTerms, &r.Name, &r.ValidFrom, &r.ValidUntil, &r.Added); err != nil {
			return err
		}
		f(r)
	}
	return rows.Err()
}

// Indicators regroups stored rows (from Each) into indicators per feed.
func Indicators(rows []Row) map[string][]Indicator {
	out := map[string][]Indicator{}
	idx := map[[2]string]int{}
	for _, r := range rows {
		k := [2]string{r.Feed, r.Ref}
		i, ok := idx[k]
		if !ok {
			i = len(out[r.Feed])
			idx[k] = i
			out[r.Feed] = append(out[r.Feed], Indicator{Ref: r.Ref, Name: r.Name, ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil})
		}
		out[r.Feed][i].Terms = append(out[r.Feed][i].Terms, Term{r.Kind, r.Value})
	}
	return out
}

// State is one feed's update state.
type State struct {
	Feed       string
	Cursor     string // TAXII added_after
	LastUpdate time.Time
	LastOK     time.Time
	LastError  string
	Updates    int64
	Errors     int64
	Count      int64 // indicator terms stored
}

// States returns every feed's state with its indicator count.
func (s *Store) States(ctx context.Context) (map[string]State, error) {
	out := map[string]State{}
	rows, err := s.db.QueryContext(ctx, `SELECT feed, cursor, last_update, last_ok, last_error, updates, errors FROM feed_state`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st State
		var lu, lo int64
		if err := rows.Scan(&st.Feed, &st.Cursor, &lu, &lo, &st.LastError, &st.Updates, &st.Errors); err != nil {
			rows.Close()
			return nil, err
		}
		if lu > 0 {
			st.LastUpdate = time.Unix(lu, 0)
		}
		if lo > 0 {
			st.LastOK = time.Unix(lo, 0)
		}
		out[st.Feed] = st
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT feed, COUNT(*) FROM indicators GROUP BY feed`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var n int64
		if err := rows.Scan(&f, &n); err != nil {
			return nil, err
		}
		st := out[f]
		st.Feed, st.Count = f, n
		out[f] = st
	}
	return out, rows.Err()
}

// SaveState records the outcome of an update of feed.
func (s *Store) SaveState(ctx context.Context, feed, cursor string, now time.Time, updErr error) error {
	var msg string
	ok, fail := now.Unix(), int64(0)
	if updErr != nil {
		msg, ok, fail = updErr.Error(), 0, 1
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO feed_state (feed, cursor, last_update, last_ok, last_error, updates, errors)
		VALUES (?, ?, ?, ?, ?, 1, ?)
		ON CONFLICT (feed) DO UPDATE SET
			cursor = CASE WHEN excluded.cursor = '' THEN feed_state.cursor ELSE excluded.cursor END,
			last_update = excluded.last_update,
			last_ok = CASE WHEN excluded.last_ok = 0 THEN feed_state.last_ok ELSE excluded.last_ok END,
			last_error = excluded.last_error,
			updates = feed_state.updates + 1,
			errors = feed_state.errors + excluded.errors`, feed, cursor, now.Unix(), ok, msg, fail)
	return err
}

// Match is one retro-hunt finding: a stored message that carries an
// indicator.
type Match struct {
	StoreID   string    `json:"stored_id"` // quarantine/history record id
	MsgKind   string    `json:"kind"`      // "quarantine" or "history"
	MessageID string    `json:"message_id"`
	Received  time.Time `json:"received"`
	Subject   string    `json:"subject"`
	Sender    string    `json:"sender"`
	Feed      string    `json:"feed"`
	Ref       string    `json:"indicator_ref"`
	Kind      string    `json:"indicator_kind"`
	Value     string    `json:"indicator"`
	Where     string    `json:"where"`
	Found     time.Time `json:"found"`
}

// AddMatches records matches; ones already recorded are kept as they
// were. It returns the number new.
func (s *Store) AddMatches(ctx context.Context, ms []Match) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for _, m := range ms {
		r, err := tx.ExecContext(ctx, `INSERT INTO hunt_matches (store_id, feed, ref, kind, value, msg_kind, message_id, received, subject, sender, where_found, found)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			m.StoreID, m.Feed, m.Ref, m.Kind, m.Value, m.MsgKind, m.MessageID, m.Received.UnixMilli(), m.Subject, m.Sender, m.Where, m.Found.Unix())
		if err != nil {
			return 0, err
		}
		if k, _ := r.RowsAffected(); k > 0 {
			n++
		}
	}
	return n, tx.Commit()
}

// Matches returns recorded matches, newest first, found at or after since.
func (s *Store) Matches(ctx context.Context, since time.Time, limit int) ([]Match, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT store_id, feed, ref, kind, value, msg_kind, message_id, received, subject, sender, where_found, found
		FROM hunt_matches WHERE found >= ? ORDER BY found DESC, received DESC LIMIT ?`, since.Unix(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Match
	for rows.Next() {
		var m Match
		var rec, found int64
		if err := rows.Scan(&m.StoreID, &m.Feed, &m.Ref, &m.Kind, &m.Value, &m.MsgKind, &m.MessageID, &rec, &m.Subject, &m.Sender, &m.Where, &found); err != nil {
			return nil, err
		}
		m.Received, m.Found = time.UnixMilli(rec), time.Unix(found, 0)
		out = append(out, m)
	}
	return out, rows.Err()
}
