package bayesstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Redis is the shared backend. Its data model is the File model in Redis
// structures (PREFIX defaults to "sekisho:bayes:"):
//
//	PREFIX t:XX   hash, one of 256 shards by the key's top byte; field
//	              = 8-byte big-endian key + "s" or "h", value = count,
//	              or + "w": the linear weight (a float)
//	PREFIX n:CLASS  hash {s, h}: learned messages of the class
//	PREFIX d      hash: digest hex → "S" or "H"
//	PREFIX scheme string: the hash scheme of the keys (see SchemeText);
//	              none in data written before schemes: scheme 1
//
// The scheme is settled when a client opens the store (initScheme): the
// key's value, or, without the key, 1 when the database already holds
// this prefix's data and SchemeNew when it holds none, written with SET NX
// so that every instance sharing the database reads the same.
//
// The digest check-and-set and the totals change in one Lua script, so two
// instances relearning the same message never count it twice.
type Redis struct {
	c       redis.UniversalClient
	prefix  string
	cluster bool // key names with hash tags (redis_cluster.go)
	scheme  int
}

// OpenRedis connects (url: redis://[:password@]host:port/db).
func OpenRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: redis url: %w", err)
	}
	if prefix == "" {
		prefix = "sekisho:bayes:"
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: redis: %w", err)
	}
	r := &Redis{c: c, prefix: prefix}
	if err := r.initScheme(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return r, nil
}

// ProbeRedis connects and reads the hash scheme recorded under prefix
// (0: none recorded yet) without writing anything (sekisho config check:
// unlike OpenRedis it does not settle the scheme of an empty database).
func ProbeRedis(ctx context.Context, url, prefix string) (int, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return 0, fmt.Errorf("store: redis url: %w", err)
	}
	if prefix == "" {
		prefix = "sekisho:bayes:"
	}
	c := redis.NewClient(opt)
	defer c.Close()
	r := &Redis{c: c, prefix: prefix}
	v, err := c.Get(ctx, r.schemeKey()).Result()
	if err == redis.Nil {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: redis: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < SchemeText {
		return 0, fmt.Errorf("store: redis: %s holds %q, not a hash scheme", r.schemeKey(), v)
	}
	return n, nil
}

// Scheme implements Schemer.
func (r *Redis) Scheme() int { return r.scheme }

// initScheme reads the store's hash scheme, settling it first when the
// database has none recorded.
func (r *Redis) initScheme(ctx context.Context) error {
	v, err := r.c.Get(ctx, r.schemeKey()).Result()
	if err == redis.Nil {
		// No scheme recorded: scheme 1 if this prefix has data (written
		// before schemes existed), else a new store.
		p := r.c.Pipeline()
		cmds := []*redis.IntCmd{p.Exists(ctx, r.digestKey()), p.Exists(ctx, r.totalsKey(""))}
		for i := 0; i < 256; i++ {
			cmds = append(cmds, p.Exists(ctx, r.prefix+"t:"+strconv.FormatUint(uint64(i), 16)))
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("store: redis: %w", err)
		}
		want := SchemeNew
		for _, c := range cmds {
			if c.Val() > 0 {
				want = SchemeText
				break
			}
		}
		// SET NX: the first instance's answer is everyone's.
		if err := r.c.SetNX(ctx, r.schemeKey(), strconv.Itoa(want), 0).Err(); err != nil {
			return fmt.Errorf("store: redis: %w", err)
		}
		v, err = r.c.Get(ctx, r.schemeKey()).Result()
	}
	if err != nil {
		return fmt.Errorf("store: redis: %w", err)
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < SchemeText:
		return fmt.Errorf("store: redis: %s holds %q, not a hash scheme", r.schemeKey(), v)
	case n > schemeMax:
		return fmt.Errorf("store: redis: %s: hash scheme %d is newer than this sekisho knows (run the newer release)", r.schemeKey(), n)
	}
	r.scheme = n
	return nil
}

func (r *Redis) shardKey(k uint64) string {
	return r.prefix + "t:" + strconv.FormatUint(k>>56, 16)
}

func field(k uint64, suffix byte) string {
	var b [9]byte
	binary.BigEndian.PutUint64(b[:], k)
	b[8] = suffix
	return string(b[:])
}

