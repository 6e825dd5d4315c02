// Package quarantine keeps held messages and the history of recent scans,
// console accounts, sessions and an audit trail, in SQLite (default: one
// file under the data directory, pure Go) or PostgreSQL (larger sites).
//
// Both back ends share one schema and one set of queries: the SQL is
// written once with "?" placeholders and rewritten to "$n" for PostgreSQL;
// the only dialect differences are the binary column type and the
// connection set-up. Messages are stored whole, compressed with S2 (zstd
// in rows of earlier releases).
//
// Recording the history never slows a scan down: Record copies what it
// needs and hands it to one writer goroutine that inserts in batches; when
// the queue is full the scan is counted as dropped, not waited for.
package quarantine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/klauspost/compress/zstd"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/migrate"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Errors.
var (
	ErrNotFound = errors.New("quarantine: not found")
	ErrDisabled = errors.New("quarantine: the quarantine is disabled (quarantine.enabled = false)")
	ErrNoRaw    = errors.New("quarantine: the original message was not kept (too large for the history)")
	ErrReleased = errors.New("quarantine: already released")
	ErrNotHeld  = errors.New("quarantine: only quarantined messages can be released")
	ErrTooLarge = errors.New("quarantine: stored message exceeds the decompression limit")
)

// Kinds of stored message.
const (
	KindQuarantine = "quarantine"
	KindHistory    = "history"
)

// maxDecoded bounds decompression of a stored message.
const maxDecoded = 256 << 20

// Store is the quarantine and scan history.
type Store struct {
	cfg     *config.Config
	log     *slog.Logger
	db      *sql.DB
	dialect string // "sqlite" or "postgres"

	dec *zstd.Decoder // rows of earlier releases (raw_codec "zstd")

	q       chan any
	kick    chan struct{} // wakes the writer during its batch window (kickWriter)
	batched atomic.Int32  // rows in the writer's batch while its window runs
	dropped atomic.Uint64
	written atomic.Uint64
	closing chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	closed  atomic.Bool

	acc *accounts.Store // console accounts, sessions, audit: same database

	st           *statements   // prepared at Open
	wsem         chan struct{} // this process's SQLite write transactions (lockWrite): a lock a waiter can give up on
	holdsWaiting atomic.Int32  // holds waiting for wsem
	holds        holdGroup     // SQLite holds waiting to be written (group commit)
	dbPath       string        // the SQLite file ("" on PostgreSQL)
	lastCkpt     time.Time     // the writer's last WAL checkpoint
	held         chan struct{}
	// holdsUnchecked counts committed holds (wrote): every
	// holdsPerCheck-th tells the writer to look at the WAL.
	holdsUnchecked atomic.Uint32

	// texts are the keys of the descriptions in sym_text (desctext.go).
	texts knownTexts

	// heldRows are history ids of held scans whose row a Hold has
	// committed (see heldRows.go).
	heldRows heldRows

	// Now is the clock (tests move it).
	Now func() time.Time
}

// Accounts returns the console's accounts, sessions and audit trail,
// kept in the same database.
func (s *Store) Accounts() *accounts.Store { return s.acc }

var (
	_ pipeline.Quarantine = (*Store)(nil)
	_ pipeline.Recorder   = (*Store)(nil)
)

