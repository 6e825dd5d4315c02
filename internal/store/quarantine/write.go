package quarantine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The history writer collects recorded scans for at most batchWindow or
// batchMax rows, whichever comes first, and writes them in one
// transaction: a passed message's history row may lag its scan by the
// window (and is lost with it if the process is killed, never held
// mail: Hold writes synchronously). Flush and Close write at once.
const batchMax = 200

// batchWindow is a variable for the benchmarks (SEKISHO_BENCH_NOWINDOW).
var batchWindow = 100 * time.Millisecond

// Multi-row INSERTs are cut into chunks of a power of two rows, so that
// a handful of statement shapes, prepared once, serve any count.
//
// SQLite's chunks are smaller: its driver (modernc.org/sqlite) finds the
// argument of each "?" by walking the arguments from the first, so
// binding a statement of n parameters costs n²/2 steps: with 32 rows of
// messages (992 parameters) binding took 111,000 instructions a message
// (callgrind, BenchmarkHistoryWrite), with 8 rows 58,000 — and the whole
// history write went from 0.94 M to 0.82 M instructions a message. With
// 2 rows the binding is some 8,000 and the statements' own start-up (a
// VDBE program run per statement) costs less than that saves:
// BenchmarkInsertBatch 473 k instructions a message with 8 rows, 449 k
// with 4, 441 k with 2, 455 k with 1.
const (
	msgChunkMax   = 32  // 32 rows × 31 columns = 992 parameters
	childChunkMax = 256 // 256 rows × 3 columns = 768 parameters

	sqliteMsgChunkMax   = 2  // 62 parameters
	sqliteChildChunkMax = 64 // 192 parameters
)

const msgColumns = `id, kind, scan_id, received_at, expires_at, frontend,
	client_ip, client_host, helo, mail_from, rcpts, queue_id, auth_user, outbound,
	subject, from_addr, from_name, to_addrs, message_id, size, action, category, score, duration_us,
	verdict, urls, attachments, raw, raw_codec, stored_bytes, symbols`

const msgNCol = 31

// holdLookup finds an earlier hold of the same message. It starts from
// msg_hash's value index (CROSS JOIN keeps SQLite from starting with
// the messages of the kind and time window instead, which reads every
// message held in the dedupe window on each hold). The message's kind
// is written in, not bound: SQLite compares a bound value in the WHERE
// clause with the partial index messages_scan_held's (kind =
// 'quarantine'), and a statement whose plan depended on a bound value
// is prepared again each time the value is bound — at every hold
// (some 300 K instructions; TestHoldLookupNotReprepared).
const holdLookup = `SELECT m.id FROM msg_hash h CROSS JOIN messages m
	WHERE h.kind = ? AND h.value = ? AND m.id = h.msg_id AND m.kind = '` + KindQuarantine + `' AND m.released_at = 0 AND m.received_at >= ?
	ORDER BY m.received_at LIMIT 1`

// statements are prepared once at Open; a transaction uses them through
// Tx.StmtContext (txStmts), which reuses what is prepared on its
// connection.
type statements struct {
	msgs   map[int]*sql.Stmt // rows → INSERT INTO messages
	once   *sql.Stmt         // one row, ON CONFLICT (id) DO NOTHING
	rcpt   map[int]*sql.Stmt
	symbol *sql.Stmt // one row: only names the symbols column cannot hold
	hash   map[int]*sql.Stmt
	text   *sql.Stmt // a pair of descriptions (desctext.go)
	lookup *sql.Stmt
	all    []*sql.Stmt

	msgMax, childMax int // the largest chunks of the dialect
}

func rowsSQL(head string, ncol, nrows int, tail string) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
	var b strings.Builder
	b.Grow(len(head) + len(tail) + nrows*(len(row)+2) + 8)
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range nrows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

