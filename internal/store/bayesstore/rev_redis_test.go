package bayesstore

import (
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestRevRedisSchemeAfterWipe: instance A opened pre-scheme data (scheme
// 1, cached for its lifetime). The database is then emptied (a Redis
// restart without persistence, FLUSHDB, a reset script); instance B opens
// the empty database and settles scheme 2. Both go on learning into the
// same store with different schemes, and nothing refuses it.
func TestRevRedisSchemeAfterWipe(t *testing.T) {
	a, b, rc := wipedStore(t)
	_, errA := a.Learn(ctx, "", MakeDigest("", []byte("m1")), []uint64{1, 2, 3}, true)
	_, errB := b.Learn(ctx, "", MakeDigest("", []byte("m2")), []uint64{4, 5, 6}, false)
	key, _ := rc.Get(ctx, "w:scheme").Result()
	t.Logf("A scheme %d (learn err %v), B scheme %d (learn err %v), key %q", a.Scheme(), errA, b.Scheme(), errB, key)
	if a.Scheme() != b.Scheme() && errA == nil && errB == nil {
		t.Error("two instances write different schemes into one store")
	}
}

// wipedStore: instance A opens pre-scheme data (scheme 1), the database is
// emptied, and instance B opens it (scheme 2); rc is a plain client.
func wipedStore(t *testing.T) (a, b *Redis, rc *redis.Client) {
	url := redistest.Start(t)
	opt, _ := redis.ParseURL(url)
	rc = redis.NewClient(opt)
	t.Cleanup(func() { rc.Close() })
	rc.HSet(ctx, "w:n:", "s", 1, "h", 1) // data written before schemes
	a, err := OpenRedis(ctx, url, "w:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	rc.FlushDB(ctx)
	b, err = OpenRedis(ctx, url, "w:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, rc
}

// TestRedisSchemeAfterWipeWeightsForget: after the wipe and B's open, A's
// weights and forgets are refused too (they write tokens as well).
func TestRedisSchemeAfterWipeWeightsForget(t *testing.T) {
	a, b, rc := wipedStore(t)
	if err := a.AddWeights(ctx, "", []uint64{1, 2}, []float64{0.5, -0.5}); !errors.Is(err, ErrSchemeMismatch) {
		t.Errorf("AddWeights: %v, want ErrSchemeMismatch", err)
	}
	if _, err := a.Forget(ctx, "", MakeDigest("", []byte("m1")), []uint64{1, 2}); !errors.Is(err, ErrSchemeMismatch) {
		t.Errorf("Forget: %v, want ErrSchemeMismatch", err)
	}
	if err := a.AddWeightsAs(ctx, SchemeNew, "", []uint64{1}, []float64{1}); !errors.Is(err, ErrSchemeMismatch) {
		t.Errorf("AddWeightsAs of another scheme than the client's: %v", err)
	}
	if err := b.AddWeightsAs(ctx, b.Scheme(), "", []uint64{1}, []float64{1}); err != nil {
		t.Errorf("B AddWeightsAs: %v", err)
	}
	if n, _ := rc.HLen(ctx, "w:t:0").Result(); n != 1 {
		t.Errorf("shard holds %d fields, want B's one weight", n)
	}
}
