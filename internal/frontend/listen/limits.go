package listen

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/goroutine"
)

// Errors of the bounds below.
var (
	// ErrBusy: the bytes in flight are at their bound; the client is told
	// to try again later (451, 503, EX_TEMPFAIL, milter tempfail).
	ErrBusy = errors.New("listen: too many bytes in flight")
	// ErrTooBig: the request is larger than the front end accepts.
	ErrTooBig = errors.New("listen: request too big")
)

// Bytes bounds the message bytes held in memory by all front ends
// together ([serve] max_bytes_in_flight): a request reserves what it will
// read before reading it and releases it when done, so memory does not
// grow with concurrent (or refused) requests. It never blocks.
type Bytes struct {
	max  atomic.Int64
	used atomic.Int64
}

// InFlight is the process-wide bound, set from [serve] max_bytes_in_flight
// by `sekisho serve` (SetMax); the default is 256 MiB.
var InFlight = NewBytes(256 << 20)

// NewBytes returns a bound of max bytes (0 or less: no bound).
func NewBytes(max int64) *Bytes {
	b := &Bytes{}
	b.max.Store(max)
	return b
}

// SetMax changes the bound.
func (b *Bytes) SetMax(max int64) { b.max.Store(max) }

// Used returns the bytes reserved now.
func (b *Bytes) Used() int64 { return b.used.Load() }