func (s *Store) prepareStatements(ctx context.Context) error {
	st := &statements{msgs: map[int]*sql.Stmt{}, rcpt: map[int]*sql.Stmt{}, hash: map[int]*sql.Stmt{},
		msgMax: msgChunkMax, childMax: childChunkMax}
	if s.dialect == "sqlite" {
		st.msgMax, st.childMax = sqliteMsgChunkMax, sqliteChildChunkMax
	}
	s.st = st
	prep := func(q string) (*sql.Stmt, error) {
		p, err := s.db.PrepareContext(ctx, s.rebind(q))
		if err != nil {
			return nil, fmt.Errorf("quarantine: prepare: %w", err)
		}
		st.all = append(st.all, p)
		return p, nil
	}
	// On SQLite, OR FAIL: a statement that fails keeps what it wrote
	// (the transaction is rolled back anyway), so SQLite keeps no
	// statement journal for a multi-row INSERT; otherwise it copies every
	// page the statement changes that an earlier one of the transaction
	// changed to a temporary file first.
	ins := "INSERT INTO"
	if s.dialect == "sqlite" {
		ins = "INSERT OR FAIL INTO"
	}
	var err error
	for n := 1; n <= st.msgMax; n *= 2 {
		if st.msgs[n], err = prep(rowsSQL(ins+`  messages (`+msgColumns+`)`, msgNCol, n, "")); err != nil {
			return err
		}
	}
	if st.once, err = prep(rowsSQL(ins+`  messages (`+msgColumns+`)`, msgNCol, 1, ` ON CONFLICT (id) DO NOTHING`)); err != nil {
		return err
	}
	for n := 1; n <= st.childMax; n *= 2 {
		if st.rcpt[n], err = prep(rowsSQL(ins+`  msg_rcpt (msg_id, addr)`, 2, n, "")); err != nil {
			return err
		}
		if st.hash[n], err = prep(rowsSQL(ins+`  msg_hash (msg_id, kind, value)`, 3, n, "")); err != nil {
			return err
		}
	}
	if st.symbol, err = prep(rowsSQL(ins+`  msg_symbol (msg_id, name, score)`, 3, 1, "")); err != nil {
		return err
	}
	if st.text, err = prep(`INSERT INTO sym_text (id, en, ja) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`); err != nil {
		return err
	}
	st.lookup, err = prep(holdLookup)
	return err
}

func (st *statements) close() {
	if st == nil {
		return
	}
	for _, p := range st.all {
		p.Close()
	}
}

// txStmts are prepared statements bound to one transaction.
// Tx.StmtContext makes a new transaction-bound Stmt (and finds the
// statement prepared on the transaction's connection) at each call; a
// batch runs the same few shapes dozens of times, each bound once here.
// They are closed with the transaction.
type txStmts struct {
	tx    *sql.Tx
	bound [][2]*sql.Stmt // prepared, bound to tx
	texts []*textRef     // pairs of descriptions inserted (Store.committed)
}

func newTxStmts(tx *sql.Tx) *txStmts { return &txStmts{tx: tx} }

// stmt returns st bound to the transaction.
func (t *txStmts) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	for _, b := range t.bound {
		if b[0] == st {
			return b[1]
		}
	}
	b := t.tx.StmtContext(ctx, st)
	t.bound = append(t.bound, [2]*sql.Stmt{st, b})
	return b
}

// execRows inserts rows (args holds ncol values per row) with the
// prepared shapes: chunks of max rows, then the remainder's binary
// decomposition.
func execRows(ctx context.Context, tx *txStmts, shapes map[int]*sql.Stmt, max, ncol int, args []any) error {
	n := len(args) / ncol
	for n > 0 {
		k := max
		for k > n {
			k /= 2
		}
		if _, err := tx.stmt(ctx, shapes[k]).ExecContext(ctx, args[:k*ncol]...); err != nil {
			return err
		}
		args, n = args[k*ncol:], n-k
	}
	return nil
}

// prepared is an entry's compressed message; buf is the pooled buffer
// raw is in (nil when raw is a slice of its own).
type prepared struct {
	raw   []byte
	codec string
	buf   *[]byte
}

