package config

import (
	"fmt"
	"strings"
	"time"
)

// Redis holds the [redis] section: the Redis or Valkey server (or
// cluster) that several sekisho instances share. When it is set, the
// outbound counters, the correspondence history (first contact) and the
// console's sign-in limits live in it instead of files under
// general.data_dir, and bayes.backend = "redis" uses it too, so any
// instance can answer for any message. See docs/scale-out.md.
type Redis struct {
	// Addrs are host:port addresses. One address is a single server
	// (unless cluster = true); two or more are the seed nodes of a Redis
	// Cluster (the client learns the others). Default empty: no shared
	// Redis.
	Addrs []string `toml:"addrs"`
	// URL is the alternative to addrs: redis://[user:password@]host:port/db
	// (rediss:// for TLS). With cluster = true, more seed nodes are given
	// as ?addr=host:port&addr=host:port. Default empty.
	URL string `toml:"url"`
	// Cluster forces cluster mode with a single address or URL (a cluster
	// behind one configuration endpoint). Default false.
	Cluster bool `toml:"cluster"`
	// Username and Password authenticate (ACL user; password alone for
	// requirepass). Default empty.
	Username string `toml:"username"`
	Password string `toml:"password"`
	// DB is the database number of a single server (a cluster has only
	// 0). Default 0.
	DB int `toml:"db"`
	// Prefix prefixes every key sekisho writes (besides bayes, which keeps
	// bayes.redis_prefix). Default "sekisho:".
	Prefix string `toml:"prefix"`
	// Timeout bounds connecting and each command. Default "2s".
	Timeout Duration `toml:"timeout"`
	// PoolSize is the connections per server. Default 0: 10 per CPU.
	PoolSize int `toml:"pool_size"`
}

// Enabled reports whether a shared Redis is configured.
func (r Redis) Enabled() bool { return len(r.Addrs) > 0 || r.URL != "" }

func defaultRedis() Redis {
	return Redis{Prefix: "sekisho:", Timeout: Duration{2 * time.Second}}
}

func init() {
	validators = append(validators, func(c *Config) error {
		r := &c.Redis
		if len(r.Addrs) > 0 && r.URL != "" {
			return fmt.Errorf("redis: set addrs or url, not both")
		}
		for _, a := range r.Addrs {
			if !strings.Contains(a, ":") {
				return fmt.Errorf("redis.addrs: %q is not host:port", a)
			}
		}
		if r.URL != "" && !strings.HasPrefix(r.URL, "redis://") && !strings.HasPrefix(r.URL, "rediss://") {
			return fmt.Errorf("redis.url: %q is not a redis:// or rediss:// URL", r.URL)
		}
		if r.DB < 0 || (r.DB != 0 && (r.Cluster || len(r.Addrs) > 1)) {
			return fmt.Errorf("redis.db: a cluster has database 0 only")
		}
		if strings.ContainsAny(r.Prefix, "{}") {
			return fmt.Errorf("redis.prefix: must not contain { or } (sekisho adds the cluster hash tags)")
		}
		if r.Timeout.Duration <= 0 {
			return fmt.Errorf("redis.timeout: must be positive")
		}
		if r.PoolSize < 0 || r.PoolSize > 10000 {
			return fmt.Errorf("redis.pool_size: must be between 0 and 10000")
		}
		return nil
	})
}