// Totals implements Store.
func (r *Redis) Totals(ctx context.Context, class string) (Totals, error) {
	v, err := r.c.HMGet(ctx, r.totalsKey(class), "s", "h").Result()
	if err != nil {
		return Totals{}, fmt.Errorf("store: redis: %w", err)
	}
	return Totals{Spam: parseCount(v[0]), Ham: parseCount(v[1])}, nil
}

func parseCount(v any) uint64 {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return uint64(n)
}

// Lookup implements Store: one script call (one round trip, one command)
// reads every shard.
func (r *Redis) Lookup(ctx context.Context, class string, keys []uint64, out []Counts) error {
	_, err := r.Fetch(ctx, nil, class, keys, out)
	return err
}

// Fetch implements Fetcher: the totals and the counts in one script call,
// which runs one HMGET per shard inside Redis (the shards hold a message's
// features spread over up to 256 hashes: as separate commands, even
// pipelined, they cost both sides a command each).
func (r *Redis) Fetch(ctx context.Context, classes []string, class string, keys []uint64, out []Counts) ([]Totals, error) {
	// Group the fields by shard, in first-seen order.
	type group struct {
		key  string
		idx  []int
		flds []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, k := range keys {
		k = ClassKey(class, k)
		sk := r.shardKey(k)
		g := byKey[sk]
		if g == nil {
			g = &group{key: sk}
			byKey[sk] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
		g.flds = append(g.flds, field(k, 's'), field(k, 'h'), field(k, 'w'))
	}
	if len(classes) == 0 && len(groups) == 0 {
		return nil, nil
	}
	ks := make([]string, 0, len(classes)+len(groups))
	args := make([]any, 0, len(classes)*3+len(groups)+3*len(keys))
	for _, c := range classes {
		ks = append(ks, r.totalsKey(c))
		args = append(args, 2, "s", "h")
	}
	for _, g := range groups {
		ks = append(ks, g.key)
		args = append(args, len(g.flds))
		for _, f := range g.flds {
			args = append(args, f)
		}
	}
	var res []any
	var err error
	if r.cluster {
		// The shards sit in different hash slots: a script may not
		// touch them together, so a cluster gets one pipelined HMGET per
		// key (go-redis sends each node its share in one round trip).
		res, err = r.fetchPipelined(ctx, ks, args)
	} else {
		res, err = fetchScript.Run(ctx, r.c, ks, args...).Slice()
	}
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: redis: %w", err)
	}
	if len(res) != 2*len(classes)+3*len(keys) {
		return nil, fmt.Errorf("store: redis: fetch returned %d values for %d", len(res), 2*len(classes)+3*len(keys))
	}
	tots := make([]Totals, len(classes))
	for i := range classes {
		tots[i] = Totals{Spam: parseCount(res[2*i]), Ham: parseCount(res[2*i+1])}
	}
	v := res[2*len(classes):]
	for _, g := range groups {
		for j, i := range g.idx {
			out[i] = Counts{Spam: uint32(min(parseCount(v[3*j]), 1<<32-1)), Ham: uint32(min(parseCount(v[3*j+1]), 1<<32-1)),
				Weight: parseWeight(v[3*j+2])}
		}
		v = v[len(g.flds):]
	}
	return tots, nil
}

// fetchPipelined does what fetchScript does, as one pipeline of HMGETs.
func (r *Redis) fetchPipelined(ctx context.Context, ks []string, args []any) ([]any, error) {
	p := r.c.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ks))
	a := 0
	for i, k := range ks {
		n := args[a].(int)
		flds := make([]string, n)
		for j := range flds {
			flds[j] = args[a+1+j].(string)
		}
		cmds[i] = p.HMGet(ctx, k, flds...)
		a += n + 1
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return nil, err
	}
	var out []any
	for _, c := range cmds {
		out = append(out, c.Val()...)
	}
	return out, nil
}

// fetchScript runs HMGET on each of KEYS; ARGV holds, per key, the number
// of fields then the fields. It returns every value in order (nil where
// missing).
var fetchScript = redis.NewScript(`
local out = {}
local a = 1
for i = 1, #KEYS do
  local n = tonumber(ARGV[a])
  local v = redis.call('HMGET', KEYS[i], unpack(ARGV, a + 1, a + n))
  for j = 1, n do out[#out + 1] = v[j] end
  a = a + n + 1
end
return out
`)

