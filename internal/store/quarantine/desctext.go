package quarantine

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// Symbol descriptions are stored once, content-addressed (migration 4).
//
// Every symbol of a verdict carries its English and Japanese
// description (SymbolResult.EN, JA): the same few hundred texts of the
// symbol definitions in every row, some 2.5 KB of a 6 KB history row.
// The verdict column now names a symbol's pair of texts by a key, a
// hash of the two, written where the texts were ("dref":"KEY"); the
// texts are a row of sym_text under that key, inserted before the first
// row that names it, in key order in a short transaction of their own
// (storeTexts; ON CONFLICT DO NOTHING: several writers, several
// instances) and never changed or deleted, so
// a row keeps the wording it was written with whatever the definitions
// say later. Message puts the texts back: readers get the verdict as it
// was. Rows written before keep their texts in the column and read as
// before.
//
// Texts json.Marshal would not give back unchanged (invalid UTF-8, NUL:
// PostgreSQL's TEXT refuses NUL) and pairs shorter than a key or longer
// than refMaxLen stay in the column, as do all texts once a store has
// met maxKnownTexts keys (a bound on the table and on the memory of the
// keys, should descriptions ever be made per message).

const (
	refMinLen     = 40   // EN and JA together: shorter pairs stay inline
	refMaxLen     = 2048 // and longer ones too
	maxKnownTexts = 1 << 14
	refBits       = 11
	refSlots      = 1 << refBits
)

// textRef is a pair of descriptions and its key.
type textRef struct {
	en, ja string // copies of their own
	key    string // base64url (22 characters) of the first 16 bytes of SHA-256(en NUL ja)
	// knownBy is the id of the last knownTexts that noted the key
	// committed: that store's check is then one load instead of a map
	// look-up under its lock.
	knownBy atomic.Uint64
}

// refCache keeps the pairs met, by where their texts lie in memory (a
// definition's strings stay where they are) as descCache does; a hit is
// decided by comparing the texts.
var refCache [refSlots]atomic.Pointer[textRef]

// refMisses counts the pairs hashed and stored (tests).
var refMisses atomic.Uint64

// refKey is the key of a pair of texts.
func refKey(en, ja string) string {
	h := sha256.New()
	h.Write([]byte(en))
	h.Write([]byte{0})
	h.Write([]byte(ja))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:16])
}

// storable reports whether s is stored and read back unchanged by a TEXT
// column and by the JSON it came through: valid UTF-8 without NUL.
func storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// lookupRef returns the pair's textRef, nil when the pair stays inline.
func lookupRef(en, ja string) *textRef {
	if n := len(en) + len(ja); n < refMinLen || n > refMaxLen {
		return nil
	}
	pe := uint64(uintptr(unsafe.Pointer(unsafe.StringData(en))))
	pj := uint64(uintptr(unsafe.Pointer(unsafe.StringData(ja))))
	h := (pe>>3 ^ (pj>>3)*0x2545F4914F6CDD1D ^ uint64(len(en))<<32 ^ uint64(len(ja))) * 0x9E3779B97F4A7C15
	i := int(h >> (64 - refBits))
	j := int(h>>(64-2*refBits)) & (refSlots - 1)
	if j == i {
		j ^= 1
	}
	e0, e1 := refCache[i].Load(), refCache[j].Load()
	if e0 != nil && e0.en == en && e0.ja == ja {
		return e0
	}
	if e1 != nil && e1.en == en && e1.ja == ja {
		return e1
	}
	if !storable(en) || !storable(ja) {
		return nil
	}
	refMisses.Add(1)
	e := &textRef{en: strings.Clone(en), ja: strings.Clone(ja), key: refKey(en, ja)}
	if e0 != nil && e1 == nil {
		refCache[j].Store(e)
	} else {
		refCache[i].Store(e)
	}
	return e
}

// knownTexts are the keys a store knows to be in its sym_text table
// (committed by it in this process).
type knownTexts struct {
	id   uint64 // this store's, from knownTextsIDs (never 0)
	mu   sync.RWMutex
	keys map[string]struct{}
}

var knownTextsIDs atomic.Uint64

func newKnownTexts() knownTexts { return knownTexts{id: knownTextsIDs.Add(1)} }

func (k *knownTexts) has(r *textRef) (known, full bool) {
	if k.id != 0 && r.knownBy.Load() == k.id {
		return true, false
	}
	k.mu.RLock()
	_, known = k.keys[r.key]
	full = len(k.keys) >= maxKnownTexts
	k.mu.RUnlock()
	return known, full
}

// add notes keys committed.
func (k *knownTexts) add(refs []*textRef) {
	if len(refs) == 0 {
		return
	}
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]struct{}{}
	}
	for _, r := range refs {
		if len(k.keys) >= maxKnownTexts {
			break
		}
		k.keys[r.key] = struct{}{}
		r.knownBy.Store(k.id)
	}
	k.mu.Unlock()
}