// Open opens the store configured in cfg, creates the schema when needed,
// and starts the history writer and the expiry job.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	qc := cfg.Quarantine
	s := &Store{cfg: cfg, log: log.With("component", "quarantine"), closing: make(chan struct{}), Now: time.Now,
		wsem: make(chan struct{}, 1), texts: newKnownTexts()}
	var err error
	switch qc.Driver {
	case "postgres":
		s.dialect = "postgres"
		s.db, err = sql.Open("pgx", qc.DSN)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(4)
		}
	case "sqlite", "":
		s.dialect = "sqlite"
		path := qc.Path
		if path == "" {
			path = "quarantine.db"
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.General.DataDir, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("quarantine: %w", err)
		}
		s.dbPath = path
		dsn := sqliteDSN(path)
		s.db, err = sql.Open("sqlite", dsn)
		if err == nil {
			// One writer at a time is what SQLite allows anyway; a few
			// connections let the console read while the writer writes.
			s.db.SetMaxOpenConns(4)
		}
	default:
		return nil, fmt.Errorf("quarantine: unknown driver %q", qc.Driver)
	}
	if err != nil {
		return nil, fmt.Errorf("quarantine: open %s: %w", s.dialect, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.db.PingContext(pctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("quarantine: connect %s: %w", s.dialect, err)
	}
	if s.dialect == "sqlite" {
		if p := qc.Path; p != "" {
			_ = os.Chmod(sqlitePath(cfg), 0o600)
		}
	}
	if err := s.migrate(pctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.prepareStatements(pctx); err != nil {
		s.st.close()
		s.db.Close()
		return nil, err
	}
	s.acc = accounts.New(s.db, s.dialect, func() time.Time { return s.Now() })
	s.dec, _ = zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxDecoded), zstd.WithDecoderConcurrency(2))
	qn := qc.HistoryQueue
	if qn <= 0 {
		qn = 10000
	}
	s.q = make(chan any, qn)
	s.kick = make(chan struct{}, 1)
	s.held = make(chan struct{}, 1)
	s.wg.Add(2)
	go s.writer()
	go s.expirer()
	return s, nil
}

func sqlitePath(cfg *config.Config) string {
	p := cfg.Quarantine.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(cfg.General.DataDir, p)
	}
	return p
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// DB returns the database handle (tests, tools).
func (s *Store) DB() *sql.DB { return s.db }

// Close stops the background jobs after writing what is queued, and closes
// the database.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.closing)
		s.wg.Wait()
		if s.dec != nil {
			s.dec.Close()
		}
		s.st.close()
		err = s.db.Close()
	})
	return err
}

// rebind rewrites "?" placeholders for the dialect. The SQL in this package
// never has "?" inside string literals.
func (s *Store) rebind(q string) string {
	if s.dialect != "postgres" {
		return q
	}
	var sb strings.Builder
	sb.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.rebind(q), args...)
}

type txer struct {
	s  *Store
	tx *sql.Tx
}

func (t txer) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, t.s.rebind(q), args...)
	return err
}

