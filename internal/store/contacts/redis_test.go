package contacts

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestRedis: the shared history answers like the file, across two
// handles (two instances), on one server and on a Redis Cluster.
func TestRedis(t *testing.T) {
	run := func(t *testing.T, rc config.Redis) {
		ctx := context.Background()
		rc.Prefix = "t:"
		rc.Timeout = config.Duration{Duration: 2 * time.Second}
		w, err := OpenRedis(ctx, rc, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var rd Reader
		if rd, err = OpenRedis(ctx, rc, 0); err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		k, err := rd.Known(ctx, "me@example.jp", "a@partner.co.jp")
		if err != nil || k.AddrSeen || k.DomainSeen || k.RcptHistory != 0 {
			t.Fatalf("empty store: %+v %v", k, err)
		}
		now := time.Now()
		if err := w.Learn(ctx, "Me@Example.jp", "<A@partner.co.jp>", "<id1@partner.co.jp>", now); err != nil {
			t.Fatal(err)
		}
		if err := w.Learn(ctx, "me@example.jp", "a@partner.co.jp", "id2@x", now); err != nil {
			t.Fatal(err)
		}
		k, _ = rd.Known(ctx, "me@example.jp", "a@partner.co.jp")
		if !k.AddrSeen || !k.DomainSeen || k.RcptHistory != 2 {
			t.Fatalf("after learn: %+v", k)
		}
		k, _ = rd.Known(ctx, "me@example.jp", "b@partner.co.jp")
		if k.AddrSeen || !k.DomainSeen {
			t.Fatalf("domain: %+v", k)
		}
		th, err := rd.Thread(ctx, "me@example.jp", []string{"<id1@partner.co.jp>", "unknown@x"})
		if err != nil || th.Known != 1 || len(th.Peers) != 1 || th.Peers[0] != "a@partner.co.jp" {
			t.Fatalf("thread: %+v %v", th, err)
		}
		if ttl := w.c.TTL(ctx, w.key("me@example.jp", "p")).Val(); ttl <= 23*time.Hour || ttl > 24*time.Hour {
			t.Errorf("ttl %v", ttl)
		}
	}
	t.Run("server", func(t *testing.T) {
		run(t, config.Redis{URL: redistest.Start(t)})
	})
	t.Run("cluster", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts a Redis Cluster")
		}
		c := redistest.StartCluster(t, 3, 0)
		run(t, config.Redis{Addrs: c.Addrs})
	})
}
