// Package contacts is sekisho's correspondence history: which sender
// addresses and domains have written to (or been written to by) each
// local recipient, and which message ids each recipient has seen, so the
// sender analyzer can tell a first contact and a reply to a thread the
// recipient never had. It is an SQLite file (modernc.org/sqlite, no cgo)
// under the data directory.
package contacts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/sekisho/sekisho/internal/store/migrate"
)

// Store is the history. Safe for concurrent use.
type Store struct {
	db *sql.DB
	// Statements prepared once at open: the sender analyzer asks on
	// every message and the observer learns on every delivered one, and
	// preparing per call was a fifth of the daemon's CPU.
	known, thread                 *sql.Stmt
	learnPair, learnRcpt, learnID *sql.Stmt

	key string
	sh  *shared // the file's queued learning, shared in the process
	// turn is a Reader's one connection, taken by each lookup (nil on a
	// writing Store): see lookupCtx.
	turn chan struct{}
	q    *queue // this Store's queue (nil when read-only)

	kick     chan struct{}
	syncs    chan chan struct{}
	stop     chan struct{}
	done     chan struct{} // the writer goroutine ended
	stopping bool          // under sh.mu
	once     sync.Once
}

const (
	knownSQL = `SELECT COALESCE((SELECT count FROM rcpts WHERE rcpt = ?1), 0),
	EXISTS (SELECT 1 FROM pairs WHERE rcpt = ?1 AND peer = ?2),
	EXISTS (SELECT 1 FROM pairs WHERE rcpt = ?1 AND domain = ?3)`
	threadSQL = `SELECT peer FROM msgids WHERE rcpt = ? AND msgid = ?`
	// A queued batch has one row per pair and recipient with how many
	// times it was learned.
	learnPairSQL = `INSERT INTO pairs (rcpt, peer, domain, first, last, count) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (rcpt, peer) DO UPDATE SET last = excluded.last, count = count + excluded.count`
	learnRcptSQL = `INSERT INTO rcpts (rcpt, count) VALUES (?, ?) ON CONFLICT (rcpt) DO UPDATE SET count = count + excluded.count`
	learnIDSQL   = `INSERT INTO msgids (rcpt, msgid, peer, seen) VALUES (?, ?, ?, ?)
			ON CONFLICT (rcpt, msgid) DO UPDATE SET seen = excluded.seen`
)

// prepare prepares the statements of the hot paths (the write ones only
// on a writable handle).
func (s *Store) prepare(write bool) error {
	var err error
	if s.known, err = s.db.Prepare(knownSQL); err != nil {
		return err
	}
	if s.thread, err = s.db.Prepare(threadSQL); err != nil {
		return err
	}
	if !write {
		return nil
	}
	if s.learnPair, err = s.db.Prepare(learnPairSQL); err != nil {
		return err
	}
	if s.learnRcpt, err = s.db.Prepare(learnRcptSQL); err != nil {
		return err
	}
	s.learnID, err = s.db.Prepare(learnIDSQL)
	return err
}

// Migrations of the file: version 1 is the first release's schema, frozen.
var Migrations = []migrate.Step{{Version: 1, Name: "first release: sender-recipient pairs, message ids, recipients", SQL: []string{schema}}}

const schema = `
CREATE TABLE IF NOT EXISTS pairs (
	rcpt   TEXT NOT NULL,
	peer   TEXT NOT NULL,
	domain TEXT NOT NULL,
	first  INTEGER NOT NULL,
	last   INTEGER NOT NULL,
	count  INTEGER NOT NULL,
	PRIMARY KEY (rcpt, peer)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pairs_domain ON pairs (rcpt, domain);
CREATE TABLE IF NOT EXISTS msgids (
	rcpt  TEXT NOT NULL,
	msgid TEXT NOT NULL,
	peer  TEXT NOT NULL,
	seen  INTEGER NOT NULL,
	PRIMARY KEY (rcpt, msgid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rcpts (
	rcpt  TEXT PRIMARY KEY,
	count INTEGER NOT NULL
) WITHOUT ROWID;
`

