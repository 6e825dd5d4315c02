// Package repstore keeps learned reputation: for each key (a sender
// address, a domain, a network, a link domain) exponentially decayed
// counts of verdicts (ham, spam, malware), of feedback (good: learn ham,
// release; bad: learn spam, user report) and of recipients, with the time
// the key was first seen.
//
// Counts decay with a half-life: a value v written at time t is worth
// v·2^(−(now−t)/halflife) at now. Each write decays what is stored to the
// write time and adds to it, so a key holds one row (the Rspamd
// reputation module keeps time buckets; one decayed value is smaller and
// answers the same question).
//
// Two backends: SQLite (a file under the data directory, the default) and
// Redis (several instances share the state).
package repstore

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Counts are a key's decayed counts at a point in time.
type Counts struct {
	Ham, Spam, Malware float64 // verdicts
	Good, Bad          float64 // feedback
	Rcpts              float64 // recipients written to
	First              time.Time
	Known              bool // the key has been seen
}

// Delta is what one observation adds.
type Delta struct {
	Ham, Spam, Malware, Good, Bad, Rcpts float64
}

// Reader is the read side (what the analyzer gets).
type Reader interface {
	// Get returns the counts of keys, decayed to now.
	Get(ctx context.Context, keys []string, now time.Time) ([]Counts, error)
	Close() error
}

// Store is a reputation backend. Safe for concurrent use.
type Store interface {
	Reader
	// Record adds d to every key (decaying what is stored to now).
	Record(ctx context.Context, keys []string, d Delta, now time.Time) error
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("repstore: closed")

// decay is the factor of a value aged dt.
func decay(dt, halfLife time.Duration) float64 {
	if dt <= 0 || halfLife <= 0 {
		return 1
	}
	return math.Exp2(-float64(dt) / float64(halfLife))
}

// Mem is an in-memory store (tests, and a fallback).
type Mem struct {
	HalfLife time.Duration
	m        map[string]*memRow
	mu       sync.Mutex
}

type memRow struct {
	c    [6]float64
	last time.Time
	firs time.Time
}

// NewMem returns an empty in-memory store.
func NewMem(halfLife time.Duration) *Mem {
	return &Mem{HalfLife: halfLife, m: map[string]*memRow{}}
}

// Get implements Reader.
func (s *Mem) Get(_ context.Context, keys []string, now time.Time) ([]Counts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Counts, len(keys))
	for i, k := range keys {
		r := s.m[k]
		if r == nil {
			continue
		}
		f := decay(now.Sub(r.last), s.HalfLife)
		out[i] = Counts{Ham: r.c[0] * f, Spam: r.c[1] * f, Malware: r.c[2] * f, Good: r.c[3] * f, Bad: r.c[4] * f, Rcpts: r.c[5] * f,
			First: r.firs, Known: true}
	}
	return out, nil
}

// Record implements Store.
func (s *Mem) Record(_ context.Context, keys []string, d Delta, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	add := [6]float64{d.Ham, d.Spam, d.Malware, d.Good, d.Bad, d.Rcpts}
	for _, k := range keys {
		r := s.m[k]
		if r == nil {
			r = &memRow{last: now, firs: now}
			s.m[k] = r
		}
		f := decay(now.Sub(r.last), s.HalfLife)
		for i := range r.c {
			r.c[i] = r.c[i]*f + add[i]
		}
		if now.After(r.last) {
			r.last = now
		}
	}
	return nil
}

// Close implements Reader.
func (s *Mem) Close() error { return nil }

var _ Store = (*Mem)(nil)
