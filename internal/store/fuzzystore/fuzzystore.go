// Package fuzzystore keeps campaign fuzzy hashes: MinHash signatures of
// messages that were learned or reported as spam or held by the policy,
// grouped into campaigns with their counts, first and last seen; an
// index of signature bands (locality-sensitive hashing: a signature of
// K minima in B bands of R rows; two messages of Jaccard similarity J
// share at least one band with probability 1−(1−J^R)^B) and of
// attachment hashes to find a message's campaign; and per-band counters
// over the last hour to count bulk copies.
//
// Two backends share the logic here: SQLite (a file under the data
// directory; bulk counters in memory) and Redis (several instances share
// everything).
package fuzzystore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
)

// Signature geometry.
const (
	K        = 64 // minima per signature
	Bands    = 16 // index bands of Rows minima (a match candidate)
	Rows     = 4
	BulkRows = 2 // bulk counters: K/BulkRows bands of 2 (more sensitive)
	maxSigs  = 16
	maxScans = 1000
	slot     = 10 * time.Minute
	window   = 6 // slots in an hour
)

// Sig is a MinHash signature.
type Sig [K]uint32

// Similarity estimates the Jaccard similarity of the sets behind two
// signatures: the share of equal minima.
func Similarity(a, b *Sig) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / K
}

