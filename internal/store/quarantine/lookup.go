package quarantine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Copy is one recorded scan of a message that may sit in mailboxes: what
// post-delivery remediation needs to find it there.
type Copy struct {
	ID        string // stored message id
	Kind      string
	Time      time.Time
	MessageID string
	Action    string
	Category  string
	Rcpts     []string // lower-cased envelope recipients
	Hashes    []string // attachment SHA-256 values
}

// maxLookup bounds one Copies call.
const maxLookup = 5000

// Copies returns the recorded scans (history and quarantine) whose
// Message-ID is one of messageIDs or that carry an attachment whose
// SHA-256 is one of hashes, newest first, at most limit (≤ 5000).
func (s *Store) Copies(ctx context.Context, messageIDs, hashes []string, limit int) ([]Copy, error) {
	if limit <= 0 || limit > maxLookup {
		limit = maxLookup
	}
	var conds []string
	var args []any
	if len(messageIDs) > 0 {
		conds = append(conds, `m.message_id IN (`+marks(len(messageIDs))+`)`)
		for _, v := range messageIDs {
			args = append(args, v)
		}
	}
	if len(hashes) > 0 {
		conds = append(conds, `m.id IN (SELECT msg_id FROM msg_hash WHERE kind = 'attachment' AND value IN (`+marks(len(hashes))+`))`)
		for _, v := range hashes {
			args = append(args, strings.ToLower(v))
		}
	}
	if len(conds) == 0 {
		return nil, nil
	}
	q := `SELECT m.id, m.kind, m.received_at, m.message_id, m.action, m.category FROM messages m WHERE ` +
		strings.Join(conds, " OR ") + fmt.Sprintf(` ORDER BY m.received_at DESC LIMIT %d`, limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("quarantine: copies: %w", err)
	}
	var out []Copy
	idx := map[string]int{}
	for rows.Next() {
		var c Copy
		var t int64
		if err := rows.Scan(&c.ID, &c.Kind, &t, &c.MessageID, &c.Action, &c.Category); err != nil {
			rows.Close()
			return nil, fmt.Errorf("quarantine: copies: %w", err)
		}
		c.Time = fromMS(t)
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quarantine: copies: %w", err)
	}
	// Recipients and attachment hashes, in chunks of ids.
	ids := make([]string, 0, len(out))
	for _, c := range out {
		ids = append(ids, c.ID)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		a := make([]any, len(chunk))
		for i, v := range chunk {
			a[i] = v
		}
		r, err := s.query(ctx, `SELECT msg_id, addr FROM msg_rcpt WHERE msg_id IN (`+marks(len(chunk))+`) ORDER BY addr`, a...)
		if err != nil {
			return nil, fmt.Errorf("quarantine: copies: %w", err)
		}
		for r.Next() {
			var id, addr string
			if err := r.Scan(&id, &addr); err == nil {
				out[idx[id]].Rcpts = append(out[idx[id]].Rcpts, addr)
			}
		}
		r.Close()
		r, err = s.query(ctx, `SELECT msg_id, value FROM msg_hash WHERE kind = 'attachment' AND msg_id IN (`+marks(len(chunk))+`) ORDER BY value`, a...)
		if err != nil {
			return nil, fmt.Errorf("quarantine: copies: %w", err)
		}
		for r.Next() {
			var id, v string
			if err := r.Scan(&id, &v); err == nil {
				out[idx[id]].Hashes = append(out[idx[id]].Hashes, v)
			}
		}
		r.Close()
	}
	return out, nil
}

func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