// schema is shared by both dialects; {blob} is the binary column type.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta (
		k TEXT PRIMARY KEY,
		v TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE TABLE IF NOT EXISTS messages (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		scan_id TEXT NOT NULL DEFAULT '',
		received_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL,
		frontend TEXT NOT NULL DEFAULT '',
		client_ip TEXT NOT NULL DEFAULT '',
		client_host TEXT NOT NULL DEFAULT '',
		helo TEXT NOT NULL DEFAULT '',
		mail_from TEXT NOT NULL DEFAULT '',
		rcpts TEXT NOT NULL DEFAULT '',
		queue_id TEXT NOT NULL DEFAULT '',
		auth_user TEXT NOT NULL DEFAULT '',
		outbound INTEGER NOT NULL DEFAULT 0,
		subject TEXT NOT NULL DEFAULT '',
		from_addr TEXT NOT NULL DEFAULT '',
		from_name TEXT NOT NULL DEFAULT '',
		to_addrs TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		size BIGINT NOT NULL DEFAULT 0,
		action TEXT NOT NULL DEFAULT '',
		category TEXT NOT NULL DEFAULT '',
		score DOUBLE PRECISION NOT NULL DEFAULT 0,
		duration_us BIGINT NOT NULL DEFAULT 0,
		verdict TEXT NOT NULL DEFAULT '',
		urls TEXT NOT NULL DEFAULT '',
		attachments TEXT NOT NULL DEFAULT '',
		raw {blob},
		raw_codec TEXT NOT NULL DEFAULT '',
		stored_bytes BIGINT NOT NULL DEFAULT 0,
		released_at BIGINT NOT NULL DEFAULT 0,
		released_by TEXT NOT NULL DEFAULT '',
		release_to TEXT NOT NULL DEFAULT '',
		learned TEXT NOT NULL DEFAULT '',
		learned_by TEXT NOT NULL DEFAULT '',
		learned_at BIGINT NOT NULL DEFAULT 0
	)`,
	`CREATE INDEX IF NOT EXISTS messages_kind_time ON messages (kind, received_at)`,
	`CREATE INDEX IF NOT EXISTS messages_expires ON messages (expires_at)`,
	`CREATE INDEX IF NOT EXISTS messages_scan ON messages (scan_id)`,
	`CREATE TABLE IF NOT EXISTS msg_rcpt (
		msg_id TEXT NOT NULL,
		addr TEXT NOT NULL,
		PRIMARY KEY (msg_id, addr)
	)`,
	`CREATE INDEX IF NOT EXISTS msg_rcpt_addr ON msg_rcpt (addr)`,
	`CREATE TABLE IF NOT EXISTS msg_symbol (
		msg_id TEXT NOT NULL,
		name TEXT NOT NULL,
		score DOUBLE PRECISION NOT NULL DEFAULT 0,
		PRIMARY KEY (msg_id, name)
	)`,
	`CREATE INDEX IF NOT EXISTS msg_symbol_name ON msg_symbol (name)`,
	`CREATE TABLE IF NOT EXISTS msg_hash (
		msg_id TEXT NOT NULL,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY (msg_id, kind, value)
	)`,
	`CREATE INDEX IF NOT EXISTS msg_hash_value ON msg_hash (value)`,
}

// Migrations of the quarantine database (messages, history, console
// accounts): version 1 is the schema of the first release, frozen; later
// shapes are new steps, never edits of old ones.
var Migrations = []migrate.Step{
	{Version: 1, Name: "first release: messages, recipients, symbols, hashes, accounts, sessions, audit",
		SQL: append(append([]string(nil), schema...), accounts.Schema...)},
	{Version: 2, Name: "versions in schema_version; meta.schema follows, so releases before migrations refuse newer databases",
		Func: func(ctx context.Context, tx *sql.Tx, dialect string) error {
			_, err := tx.ExecContext(ctx, migrate.Rebind(dialect, `DELETE FROM meta WHERE k = ?`), "schema")
			return err
		}},
	// Version 3: a message's symbols are a column of its row (" NAME1
	// NAME2 ", found with instr/strpos of " NAME "), not one msg_symbol
	// row each plus an index entry; msg_hash keeps attachment hashes and
	// the retry key, not the links' (those are in the urls column). Rows
	// written before keep their msg_symbol and msg_hash rows, and the
	// queries look in both places: nothing is rewritten at start.
	{Version: 3, Name: "symbols in a column of messages; msg_symbol's name index dropped; msg_hash without link hashes",
		SQL: []string{
			`ALTER TABLE messages ADD COLUMN symbols TEXT NOT NULL DEFAULT ''`,
			`DROP INDEX IF EXISTS msg_symbol_name`,
		}},
	// Version 4: symbols' descriptions stored once, under a hash of the
	// pair (desctext.go); the verdict column of new rows names them by
	// key. Rows written before keep their texts and are not rewritten.
	{Version: 4, Name: "symbol descriptions in sym_text, named by key in the verdict column",
		SQL: []string{
			`CREATE TABLE IF NOT EXISTS sym_text (
				id TEXT PRIMARY KEY,
				en TEXT NOT NULL,
				ja TEXT NOT NULL
			)`,
		}},
	// Version 5: fewer index entries per row. The scan id index keeps
	// held messages only (ByScanIDs, the one query by scan id, asks for
	// kind 'quarantine'): a history row no longer adds an entry. On
	// SQLite msg_rcpt's addr index goes: no query there searches it
	// (a recipient is looked up per message, through the primary key
	// (msg_id, addr); TestRcptQueriesSkipAddrIndex), and each recipient
	// of each row added an entry at a random place in it — a page of
	// the WAL per recipient and row. PostgreSQL's planner can start a
	// restricted list from it, so it stays there. Over the SA test
	// corpus written as BenchmarkStoreCorpus does (every ninth message
	// held): WAL frames per message 5.12 → 4.27 (TestWALFramesCorpus),
	// instructions per message 364.4 K → 335.1 K, SQLite's part of them
	// 175.9 K → 148.5 K (callgrind, SEKISHO_BENCH_NOWINDOW).
	{Version: 5, Name: "scan id index of held messages only; msg_rcpt's addr index dropped on SQLite",
		SQL: []string{
			`DROP INDEX IF EXISTS messages_scan`,
			`CREATE INDEX IF NOT EXISTS messages_scan_held ON messages (scan_id) WHERE kind = 'quarantine'`,
		},
		Func: func(ctx context.Context, tx *sql.Tx, dialect string) error {
			if dialect != "sqlite" {
				return nil
			}
			_, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS msg_rcpt_addr`)
			return err
		}},
}