// Reader is the read side of the history: all the sender analyzer gets
// (internal/archtest holds analyzers to it). What is learned is written
// by the observer of the verdict (internal/observe) and by 'learn'.
type Reader interface {
	// Known looks up a pair.
	Known(ctx context.Context, rcpt, sender string) (Knowledge, error)
	// KnownMin is Known for a caller that reads AddrSeen and DomainSeen
	// only when RcptHistory is at least min: below that, the answer may
	// be the recipient's count alone (AddrSeen and DomainSeen false).
	KnownMin(ctx context.Context, rcpt, sender string, min int) (Knowledge, error)
	// Thread looks up message ids for a recipient.
	Thread(ctx context.Context, rcpt string, ids []string) (Thread, error)
	Close() error
}

var _ Reader = (*Store)(nil)

const dsnPragmas = "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"

// Open opens (creating) the history file.
// The file holds who writes to whom: it is created readable by sekisho
// alone (0600; SQLite gives its -wal and -shm files the same mode).
func Open(path string) (*Store, error) {
	return open(path, dsnPragmas)
}

// OpenReader opens the history file for reading only (creating it when
// missing): SQLite refuses any write on the handle (PRAGMA query_only).
func OpenReader(path string) (Reader, error) {
	st, err := Open(path) // creates the file and schema
	if err != nil {
		return nil, err
	}
	st.Close()
	return open(path, dsnPragmas+"&_pragma=query_only(1)")
}

func open(path, pragmas string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	db.SetMaxOpenConns(1)
	if strings.Contains(pragmas, "query_only") {
		if err := db.Ping(); err != nil {
			db.Close()
			return nil, fmt.Errorf("contacts: %w", err)
		}
		st := &Store{db: db, turn: make(chan struct{}, 1)}
		if err := st.prepare(false); err != nil {
			db.Close()
			return nil, fmt.Errorf("contacts: %w", err)
		}
		st.key = fileKey(path)
		st.sh = acquire(st.key)
		return st, nil
	}
	if _, err := migrate.Apply(context.Background(), db, "sqlite", "contacts", Migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("contacts: %w", err)
	}
	st := &Store{db: db}
	if err := st.prepare(true); err != nil {
		db.Close()
		return nil, fmt.Errorf("contacts: %w", err)
	}
	st.key = fileKey(path)
	st.sh = acquire(st.key)
	st.q = &queue{cur: newBatch()}
	st.kick, st.syncs = make(chan struct{}, 1), make(chan chan struct{})
	st.stop, st.done = make(chan struct{}), make(chan struct{})
	st.sh.mu.Lock()
	st.sh.queues = append(st.sh.queues, st.q)
	st.sh.mu.Unlock()
	go st.writer()
	return st, nil
}

// Close writes what is queued and closes the file.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		if s.q != nil {
			close(s.stop)
			<-s.done
			s.sh.mu.Lock()
			for i, q := range s.sh.queues {
				if q == s.q {
					s.sh.queues = append(s.sh.queues[:i], s.sh.queues[i+1:]...)
					break
				}
			}
			qerr := s.q.err
			s.sh.mu.Unlock()
			if qerr != nil {
				err = fmt.Errorf("contacts: writing queued learning: %w", qerr)
			}
		}
		if s.sh != nil {
			release(s.key, s.sh)
		}
		if cerr := s.db.Close(); err == nil {
			err = cerr
		}
	})
	return err
}

func norm(a string) string {
	a = strings.ToLower(strings.TrimSpace(strings.Trim(a, "<> ")))
	if len(a) > 320 {
		a = a[:320]
	}
	return a
}

func domainOf(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[i+1:]
	}
	return a
}

