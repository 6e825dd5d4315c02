package bayesstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// NewRedis uses an open client: a single server or a Redis/Valkey
// Cluster (internal/store/redisconn). In a cluster the 256 feature shards
// spread over the slots (a lookup is one pipelined round trip per master,
// sent in parallel), while the digests and the per-class totals, which
// the learn script changes together, share the hash tag "{d}" so the
// script runs in one slot. A single server keeps the historical key names
// (PREFIX d, PREFIX n:CLASS), so existing data stays valid.
func NewRedis(ctx context.Context, c redis.UniversalClient, prefix string) (*Redis, error) {
	if prefix == "" {
		prefix = "sekisho:bayes:"
	}
	if err := c.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("store: redis: %w", err)
	}
	_, cluster := c.(*redis.ClusterClient)
	r := &Redis{c: c, prefix: prefix, cluster: cluster}
	if err := r.initScheme(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// schemeKey holds the store's hash scheme (with the digests' hash tag in
// a cluster).
func (r *Redis) schemeKey() string {
	if r.cluster {
		return r.prefix + "{d}scheme"
	}
	return r.prefix + "scheme"
}

func (r *Redis) digestKey() string {
	if r.cluster {
		return r.prefix + "{d}"
	}
	return r.prefix + "d"
}

func (r *Redis) totalsKey(class string) string {
	if r.cluster {
		return r.prefix + "{d}n:" + class
	}
	return r.prefix + "n:" + class
}
