package fuzzystore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisBackend keeps everything in Redis (PREFIX defaults to
// "sekisho:fuzzy:"):
//
//	PREFIX i:KEY        string: campaign id of a band or attachment key
//	PREFIX g:ID         list: the campaign's signatures (at most 16)
//	PREFIX c:ID         hash: first, last, seen, held, spam, ham, subject
//	PREFIX x:ID         list: scan ids of held copies, newest first
//	PREFIX all          sorted set: campaign ids by last seen
//	PREFIX q:KEY:SLOT   counter: bulk copies of a band key in a ten-minute slot
//
// Everything of a campaign expires after retention without a copy.
type redisBackend struct {
	c         *redis.Client
	p         string
	retention time.Duration
}

// OpenRedis connects (url: redis://[:password@]host:port/db).
func OpenRedis(ctx context.Context, url, prefix string, retention time.Duration) (*Store, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("fuzzystore: redis url: %w", err)
	}
	if prefix == "" {
		prefix = "sekisho:fuzzy:"
	}
	if retention <= 0 {
		retention = 30 * 24 * time.Hour
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("fuzzystore: redis: %w", err)
	}
	return &Store{b: &redisBackend{c: c, p: prefix, retention: retention}}, nil
}

func rwrap(err error) error {
	if err == nil || err == redis.Nil {
		return nil
	}
	return fmt.Errorf("fuzzystore: redis: %w", err)
}

func (r *redisBackend) lookup(ctx context.Context, keys []string) ([]string, error) {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = r.p + "i:" + k
	}
	vs, err := r.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, rwrap(err)
	}
	out := make([]string, len(keys))
	alive := map[string]bool{}
	for i, v := range vs {
		if s, ok := v.(string); ok {
			out[i] = s
			alive[s] = false
		}
	}
	if len(alive) == 0 {
		return out, nil
	}
	// Keys of deleted campaigns say nothing.
	p := r.c.Pipeline()
	cmds := map[string]*redis.IntCmd{}
	for id := range alive {
		cmds[id] = p.Exists(ctx, r.p+"c:"+id)
	}
	if _, err := p.Exec(ctx); err != nil {
		return nil, rwrap(err)
	}
	for i, id := range out {
		if id != "" && cmds[id].Val() == 0 {
			out[i] = ""
		}
	}
	return out, nil
}

func (r *redisBackend) index(ctx context.Context, keys []string, id string, _ time.Time) error {
	existing, err := r.lookup(ctx, keys)
	if err != nil {
		return err
	}
	p := r.c.Pipeline()
	for i, k := range keys {
		if existing[i] == "" {
			p.Set(ctx, r.p+"i:"+k, id, r.retention)
		} else {
			p.Expire(ctx, r.p+"i:"+k, r.retention)
		}
	}
	_, err = p.Exec(ctx)
	return rwrap(err)
}

func (r *redisBackend) sigs(ctx context.Context, id string) ([]Sig, error) {
	vs, err := r.c.LRange(ctx, r.p+"g:"+id, 0, maxSigs-1).Result()
	if err != nil {
		return nil, rwrap(err)
	}
	var out []Sig
	for _, v := range vs {
		if s, ok := sigFrom([]byte(v)); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r *redisBackend) addSig(ctx context.Context, id string, s *Sig) error {
	n, err := r.c.LLen(ctx, r.p+"g:"+id).Result()
	if err != nil {
		return rwrap(err)
	}
	if n >= maxSigs {
		return nil
	}
	p := r.c.Pipeline()
	p.RPush(ctx, r.p+"g:"+id, s.bytes())
	p.Expire(ctx, r.p+"g:"+id, r.retention)
	_, err = p.Exec(ctx)
	return rwrap(err)
}

func (r *redisBackend) get(ctx context.Context, id string) (*Campaign, error) {
	p := r.c.Pipeline()
	h := p.HGetAll(ctx, r.p+"c:"+id)
	x := p.LRange(ctx, r.p+"x:"+id, 0, maxScans-1)
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return nil, rwrap(err)
	}
	m := h.Val()
	if len(m) == 0 {
		return nil, nil
	}
	c := fromHash(id, m)
	c.Scans = x.Val()
	return c, nil
}

