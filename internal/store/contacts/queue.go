package contacts

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Learning is queued: Learn adds to an in-memory batch that a goroutine
// of the writing Store writes in one transaction once learnWindow has
// passed since the batch's first entry or learnMax entries wait,
// whichever comes first (Close and Prune write at once). Every Store of
// the process open on the same file — the sender analyzer's read-only
// handle too — sees queued entries at once. A crash loses at most the
// window's learning: the next messages of those correspondents teach it
// again.
const (
	learnWindow = 100 * time.Millisecond
	learnMax    = 1000
	// learnBacklog bounds what waits while a batch is being written:
	// beyond it Learn waits for the writer (as it did when it wrote).
	learnBacklog = 10 * learnMax
)

type pairKey struct{ a, b string }

type pairRow struct {
	domain      string
	first, last int64
	count       int
}

type idRow struct {
	peer string
	seen int64
}

// batch is learning not yet committed, aggregated: one row per pair,
// recipient and message id, as the upserts of each entry in turn would
// leave them.
type batch struct {
	n     int // Learn calls
	pairs map[pairKey]*pairRow
	doms  map[pairKey]int // rcpt, domain
	rcpts map[string]int
	ids   map[pairKey]*idRow // rcpt, message id
}

func newBatch() *batch {
	return &batch{pairs: map[pairKey]*pairRow{}, doms: map[pairKey]int{}, rcpts: map[string]int{}, ids: map[pairKey]*idRow{}}
}

func (b *batch) add(rcpt, peer, id string, ts int64) {
	b.n++
	dom := domainOf(peer)
	if p := b.pairs[pairKey{rcpt, peer}]; p != nil {
		p.last = ts
		p.count++
	} else {
		b.pairs[pairKey{rcpt, peer}] = &pairRow{domain: dom, first: ts, last: ts, count: 1}
	}
	b.doms[pairKey{rcpt, dom}]++
	b.rcpts[rcpt]++
	if id != "" {
		if r := b.ids[pairKey{rcpt, id}]; r != nil {
			r.seen = ts // the first peer stays, as ON CONFLICT leaves it
		} else {
			b.ids[pairKey{rcpt, id}] = &idRow{peer: peer, seen: ts}
		}
	}
}

// queue is a writing Store's learning: the batch being filled and the
// one being written (nil when none).
type queue struct {
	cur, writing *batch
	err          error // the last failed write, reported by the next Learn
}

// shared is what the Stores of one file in this process share: the
// writers' queues, under mu.
type shared struct {
	mu     sync.Mutex
	cond   *sync.Cond // a batch was taken or written
	queues []*queue
	refs   int
	cache  knownCache // the file's answers to Known (cache.go)
}

var files = struct {
	sync.Mutex
	m map[string]*shared
}{m: map[string]*shared{}}

func fileKey(path string) string {
	if p, err := filepath.Abs(path); err == nil {
		return filepath.Clean(p)
	}
	return path
}

func acquire(key string) *shared {
	files.Lock()
	defer files.Unlock()
	sh := files.m[key]
	if sh == nil {
		sh = &shared{}
		sh.cond = sync.NewCond(&sh.mu)
		files.m[key] = sh
	}
	sh.refs++
	return sh
}

func release(key string, sh *shared) {
	files.Lock()
	defer files.Unlock()
	if sh.refs--; sh.refs == 0 && files.m[key] == sh {
		delete(files.m, key)
	}
}

// pending is what the queues of the file hold for a recipient and a
// correspondent.
func (sh *shared) known(rcpt, sender, domain string) (count int, addr, dom bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.queued(rcpt, sender, domain)
}

// inFlight reports a batch being written to the file (under sh.mu).
func (sh *shared) inFlight() bool {
	for _, q := range sh.queues {
		if q.writing != nil {
			return true
		}
	}
	return false
}

// queued is known under sh.mu.
func (sh *shared) queued(rcpt, sender, domain string) (count int, addr, dom bool) {
	for _, q := range sh.queues {
		for _, b := range [2]*batch{q.cur, q.writing} {
			if b == nil || b.n == 0 {
				continue
			}
			count += b.rcpts[rcpt]
			addr = addr || b.pairs[pairKey{rcpt, sender}] != nil
			dom = dom || b.doms[pairKey{rcpt, domain}] > 0
		}
	}
	return count, addr, dom
}

// peers returns the queued correspondents of message ids (nil when
// nothing is queued).
func (sh *shared) peers(rcpt string, ids []string) map[string]string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var out map[string]string
	for _, q := range sh.queues {
		for _, b := range [2]*batch{q.cur, q.writing} {
			if b == nil || len(b.ids) == 0 {
				continue
			}
			for _, id := range ids {
				if r := b.ids[pairKey{rcpt, id}]; r != nil {
					if out == nil {
						out = map[string]string{}
					}
					if _, ok := out[id]; !ok {
						out[id] = r.peer
					}
				}
			}
		}
	}
	return out
}

