package quarantine

import (
	"context"
	"fmt"
	"strings"
)

// ByScanIDs returns the held messages (kind quarantine) of the given
// scan ids, newest first (at most 1000 ids are looked up): the console
// acts on a campaign's held copies by the scan ids the campaign store
// recorded.
func (s *Store) ByScanIDs(ctx context.Context, ids []string) ([]*Message, error) {
	if len(ids) > 1000 {
		ids = ids[:1000]
	}
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	// The kind is written in the SQL, not bound: a planner may use the
	// partial index messages_scan_held (WHERE kind = 'quarantine') only
	// for a query whose WHERE clause implies the index's. PostgreSQL's
	// does; SQLite's (no ANALYZE) reads the held rows through
	// messages_kind_time, as before migration 5.
	rows, err := s.query(ctx, `SELECT `+listCols+` FROM messages m WHERE m.kind = '`+KindQuarantine+`' AND m.scan_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`) ORDER BY m.received_at DESC, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("quarantine: by scan id: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