func fromHash(id string, m map[string]string) *Campaign {
	n := func(k string) int { v, _ := strconv.Atoi(m[k]); return v }
	t := func(k string) time.Time { v, _ := strconv.ParseInt(m[k], 10, 64); return time.Unix(v, 0) }
	c := &Campaign{ID: id, First: t("first"), Last: t("last"), Seen: n("seen"), Held: n("held"), Spam: n("spam"), Ham: n("ham"), Subject: m["subject"]}
	c.Size = c.Seen + c.Held + c.Spam
	return c
}

var bumpScript = redis.NewScript(`
redis.call('HSETNX', KEYS[1], 'first', ARGV[1])
redis.call('HSETNX', KEYS[1], 'subject', ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0') or 0
if tonumber(ARGV[1]) > last then redis.call('HSET', KEYS[1], 'last', ARGV[1]) end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`)

func (r *redisBackend) bump(ctx context.Context, id string, k Kind, subject, scan string, now time.Time) error {
	ttl := int64(r.retention / time.Second)
	if err := bumpScript.Run(ctx, r.c, []string{r.p + "c:" + id}, now.Unix(), column(k), clip(subject, 200), ttl).Err(); err != nil && err != redis.Nil {
		return rwrap(err)
	}
	p := r.c.Pipeline()
	p.ZAdd(ctx, r.p+"all", redis.Z{Score: float64(now.Unix()), Member: id})
	if k == Held && scan != "" {
		p.LPush(ctx, r.p+"x:"+id, clip(scan, 100))
		p.LTrim(ctx, r.p+"x:"+id, 0, maxScans-1)
		p.Expire(ctx, r.p+"x:"+id, r.retention)
	}
	_, err := p.Exec(ctx)
	return rwrap(err)
}

func (r *redisBackend) bulkAdd(ctx context.Context, keys []string, now time.Time) error {
	sl := strconv.FormatInt(slotOf(now), 36)
	p := r.c.Pipeline()
	for _, k := range keys {
		q := r.p + "q:" + k + ":" + sl
		p.Incr(ctx, q)
		p.Expire(ctx, q, time.Hour+2*slot)
	}
	_, err := p.Exec(ctx)
	return rwrap(err)
}

func (r *redisBackend) bulkCount(ctx context.Context, keys []string, now time.Time) ([]int, error) {
	sl := slotOf(now)
	ks := make([]string, 0, len(keys)*window)
	for _, k := range keys {
		for i := int64(0); i < window; i++ {
			ks = append(ks, r.p+"q:"+k+":"+strconv.FormatInt(sl-i, 36))
		}
	}
	vs, err := r.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, rwrap(err)
	}
	out := make([]int, len(keys))
	for i, v := range vs {
		if s, ok := v.(string); ok {
			n, _ := strconv.Atoi(s)
			out[i/window] += n
		}
	}
	return out, nil
}

func (r *redisBackend) list(ctx context.Context, limit int) ([]Campaign, error) {
	ids, err := r.c.ZRevRange(ctx, r.p+"all", 0, int64(limit-1)).Result()
	if err != nil {
		return nil, rwrap(err)
	}
	p := r.c.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = p.HGetAll(ctx, r.p+"c:"+id)
	}
	if len(ids) > 0 {
		if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
			return nil, rwrap(err)
		}
	}
	var out []Campaign
	var gone []any
	for i, id := range ids {
		m := cmds[i].Val()
		if len(m) == 0 {
			gone = append(gone, id)
			continue
		}
		out = append(out, *fromHash(id, m))
	}
	if len(gone) > 0 {
		r.c.ZRem(ctx, r.p+"all", gone...)
	}
	return out, nil
}

func (r *redisBackend) del(ctx context.Context, id string) error {
	p := r.c.Pipeline()
	p.Del(ctx, r.p+"c:"+id, r.p+"g:"+id, r.p+"x:"+id)
	p.ZRem(ctx, r.p+"all", id)
	_, err := p.Exec(ctx)
	return rwrap(err)
}

func (r *redisBackend) prune(ctx context.Context, before time.Time) error {
	// Campaign keys expire by themselves; drop them from the listing.
	return rwrap(r.c.ZRemRangeByScore(ctx, r.p+"all", "-inf", "("+strconv.FormatInt(before.Unix(), 10)).Err())
}

func (r *redisBackend) close() error { return r.c.Close() }