// Knowledge is what the history says about a sender and a recipient.
type Knowledge struct {
	AddrSeen    bool // this address wrote to (or was written to by) the recipient
	DomainSeen  bool // some address of the domain did
	RcptHistory int  // messages recorded for the recipient
}

// Known looks up a pair.
func (s *Store) Known(ctx context.Context, rcpt, sender string) (Knowledge, error) {
	return s.lookupKnown(ctx, rcpt, sender, 0)
}

// KnownMin is Known, but a recipient whose count the cache holds and
// which is below min (with what is queued) is answered from that count
// alone: no round trip to the file for a pair whose answer the caller
// does not read. The count is as fresh as a cached Known answer is, so
// it can differ from what Known answers at the same moment for a pair
// the cache does not hold (Known reads the file): within knownCacheTTL of
// learning written by another process, the count lacks that learning;
// while a batch is being written, Known may count it twice and KnownMin
// does not. Either can move a count across min.
func (s *Store) KnownMin(ctx context.Context, rcpt, sender string, min int) (Knowledge, error) {
	return s.lookupKnown(ctx, rcpt, sender, min)
}

func (s *Store) lookupKnown(ctx context.Context, rcpt, sender string, min int) (Knowledge, error) {
	rcpt, sender = norm(rcpt), norm(sender)
	var k Knowledge
	var addr, domain bool
	// What is queued first, then the file: an entry written in between
	// is counted twice rather than missed.
	dom := domainOf(sender)
	sh := s.sh
	sh.mu.Lock()
	n, qaddr, qdomain := sh.queued(rcpt, sender, dom)
	fn, faddr, fdom, hit, gen := sh.cache.lookup(rcpt, sender, dom)
	if !hit && min > 0 {
		if c, ok := sh.cache.rcpts[rcpt]; ok && c+n < min {
			sh.mu.Unlock()
			if c+n == 0 {
				return Knowledge{}, nil
			}
			return Knowledge{RcptHistory: c + n}, nil
		}
	}
	sh.mu.Unlock()
	if hit {
		k.RcptHistory, addr, domain = fn, faddr, fdom
	} else {
		// One statement, one round trip: the recipient's count, the
		// address and the domain.
		qctx, held, err := s.lookupCtx(ctx)
		if err != nil {
			return Knowledge{}, fmt.Errorf("contacts: %w", err)
		}
		err = s.known.QueryRowContext(qctx, rcpt, sender, dom).Scan(&k.RcptHistory, &addr, &domain)
		s.leave(held)
		if err != nil {
			return Knowledge{}, fmt.Errorf("contacts: %w", err)
		}
		sh.mu.Lock()
		// Not while a batch is being written: the file may already hold
		// it while it is still counted as queued, and committed() would
		// add it to the cached count a second time.
		if !sh.inFlight() {
			sh.cache.store(gen, rcpt, sender, dom, k.RcptHistory, addr, domain)
		}
		sh.mu.Unlock()
	}
	k.RcptHistory += n
	addr, domain = addr || qaddr, domain || qdomain
	if k.RcptHistory == 0 {
		return Knowledge{}, nil // nothing recorded for this recipient
	}
	k.AddrSeen = addr
	k.DomainSeen = addr || domain
	return k, nil
}

// Learn records that peer and rcpt corresponded (in either direction)
// in a message with id msgID ("" when unknown). It queues (see
// learnWindow): reads of the process see the entry at once, the file
// within the window. An error is that of an earlier queued write.
func (s *Store) Learn(ctx context.Context, rcpt, peer, msgID string, at time.Time) error {
	rcpt, peer = norm(rcpt), norm(peer)
	if rcpt == "" || peer == "" {
		return nil
	}
	if s.q == nil {
		return errors.New("contacts: store opened read-only")
	}
	id := strings.Trim(strings.TrimSpace(msgID), "<>")
	if len(id) > 998 {
		id = ""
	}
	return s.enqueue(ctx, rcpt, peer, id, at.Unix())
}