// legacyVersion is what the first release wrote in meta (k = "schema").
const legacyVersion = "1"

// migrateLockKey is the PostgreSQL advisory lock several instances
// starting together take around the schema set-up: concurrent CREATE
// TABLE IF NOT EXISTS can fail on PostgreSQL's catalog.
const migrateLockKey = 0x53454b4953484f // "SEKISHO"

type migrator interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) migrate(ctx context.Context) error {
	// A database of the first release has meta.schema = "1" and no
	// schema_version: its tables are version 1's (CREATE ... IF NOT
	// EXISTS makes step 1 a no-op there).
	var v string
	err := s.queryRow(ctx, `SELECT v FROM meta WHERE k = ?`, "schema").Scan(&v)
	if err == nil && v != legacyVersion {
		if n, _ := strconv.Atoi(v); n > len(Migrations) {
			return fmt.Errorf("quarantine: %w: database schema version %s, this sekisho knows up to %d", migrate.ErrTooNew, v, len(Migrations))
		}
	}
	res, err := migrate.Apply(ctx, s.db, s.dialect, "quarantine", Migrations)
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	switch {
	case res.From == 0:
		s.log.Debug("database schema created", "version", res.To)
	case res.From != res.To:
		s.log.Info("database schema migrated", "from", res.From, "to", res.To)
	}
	// meta.schema mirrors the version: a release from before migrations
	// reads it and refuses a database it does not know, instead of
	// writing to it.
	if _, err := s.exec(ctx, `INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, "schema", strconv.Itoa(res.To)); err != nil {
		return fmt.Errorf("quarantine: schema version: %w", err)
	}
	return nil
}

// IDLen is the length of the ids this release gives stored messages.
// Ids of earlier releases (24 hex characters, random) stay valid:
// nothing but the database looks inside an id.
const IDLen = 32

// newID returns a message id made at t: 32 lower-case hex characters,
// the time in milliseconds since 1970 (6 bytes, big-endian) and then 10
// random bytes (80 bits: unguessable). Ids made later sort after ids
// made earlier, so new rows and their index entries are appended to the
// end of the primary-key B-trees instead of landing on random pages.
func newID(t time.Time) string {
	var b [16]byte
	putIDTime(&b, t)
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

// makeID makes the ids of new rows (a test compares with random ids).
var makeID = newID

// putIDTime writes the id's time prefix: milliseconds since 1970, 48
// bits (enough until the year 10889); 0 before 1970.
func putIDTime(b *[16]byte, t time.Time) {
	v := uint64(max(t.UnixMilli(), 0))
	for i := 5; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

// IDTime returns the time an id of this release was made (to the
// millisecond); false for ids of earlier releases and other strings.
func IDTime(id string) (time.Time, bool) {
	if len(id) != IDLen {
		return time.Time{}, false
	}
	var v int64
	for i := 0; i < len(id); i++ {
		c := id[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		default:
			return time.Time{}, false
		}
		if i < 12 {
			v = v<<4 | int64(d)
		}
	}
	return time.UnixMilli(v), true
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// Stats about the background writer.
type WriterStats struct {
	Written, Dropped uint64
	Queued           int
}

// WriterStats reports the history writer's counters.
func (s *Store) WriterStats() WriterStats {
	return WriterStats{Written: s.written.Load(), Dropped: s.dropped.Load(), Queued: len(s.q)}
}
