package bayesstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestRevClusterFetchTotals (a bug main had too): in a cluster, Fetch read
// the totals from PREFIX n:CLASS while they are kept in
// PREFIX {d}n:CLASS.
func TestRevClusterFetchTotals(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	r, err := NewRedis(ctx, redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs}), "ft:")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Learn(ctx, "", dig(1), []uint64{1, 2}, true)
	tot, _ := r.Totals(ctx, "")
	out := make([]Counts, 2)
	tots, err := r.Fetch(ctx, []string{""}, "", []uint64{1, 2}, out)
	t.Logf("Totals %+v, Fetch totals %+v (err %v), counts %+v", tot, tots, err, out)
	if err != nil || tots[0] != tot {
		t.Error("Fetch's totals differ from Totals'")
	}
}
