// Package store keeps what the statistical classifier has learned: for
// each feature (a 64-bit hash) how many spam and ham messages contained
// it, per class the number of learned messages, and a digest of every
// learned message so that relearning it under the other label moves it
// instead of counting it twice.
//
// Two backends share this data model: File (one compact file under the
// data directory, the default) and Redis (several sekisho instances share
// what they learn).
//
// A class is "" for the global store, or a domain or user name when
// per-domain or per-user learning is enabled. Feature keys are mixed with
// the class hash, so all classes share one key space.
package bayesstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Counts is how many spam and ham messages contained a feature, and the
// feature's weight in the linear layer.
type Counts struct {
	Spam, Ham uint32
	Weight    float32
}

// Totals is how many spam and ham messages a class has learned.
type Totals struct {
	Spam, Ham uint64
}

// Digest identifies a learned message within a class.
type Digest [16]byte

// String is the hex form.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MakeDigest derives a digest from a class and message content.
func MakeDigest(class string, content ...[]byte) Digest {
	h := sha256.New()
	h.Write([]byte(class))
	h.Write([]byte{0})
	for _, c := range content {
		h.Write(c)
		h.Write([]byte{0})
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	return d
}

// Outcome is what Learn did.
type Outcome int

// Outcomes.
const (
	Learned        Outcome = iota // counted for the first time
	Relearned                     // moved from the other label
	AlreadyLearned                // already counted with this label: nothing changed
)

func (o Outcome) String() string {
	switch o {
	case Learned:
		return "learned"
	case Relearned:
		return "relearned"
	}
	return "already learned"
}

// Stats describe a store.
type Stats struct {
	Features int   // distinct keys stored (all classes)
	Messages int   // learned message digests
	Bytes    int64 // size on disk (File) or memory used (Redis, whole server)
}

// Store is a learned-state backend. Implementations are safe for
// concurrent use.
type Store interface {
	// Totals returns a class's learned message counts.
	Totals(ctx context.Context, class string) (Totals, error)
	// Lookup fills out[i] with the counts of keys[i] in a class.
	Lookup(ctx context.Context, class string, keys []uint64, out []Counts) error
	// Learn records a message with its distinct feature keys.
	Learn(ctx context.Context, class string, d Digest, keys []uint64, spam bool) (Outcome, error)
	// AddWeights adds deltas[i] to the linear weight of keys[i].
	AddWeights(ctx context.Context, class string, keys []uint64, deltas []float64) error
	// Forget removes a learned message (keys must be the ones it was
	// learned with). It reports whether the message was known.
	Forget(ctx context.Context, class string, d Digest, keys []uint64) (bool, error)
	// Stats reports the store's size.
	Stats(ctx context.Context) (Stats, error)
	// Sync makes learned state durable and picks up other writers' learning.
	Sync(ctx context.Context) error
	Close() error
}

// Fetcher is implemented by stores that read what one classification
// needs in one call: the totals of several classes and the counts of keys
// in one of them (Redis: one round trip per message instead of two).
type Fetcher interface {
	// Fetch returns the totals of classes[i] and fills out[i] with the
	// counts of keys[i] in class.
	Fetch(ctx context.Context, classes []string, class string, keys []uint64, out []Counts) ([]Totals, error)
}

// Hash schemes: how the tokenizer hashes features into the keys a store
// holds (package tokenize: SchemeText and SchemePairMix, the same
// numbers). A store keeps one scheme for life: every store made before
// scheme 2 existed (format 1 to 4 files, Redis data without a scheme key)
// is scheme 1; a new store (no file yet, an empty Redis database) is made
// with SchemeNew and records it (file format 5, the Redis key PREFIX
// scheme), so every process sharing it tokenizes alike.
const (
	SchemeText    = 1
	SchemePairMix = 2
	SchemeNew     = SchemePairMix
	schemeMax     = SchemePairMix // the newest this build knows
)

// Schemer is implemented by stores that record their hash scheme (File
// and Redis). A store without it is scheme 1.
type Schemer interface {
	// Scheme is the hash scheme of the store's keys; it changes only
	// when the store is replaced under a File (another process wrote a
	// new file: the reload picks up its scheme).
	Scheme() int
}

// SchemeOf is st's hash scheme (SchemeText for a store that records none).
func SchemeOf(st Store) int {
	if s, ok := st.(Schemer); ok {
		return s.Scheme()
	}
	return SchemeText
}

// SchemeWriter is implemented by stores whose scheme can change under
// their user (File: a reload or a Sync takes another process's new
// store; Redis: a database emptied and settled again by another
// instance). Each write checks the keys' hash scheme against the store's
// atomically with the write, and fails with ErrSchemeMismatch when they
// differ; a check before the write would leave a window in between.
type SchemeWriter interface {
	LearnAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64, spam bool) (Outcome, error)
	ForgetAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64) (bool, error)
	AddWeightsAs(ctx context.Context, scheme int, class string, keys []uint64, deltas []float64) error
}

