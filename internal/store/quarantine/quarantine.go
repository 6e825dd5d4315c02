// Package quarantine keeps held messages and the history of recent scans.
package quarantine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Store is the quarantine and scan history. (In-memory placeholder with the
// final API; the quarantine work replaces the inside with SQLite/PostgreSQL.)
type Store struct {
	mu   sync.Mutex
	held map[string][]byte
	n    int
}

var (
	_ pipeline.Quarantine = (*Store)(nil)
	_ pipeline.Recorder   = (*Store)(nil)
)

// Open opens the store configured in cfg.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Store, error) {
	return &Store{held: map[string][]byte{}}, nil
}

// Hold keeps a message; the returned id names it.
func (s *Store) Hold(ctx context.Context, raw []byte, r *pipeline.Result) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	id := fmt.Sprintf("q%d", s.n)
	s.held[id] = append([]byte(nil), raw...)
	return id, nil
}

// Get returns a held message's original bytes.
func (s *Store) Get(ctx context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.held[id]
	if !ok {
		return nil, fmt.Errorf("quarantine: %s: not found", id)
	}
	return b, nil
}

// Record keeps a scan in the history (it must not slow the scan down).
func (s *Store) Record(ctx context.Context, raw []byte, r *pipeline.Result) error { return nil }

// Close closes the store.
func (s *Store) Close() error { return nil }
