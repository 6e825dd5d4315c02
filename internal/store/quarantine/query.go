package quarantine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Filter selects messages for List. Empty fields do not filter.
type Filter struct {
	Kind     string    // KindQuarantine, KindHistory; "" both
	Since    time.Time // received at or after
	Until    time.Time // received before
	Rcpt     string    // recipient address contains (case-insensitive)
	Sender   string    // envelope sender or From address/name contains
	Subject  string    // decoded subject contains
	Category string    // exact
	Action   string    // exact
	MinScore *float64
	MaxScore *float64
	Symbol   string // has this symbol
	Hash     string // a URL or attachment SHA-256
	// Restrict limits results to mail for these addresses (recipient
	// accounts); nil means no restriction, an empty non-nil slice matches
	// nothing.
	Restrict []string
	Limit    int // default 50, at most 1000
	Offset   int
	// Sort orders the results: "time", "score", "sender" or "subject",
	// ascending, or descending with a leading "-". Default "-time" (newest
	// first); anything else is the default.
	Sort string
}

// sortCols are the orders List accepts (a closed set: never SQL from the request).
var sortCols = map[string]string{
	"time": "m.received_at", "score": "m.score", "sender": "m.from_addr", "subject": "m.subject",
}

// order is the ORDER BY of f.Sort.
func (f *Filter) order() string {
	k, dir := strings.TrimPrefix(f.Sort, "-"), "ASC"
	if strings.HasPrefix(f.Sort, "-") {
		dir = "DESC"
	}
	col, ok := sortCols[k]
	if !ok {
		return "m.received_at DESC, m.id"
	}
	return col + " " + dir + ", m.received_at DESC, m.id"
}

const listCols = `id, kind, scan_id, received_at, expires_at, frontend, client_ip, client_host, helo, mail_from, rcpts,
	queue_id, auth_user, outbound, subject, from_addr, from_name, to_addrs, message_id, size, action, category, score,
	duration_us, stored_bytes, released_at, released_by, release_to, learned, learned_by, learned_at`

func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// contains is the dialect's case-sensitive substring test of a column
// (no LIKE: its wildcards, and SQLite's LIKE ignores ASCII case).
func contains(dialect, col string) string {
	if dialect == "postgres" {
		return `strpos(` + col + `, ?) > 0`
	}
	return `instr(` + col + `, ?) > 0`
}