func schemeErr(keys, store int) error {
	return fmt.Errorf("%w: keys of scheme %d for a scheme-%d store", ErrSchemeMismatch, keys, store)
}

// LearnAs is st.Learn of keys made with the given hash scheme: checked
// with the write by a SchemeWriter, before it by any other store (whose
// scheme, SchemeOf, does not change).
func LearnAs(ctx context.Context, st Store, scheme int, class string, d Digest, keys []uint64, spam bool) (Outcome, error) {
	if w, ok := st.(SchemeWriter); ok {
		return w.LearnAs(ctx, scheme, class, d, keys, spam)
	}
	if s := SchemeOf(st); s != scheme {
		return 0, schemeErr(scheme, s)
	}
	return st.Learn(ctx, class, d, keys, spam)
}

// ForgetAs is st.Forget of keys made with the given hash scheme (as LearnAs).
func ForgetAs(ctx context.Context, st Store, scheme int, class string, d Digest, keys []uint64) (bool, error) {
	if w, ok := st.(SchemeWriter); ok {
		return w.ForgetAs(ctx, scheme, class, d, keys)
	}
	if s := SchemeOf(st); s != scheme {
		return false, schemeErr(scheme, s)
	}
	return st.Forget(ctx, class, d, keys)
}

// AddWeightsAs is st.AddWeights of keys made with the given hash scheme
// (as LearnAs).
func AddWeightsAs(ctx context.Context, st Store, scheme int, class string, keys []uint64, deltas []float64) error {
	if w, ok := st.(SchemeWriter); ok {
		return w.AddWeightsAs(ctx, scheme, class, keys, deltas)
	}
	if s := SchemeOf(st); s != scheme {
		return schemeErr(scheme, s)
	}
	return st.AddWeights(ctx, class, keys, deltas)
}

// ErrSchemeMismatch means keys of one hash scheme were to be combined
// with a store of another (their counts would be meaningless).
var ErrSchemeMismatch = errors.New("store: the bayes store's hash scheme differs")

// ErrCorrupt means the store file is damaged.
var ErrCorrupt = errors.New("store: corrupt bayes store")

// ErrNewerFormat means the store file was written by a newer sekisho
// (a downgrade): it is left alone, not overwritten.
var ErrNewerFormat = errors.New("store: bayes store file written by a newer sekisho (restore the backup taken before the upgrade, or run the newer release)")

// ClassKey mixes a feature hash with its class.
func ClassKey(class string, h uint64) uint64 {
	return h ^ classMix(class)
}

// classMix is what ClassKey mixes into a class's keys (0 for the global
// class), for loops that compute it once.
func classMix(class string) uint64 {
	if class == "" {
		return 0
	}
	return xxhash.Sum64String(class) * 0x9E3779B97F4A7C15
}

const (
	labelSpam = 'S'
	labelHam  = 'H'
)

func label(spam bool) byte {
	if spam {
		return labelSpam
	}
	return labelHam
}