// learnScript sets the digest's label and moves the totals; it returns
// the previous label ("" when new). KEYS[1] digests, KEYS[2] totals;
// ARGV[1] digest, ARGV[2] new label ("S", "H", or "" to forget).
// KEYS[3] is the scheme key, ARGV[3] the client's scheme: a learn of
// another scheme than the one recorded is refused (and a database emptied
// since the client opened it records the client's scheme again).
var learnScript = redis.NewScript(schemeCheckLua("KEYS[3]", "ARGV[3]") + `
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if not prev then prev = '' end
if prev == ARGV[2] then return prev end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
if prev == 'S' then redis.call('HINCRBY', KEYS[2], 's', -1) end
if prev == 'H' then redis.call('HINCRBY', KEYS[2], 'h', -1) end
if ARGV[2] == 'S' then redis.call('HINCRBY', KEYS[2], 's', 1) end
if ARGV[2] == 'H' then redis.call('HINCRBY', KEYS[2], 'h', 1) end
return prev
`)

func (r *Redis) setLabel(ctx context.Context, class string, d Digest, l string) (string, error) {
	prev, err := learnScript.Run(ctx, r.c, []string{r.digestKey(), r.totalsKey(class), r.schemeKey()}, d.String(), l, strconv.Itoa(r.scheme)).Text()
	if err := r.schemeError(err); err != nil {
		return "", err
	}
	if err != nil && err != redis.Nil {
		return "", fmt.Errorf("store: redis: %w", err)
	}
	return prev, nil
}

// schemeError is the ErrSchemeMismatch for a script's "SCHEME n" error
// reply (nil for any other error).
func (r *Redis) schemeError(err error) error {
	if err == nil || !strings.HasPrefix(err.Error(), "SCHEME ") {
		return nil
	}
	return fmt.Errorf("%w: %s holds scheme %s, this client uses scheme %d (reopen the store)", ErrSchemeMismatch, r.schemeKey(), strings.TrimPrefix(err.Error(), "SCHEME "), r.scheme)
}

// schemeCheckLua is the Lua that records the client's scheme (arg) in
// the scheme key (key) when it holds none, and fails with the error reply
// "SCHEME n" (schemeError) when it holds another.
func schemeCheckLua(key, arg string) string {
	return `
local s = redis.call('GET', ` + key + `)
if not s then
  redis.call('SET', ` + key + `, ` + arg + `)
elseif s ~= ` + arg + ` then
  return redis.error_reply('SCHEME ' .. s)
end`
}

// schemeScript is learnScript's scheme check alone: KEYS[1] the scheme
// key, ARGV[1] the client's scheme.
var schemeScript = redis.NewScript(schemeCheckLua("KEYS[1]", "ARGV[1]") + `
return 0
`)

// checkScheme fails with ErrSchemeMismatch when the database records
// another scheme than the client's (recording the client's when it
// records none: the database was emptied), before writes that do not go
// through learnScript (the weights: their shards are in other slots in a
// cluster, so one script cannot check and write them together; the
// window left is one round trip, and the scheme changes only when the
// database is emptied).
func (r *Redis) checkScheme(ctx context.Context) error {
	err := schemeScript.Run(ctx, r.c, []string{r.schemeKey()}, strconv.Itoa(r.scheme)).Err()
	if e := r.schemeError(err); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("store: redis: %w", err)
	}
	return nil
}

