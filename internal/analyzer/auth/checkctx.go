package auth

import (
	"context"
	"sync"
	"time"
)

// checkCtx is context.WithTimeout(parent, checkBudget) for one check (SPF,
// DKIM, ARC, DMARC, iprev) whose timer, Done channel and registration
// with the parent are made only when Done is asked for: the resolver
// answers from its cache without looking at the context, and only a
// query sent to a server (the DNS client selects on Done) needs them.
// Until then Err reports what the context's would: the parent's end,
// the deadline once it has passed, and after release what ended it
// first (context.Canceled when release came before either).
type checkCtx struct {
	parent context.Context
	dl     time.Time // the earlier of parent's deadline and checkBudget from now

	mu       sync.Mutex
	ctx      context.Context // made by the first Done (while not ended)
	cancel   context.CancelFunc
	released bool
	err      error // without ctx: the first non-nil Err, which sticks (as a real context's)
}

// closedChan is the Done of a checkCtx that ended before Done was asked for.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// newCheckCtx starts a check's budget; release ends it (as the cancel of
// context.WithTimeout).
func newCheckCtx(parent context.Context) *checkCtx {
	dl := time.Now().Add(checkBudget)
	if pd, ok := parent.Deadline(); ok && pd.Before(dl) {
		dl = pd
	}
	return &checkCtx{parent: parent, dl: dl}
}

// Deadline implements context.Context.
func (c *checkCtx) Deadline() (time.Time, bool) { return c.dl, true }

// Done implements context.Context: the channel of the context made
// now (closed at once when released).
func (c *checkCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		if c.err == nil {
			c.err = c.lazyErr()
		}
		if c.err != nil { // ended (or released): its Err stays
			return closedChan
		}
		c.ctx, c.cancel = context.WithDeadline(c.parent, c.dl)
	}
	return c.ctx.Done()
}

// Err implements context.Context.
func (c *checkCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx != nil {
		return c.ctx.Err()
	}
	if c.err == nil {
		c.err = c.lazyErr()
	}
	return c.err
}

// lazyErr is Err before release without Done: the parent's end, or the
// deadline once it has passed.
func (c *checkCtx) lazyErr() error {
	if err := c.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// Value implements context.Context.
func (c *checkCtx) Value(key any) any { return c.parent.Value(key) }

// String names the context as the context package names its own.
func (c *checkCtx) String() string { return "auth.checkCtx" }

// release ends the check's context (its timer, when made, stops).
func (c *checkCtx) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released {
		return
	}
	c.released = true
	if c.cancel != nil {
		c.cancel()
		return
	}
	// What ended the context first stays its error (a real one's
	// timer fires at the deadline; release cancels it otherwise).
	if c.err == nil {
		c.err = c.lazyErr()
	}
	if c.err == nil {
		c.err = context.Canceled
	}
}

// AfterFunc lets contexts derived from a check's (the DNS client's dial
// time-outs) follow its end without a goroutine each, as they follow a
// context.WithTimeout's (context.AfterFunc looks for this method).
func (c *checkCtx) AfterFunc(f func()) func() bool {
	if c.Done() == closedChan {
		go f()
		return func() bool { return false }
	}
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	return context.AfterFunc(ctx, f)
}
