package repstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the shared backend: one hash per key (PREFIX + key) with
// fields h s m g b r (decayed counts), f (first seen, unix seconds) and
// l (last write, unix milliseconds). A Lua script decays and adds
// atomically, so instances writing the same key at once lose nothing.
// Keys expire after eight half-lives without a write.
type Redis struct {
	c        *redis.Client
	prefix   string
	halfLife time.Duration
}

// OpenRedis connects (url: redis://[:password@]host:port/db).
func OpenRedis(ctx context.Context, url, prefix string, halfLife time.Duration) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("repstore: redis url: %w", err)
	}
	if prefix == "" {
		prefix = "sekisho:rep:"
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("repstore: redis: %w", err)
	}
	// Loaded once so that pipelined EVALSHA finds it (a restarted server
	// forgets it: Record then falls back to EVAL).
	if err := recordScript.Load(ctx, c).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("repstore: redis: %w", err)
	}
	return &Redis{c: c, prefix: prefix, halfLife: halfLife}, nil
}

var fields = []string{"h", "s", "m", "g", "b", "r", "f", "l"}

// Get implements Reader.
func (r *Redis) Get(ctx context.Context, keys []string, now time.Time) ([]Counts, error) {
	out := make([]Counts, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	p := r.c.Pipeline()
	cmds := make([]*redis.SliceCmd, len(keys))
	for i, k := range keys {
		cmds[i] = p.HMGet(ctx, r.prefix+k, fields...)
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("repstore: redis: %w", err)
	}
	for i, cmd := range cmds {
		v := cmd.Val()
		if len(v) != len(fields) || v[7] == nil {
			continue
		}
		var n [8]float64
		for j := range n {
			n[j] = num(v[j])
		}
		f := decay(now.Sub(time.UnixMilli(int64(n[7]))), r.halfLife)
		out[i] = Counts{Ham: n[0] * f, Spam: n[1] * f, Malware: n[2] * f, Good: n[3] * f, Bad: n[4] * f, Rcpts: n[5] * f,
			First: time.Unix(int64(n[6]), 0), Known: true}
	}
	return out, nil
}

func num(v any) float64 {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f {
		return 0
	}
	return f
}

// recordScript decays a key's counts to now and adds the deltas.
// KEYS[1] the hash; ARGV: now (ms), half-life (ms), ttl (s), first (s),
// then six deltas in field order.
var recordScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local hl = tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', KEYS[1], 'l') or '')
local f = 1
if last and now > last and hl > 0 then f = math.pow(2, -(now - last) / hl) end
local names = {'h', 's', 'm', 'g', 'b', 'r'}
for i, n in ipairs(names) do
  local v = tonumber(redis.call('HGET', KEYS[1], n) or '0') or 0
  redis.call('HSET', KEYS[1], n, tostring(v * f + tonumber(ARGV[4 + i])))
end
redis.call('HSETNX', KEYS[1], 'f', ARGV[4])
if not last or now > last then redis.call('HSET', KEYS[1], 'l', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`)

// Record implements Store.
func (r *Redis) Record(ctx context.Context, keys []string, d Delta, now time.Time) error {
	ttl := int64(8 * r.halfLife / time.Second)
	if ttl < 3600 {
		ttl = 3600
	}
	p := r.c.Pipeline()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		recordScript.Run(ctx, p, []string{r.prefix + k}, now.UnixMilli(), r.halfLife.Milliseconds(), ttl, now.Unix(),
			d.Ham, d.Spam, d.Malware, d.Good, d.Bad, d.Rcpts)
	}
	if _, err := p.Exec(ctx); err != nil {
		// A script not yet loaded on this server: run each with EVAL.
		if !redis.HasErrorPrefix(err, "NOSCRIPT") {
			return fmt.Errorf("repstore: redis: %w", err)
		}
		for k := range seen {
			if err := recordScript.Run(ctx, r.c, []string{r.prefix + k}, now.UnixMilli(), r.halfLife.Milliseconds(), ttl, now.Unix(),
				d.Ham, d.Spam, d.Malware, d.Good, d.Bad, d.Rcpts).Err(); err != nil && err != redis.Nil {
				return fmt.Errorf("repstore: redis: %w", err)
			}
		}
	}
	return nil
}

// Close implements Reader.
func (r *Redis) Close() error { return r.c.Close() }

var _ Store = (*Redis)(nil)