// Acquire reserves n bytes; false when that would pass the bound.
func (b *Bytes) Acquire(n int64) bool {
	if b == nil || n <= 0 {
		return true
	}
	max := b.max.Load()
	for {
		u := b.used.Load()
		if max > 0 && u+n > max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// Release returns n bytes.
func (b *Bytes) Release(n int64) {
	if b != nil && n > 0 {
		b.used.Add(-n)
	}
}

// Reservation is what one request holds; Release returns all of it.
type Reservation struct {
	b *Bytes
	n int64
}

// Reserve holds n more bytes for this request.
func (r *Reservation) Reserve(b *Bytes, n int64) bool {
	if r.b == nil {
		r.b = b
	}
	if !r.b.Acquire(n) {
		return false
	}
	r.n += n
	return true
}

// Release returns what the request holds.
func (r *Reservation) Release() {
	if r.b != nil {
		r.b.Release(r.n)
	}
	r.n = 0
}

// ReadBody reads a request body of declared length (-1: unknown) into
// memory: a declared length above limit is refused before reading
// (ErrTooBig), the bytes are reserved in b before they are read (ErrBusy
// when full; a body of unknown length reserves in 1 MiB steps), and
// reading stops past limit (ErrTooBig). The caller releases res when done
// with the bytes.
func ReadBody(r io.Reader, declared, limit int64, b *Bytes, res *Reservation) ([]byte, error) {
	if declared > limit {
		return nil, ErrTooBig
	}
	if declared >= 0 {
		if !res.Reserve(b, declared) {
			return nil, ErrBusy
		}
		buf := make([]byte, declared)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	const step = 1 << 20
	var out []byte
	chunk := make([]byte, 32<<10)
	for {
		if int64(len(out)+len(chunk)) > res.n {
			if !res.Reserve(b, step) {
				return nil, ErrBusy
			}
		}
		n, err := r.Read(chunk)
		out = append(out, chunk[:n]...)
		if int64(len(out)) > limit {
			return nil, ErrTooBig
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// ConnLimits bound one front end's connections: at most PerClient open at
// once from one client address (0: no bound but the front end's
// max_connections), the first bytes within FirstRead, each later read
// within Idle, and the whole connection within Total (0: unbounded).
type ConnLimits struct {
	PerClient int
	// Max bounds the connections open at once (0: no bound); Accept
	// waits for one to close, so more wait in the kernel's backlog (what
	// golang.org/x/net/netutil.LimitListener did around this listener,
	// without a second wrapper per connection).
	Max       int
	FirstRead time.Duration
	Idle      time.Duration
	Total     time.Duration
	// Track keeps the open connections for CloseConns (the milter's
	// shutdown closes them after the messages in flight).
	Track bool
	// Refuse, when set, writes the protocol's "too many connections"
	// answer on a connection over PerClient before it is closed.
	Refuse func(net.Conn)
}

// LimitListener applies ConnLimits to the connections ln accepts.
type LimitListener struct {
	net.Listener
	lim ConnLimits

	sem       chan struct{} // a slot per open connection (lim.Max), nil when unbounded
	done      chan struct{} // closed by Close: no slot is waited for any more
	closeOnce sync.Once

	mu     sync.Mutex
	all    map[*limitConn]struct{} // the open connections, when lim.Track
	per    map[netip.Addr]int
	silent map[netip.Addr][]*limitConn // accepted, nothing read yet, oldest first
}

// NewLimitListener wraps ln.
func NewLimitListener(ln net.Listener, lim ConnLimits) *LimitListener {
	l := &LimitListener{Listener: ln, lim: lim, per: map[netip.Addr]int{}, silent: map[netip.Addr][]*limitConn{},
		done: make(chan struct{})}
	if lim.Max > 0 {
		l.sem = make(chan struct{}, lim.Max)
	}
	if lim.Track {
		l.all = map[*limitConn]struct{}{}
	}
	return l
}

// CloseConns closes every open connection (ConnLimits.Track; none
// otherwise).
func (l *LimitListener) CloseConns() {
	l.mu.Lock()
	cs := make([]*limitConn, 0, len(l.all))
	for c := range l.all {
		cs = append(cs, c)
	}
	l.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}

// Close closes the listener; an Accept waiting for a slot (Max) returns
// the listener's error.
func (l *LimitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// Accept returns the next connection within the bounds, waiting for a
// slot when Max are open; connections over the per-client bound are
// refused and closed here.
func (l *LimitListener) Accept() (net.Conn, error) {
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			// Closed: Accept returns its error at once (a connection
			// it still hands out is closed, as netutil does).
			for {
				c, err := l.Listener.Accept()
				if err != nil {
					return nil, err
				}
				c.Close()
			}
		}
	}
	c, err := l.accept()
	if err != nil && l.sem != nil {
		<-l.sem
	}
	return c, err
}

// accept is Accept within the per-client bound.
func (l *LimitListener) accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := addrOf(c)
		l.mu.Lock()
		if l.lim.PerClient > 0 && l.per[ip] >= l.lim.PerClient {
			// A connection that has sent nothing yet gives way to the new
			// one (the MTA and an attacker may share an address: on
			// loopback, silent connections must not lock the MTA out).
			if v := l.popSilent(ip); v != nil {
				l.mu.Unlock()
				v.Close()
				l.mu.Lock()
			}
		}
		if l.lim.PerClient > 0 && l.per[ip] >= l.lim.PerClient {
			l.mu.Unlock()
			go func() {
				c.SetDeadline(time.Now().Add(2 * time.Second))
				if l.lim.Refuse != nil {
					l.lim.Refuse(c)
				}
				c.Close()
			}()
			continue
		}
		l.per[ip]++
		lc := &limitConn{Conn: c, l: l, ip: ip, first: true}
		if l.all != nil {
			l.all[lc] = struct{}{}
		}
		if l.lim.PerClient > 0 {
			l.silent[ip] = append(l.silent[ip], lc)
		}
		l.mu.Unlock()
		if l.lim.Total > 0 {
			lc.end = time.Now().Add(l.lim.Total)
		}
		return lc, nil
	}
}

// popSilent takes the oldest connection from ip that has sent nothing
// (l.mu held).
func (l *LimitListener) popSilent(ip netip.Addr) *limitConn {
	cs := l.silent[ip]
	for len(cs) > 0 {
		c := cs[0]
		cs = cs[1:]
		if c.quiet() {
			l.setSilent(ip, cs)
			return c
		}
	}
	l.setSilent(ip, cs)
	return nil
}

func (l *LimitListener) setSilent(ip netip.Addr, cs []*limitConn) {
	if len(cs) == 0 {
		delete(l.silent, ip)
		return
	}
	l.silent[ip] = cs
}

// dropSilent forgets c (it spoke or closed; l.mu held).
func (l *LimitListener) dropSilent(c *limitConn) {
	cs := l.silent[c.ip]
	for i, x := range cs {
		if x == c {
			l.setSilent(c.ip, append(cs[:i:i], cs[i+1:]...))
			return
		}
	}
}

func addrOf(c net.Conn) netip.Addr {
	ra := c.RemoteAddr()
	if ta, ok := ra.(*net.TCPAddr); ok && ta != nil && ta.Zone == "" && 0 <= ta.Port && ta.Port <= 65535 {
		// What parsing its String gives (TestAddrOfTCP, FuzzAddrOf),
		// without writing and parsing it (a zone is left to the parser).
		if ap := ta.AddrPort(); ap.Addr().IsValid() {
			return ap.Addr().Unmap()
		}
		return netip.Addr{}
	}
	if ap, err := netip.ParseAddrPort(ra.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

type limitConn struct {
	net.Conn
	l      *LimitListener
	ip     netip.Addr
	end    time.Time // total deadline, zero when none
	first  bool      // Read's goroutine only
	grown  atomic.Bool
	spoke  atomic.Bool
	closed atomic.Bool
	once   sync.Once
}

// quiet: open and nothing read from it yet.
func (c *limitConn) quiet() bool { return !c.spoke.Load() && !c.closed.Load() }

// Read sets the read deadline (first-read, idle, total) before reading.
func (c *limitConn) Read(p []byte) (int, error) {
	d := c.l.lim.Idle
	if c.first && c.l.lim.FirstRead > 0 {
		d = c.l.lim.FirstRead
	}
	var dl time.Time
	if d > 0 {
		dl = time.Now().Add(d)
	}
	if !c.end.IsZero() && (dl.IsZero() || c.end.Before(dl)) {
		dl = c.end
	}
	if !dl.IsZero() {
		c.Conn.SetReadDeadline(dl)
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.first {
		c.first = false
		c.spoke.Store(true)
		if c.l.lim.PerClient > 0 {
			c.l.mu.Lock()
			c.l.dropSilent(c)
			c.l.mu.Unlock()
		}
	}
	return n, err
}

// Write is bounded by the idle time-out too: a client that never reads
// its replies cannot hold the connection.
func (c *limitConn) Write(p []byte) (int, error) {
	if d := c.l.lim.Idle; d > 0 {
		dl := time.Now().Add(d)
		if !c.end.IsZero() && c.end.Before(dl) {
			dl = c.end
		}
		c.Conn.SetWriteDeadline(dl)
	}
	return c.Conn.Write(p)
}

// NetConn returns the wrapped connection.
func (c *limitConn) NetConn() net.Conn { return c.Conn }

// RemoteAddr is the wrapped connection's. Its first call is the first
// thing the connection's goroutine does in net/http (conn.serve, which
// formats it): there, two frames deep, the goroutine's stack is grown
// at once for the whole request (goroutine.GrowStack), instead of a
// first growth in the address's formatting and another in the handler,
// each copying the stack and adjusting every frame on it (about 22 K
// instructions per request).
func (c *limitConn) RemoteAddr() net.Addr {
	if !c.grown.Load() && c.grown.CompareAndSwap(false, true) {
		goroutine.GrowStack()
	}
	return c.Conn.RemoteAddr()
}

// Close ends the connection with a reset when replies are still waiting
// to be sent (the client does not read them; see Abort), else with a FIN.
func (c *limitConn) Close() error {
	c.closed.Store(true)
	if tc := tcpConn(c.Conn); tc != nil && unsent(tc) > 0 {
		tc.SetLinger(0)
	}
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.per[c.ip]--; c.l.per[c.ip] <= 0 {
			delete(c.l.per, c.ip)
		}
		c.l.dropSilent(c)
		delete(c.l.all, c)
		c.l.mu.Unlock()
		if c.l.sem != nil {
			<-c.l.sem
		}
	})
	return err
}

// Open returns the open connections from ip.
func (l *LimitListener) Open(ip netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.per[ip]
}
