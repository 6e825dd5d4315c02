package contacts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/store/redisconn"
)

// Writer is the whole history: what the observer of the verdict
// (internal/observe) learns into and prunes.
type Writer interface {
	Reader
	Learn(ctx context.Context, rcpt, peer, msgID string, at time.Time) error
	Prune(ctx context.Context, before time.Time) error
}

var (
	_ Writer = (*Store)(nil)
	_ Writer = (*Redis)(nil)
)

// Redis is the history shared by several sekisho instances, in the
// [redis] server or cluster. A recipient's keys share the hash tag
// {c:RCPT}, so what one message teaches is one script in one slot:
//
//	PREFIX{c:R}p   hash: correspondent address → last seen (unix s)
//	PREFIX{c:R}d   hash: correspondent domain → messages
//	PREFIX{c:R}i   hash: n = messages recorded for the recipient
//	PREFIX{c:R}m   hash: message id → correspondent
//	PREFIX{c:R}mt  sorted set: message id → seen (unix s), to keep the newest maxIDs
//
// Pruning is by expiry: every key of a recipient lives for the retention
// period after the recipient's last message (the SQLite file forgets
// pair by pair; here a recipient with no mail for that long is forgotten
// whole).
type Redis struct {
	c         redis.UniversalClient
	prefix    string
	retention time.Duration
}

// Bounds per recipient.
const (
	maxPeers = 100000
	maxIDs   = 50000
)

// OpenRedis connects to [redis]. retention 0 keeps keys for ever.
func OpenRedis(ctx context.Context, rc config.Redis, retention time.Duration) (*Redis, error) {
	c, err := redisconn.Open(ctx, rc)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	return &Redis{c: c, prefix: rc.Prefix, retention: retention}, nil
}

func (r *Redis) key(rcpt, rest string) string { return redisconn.Key(r.prefix, "c:"+rcpt, rest) }

// Close implements Reader.
func (r *Redis) Close() error { return r.c.Close() }

// Known implements Reader: one pipelined round trip.
func (r *Redis) Known(ctx context.Context, rcpt, sender string) (Knowledge, error) {
	rcpt, sender = norm(rcpt), norm(sender)
	var k Knowledge
	p := r.c.Pipeline()
	n := p.HGet(ctx, r.key(rcpt, "i"), "n")
	a := p.HExists(ctx, r.key(rcpt, "p"), sender)
	d := p.HExists(ctx, r.key(rcpt, "d"), domainOf(sender))
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return k, fmt.Errorf("contacts: redis: %w", err)
	}
	k.RcptHistory, _ = strconv.Atoi(n.Val())
	if k.RcptHistory == 0 {
		return k, nil
	}
	k.AddrSeen = a.Val()
	k.DomainSeen = k.AddrSeen || d.Val()
	return k, nil
}

// KnownMin is Known (Redis is not cached).
func (r *Redis) KnownMin(ctx context.Context, rcpt, sender string, _ int) (Knowledge, error) {
	return r.Known(ctx, rcpt, sender)
}

// Thread implements Reader: one HMGET.
func (r *Redis) Thread(ctx context.Context, rcpt string, ids []string) (Thread, error) {
	rcpt = norm(rcpt)
	var th Thread
	var fields []string
	for i, id := range ids {
		if i >= 50 {
			break
		}
		if id = strings.Trim(strings.TrimSpace(id), "<>"); id != "" {
			fields = append(fields, id)
		}
	}
	if len(fields) == 0 {
		return th, nil
	}
	v, err := r.c.HMGet(ctx, r.key(rcpt, "m"), fields...).Result()
	if err != nil && err != redis.Nil {
		return th, fmt.Errorf("contacts: redis: %w", err)
	}
	seen := map[string]bool{}
	for _, x := range v {
		peer, ok := x.(string)
		if !ok {
			continue
		}
		th.Known++
		if !seen[peer] {
			seen[peer] = true
			th.Peers = append(th.Peers, peer)
		}
	}
	return th, nil
}

var learnScript = redis.NewScript(`
local p, d, i, m, mt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local peer, dom, ts, id, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local maxPeers, maxIDs = tonumber(ARGV[6]), tonumber(ARGV[7])
if redis.call('HEXISTS', p, peer) == 1 or redis.call('HLEN', p) < maxPeers then
  redis.call('HSET', p, peer, ts)
  redis.call('HINCRBY', d, dom, 1)
end
redis.call('HINCRBY', i, 'n', 1)
if id ~= '' then
  redis.call('HSET', m, id, peer)
  redis.call('ZADD', mt, ts, id)
  local n = redis.call('ZCARD', mt)
  if n > maxIDs then
    local old = redis.call('ZPOPMIN', mt, n - maxIDs)
    for j = 1, #old, 2 do redis.call('HDEL', m, old[j]) end
  end
end
if ttl > 0 then
  for k = 1, 5 do redis.call('EXPIRE', KEYS[k], ttl) end
end
return 1
`)

// Learn implements Writer.
func (r *Redis) Learn(ctx context.Context, rcpt, peer, msgID string, at time.Time) error {
	rcpt, peer = norm(rcpt), norm(peer)
	if rcpt == "" || peer == "" {
		return nil
	}
	id := strings.Trim(strings.TrimSpace(msgID), "<>")
	if len(id) > 998 {
		id = ""
	}
	keys := []string{r.key(rcpt, "p"), r.key(rcpt, "d"), r.key(rcpt, "i"), r.key(rcpt, "m"), r.key(rcpt, "mt")}
	err := learnScript.Run(ctx, r.c, keys, peer, domainOf(peer), at.Unix(), id, int64(r.retention/time.Second), maxPeers, maxIDs).Err()
	if err != nil {
		return fmt.Errorf("contacts: redis: %w", err)
	}
	return nil
}

// Prune implements Writer: keys expire by themselves (see Redis).
func (r *Redis) Prune(ctx context.Context, before time.Time) error { return nil }
