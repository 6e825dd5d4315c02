package redistest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestCluster starts a 3-master cluster with a replica each, writes keys
// spread over every slot range, kills a master and reads them all back
// after its replica took over.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six redis-server processes")
	}
	c := StartCluster(t, 3, 1)
	if m := c.Masters(t); len(m) != 3 {
		t.Fatalf("masters: %v", m)
	}
	ctx := context.Background()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	defer cl.Close()
	for i := 0; i < 100; i++ {
		if err := cl.Set(ctx, fmt.Sprint("k", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Replication is asynchronous: a master killed before its replica
	// has the writes loses them by design. Wait until every replica has
	// acknowledged them (WAIT), so the test checks failover, not the lag.
	err := cl.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := m.Do(ctx, "WAIT", 1, 10000).Int()
		if err == nil && n < 1 {
			err = fmt.Errorf("WAIT on %s: %d replicas acknowledged", m.Options().Addr, n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Kill(t, c.Masters(t)[0])
	if err := c.WaitOK(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		var v int
		var err error
		for try := 0; try < 80; try++ {
			if v, err = cl.Get(ctx, fmt.Sprint("k", i)).Int(); err == nil {
				break
			}
			cl.ReloadState(ctx)
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil || v != i {
			t.Fatalf("k%d after failover: %v %v", i, v, err)
		}
	}
}