// Thread tells what the recipient's history knows of the referenced
// message ids: how many are known and with which correspondents.
type Thread struct {
	Known int
	Peers []string // distinct correspondents of the known ids
}

// noCancel is ctx for a point lookup in the file, with its end checked
// before the lookup instead of watched during it. Given a context that
// can end, database/sql starts a goroutine per query to close its rows
// and modernc.org/sqlite another to interrupt the statement: two
// goroutine starts (each may wake an idle processor: futex calls and a
// spinning thread) for a lookup of a few microseconds, on every message
// the sender analyzer asks about. An ended ctx gives the error it gave
// before (database/sql returns ctx.Err() before running anything, and
// Scan reports it); a lookup already running when ctx ends is no longer
// interrupted: it ends by itself (a read in WAL mode waits on a lock at
// most busy_timeout, 5 s), and the engine does not wait for an analyzer
// past the scan's deadline.
//
// It does not ask for ctx.Done: the engine's stage context makes its
// channel only when asked.
func noCancel(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx // ended: database/sql answers ctx.Err() at once
	}
	return context.WithoutCancel(ctx)
}

// lookupCtx is the context of one lookup in the file. On a Reader it
// takes the Reader's one connection (SetMaxOpenConns(1)), whose only
// users are its lookups: at once when no other lookup holds it, else
// waiting for it or for ctx's end (ctx.Err(), as database/sql's wait for
// the connection gave when it had ctx), and the lookup then runs with
// noCancel(ctx): database/sql finds the connection free and never waits
// for it without ctx. held says the connection was taken (leave gives it
// back). A writing Store's connection is held by its writer's
// transactions too (up to a minute): its lookups keep ctx.
func (s *Store) lookupCtx(ctx context.Context) (qctx context.Context, held bool, err error) {
	if s.turn == nil {
		return ctx, false, nil
	}
	select {
	case s.turn <- struct{}{}:
		return noCancel(ctx), true, nil
	default:
	}
	select {
	case s.turn <- struct{}{}:
		return noCancel(ctx), true, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// leave gives back the connection lookupCtx took.
func (s *Store) leave(held bool) {
	if held {
		<-s.turn
	}
}

// Thread looks up message ids (References, In-Reply-To) for a recipient.
func (s *Store) Thread(ctx context.Context, rcpt string, ids []string) (Thread, error) {
	rcpt = norm(rcpt)
	var th Thread
	seen := map[string]bool{}
	if len(ids) > 50 {
		ids = ids[:50]
	}
	clean := make([]string, 0, len(ids))
	for _, id := range ids {
		clean = append(clean, strings.Trim(strings.TrimSpace(id), "<>"))
	}
	queued := s.sh.peers(rcpt, clean) // before the file, as in Known
	for _, id := range clean {
		if id == "" {
			continue
		}
		qctx, held, err := s.lookupCtx(ctx)
		if err != nil {
			return th, fmt.Errorf("contacts: %w", err)
		}
		var peer string
		err = s.thread.QueryRowContext(qctx, rcpt, id).Scan(&peer)
		s.leave(held)
		if errors.Is(err, sql.ErrNoRows) {
			p, ok := queued[id]
			if !ok {
				continue
			}
			peer, err = p, nil
		}
		if err != nil {
			return th, fmt.Errorf("contacts: %w", err)
		}
		th.Known++
		if !seen[peer] {
			seen[peer] = true
			th.Peers = append(th.Peers, peer)
		}
	}
	return th, nil
}

// Prune forgets pairs and ids not seen since before.
func (s *Store) Prune(ctx context.Context, before time.Time) error {
	if err := s.sync(ctx); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	ts := before.Unix()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM pairs WHERE last < ?`, ts); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM msgids WHERE seen < ?`, ts); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	s.sh.mu.Lock()
	s.sh.cache.reset(s.sh.cache.clock()) // pairs were forgotten
	s.sh.mu.Unlock()
	return nil
}
