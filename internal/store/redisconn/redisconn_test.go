package redisconn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

func TestOptions(t *testing.T) {
	to := config.Duration{Duration: time.Second}
	o, err := Options(config.Redis{URL: "redis://u:p@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", Cluster: true, Timeout: to})
	if err != nil || len(o.Addrs) != 3 || o.Username != "u" || o.Password != "p" || !o.IsClusterMode {
		t.Fatalf("cluster url: %+v %v", o, err)
	}
	o, err = Options(config.Redis{URL: "redis://:pw@10.0.0.1:6379/2", Timeout: to})
	if err != nil || len(o.Addrs) != 1 || o.DB != 2 || o.Password != "pw" || o.IsClusterMode {
		t.Fatalf("server url: %+v %v", o, err)
	}
	if _, err := Open(context.Background(), config.Redis{}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("empty: %v", err)
	}
	if k := Key("p:", "out:a}b", "m"); k != "p:{out:a%7Db}m" {
		t.Fatalf("key %q", k)
	}
}

// TestOpen: one address is a server, several are a cluster.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	to := config.Duration{Duration: 2 * time.Second}
	c, err := Open(ctx, config.Redis{URL: redistest.Start(t), Timeout: to})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*redis.Client); !ok {
		t.Errorf("server: %T", c)
	}
	c.Close()
	if testing.Short() {
		return
	}
	cl := redistest.StartCluster(t, 3, 0)
	c, err = Open(ctx, config.Redis{Addrs: cl.Addrs, Timeout: to})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*redis.ClusterClient); !ok {
		t.Errorf("cluster: %T", c)
	}
}