func (r *Redis) incr(ctx context.Context, class string, keys []uint64, ds, dh int64) error {
	p := r.c.Pipeline()
	for _, k := range keys {
		k = ClassKey(class, k)
		sk := r.shardKey(k)
		if ds != 0 {
			p.HIncrBy(ctx, sk, field(k, 's'), ds)
		}
		if dh != 0 {
			p.HIncrBy(ctx, sk, field(k, 'h'), dh)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		return fmt.Errorf("store: redis: %w", err)
	}
	return nil
}

func parseWeight(v any) float32 {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return float32(f)
}

// AddWeights implements Store.
func (r *Redis) AddWeights(ctx context.Context, class string, keys []uint64, deltas []float64) error {
	if len(deltas) != len(keys) {
		return fmt.Errorf("store: %d weights for %d keys", len(deltas), len(keys))
	}
	p := r.c.Pipeline()
	n := 0
	for i, k := range keys {
		delta := deltas[i]
		if delta == 0 {
			continue
		}
		n++
		k = ClassKey(class, k)
		p.HIncrByFloat(ctx, r.shardKey(k), field(k, 'w'), delta)
	}
	if n == 0 {
		return nil
	}
	if err := r.checkScheme(ctx); err != nil {
		return err
	}
	if _, err := p.Exec(ctx); err != nil {
		return fmt.Errorf("store: redis: %w", err)
	}
	return nil
}

// Learn implements Store.
func (r *Redis) Learn(ctx context.Context, class string, d Digest, keys []uint64, spam bool) (Outcome, error) {
	l := string(label(spam))
	prev, err := r.setLabel(ctx, class, d, l)
	if err != nil {
		return 0, err
	}
	if prev == l {
		return AlreadyLearned, nil
	}
	var ds, dh int64
	if spam {
		ds = 1
	} else {
		dh = 1
	}
	out := Learned
	switch prev {
	case "S":
		ds--
		out = Relearned
	case "H":
		dh--
		out = Relearned
	}
	return out, r.incr(ctx, class, keys, ds, dh)
}

// Forget implements Store.
func (r *Redis) Forget(ctx context.Context, class string, d Digest, keys []uint64) (bool, error) {
	prev, err := r.setLabel(ctx, class, d, "")
	if err != nil {
		return false, err
	}
	switch prev {
	case "S":
		return true, r.incr(ctx, class, keys, -1, 0)
	case "H":
		return true, r.incr(ctx, class, keys, 0, -1)
	}
	return false, nil
}

// LearnAs implements SchemeWriter: keys of another scheme than the
// client's are refused here, and the client's scheme is checked against
// the database's by the learn script.
func (r *Redis) LearnAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64, spam bool) (Outcome, error) {
	if scheme != r.scheme {
		return 0, schemeErr(scheme, r.scheme)
	}
	return r.Learn(ctx, class, d, keys, spam)
}

// ForgetAs implements SchemeWriter (as LearnAs).
func (r *Redis) ForgetAs(ctx context.Context, scheme int, class string, d Digest, keys []uint64) (bool, error) {
	if scheme != r.scheme {
		return false, schemeErr(scheme, r.scheme)
	}
	return r.Forget(ctx, class, d, keys)
}

// AddWeightsAs implements SchemeWriter (as LearnAs; AddWeights checks
// the database's scheme).
func (r *Redis) AddWeightsAs(ctx context.Context, scheme int, class string, keys []uint64, deltas []float64) error {
	if scheme != r.scheme {
		return schemeErr(scheme, r.scheme)
	}
	return r.AddWeights(ctx, class, keys, deltas)
}

// Stats implements Store (Features counts stored fields / 2, approximately).
func (r *Redis) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	p := r.c.Pipeline()
	var lens []*redis.IntCmd
	for i := 0; i < 256; i++ {
		lens = append(lens, p.HLen(ctx, r.prefix+"t:"+strconv.FormatUint(uint64(i), 16)))
	}
	dl := p.HLen(ctx, r.digestKey())
	var mem *redis.StringCmd
	if !r.cluster {
		mem = p.Info(ctx, "memory")
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return st, fmt.Errorf("store: redis: %w", err)
	}
	for _, l := range lens {
		st.Features += int(l.Val())
	}
	st.Features /= 3
	st.Messages = int(dl.Val())
	if mem != nil {
		st.Bytes = parseUsedMemory(mem.Val())
	}
	return st, nil
}

func parseUsedMemory(info string) int64 {
	const key = "used_memory:"
	for i := 0; i+len(key) <= len(info); i++ {
		if info[i:i+len(key)] == key {
			j := i + len(key)
			k := j
			for k < len(info) && info[k] >= '0' && info[k] <= '9' {
				k++
			}
			n, _ := strconv.ParseInt(info[j:k], 10, 64)
			return n
		}
	}
	return 0
}

// Sync implements Store (Redis writes are immediate).
func (r *Redis) Sync(ctx context.Context) error { return nil }

// Close implements Store.
func (r *Redis) Close() error { return r.c.Close() }

var (
	_ Store        = (*Redis)(nil)
	_ SchemeWriter = (*Redis)(nil)
)