// isSHA256 reports whether s is 64 lower-case hex characters.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (f *Filter) where(dialect string) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.Kind != "" {
		c, a := kindCond(`m.kind`, f.Kind)
		add(c, a...)
	}
	if !f.Since.IsZero() {
		add(`m.received_at >= ?`, ms(f.Since))
	}
	if !f.Until.IsZero() {
		add(`m.received_at < ?`, ms(f.Until))
	}
	if f.Rcpt != "" {
		add(`EXISTS (SELECT 1 FROM msg_rcpt r WHERE r.msg_id = m.id AND r.addr LIKE ? ESCAPE '\')`, likeArg(f.Rcpt))
	}
	if f.Sender != "" {
		l := likeArg(f.Sender)
		add(`(LOWER(m.mail_from) LIKE ? ESCAPE '\' OR LOWER(m.from_addr) LIKE ? ESCAPE '\' OR LOWER(m.from_name) LIKE ? ESCAPE '\')`, l, l, l)
	}
	if f.Subject != "" {
		add(`LOWER(m.subject) LIKE ? ESCAPE '\'`, likeArg(f.Subject))
	}
	if f.Category != "" {
		add(`m.category = ?`, f.Category)
	}
	if f.Action != "" {
		add(`m.action = ?`, f.Action)
	}
	if f.MinScore != nil {
		add(`m.score >= ?`, *f.MinScore)
	}
	if f.MaxScore != nil {
		add(`m.score <= ?`, *f.MaxScore)
	}
	if f.Symbol != "" {
		// The symbols column (rows since schema version 3), or a
		// msg_symbol row (rows before it, and names with a space).
		name := strings.ToUpper(f.Symbol)
		if name == "" || strings.IndexByte(name, ' ') >= 0 {
			add(`EXISTS (SELECT 1 FROM msg_symbol y WHERE y.msg_id = m.id AND y.name = ?)`, name)
		} else {
			add(`(`+contains(dialect, `m.symbols`)+` OR EXISTS (SELECT 1 FROM msg_symbol y WHERE y.msg_id = m.id AND y.name = ?))`, " "+name+" ", name)
		}
	}
	if f.Hash != "" {
		// Attachment hashes are in msg_hash (link hashes too for rows
		// before schema version 3); since then a link's hash is found in
		// the urls column, as its JSON writes it.
		h := strings.ToLower(f.Hash)
		if isSHA256(h) {
			add(`(EXISTS (SELECT 1 FROM msg_hash h WHERE h.msg_id = m.id AND h.value = ?) OR `+contains(dialect, `m.urls`)+`)`, h, `"sha256":"`+h+`"`)
		} else {
			add(`EXISTS (SELECT 1 FROM msg_hash h WHERE h.msg_id = m.id AND h.value = ?)`, h)
		}
	}
	if f.Restrict != nil {
		if len(f.Restrict) == 0 {
			add(`1 = 0`)
		} else {
			ph := strings.TrimSuffix(strings.Repeat("?, ", len(f.Restrict)), ", ")
			var a []any
			for _, r := range f.Restrict {
				a = append(a, normAddr(r))
			}
			add(`EXISTS (SELECT 1 FROM msg_rcpt z WHERE z.msg_id = m.id AND z.addr IN (`+ph+`))`, a...)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// kindCond is the condition col = kind and its arguments: the kinds of
// this package are written in, other values bound. SQLite compares a
// bound kind with the WHERE of the partial index messages_scan_held
// (kind = 'quarantine') and then prepares the query a second time, with
// the value, once it is bound (see holdLookup).
func kindCond(col, kind string) (string, []any) {
	if kind == KindQuarantine || kind == KindHistory {
		return col + ` = '` + kind + `'`, nil
	}
	return col + ` = ?`, []any{kind}
}

// List returns matching messages, newest first, and how many match in all.
func (s *Store) List(ctx context.Context, f Filter) ([]*Message, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	where, args := f.where(s.dialect)
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM messages m`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("quarantine: count: %w", err)
	}
	rows, err := s.query(ctx, `SELECT `+listCols+` FROM messages m`+where+` ORDER BY `+f.order()+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("quarantine: list: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanSummary(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanSummary(r scanner, extra ...any) (*Message, error) {
	m := &Message{}
	var recv, exp, dur, rel, learnedAt, out int64
	var rcpts string
	dst := []any{&m.ID, &m.Kind, &m.ScanID, &recv, &exp, &m.Frontend, &m.ClientIP, &m.ClientHost, &m.Helo, &m.MailFrom, &rcpts,
		&m.QueueID, &m.AuthUser, &out, &m.Subject, &m.FromAddr, &m.FromName, &m.To, &m.MessageID, &m.Size, &m.Action, &m.Category, &m.Score,
		&dur, &m.StoredBytes, &rel, &m.ReleasedBy, &m.ReleaseTo, &m.Learned, &m.LearnedBy, &learnedAt}
	if err := r.Scan(append(dst, extra...)...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("quarantine: scan row: %w", err)
	}
	m.Time, m.Expires, m.ReleasedAt, m.LearnedAt = fromMS(recv), fromMS(exp), fromMS(rel), fromMS(learnedAt)
	m.Duration = time.Duration(dur) * time.Microsecond
	m.Outbound = out != 0
	m.HasRaw = m.StoredBytes > 0
	m.Rcpts = decodeRcpts(rcpts)
	return m, nil
}

// Message returns one stored message with its verdict, links, attachments
// and (when withRaw) original bytes.
func (s *Store) Message(ctx context.Context, id string, withRaw bool) (*Message, error) {
	var verdict, urls, atts string
	m, err := scanSummary(s.queryRow(ctx, `SELECT `+listCols+`, verdict, urls, attachments FROM messages m WHERE id = ?`, id), &verdict, &urls, &atts)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(verdict), &m.Verdict)
	if err := s.resolveTexts(ctx, verdict, &m.Verdict); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(urls), &m.URLs)
	_ = json.Unmarshal([]byte(atts), &m.Attachments)
	if withRaw && m.HasRaw {
		raw, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		m.Raw = raw
	}
	return m, nil
}

// CanSee reports whether a message is addressed to one of addrs.
func (s *Store) CanSee(ctx context.Context, id string, addrs []string) (bool, error) {
	if len(addrs) == 0 {
		return false, nil
	}
	f := Filter{Restrict: addrs}
	where, args := f.where(s.dialect)
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM messages m`+where+` AND m.id = ?`, append(args, id)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("quarantine: access check: %w", err)
	}
	return n > 0, nil
}

// Delete removes a stored message; by names who did it (audit).
func (s *Store) Delete(ctx context.Context, id, by string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: begin: %w", err)
	}
	t := txer{s, tx}
	res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM messages WHERE id = ?`), id)
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("quarantine: delete: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_ = tx.Rollback()
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	for _, q := range []string{`DELETE FROM msg_rcpt WHERE msg_id = ?`, `DELETE FROM msg_symbol WHERE msg_id = ?`, `DELETE FROM msg_hash WHERE msg_id = ?`} {
		if err := t.exec(ctx, q, id); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("quarantine: delete: %w", err)
		}
	}
	if err := s.acc.AuditTx(ctx, tx, by, "delete", id, ""); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("quarantine: commit: %w", err)
	}
	return nil
}

// MarkReleased records who released a message and where it went.
func (s *Store) MarkReleased(ctx context.Context, id, by, to string) error {
	now := ms(s.Now())
	if _, err := s.exec(ctx, `UPDATE messages SET released_at = ?, released_by = ?, release_to = ? WHERE id = ?`, now, clean(by), clean(to), id); err != nil {
		return fmt.Errorf("quarantine: mark released: %w", err)
	}
	return s.acc.Audit(ctx, by, "release", id, to)
}

// MarkLearned records that a message was taught to the classifier.
func (s *Store) MarkLearned(ctx context.Context, id string, spam bool, by string) error {
	l := "ham"
	if spam {
		l = "spam"
	}
	if _, err := s.exec(ctx, `UPDATE messages SET learned = ?, learned_by = ?, learned_at = ? WHERE id = ?`, l, clean(by), ms(s.Now()), id); err != nil {
		return fmt.Errorf("quarantine: mark learned: %w", err)
	}
	return s.acc.Audit(ctx, by, "learn-"+l, id, "")
}

// Bucket is one interval of the dashboard series.
type Bucket struct {
	Start      time.Time
	Total      int
	ByAction   map[string]int
	ByCategory map[string]int
}

// Series counts history entries per interval since a time.
func (s *Store) Series(ctx context.Context, since time.Time, step time.Duration, n int) ([]Bucket, error) {
	if step <= 0 || n <= 0 || n > 1000 {
		return nil, errors.New("quarantine: bad series range")
	}
	stepMS := step.Milliseconds()
	start := ms(since)
	start -= start % stepMS
	out := make([]Bucket, n)
	for i := range out {
		out[i] = Bucket{Start: fromMS(start + int64(i)*stepMS), ByAction: map[string]int{}, ByCategory: map[string]int{}}
	}
	rows, err := s.query(ctx, `SELECT (received_at - ?) / ?, action, category, COUNT(*) FROM messages
		WHERE kind = 'history' AND received_at >= ? AND received_at < ? GROUP BY 1, 2, 3`,
		start, stepMS, start, start+int64(n)*stepMS)
	if err != nil {
		return nil, fmt.Errorf("quarantine: series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var act, cat string
		var c int
		if err := rows.Scan(&idx, &act, &cat, &c); err != nil {
			return nil, fmt.Errorf("quarantine: series: %w", err)
		}
		if idx < 0 || idx >= int64(n) {
			continue
		}
		b := &out[idx]
		b.Total += c
		b.ByAction[act] += c
		b.ByCategory[cat] += c
	}
	return out, rows.Err()
}

// SymbolCount is a symbol and how many history entries carry it.
type SymbolCount struct {
	Name  string
	Count int
}

// TopSymbols returns the most frequent symbols in the history since a
// time: the symbols columns are counted here, msg_symbol's rows (entries
// before schema version 3, names with a space) by the database.
func (s *Store) TopSymbols(ctx context.Context, since time.Time, n int) ([]SymbolCount, error) {
	if n <= 0 {
		return nil, nil
	}
	counts := map[string]int{}
	rows, err := s.query(ctx, `SELECT symbols FROM messages WHERE kind = 'history' AND received_at >= ? AND symbols <> ''`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("quarantine: top symbols: %w", err)
	}
	var col sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("quarantine: top symbols: %w", err)
		}
		for name := range strings.FieldsSeq(string(col)) {
			counts[name]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quarantine: top symbols: %w", err)
	}
	rows, err = s.query(ctx, `SELECT y.name, COUNT(*) FROM msg_symbol y JOIN messages m ON m.id = y.msg_id
		WHERE m.kind = 'history' AND m.received_at >= ? GROUP BY y.name`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("quarantine: top symbols: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var c int
		if err := rows.Scan(&name, &c); err != nil {
			return nil, fmt.Errorf("quarantine: top symbols: %w", err)
		}
		counts[name] += c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quarantine: top symbols: %w", err)
	}
	out := make([]SymbolCount, 0, len(counts))
	for name, c := range counts {
		out = append(out, SymbolCount{name, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out[:min(n, len(out))], nil
}

// Latency summarises scan durations.
type Latency struct {
	N                        int
	Mean, P50, P95, P99, Max time.Duration
}

// Latencies summarises the scan time of up to the newest 10000 history
// entries since a time.
func (s *Store) Latencies(ctx context.Context, since time.Time) (Latency, error) {
	rows, err := s.query(ctx, `SELECT duration_us FROM messages WHERE kind = 'history' AND received_at >= ? ORDER BY received_at DESC LIMIT 10000`, ms(since))
	if err != nil {
		return Latency{}, fmt.Errorf("quarantine: latencies: %w", err)
	}
	defer rows.Close()
	var ds []int64
	var sum int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return Latency{}, err
		}
		ds = append(ds, d)
		sum += d
	}
	if err := rows.Err(); err != nil || len(ds) == 0 {
		return Latency{}, err
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) time.Duration {
		i := int(p * float64(len(ds)-1))
		return time.Duration(ds[i]) * time.Microsecond
	}
	return Latency{N: len(ds), Mean: time.Duration(sum/int64(len(ds))) * time.Microsecond, P50: q(.5), P95: q(.95), P99: q(.99), Max: q(1)}, nil
}

// Size is how much a kind of entry holds.
type Size struct {
	Messages    int
	Bytes       int64 // original sizes
	StoredBytes int64 // compressed
}

// Size reports the count and bytes of a kind of entry.
func (s *Store) Size(ctx context.Context, kind string) (Size, error) {
	var z Size
	cond, args := kindCond(`kind`, kind)
	err := s.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_bytes), 0) FROM messages WHERE `+cond, args...).Scan(&z.Messages, &z.Bytes, &z.StoredBytes)
	if err != nil {
		return z, fmt.Errorf("quarantine: size: %w", err)
	}
	return z, nil
}