// enqueue adds one Learn to the Store's queue. With the backlog full it
// waits for the writer, or until ctx ends (the entry is then not queued).
func (s *Store) enqueue(ctx context.Context, rcpt, peer, id string, ts int64) error {
	sh, q := s.sh, s.q
	sh.mu.Lock()
	if q.cur.n >= learnBacklog && !s.stopping {
		stop := context.AfterFunc(ctx, func() {
			sh.mu.Lock()
			sh.cond.Broadcast()
			sh.mu.Unlock()
		})
		for q.cur.n >= learnBacklog && !s.stopping && ctx.Err() == nil {
			s.kickNow()
			sh.cond.Wait()
		}
		stop()
		if err := ctx.Err(); err != nil && !s.stopping && q.cur.n >= learnBacklog {
			sh.mu.Unlock()
			return fmt.Errorf("contacts: waiting for the writer: %w", err)
		}
	}
	if s.stopping {
		sh.mu.Unlock()
		return errors.New("contacts: store closed")
	}
	err := q.err
	q.err = nil
	q.cur.add(rcpt, peer, id, ts)
	n := q.cur.n
	sh.mu.Unlock()
	if n == 1 || n >= learnMax {
		s.kickNow()
	}
	if err != nil {
		return fmt.Errorf("contacts: writing queued learning: %w", err)
	}
	return nil
}

func (s *Store) kickNow() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// sync writes everything queued so far.
func (s *Store) sync(ctx context.Context) error {
	if s.q == nil {
		return nil
	}
	done := make(chan struct{})
	select {
	case s.syncs <- done:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.sh.mu.Lock()
	err := s.q.err
	s.q.err = nil
	s.sh.mu.Unlock()
	return err
}

// writer is the writing Store's goroutine.
func (s *Store) writer() {
	defer close(s.done)
	window := time.NewTimer(time.Hour)
	window.Stop()
	armed := false
	for {
		select {
		case <-s.kick:
			s.sh.mu.Lock()
			n := s.q.cur.n
			s.sh.mu.Unlock()
			switch {
			case n >= learnMax:
				window.Stop()
				armed = false
				s.write()
			case n > 0 && !armed:
				window.Reset(learnWindow)
				armed = true
			}
		case <-window.C:
			armed = false
			s.write()
		case done := <-s.syncs:
			s.write()
			close(done)
		case <-s.stop:
			s.sh.mu.Lock()
			s.stopping = true
			s.sh.cond.Broadcast()
			s.sh.mu.Unlock()
			for s.write() {
			}
			return
		}
	}
}

// write takes the queued batch and writes it; false when there was none.
func (s *Store) write() bool {
	sh, q := s.sh, s.q
	sh.mu.Lock()
	b := q.cur
	if b.n == 0 {
		sh.mu.Unlock()
		return false
	}
	q.cur, q.writing = newBatch(), b
	sh.cond.Broadcast()
	sh.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := s.writeBatch(ctx, b)
	cancel()
	sh.mu.Lock()
	q.writing = nil
	if err != nil {
		q.err = err
		sh.cache.reset(sh.cache.clock()) // whether anything was written is unknown
	} else {
		sh.cache.committed(b)
	}
	sh.cond.Broadcast()
	sh.mu.Unlock()
	return true
}

// yieldRows is how many rows the writer writes between yields (each a
// few microseconds).
const yieldRows = 16

func (s *Store) writeBatch(ctx context.Context, b *batch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The rows are written with ctx's end checked before each one
	// (ctx.Err(), what database/sql returned when ctx had ended) and the
	// transaction rolled back by database/sql when ctx ends, not with a
	// goroutine per statement (modernc.org/sqlite starts one to interrupt
	// the statement when its context can end: about three per message,
	// each of which may wake an idle processor). A statement running when
	// ctx ends finishes by itself (one row; a lock waited for at most
	// busy_timeout, 5 s) and the batch ends after it.
	wctx := context.WithoutCancel(ctx)
	pair, rc, id := tx.StmtContext(wctx, s.learnPair), tx.StmtContext(wctx, s.learnRcpt), tx.StmtContext(wctx, s.learnID)
	// The writer yields its processor every few rows: a batch is
	// background work of several milliseconds, and a scan that became
	// runnable meanwhile would otherwise wait for it (up to the runtime's
	// 10 ms preemption) on a machine with as many busy goroutines as
	// processors — the milter's tail latency (issue 17).
	rows := 0
	next := func() error {
		if rows++; rows%yieldRows == 0 {
			runtime.Gosched()
		}
		return ctx.Err()
	}
	for k, p := range b.pairs {
		if err := next(); err != nil {
			return err
		}
		if _, err := pair.ExecContext(wctx, k.a, k.b, p.domain, p.first, p.last, p.count); err != nil {
			return err
		}
	}
	for r, n := range b.rcpts {
		if err := next(); err != nil {
			return err
		}
		if _, err := rc.ExecContext(wctx, r, n); err != nil {
			return err
		}
	}
	for k, r := range b.ids {
		if err := next(); err != nil {
			return err
		}
		if _, err := id.ExecContext(wctx, k.a, k.b, r.peer, r.seen); err != nil {
			return err
		}
	}
	return tx.Commit()
}
