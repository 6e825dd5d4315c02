package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/store/redisconn"
)

// loginLimiter counts failed sign-ins per key (user, address).
type loginLimiter interface {
	blocked(keys ...string) bool
	blockedAt(key string, max int) bool
	delay(key string) time.Duration
	maxFails() int
	fail(keys ...string)
}

// newLoginLimiter shares the counts in [redis] when it is configured, so
// that spreading guesses over several consoles gains nothing; else each
// process counts alone.
func newLoginLimiter(cfg *config.Config, log *slog.Logger) loginLimiter {
	mem := newLimiter(cfg.Web.LoginAttempts, cfg.Web.LoginWindow.Duration)
	if !cfg.Redis.Enabled() {
		return mem
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := redisconn.Open(ctx, cfg.Redis)
	if err != nil {
		log.Warn("sign-in limits: redis unavailable, counting in this process", "err", err)
		return mem
	}
	return &redisLimiter{c: c, prefix: cfg.Redis.Prefix, mem: mem, log: log,
		max: int64(cfg.Web.LoginAttempts), window: cfg.Web.LoginWindow.Duration}
}

// redisLimiter counts in Redis: PREFIX{login:KEY} is a counter that
// expires one window after the first failure (a fixed window, where the
// process-local limiter slides). When Redis fails, the process-local
// limiter decides, so sign-in keeps working and stays bounded.
type redisLimiter struct {
	c      redis.UniversalClient
	prefix string
	mem    *limiter
	log    *slog.Logger
	max    int64
	window time.Duration
}

func (l *redisLimiter) key(k string) string { return redisconn.Key(l.prefix, "login:"+k, "") }

func (l *redisLimiter) blocked(keys ...string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	p := l.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = p.Get(ctx, l.key(k))
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		l.log.Warn("sign-in limits: redis", "err", err)
		return l.mem.blocked(keys...)
	}
	for _, c := range cmds {
		if n, _ := c.Int64(); n >= l.max {
			return true
		}
	}
	return false
}

func (l *redisLimiter) fail(keys ...string) {
	l.mem.fail(keys...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	p := l.c.Pipeline()
	for _, k := range keys {
		p.Incr(ctx, l.key(k))
		p.ExpireNX(ctx, l.key(k), l.window)
	}
	if _, err := p.Exec(ctx); err != nil {
		l.log.Warn("sign-in limits: redis", "err", err)
	}
}

func (l *redisLimiter) blockedAt(key string, max int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	n, err := l.c.Get(ctx, l.key(key)).Int64()
	if err != nil && err != redis.Nil {
		l.log.Warn("sign-in limits: redis", "err", err)
		return l.mem.blockedAt(key, max)
	}
	return n >= int64(max)
}

// delay is the process-local progressive wait (each process slows its own
// guesses down; the shared counters block).
func (l *redisLimiter) delay(key string) time.Duration { return l.mem.delay(key) }

func (l *redisLimiter) maxFails() int { return int(l.max) }