// Expire deletes quarantined and history entries past their retention,
// history beyond history_max_messages, and expired sessions. It returns
// how many messages went.
func (s *Store) Expire(ctx context.Context) (int, error) {
	now := ms(s.Now())
	total := 0
	for {
		ids, err := s.ids(ctx, `SELECT id FROM messages WHERE expires_at < ? LIMIT 500`, now)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			break
		}
		if err := s.deleteIDs(ctx, ids); err != nil {
			return total, err
		}
		total += len(ids)
	}
	max := s.cfg.Quarantine.HistoryMaxMessages
	var hist int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM messages WHERE kind = 'history'`).Scan(&hist); err != nil {
		return total, fmt.Errorf("quarantine: expire: %w", err)
	}
	for hist > max {
		n := hist - max
		if n > 500 {
			n = 500
		}
		ids, err := s.ids(ctx, `SELECT id FROM messages WHERE kind = 'history' ORDER BY received_at, id LIMIT ?`, n)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			break
		}
		if err := s.deleteIDs(ctx, ids); err != nil {
			return total, err
		}
		total += len(ids)
		hist -= len(ids)
	}
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now); err != nil {
		return total, fmt.Errorf("quarantine: expire sessions: %w", err)
	}
	// The audit trail is kept as long as the quarantine.
	if _, err := s.exec(ctx, `DELETE FROM audit WHERE at < ?`, now-s.cfg.Quarantine.Retention.Milliseconds()); err != nil {
		return total, fmt.Errorf("quarantine: expire audit: %w", err)
	}
	return total, nil
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("quarantine: expire: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Store) deleteIDs(ctx context.Context, ids []string) error {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return fmt.Errorf("quarantine: expire: %w", err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: expire: %w", err)
	}
	t := txer{s, tx}
	for _, tbl := range []string{"msg_rcpt", "msg_symbol", "msg_hash"} {
		if err := t.exec(ctx, `DELETE FROM `+tbl+` WHERE msg_id IN (`+ph+`)`, args...); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("quarantine: expire: %w", err)
		}
	}
	if err := t.exec(ctx, `DELETE FROM messages WHERE id IN (`+ph+`)`, args...); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("quarantine: expire: %w", err)
	}
	return tx.Commit()
}

func (s *Store) expirer() {
	defer s.wg.Done()
	every := s.cfg.Quarantine.ExpireInterval.Duration
	if every <= 0 {
		every = 10 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			n, err := s.Expire(ctx)
			cancel()
			if err != nil {
				s.log.Error("expiry failed", "err", err)
			} else if n > 0 {
				s.log.Info("expired stored messages", "count", n)
			}
		}
	}
}
