package bayesstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestRedisCluster runs the store's checks on a 3-master Redis Cluster:
// the feature shards spread over the masters, the learn script's keys
// share one slot, and a second client sees the first one's learning.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	cl := redistest.StartCluster(t, 3, 0)
	open := func() *Redis {
		r, err := NewRedis(ctx, redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs}), "test:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	r := open()
	exercise(t, r)
	keys := make([]uint64, 64)
	for i := range keys {
		keys[i] = uint64(i) << 56 // one feature per shard: every master holds some
	}
	if _, err := r.Learn(ctx, "", dig(9), keys, true); err != nil {
		t.Fatal(err)
	}
	out := make([]Counts, len(keys))
	if err := open().Lookup(ctx, "", keys, out); err != nil {
		t.Fatal(err)
	}
	for i, c := range out {
		if c.Spam != 1 {
			t.Fatalf("feature %d on the second client: %+v", i, c)
		}
	}
}