// prepare compresses the entries' messages (outside any transaction and
// outside the write lock); nil entries are skipped. With pooled (the
// history writer's batches), into pooled buffers the caller gives back
// (releasePrepared) once the rows are written or given up, yielding
// between messages.
func (s *Store) prepare(es []*entry, pooled bool) []prepared {
	pre := make([]prepared, len(es))
	for i, e := range es {
		if e != nil && e.raw != nil {
			if !s2Fits(e.raw) {
				pre[i] = prepared{e.raw, "none", nil}
			} else if pooled {
				c, bp := s.compressPooled(e.raw)
				pre[i] = prepared{c, codecS2, bp}
			} else {
				pre[i] = prepared{s.compress(e.raw), codecS2, nil}
			}
			e.m.StoredBytes = int64(len(pre[i].raw))
			if pooled {
				// The writer's batch (Hold prepares its one entry on
				// the scan's own goroutine, which must not give way):
				// compressing a batch is background work of several
				// milliseconds, and a scan that became runnable
				// meanwhile runs first (issue 17); see yield.
				s.yield()
			}
		}
	}
	return pre
}

// releasePrepared gives back the pooled buffers of pre.
func releasePrepared(pre []prepared) {
	for i := range pre {
		if pre[i].buf != nil {
			putBuf(pre[i].buf)
			pre[i] = prepared{}
		}
	}
}

