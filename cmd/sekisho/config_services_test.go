package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestCheckServicesRedisReadOnly: config check reaches the classifier's
// Redis without writing to it (OpenRedis would record the hash scheme of
// an empty database), and reports an unreachable one.
func TestCheckServicesRedisReadOnly(t *testing.T) {
	ctx := context.Background()
	url := redistest.Start(t)
	cfg := &config.Config{}
	cfg.Bayes.Enabled, cfg.Bayes.Backend, cfg.Bayes.RedisURL, cfg.Bayes.RedisPrefix = true, "redis", url, "cc:"
	var out bytes.Buffer
	if err := checkServices(ctx, cfg, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "bayes: Redis at") {
		t.Errorf("output %q", out.String())
	}
	opt, _ := redis.ParseURL(url)
	rc := redis.NewClient(opt)
	defer rc.Close()
	if n, err := rc.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("config check wrote %d keys (%v)", n, err)
	}
	cfg.Bayes.RedisURL = "redis://127.0.0.1:1/0"
	if err := checkServices(ctx, cfg, &out); err == nil {
		t.Error("unreachable Redis: no error")
	}
}
