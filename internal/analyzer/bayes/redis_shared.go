package bayes

import (
	"context"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
	"github.com/sekisho/sekisho/internal/store/redisconn"
)

// openRedis opens the store for backend "redis": on the shared [redis]
// server or cluster when it is configured, else on bayes.redis_url.
func openRedis(ctx context.Context, cfg *config.Config) (*bayesstore.Redis, error) {
	bc := cfg.Bayes
	if !cfg.Redis.Enabled() {
		return bayesstore.OpenRedis(ctx, bc.RedisURL, bc.RedisPrefix)
	}
	c, err := redisconn.Open(ctx, cfg.Redis)
	if err != nil {
		return nil, err
	}
	r, err := bayesstore.NewRedis(ctx, c, bc.RedisPrefix)
	if err != nil {
		c.Close()
		return nil, err
	}
	return r, nil
}
