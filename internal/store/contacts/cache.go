package contacts

import "time"

// The SQLite history's answers to Known are cached in the process: the
// file's part of an answer (the recipient's count, whether the pair and
// the domain are in the file), per file, shared by every Store of the
// process on it (the sender analyzer's read-only handle and the
// observer's writing one). What is queued is added to it on every call,
// as before.
//
// The cache follows this process's learning exactly: when a batch is
// committed, the cached counts of its recipients grow by the batch's and
// its pairs and domains become known, under the lock that takes the batch
// out of the queue, so a reader sees either the queued batch and the
// count before it, or neither and the count after it. An answer read
// from the file while a batch was committed (the generation moved) is
// not kept. Prune empties the cache.
//
// Learning written into the file by another process (`sekisho learn` or
// `train` while `serve` runs on the same data directory) is seen once
// the cache is emptied: every knownCacheTTL. The shared history of
// several instances is Redis (Redis), which is not cached.
const (
	knownCacheTTL = 10 * time.Second
	knownCacheMax = 20000 // entries of each map; past it the map is emptied
)

type knownCache struct {
	gen   uint64 // moves with every commit of learning and every Prune
	born  time.Time
	rcpts map[string]int   // rcpt → messages in the file
	pairs map[pairKey]bool // rcpt, address → in the file
	doms  map[pairKey]bool // rcpt, domain → in the file
	now   func() time.Time // tests move it
}

// reset empties the cache (under sh.mu).
func (c *knownCache) reset(now time.Time) {
	c.gen++
	c.born = now
	c.rcpts, c.pairs, c.doms = map[string]int{}, map[pairKey]bool{}, map[pairKey]bool{}
}

// lookup returns the cached file part of an answer (under sh.mu).
func (c *knownCache) lookup(rcpt, sender, domain string) (n int, addr, dom, ok bool, gen uint64) {
	now := c.clock()
	if c.rcpts == nil || now.Sub(c.born) >= knownCacheTTL || now.Before(c.born) {
		c.reset(now)
	}
	n, okn := c.rcpts[rcpt]
	addr, oka := c.pairs[pairKey{rcpt, sender}]
	dom, okd := c.doms[pairKey{rcpt, domain}]
	return n, addr, dom, okn && oka && okd, c.gen
}

// store keeps what the file answered, unless learning was committed (or
// the cache emptied) since gen was read (under sh.mu).
func (c *knownCache) store(gen uint64, rcpt, sender, domain string, n int, addr, dom bool) {
	if c.gen != gen {
		return
	}
	if len(c.rcpts) >= knownCacheMax || len(c.pairs) >= knownCacheMax || len(c.doms) >= knownCacheMax {
		born := c.born
		c.reset(c.clock())
		c.born = born // emptied for room: the TTL still counts from before
	}
	c.rcpts[rcpt] = n
	c.pairs[pairKey{rcpt, sender}] = addr
	c.doms[pairKey{rcpt, domain}] = dom
}

// committed applies a batch written to the file (under sh.mu).
func (c *knownCache) committed(b *batch) {
	c.gen++
	for r, n := range b.rcpts {
		if v, ok := c.rcpts[r]; ok {
			c.rcpts[r] = v + n
		}
	}
	for k := range b.pairs {
		if _, ok := c.pairs[k]; ok {
			c.pairs[k] = true
		}
	}
	for k := range b.doms {
		if _, ok := c.doms[k]; ok {
			c.doms[k] = true
		}
	}
}

func (c *knownCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}