// lockWrite serialises this process's history batches, holds and
// message expiry in Go: a hold then waits on a lock that hands over the
// moment a writer batch commits, instead of polling in SQLite's busy
// handler (which sleeps 1, 2, 5, 10… ms between tries). Other writes (the
// console's release and delete, sessions, other sekisho processes on the
// file) still wait in SQLite's busy handler. A waiter gives up when its
// context ends (a hold then fails and the front end tempfails, as when
// SQLite's busy timeout ran out). PostgreSQL needs no such lock.
//
// A hold announces itself in holdsWaiting while it waits: the writer
// then commits what it has written of its batch (writeChunk rows at
// most since it last looked) and lets the hold go first.
func (s *Store) lockWrite(ctx context.Context) (func(), error) {
	if s.dialect != "sqlite" {
		return func() {}, nil
	}
	select {
	case s.wsem <- struct{}{}:
		return func() { <-s.wsem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("quarantine: waiting to write: %w", context.Cause(ctx))
	}
}

// writeChunk is how many history rows go between two looks at whether
// a hold waits for the write lock (some 2 ms of writing).
const writeChunk = 16

// insertBatch writes a batch of the history writer: in one transaction
// unless a hold starts waiting for the write lock, then the rows written
// so far are committed, the hold goes, and the rest follows in another.
// It returns how many rows are written.
//
// The entries' pooled buffers (and those their messages are compressed
// into) are given back when it returns, written or not: the entries must
// have no other user by then. The drivers keep nothing of what they
// bind once Exec returns (modernc.org/sqlite copies each text and blob
// into C memory, pgx encodes them into its send buffer).
func (s *Store) insertBatch(ctx context.Context, es []*entry) (int, error) {
	for i, e := range es {
		// A held scan's row that Hold has committed: nothing to compress
		// or insert (the insert would be a no-op).
		if e != nil && e.once && s.heldRows.take(e.m.ID) {
			e.release()
			es[i] = nil
		}
	}
	pre := s.prepare(es, true)
	defer func(es []*entry, pre []prepared) {
		releasePrepared(pre)
		for _, e := range es {
			e.release()
		}
	}(es, pre)
	written := 0
	for len(es) > 0 {
		// Let a waiting hold take the lock first.
		for i := 0; i < 100 && s.holdsWaiting.Load() > 0; i++ {
			runtime.Gosched()
		}
		n, err := s.insertSome(ctx, es, pre)
		if err != nil {
			return written, err
		}
		written += n
		es, pre = es[n:], pre[n:]
	}
	return written, nil
}

// yieldBelow is the queue length under which the writer yields.
const yieldBelow = 256

// yield gives the processor to a goroutine waiting for one, while the
// writer keeps up: on a machine with as many busy goroutines as
// processors a scan that became runnable would otherwise wait for the
// whole batch (up to the runtime's 10 ms preemption; the milter's tail
// latency, issue 17). A writer that falls behind (yieldBelow scans
// queued) stops yielding: every queued scan holds its message in memory.
func (s *Store) yield() {
	if len(s.q) < yieldBelow {
		runtime.Gosched()
	}
}

func (s *Store) insertSome(ctx context.Context, es []*entry, pre []prepared) (int, error) {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if err := s.storeTexts(ctx, es...); err != nil {
		return 0, err
	}
	var conn *sql.Conn
	var tx *sql.Tx
	kib := batchCacheKiB(es, pre)
	if s.dialect == "sqlite" && kib > baseCacheKiB {
		// The batch's dirty pages stay in the cache until the commit
		// instead of spilling to the WAL half-way (and being written
		// again, and read back, when a later row of the batch changes
		// them): the connection's cache grows for the transaction and
		// is cut back to the DSN's size after the commit.
		if conn, err = s.db.Conn(ctx); err != nil {
			return 0, fmt.Errorf("quarantine: begin: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, cacheSizePragma(kib)); err != nil {
			return 0, fmt.Errorf("quarantine: cache size: %w", err)
		}
		defer func() {
			// After the commit the pages are clean: SQLite frees those
			// beyond the DSN's size at once.
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), cacheSizePragma(baseCacheKiB)); err != nil {
				// A connection that keeps a larger cache is not reused.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
		tx, err = conn.BeginTx(ctx, nil)
	} else {
		tx, err = s.db.BeginTx(ctx, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("quarantine: begin: %w", err)
	}
	// Whatever ends the transaction short (a panic too): conn.Close
	// waits for an open transaction of conn to end, and the cache reset
	// must not run in it.
	defer func() { _ = tx.Rollback() }()
	n := 0
	ts := newTxStmts(tx)
	// On SQLite the statements run under a context that never ends:
	// modernc.org/sqlite starts a goroutine per statement to interrupt
	// it when its context ends (some 0.6 a history row, each waking
	// another thread). A statement of the batch waits for no lock (the
	// transaction took the write lock at BEGIN IMMEDIATE); ctx still
	// bounds the batch: when it ends, the transaction is rolled back
	// (database/sql) once the running statement returns and the next
	// one fails. PostgreSQL's statements keep ctx (a row lock of another
	// instance can make one wait).
	ectx := ctx
	if s.dialect == "sqlite" {
		ectx = context.WithoutCancel(ctx)
	}
	for n < len(es) {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("quarantine: insert: %w", err)
		}
		k := min(writeChunk, len(es)-n)
		if err := s.insertTx(ectx, ts, es[n:n+k], pre[n:n+k]); err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		n += k
		s.yield() // between chunks of writeChunk rows, a millisecond or so
		if batchChunkHook != nil {
			batchChunkHook()
		}
		if s.holdsWaiting.Load() > 0 {
			break
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("quarantine: commit: %w", err)
	}
	return n, nil
}

// batchChunkHook, when set (tests), is called after each chunk of rows
// a batch's transaction writes.
var batchChunkHook func()

// The SQLite page cache of a connection: baseCacheKiB normally (the
// DSN's cache_size), up to maxBatchCacheKiB while the history writer
// writes a batch whose rows need more (batchCacheKiB). The bound is
// 2 MiB: with 8 MiB the daemon's peak RSS under `sekisho bench --milter`
// rose from 130-139 to 134-146 MB (issue 17's limit is 150) for no
// measurable CPU difference.
const (
	baseCacheKiB     = 512
	maxBatchCacheKiB = 2 << 10
)

// batchCacheKiB is the page cache a transaction writing es needs to keep
// its dirty pages: the rows' bytes (their largest columns, 4 KiB pages a
// little less than full) twice over, for the table's and the indexes'
// pages and what the transaction reads, plus the DSN's cache; at most
// maxBatchCacheKiB (a larger batch spills to the WAL as before).
func batchCacheKiB(es []*entry, pre []prepared) int {
	b := 0
	for i, e := range es {
		if e == nil {
			continue
		}
		b += len(pre[i].raw) + len(e.verdict) + len(e.urls) + len(e.atts) + len(e.symbols) + 1024
	}
	return min(baseCacheKiB+2*b/1000, maxBatchCacheKiB)
}

func cacheSizePragma(kib int) string {
	return "PRAGMA cache_size = -" + strconv.Itoa(kib)
}

// insertTx writes entries (nil ones skipped) in tx with multi-row
// INSERTs; the caller rolls back on error.
func (s *Store) insertTx(ctx context.Context, tx *txStmts, es []*entry, pre []prepared) error {
	var rcpts, syms, hashes []any
	msgs := make([]any, 0, len(es)*msgNCol)
	for i, e := range es {
		if e == nil {
			continue
		}
		m := e.m
		var raw any
		if pre[i].raw != nil {
			raw = pre[i].raw
		}
		out := 0
		if m.Outbound {
			out = 1
		}
		// The row goes on the multi-row INSERT's arguments (a row
		// written once is executed alone from there, then taken off).
		at := len(msgs)
		msgs = append(msgs, m.ID, m.Kind, m.ScanID, ms(m.Time), ms(m.Expires), clean(m.Frontend),
			clean(m.ClientIP), clean(m.ClientHost), clean(m.Helo), clean(m.MailFrom), clean(encodeRcpts(m.Rcpts)), clean(m.QueueID), clean(m.AuthUser), out,
			clean(m.Subject), clean(m.FromAddr), clean(m.FromName), clean(m.To), clean(m.MessageID), m.Size, m.Action, m.Category, m.Score, m.Duration.Microseconds(),
			e.verdict, e.urls, e.atts, raw, pre[i].codec, m.StoredBytes, e.symbols) // JSON: valid UTF-8, NUL escaped
		if e.once {
			res, err := tx.stmt(ctx, s.st.once).ExecContext(ctx, msgs[at:]...)
			clear(msgs[at:])
			msgs = msgs[:at]
			if err != nil {
				return fmt.Errorf("quarantine: insert: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				continue // written already (by Hold, or by the writer)
			}
		}
		for _, a := range e.rcpts {
			rcpts = append(rcpts, m.ID, clean(a))
		}
		for _, sym := range e.oddSyms {
			syms = append(syms, m.ID, sym.Name, sym.Score)
		}
		for _, h := range e.hashes {
			hashes = append(hashes, m.ID, h[0], clean(h[1]))
		}
	}
	if err := execRows(ctx, tx, s.st.msgs, s.st.msgMax, msgNCol, msgs); err != nil {
		return fmt.Errorf("quarantine: insert: %w", err)
	}
	if err := execRows(ctx, tx, s.st.rcpt, s.st.childMax, 2, rcpts); err != nil {
		return fmt.Errorf("quarantine: insert recipient: %w", err)
	}
	for ; len(syms) > 0; syms = syms[3:] {
		if _, err := tx.stmt(ctx, s.st.symbol).ExecContext(ctx, syms[:3]...); err != nil {
			return fmt.Errorf("quarantine: insert symbol: %w", err)
		}
	}
	if err := execRows(ctx, tx, s.st.hash, s.st.childMax, 3, hashes); err != nil {
		return fmt.Errorf("quarantine: insert hash: %w", err)
	}
	return nil
}

type flushReq chan struct{}

// kickWriter wakes the writer while its batch window runs (it does not
// read the queue then): the queue holds a batch's worth, or a Flush
// waits.
func (s *Store) kickWriter() {
	select {
	case s.kick <- struct{}{}:
	default: // one is pending
	}
}

// Flush waits until everything recorded so far is written.
func (s *Store) Flush(ctx context.Context) error {
	if s.closed.Load() {
		return nil
	}
	f := make(flushReq)
	select {
	case s.q <- f:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.kickWriter()
	select {
	case <-f:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the history's one writing goroutine: it waits for up to
// batchWindow after the first queued scan (or for batchMax of them),
// writes them in one transaction, and keeps the SQLite WAL checkpointed
// from a goroutine of its own.
func (s *Store) writer() {
	defer s.wg.Done()
	// The checkpoints (and their fsync, tens of milliseconds on a busy
	// disk) run beside the writer: SQLite lets a passive checkpoint and a
	// writer work at once, and a writer that waited for the disk let the
	// queue, and with it the daemon's memory, grow by every scan recorded
	// meanwhile (issue 17: the peak RSS under `sekisho bench --milter`
	// rose by 20–70 MB when another process kept the disk busy).
	ck := make(chan struct{}, 1)
	ckDone := make(chan struct{})
	go func() {
		defer close(ckDone)
		for range ck {
			s.checkpoint()
		}
	}()
	defer func() {
		close(ck)
		<-ckDone
	}()
	checkpoint := func() {
		select {
		case ck <- struct{}{}:
		default: // one is pending: it reads the WAL's state when it runs
		}
	}
	var batch []*entry
	var flushes []flushReq
	window := time.NewTimer(time.Hour)
	window.Stop()
	armed := false
	idle := time.NewTicker(walCheckEvery)
	defer idle.Stop()
	write := func() {
		if armed {
			window.Stop()
			armed = false
		}
		wroteBatch := len(batch) > 0
		if wroteBatch {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			n, err := s.insertBatch(ctx, batch)
			if err != nil {
				s.log.Error("history write failed", "entries", len(batch)-n, "err", err)
			}
			s.written.Add(uint64(n))
			cancel()
			clear(batch)
			batch = batch[:0]
			s.batched.Store(0)
		}
		// The rows are written: Flush returns before the checkpoint.
		for _, f := range flushes {
			close(f)
		}
		flushes = flushes[:0]
		if wroteBatch {
			checkpoint()
		}
	}
	take := func(it any) {
		switch v := it.(type) {
		case *entry:
			batch = append(batch, v)
		case flushReq:
			flushes = append(flushes, v)
		}
	}
	// drain takes what is queued, up to a batch.
	drain := func() {
		for len(batch) < batchMax {
			select {
			case it := <-s.q:
				take(it)
			default:
				return
			}
		}
	}
	// settle writes a full batch (or one a Flush waits for) at once,
	// and starts the window for a batch that is not.
	settle := func() {
		switch {
		case len(batch) >= batchMax || len(flushes) > 0:
			write()
		case len(batch) > 0 && !armed:
			window.Reset(batchWindow)
			armed = true
		}
		s.batched.Store(int32(len(batch)))
	}
	for {
		// While a window runs, the scans recorded meanwhile wait in the
		// queue: the writer is not woken for each of them (a goroutine
		// made runnable, often another thread woken to run it: some
		// 1,200 times a second under `sekisho bench`), only by the
		// window's end, or by kick when the queue holds a batch or a
		// Flush waits.
		// A queue of less than two batches keeps being read: it would
		// fill (and drop scans, and keep a Flush from queueing) before
		// it held a batch's worth to kick the writer.
		var q chan any
		if !armed || cap(s.q) < 2*batchMax {
			q = s.q
		}
		select {
		case it := <-q:
			take(it)
			drain()
			settle()
		case <-s.kick:
			drain()
			settle()
		case <-window.C:
			armed = false
			drain()
			write()
		case <-idle.C:
			checkpoint()
		case <-s.held:
			checkpoint()
		case <-s.closing:
			for {
				select {
				case it := <-s.q:
					take(it)
					if len(batch) >= batchMax {
						write()
					}
				default:
					write()
					return
				}
			}
		}
	}
}

// WAL checkpoints. SQLite's automatic checkpoint (every 1,000 pages, on
// whichever connection commits: often a hold the front end waits for)
// is off; the writer's checkpoint goroutine runs a passive checkpoint, which neither
// blocks nor waits for readers and writers, once walCheckpointPages
// pages wait in the WAL (checked after each batch, after every holdsPerCheck holds —
// some 50 pages each — and every walCheckEvery). journal_size_limit truncates the file when SQLite
// restarts the WAL after a complete checkpoint.
var (
	walCheckpointPages = 4000
	walRestartPages    = 16000 // 64 MiB of 4 KiB pages
)

const (
	walCheckEvery    = 5 * time.Second
	walFallbackEvery = 30 * time.Second
)

// sqliteDSN is the connection string of the SQLite store.
func sqliteDSN(path string) string {
	// A 512 KiB page cache per connection instead of SQLite's 2 MiB:
	// the history is appended to and read by the console now and then,
	// and the daemon's resident memory counts (issue 17). Dirty pages
	// spill to the WAL when the cache is full: a batch of 200 rows may
	// keep up to 200 raw messages of history_max_message_bytes each.
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-" + strconv.Itoa(baseCacheKiB) + ")&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate"
}

// holdsPerCheck is how many holds commit between two looks at the WAL
// they trigger: a hold writes some 25-50 pages, and each look opens and
// reads the -shm file on the checkpoint goroutine after waking two
// goroutines (issue 17: some 13 holds every 100 ms under `sekisho
// bench`, against one look after each history batch). The WAL grows by
// at most holdsPerCheck holds past walCheckpointPages before one is
// seen; the writer's batches and its walCheckEvery tick look too.
const holdsPerCheck = 8

// wrote tells the writer goroutine that Hold committed: every
// holdsPerCheck holds, time to check the WAL.
func (s *Store) wrote() {
	if s.dialect != "sqlite" {
		return
	}
	if s.holdsUnchecked.Add(1)%holdsPerCheck != 0 {
		return
	}
	select {
	case s.held <- struct{}{}:
	default:
	}
}

// checkpoint runs a passive WAL checkpoint when enough pages wait.
//
// A passive checkpoint copies what was committed when it started; holds
// committing meanwhile keep it from ever being complete, and SQLite
// starts the WAL over (and journal_size_limit truncates it) only after
// a complete one. So when the WAL holds walRestartPages, the checkpoint
// is finished under the write lock: holds wait for the few pages
// written during the passive pass, and the file stays bounded.
func (s *Store) checkpoint() {
	if s.dialect != "sqlite" || s.dbPath == "" {
		return
	}
	shm := s.dbPath + "-shm"
	if mx, back, ok := walState(shm); ok {
		if mx-back < walCheckpointPages {
			return
		}
	} else if time.Since(s.lastCkpt) < walFallbackEvery {
		return
	}
	s.lastCkpt = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if !s.walCheckpoint(ctx) {
		return
	}
	if mx, back, ok := walState(shm); ok && mx >= walRestartPages && back < mx {
		if unlock, err := s.lockWrite(ctx); err == nil {
			s.walCheckpoint(ctx)
			unlock()
		}
	}
}

func (s *Store) walCheckpoint(ctx context.Context) bool {
	var busy, log, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		s.log.Warn("WAL checkpoint failed", "err", err)
		return false
	}
	s.log.Debug("WAL checkpoint", "wal_pages", log, "checkpointed", done)
	return true
}

// walState reads the WAL's frames and how many of them are checkpointed
// from the wal-index header in the -shm file (https://sqlite.org/walformat.html:
// mxFrame at byte 16 of the header, nBackfill at byte 96 after the two
// header copies; native byte order). It is read without SQLite's locks:
// an estimate for deciding when to checkpoint, nothing more.
func walState(shm string) (frames, backfilled int, ok bool) {
	f, err := os.Open(shm)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	var b [100]byte
	if _, err := f.ReadAt(b[:], 0); err != nil {
		return 0, 0, false
	}
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != 3007000 || b[12] != 1 {
		return 0, 0, false
	}
	mx, back := ne.Uint32(b[16:]), ne.Uint32(b[96:])
	return int(mx), int(min(back, mx)), true
}