func (s *Sig) bytes() []byte {
	b := make([]byte, 4*K)
	for i, v := range s {
		binary.BigEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func sigFrom(b []byte) (Sig, bool) {
	var s Sig
	if len(b) != 4*K {
		return s, false
	}
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return s, true
}

func bandKeys(s *Sig, rows int) []string {
	out := make([]string, 0, K/rows)
	var buf [4 * K]byte
	for b := 0; b < K/rows; b++ {
		for r := 0; r < rows; r++ {
			binary.BigEndian.PutUint32(buf[4*r:], s[b*rows+r])
		}
		h := xxhash.Sum64(buf[:4*rows])
		out = append(out, strconv.Itoa(rows)+"."+strconv.Itoa(b)+"."+strconv.FormatUint(h, 36))
	}
	return out
}

// Entry is what is known of one message.
type Entry struct {
	Sig     Sig
	HasSig  bool     // enough text for a signature
	Attach  []string // SHA-256 (hex) of attachments worth matching
	Subject string
	ScanID  string
}

func (e *Entry) indexKeys() []string {
	var ks []string
	if e.HasSig {
		ks = bandKeys(&e.Sig, Rows)
	}
	for _, a := range e.Attach {
		ks = append(ks, "a."+a)
	}
	return ks
}

// Kind is what happened to a copy.
type Kind int

// Kinds.
const (
	Seen     Kind = iota // scanned (matched a campaign)
	Held                 // the policy held it
	Learned              // learned as spam
	Reported             // reported as spam by a user
	Ham                  // learned as ham or released: the campaign is not spam
)

// Campaign is a group of near-duplicate messages.
type Campaign struct {
	ID          string    `json:"id"`
	First       time.Time `json:"first_seen"`
	Last        time.Time `json:"last_seen"`
	Seen        int       `json:"seen"`
	Held        int       `json:"held"`
	Spam        int       `json:"spam"` // learned or reported as spam
	Ham         int       `json:"ham"`  // learned as ham or released
	Subject     string    `json:"subject"`
	Scans       []string  `json:"scan_ids,omitempty"` // scan ids of held copies, newest first
	Size        int       `json:"size"`               // every copy counted
	HeldToKnown int       `json:"-"`
}

// Known reports whether the campaign is known spam: more spam than ham
// feedback, or held heldToKnown times and never released (0: never by
// holds alone).
func (c *Campaign) Known(heldToKnown int) bool {
	if c.Spam > 0 && c.Spam > c.Ham {
		return true
	}
	return heldToKnown > 0 && c.Ham == 0 && c.Held >= heldToKnown
}

// Match is a message's campaign.
type Match struct {
	Campaign   *Campaign // nil: none
	Similarity float64   // 1 for an attachment match
	ByAttach   bool
	Copies     int // bulk copies in the last hour, this one not included
}

// backend is what a storage provides.
type backend interface {
	lookup(ctx context.Context, keys []string) ([]string, error) // campaign id per key, "" when none
	index(ctx context.Context, keys []string, id string, now time.Time) error
	sigs(ctx context.Context, id string) ([]Sig, error)
	addSig(ctx context.Context, id string, s *Sig) error
	get(ctx context.Context, id string) (*Campaign, error) // nil when missing
	bump(ctx context.Context, id string, k Kind, subject, scan string, now time.Time) error
	bulkAdd(ctx context.Context, keys []string, now time.Time) error
	bulkCount(ctx context.Context, keys []string, now time.Time) ([]int, error)
	list(ctx context.Context, limit int) ([]Campaign, error)
	del(ctx context.Context, id string) error
	prune(ctx context.Context, before time.Time) error
	close() error
}

// Store is a fuzzy-hash store. Safe for concurrent use.
type Store struct {
	b backend
}

// ErrNotFound means no such campaign.
var ErrNotFound = errors.New("fuzzystore: no such campaign")

// Lookup finds an entry's campaign (similarity at least threshold, or a
// shared attachment) and counts its bulk copies. It writes nothing.
func (s *Store) Lookup(ctx context.Context, e *Entry, threshold float64, now time.Time) (Match, error) {
	var m Match
	if e.HasSig {
		cs, err := s.b.bulkCount(ctx, bandKeys(&e.Sig, BulkRows), now)
		if err != nil {
			return m, err
		}
		for _, c := range cs {
			m.Copies = max(m.Copies, c)
		}
	}
	id, sim, byAtt, err := s.find(ctx, e, threshold)
	if err != nil || id == "" {
		return m, err
	}
	c, err := s.b.get(ctx, id)
	if err != nil || c == nil {
		return m, err
	}
	m.Campaign, m.Similarity, m.ByAttach = c, sim, byAtt
	return m, nil
}

// find returns the best campaign of an entry.
func (s *Store) find(ctx context.Context, e *Entry, threshold float64) (string, float64, bool, error) {
	keys := e.indexKeys()
	if len(keys) == 0 {
		return "", 0, false, nil
	}
	ids, err := s.b.lookup(ctx, keys)
	if err != nil {
		return "", 0, false, err
	}
	nb := 0
	if e.HasSig {
		nb = Bands
	}
	votes := map[string]int{}
	for i, id := range ids {
		if id == "" {
			continue
		}
		if i >= nb {
			return id, 1, true, nil // an attachment of a campaign
		}
		votes[id]++
	}
	type cand struct {
		id string
		n  int
	}
	var cands []cand
	for id, n := range votes {
		cands = append(cands, cand{id, n})
	}
	sort.Slice(cands, func(i, j int) bool {
		return cands[i].n > cands[j].n || cands[i].n == cands[j].n && cands[i].id < cands[j].id
	})
	best, bestSim := "", 0.0
	for i, c := range cands {
		if i >= 4 {
			break
		}
		sigs, err := s.b.sigs(ctx, c.id)
		if err != nil {
			return "", 0, false, err
		}
		for j := range sigs {
			if sim := Similarity(&e.Sig, &sigs[j]); sim >= threshold && sim > bestSim {
				best, bestSim = c.id, sim
			}
		}
	}
	return best, bestSim, false, nil
}

// CountBulk counts a scanned copy in the last hour's bulk counters.
func (s *Store) CountBulk(ctx context.Context, e *Entry, now time.Time) error {
	if !e.HasSig {
		return nil
	}
	return s.b.bulkAdd(ctx, bandKeys(&e.Sig, BulkRows), now)
}

// Record adds a copy to its campaign: Seen and Ham only to a campaign it
// matches; Held, Learned and Reported start one when it matches none. It
// returns the campaign id ("" when none).
func (s *Store) Record(ctx context.Context, e *Entry, k Kind, threshold float64, now time.Time) (string, error) {
	id, sim, _, err := s.find(ctx, e, threshold)
	if err != nil {
		return "", err
	}
	if id == "" {
		if k == Seen || k == Ham || (!e.HasSig && len(e.Attach) == 0) {
			return "", nil
		}
		id = newID()
	}
	return id, s.RecordIn(ctx, id, sim, e, k, now)
}

// RecordIn adds a copy to a campaign Lookup found (with the similarity it
// found), or starts campaign id.
func (s *Store) RecordIn(ctx context.Context, id string, sim float64, e *Entry, k Kind, now time.Time) error {
	if err := s.b.bump(ctx, id, k, e.Subject, e.ScanID, now); err != nil {
		return err
	}
	// Learn the copy's own signature when it adds variety (new campaign,
	// or not a near-identical copy), so the campaign's drift is followed.
	if k != Seen && k != Ham && sim < 0.9 {
		if e.HasSig {
			if err := s.b.addSig(ctx, id, &e.Sig); err != nil {
				return err
			}
		}
		if err := s.b.index(ctx, e.indexKeys(), id, now); err != nil {
			return err
		}
	}
	return nil
}

// Campaigns lists campaigns, most recently seen first.
func (s *Store) Campaigns(ctx context.Context, limit int) ([]Campaign, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	return s.b.list(ctx, limit)
}

// Campaign returns one campaign.
func (s *Store) Campaign(ctx context.Context, id string) (*Campaign, error) {
	c, err := s.b.get(ctx, id)
	if err == nil && c == nil {
		err = ErrNotFound
	}
	return c, err
}

// Delete forgets a campaign (its index entries die with it: lookups
// ignore keys of missing campaigns).
func (s *Store) Delete(ctx context.Context, id string) error { return s.b.del(ctx, id) }

// Prune forgets campaigns not seen since before.
func (s *Store) Prune(ctx context.Context, before time.Time) error { return s.b.prune(ctx, before) }

// Close closes the store.
func (s *Store) Close() error { return s.b.close() }

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func slotOf(t time.Time) int64 { return t.UnixNano() / int64(slot) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