// descRefs decides, while a verdict is encoded, which symbols' texts go
// by key, and collects the pairs the store does not know yet (inserted
// by storeTexts before the row). A nil *descRefs keeps every text inline.
type descRefs struct {
	known *knownTexts
	added []*textRef
}

// ref returns the key to write for a symbol's texts, "" to write them.
func (d *descRefs) ref(en, ja string) string {
	if d == nil {
		return ""
	}
	r := lookupRef(en, ja)
	if r == nil {
		return ""
	}
	known, full := d.known.has(r)
	if known {
		return r.key
	}
	if full {
		return ""
	}
	for _, a := range d.added {
		if a.key == r.key {
			return r.key
		}
	}
	d.added = append(d.added, r)
	return r.key
}

// insertTexts inserts into storeTexts' transaction the pairs the store
// does not know, each once.
func (s *Store) insertTexts(ctx context.Context, tx *txStmts, refs []*textRef) error {
next:
	for _, r := range refs {
		if known, _ := s.texts.has(r); known {
			continue
		}
		for _, done := range tx.texts {
			if done.key == r.key {
				continue next
			}
		}
		if _, err := tx.stmt(ctx, s.st.text).ExecContext(ctx, r.key, r.en, r.ja); err != nil {
			return fmt.Errorf("quarantine: insert description: %w", err)
		}
		tx.texts = append(tx.texts, r)
	}
	return nil
}

// storeTexts inserts the pairs the entries name that the store does not
// know yet, in key order, in a short transaction of their own committed
// before the rows' transaction begins. Inserting them in the rows'
// transaction made two transactions (two instances on one PostgreSQL, or
// a hold and the history writer) that met the same new pairs in another
// order wait on each other's uncommitted sym_text rows: deadlock, and the
// whole batch or the hold failed. A pair committed whose rows then fail
// is harmless (content-addressed, never deleted).
func (s *Store) storeTexts(ctx context.Context, es ...*entry) error {
	var refs []*textRef
	for _, e := range es {
		if e == nil {
			continue
		}
		for _, r := range e.texts {
			if known, _ := s.texts.has(r); !known {
				refs = append(refs, r)
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	slices.SortFunc(refs, func(a, b *textRef) int { return strings.Compare(a.key, b.key) })
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("quarantine: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	ts := newTxStmts(tx)
	if err := s.insertTexts(ctx, ts, refs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("quarantine: commit: %w", err)
	}
	s.committed(ts)
	return nil
}

// committed notes the pairs a committed transaction inserted.
func (s *Store) committed(tx *txStmts) {
	s.texts.add(tx.texts)
	tx.texts = nil
}

// drefMarker is in a verdict column that names texts by key.
const drefMarker = `"dref":"`

// resolveTexts puts back the descriptions of a verdict read from a
// column that names them by key (verdict is the column, v what
// json.Unmarshal made of it). A key not found leaves the symbol without
// descriptions (the console then shows the definition's).
func (s *Store) resolveTexts(ctx context.Context, verdict string, v *pipeline.Verdict) error {
	if !strings.Contains(verdict, drefMarker) {
		return nil
	}
	var refs struct {
		Symbols []struct {
			Ref string `json:"dref"`
		} `json:"symbols"`
	}
	if err := json.Unmarshal([]byte(verdict), &refs); err != nil || len(refs.Symbols) != len(v.Symbols) {
		return nil
	}
	var keys []any
	for _, sym := range refs.Symbols {
		if sym.Ref != "" && !containsAny(keys, sym.Ref) {
			keys = append(keys, sym.Ref)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	texts := make(map[string][2]string, len(keys))
	// A verdict names at most a few hundred pairs: well under either
	// database's limit of parameters.
	rows, err := s.query(ctx, `SELECT id, en, ja FROM sym_text WHERE id IN (?`+strings.Repeat(", ?", len(keys)-1)+`)`, keys...)
	if err != nil {
		return fmt.Errorf("quarantine: descriptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, en, ja string
		if err := rows.Scan(&id, &en, &ja); err != nil {
			return fmt.Errorf("quarantine: descriptions: %w", err)
		}
		texts[id] = [2]string{en, ja}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quarantine: descriptions: %w", err)
	}
	for i, sym := range refs.Symbols {
		if t, ok := texts[sym.Ref]; ok && sym.Ref != "" {
			v.Symbols[i].EN, v.Symbols[i].JA = t[0], t[1]
		}
	}
	return nil
}

func containsAny(keys []any, k string) bool {
	for _, x := range keys {
		if x.(string) == k {
			return true
		}
	}
	return false
}
