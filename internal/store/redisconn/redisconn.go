// Package redisconn opens the Redis or Valkey connection configured in
// [redis]: a single server or a Redis Cluster behind one
// redis.UniversalClient, so every store that shares state between sekisho
// instances works the same against either.
//
// In a cluster every key lives in one of 16384 hash slots and a command
// or script touching several keys needs them all in one slot: the stores
// group what one operation touches under one hash tag ("{...}" in the
// key, Redis Cluster specification, "Hash tags"), built with Key.
package redisconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/config"
)

// ErrNotConfigured is returned by Open when [redis] is empty.
var ErrNotConfigured = errors.New("redisconn: [redis] has no addrs or url")

// Open connects and pings. The caller closes the client.
func Open(ctx context.Context, rc config.Redis) (redis.UniversalClient, error) {
	if !rc.Enabled() {
		return nil, ErrNotConfigured
	}
	opt, err := Options(rc)
	if err != nil {
		return nil, err
	}
	c := redis.NewUniversalClient(opt)
	if cc, ok := c.(*redis.ClusterClient); ok {
		cc.AddHook(reloadHook{cc})
	}
	pctx, cancel := context.WithTimeout(ctx, 2*rc.Timeout.Duration+ctxSlack)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redisconn: %s: %w", describe(opt), err)
	}
	return c, nil
}

// ctxSlack lets a cluster client learn the slots before the first ping
// gives up.
const ctxSlack = 3 * time.Second

// Options turns [redis] into the client's options.
func Options(rc config.Redis) (*redis.UniversalOptions, error) {
	opt := &redis.UniversalOptions{
		Addrs: append([]string(nil), rc.Addrs...), Username: rc.Username, Password: rc.Password, DB: rc.DB,
		IsClusterMode: rc.Cluster, DialTimeout: rc.Timeout.Duration, ReadTimeout: rc.Timeout.Duration,
		WriteTimeout: rc.Timeout.Duration, PoolSize: rc.PoolSize,
		// A cluster failover takes a few seconds: retry moved and
		// tried-again replies that long rather than failing the scan.
		MaxRetries: 3, MaxRedirects: 8,
	}
	if rc.URL != "" {
		if rc.Cluster {
			co, err := redis.ParseClusterURL(rc.URL)
			if err != nil {
				return nil, fmt.Errorf("redisconn: redis.url: %w", err)
			}
			opt.Addrs, opt.TLSConfig = co.Addrs, co.TLSConfig
			if co.Username != "" || co.Password != "" {
				opt.Username, opt.Password = co.Username, co.Password
			}
		} else {
			o, err := redis.ParseURL(rc.URL)
			if err != nil {
				return nil, fmt.Errorf("redisconn: redis.url: %w", err)
			}
			opt.Addrs, opt.TLSConfig, opt.DB = []string{o.Addr}, o.TLSConfig, o.DB
			if o.Username != "" || o.Password != "" {
				opt.Username, opt.Password = o.Username, o.Password
			}
		}
	}
	return opt, nil
}

func describe(o *redis.UniversalOptions) string {
	mode := "server"
	if o.IsClusterMode || len(o.Addrs) > 1 {
		mode = "cluster"
	}
	return mode + " " + strings.Join(o.Addrs, ",")
}

// Key builds prefix + "{" + tag + "}" + rest: every key with the same tag
// is in the same cluster slot, so one script or transaction may touch
// them all. The tag must not contain "}".
func Key(prefix, tag, rest string) string {
	tag = strings.ReplaceAll(tag, "}", "%7D")
	return prefix + "{" + tag + "}" + rest
}

// reloadHook makes a cluster client fetch the slot map again when a
// command fails on the network: after a master dies its replica takes
// over its slots, and without a reload the client would go on dialling
// the dead address until its periodic refresh (10 s). ReloadState is
// asynchronous and coalesced, so a burst of failures costs one CLUSTER
// SLOTS.
type reloadHook struct{ c *redis.ClusterClient }

func (h reloadHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			h.c.ReloadState(context.Background())
		}
		return conn, err
	}
}

func (h reloadHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.check(err)
		return err
	}
}

func (h reloadHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.check(err)
		return err
	}
}

func (h reloadHook) check(err error) {
	var ne net.Error
	if err != nil && (errors.As(err, &ne) || redis.IsClusterDownError(err) || redis.IsMasterDownError(err)) {
		h.c.ReloadState(context.Background())
	}
}
