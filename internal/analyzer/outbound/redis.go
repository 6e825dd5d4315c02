package outbound

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/store/redisconn"
)

// Shared counters: with [redis] configured, every sekisho instance counts
// an account in the same Redis (or Redis Cluster) keys, so a sender
// spreading mail over several instances meets one limit. The keys of an
// account share the hash tag {out:ACCOUNT} (one cluster slot), and one
// Lua script expires, records and measures them atomically: one round
// trip per authenticated message.
//
//	PREFIX{out:A}m  sorted set: one member per message, score = time (ms)
//	PREFIX{out:A}r  sorted set: recipient → last seen (ms), within the window
//	PREFIX{out:A}f  sorted set: the free-mail recipients of r
//	PREFIX{out:A}d  sorted set: recipient domain → first seen (ms)
//	PREFIX{out:A}h  hash: unix hour → recipients
//	PREFIX{out:A}a  hash: first (ms the account was first seen), total
//	PREFIX{out:A}alert  string with the window as TTL: an alert was sent
//
// Every key expires after the history (168 h) plus the window without
// traffic.
var checkScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
local cut = now - win
local hour = tonumber(ARGV[4])
local winStartHour = tonumber(ARGV[5])
local maxR = tonumber(ARGV[6])
local maxD = tonumber(ARGV[7])
local ttl = tonumber(ARGV[8])
local hist = tonumber(ARGV[9])
local m, r, f, d, h, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
redis.call('ZREMRANGEBYSCORE', m, '-inf', '(' .. cut)
redis.call('ZREMRANGEBYSCORE', r, '-inf', '(' .. cut)
redis.call('ZREMRANGEBYSCORE', f, '-inf', '(' .. cut)
local first = tonumber(redis.call('HGET', a, 'first'))
if not first then
  first = now
  redis.call('HSET', a, 'first', now)
end
local sum = 0
local hv = redis.call('HGETALL', h)
for i = 1, #hv, 2 do
  local hh = tonumber(hv[i])
  if hh < hour - hist then
    redis.call('HDEL', h, hv[i])
  elseif hh < winStartHour then
    sum = sum + tonumber(hv[i+1])
  end
end
redis.call('ZADD', m, now, ARGV[3])
local nm = redis.call('ZCARD', m)
if nm > 100000 then redis.call('ZREMRANGEBYRANK', m, 0, nm - 100001) end
for i = 10, #ARGV, 3 do
  local rc, dom, free = ARGV[i], ARGV[i+1], ARGV[i+2]
  if redis.call('ZSCORE', r, rc) or redis.call('ZCARD', r) < maxR then
    redis.call('ZADD', r, now, rc)
    if free == '1' then redis.call('ZADD', f, now, rc) end
  end
  redis.call('HINCRBY', h, hour, 1)
  redis.call('HINCRBY', a, 'total', 1)
  if dom ~= '' and not redis.call('ZSCORE', d, dom) and redis.call('ZCARD', d) < maxD then
    redis.call('ZADD', d, now, dom)
  end
end
for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ttl) end
local newd = 0
if now - first > win then newd = redis.call('ZCOUNT', d, cut, '+inf') end
return {redis.call('ZCARD', m), redis.call('ZCARD', r), redis.call('ZCARD', f), newd, sum, tostring(first)}
`)

func (t *Tracker) key(acct, rest string) string { return redisconn.Key(t.rprefix, "out:"+acct, rest) }

// checkRedis is Check on the shared counters.
func (t *Tracker) checkRedis(ctx context.Context, acct string, rcpts []string) (syms []string, reasons []string, a Alert, err error) {
	now := t.now()
	win := t.cfg.Window.Duration
	if win <= 0 {
		win = time.Hour
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	nowMs := now.UnixMilli()
	ttl := int64((time.Duration(historyHours)*time.Hour + win) / time.Second)
	args := []any{nowMs, win.Milliseconds(), strconv.FormatInt(nowMs, 36) + hex.EncodeToString(id[:]), now.Unix() / 3600,
		now.Add(-win).Unix() / 3600, maxRcptTrack, maxDomainsSeen, ttl, historyHours}
	seen := map[string]bool{}
	for _, r := range rcpts {
		r = strings.ToLower(strings.Trim(strings.TrimSpace(r), "<>"))
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		d := domainOf(r)
		free := "0"
		if header.IsFreemail(d) {
			free = "1"
		}
		args = append(args, r, d, free)
	}
	keys := []string{t.key(acct, "m"), t.key(acct, "r"), t.key(acct, "f"), t.key(acct, "d"), t.key(acct, "h"), t.key(acct, "a")}
	v, err := checkScript.Run(ctx, t.rdb, keys, args...).Slice()
	if err != nil {
		return nil, nil, a, fmt.Errorf("outbound: redis: %w", err)
	}
	if len(v) != 6 {
		return nil, nil, a, fmt.Errorf("outbound: redis: script returned %d values", len(v))
	}
	n := func(x any) int {
		i, _ := x.(int64)
		return int(i)
	}
	fs, _ := v[5].(string)
	firstMs, _ := strconv.ParseInt(fs, 10, 64)
	usual := usualPer(n(v[4]), now.Sub(time.UnixMilli(firstMs)), win)
	syms, reasons, a = t.judge(acct, now, win, n(v[0]), n(v[1]), n(v[2]), n(v[3]), usual)
	return syms, reasons, a, nil
}

// shouldAlertRedis lets one instance alert per account and window.
func (t *Tracker) shouldAlertRedis(acct string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, err := t.rdb.SetNX(ctx, t.key(strings.ToLower(acct), "alert"), t.host, t.cfg.Window.Duration).Result()
	if err != nil {
		t.log.Warn("outbound: redis", "err", err)
		return true // better a repeated alert than none
	}
	return ok
}
