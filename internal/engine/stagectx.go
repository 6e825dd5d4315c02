package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// stageCtx is the context of one stage's analyzers: the caller's context
// with the earlier of the stage's deadline ([limits] analyzer_timeout
// from the stage's start) and the analysis budget's. It behaves as
// context.WithDeadline of the budget's context would, without a timer,
// a Done channel or a parent's map entry of its own: runStage, which
// waits for the stage anyway, cancels it when its deadline passes (with
// context.DeadlineExceeded), when the caller's context ends (with its
// error) or when the stage ends (context.Canceled). Its Done channel is
// made only when asked for, and contexts derived from it register
// through AfterFunc (the context package's afterFuncer), so that neither
// a goroutine nor a timer is made per stage.
//
// A stage's context is never reused: analyzers abandoned by a time-out
// (and their goroutines) keep seeing it cancelled.
type stageCtx struct {
	parent context.Context // the caller's
	dl     time.Time       // the stage's deadline, or the budget's when earlier

	cancelled atomic.Bool // err is set
	mu        sync.Mutex
	err       error
	done      chan struct{} // made by the first Done
	fns       []stageAfter  // AfterFunc registrations
	nextID    uint64
}

type stageAfter struct {
	id uint64
	f  func()
}

// Deadline implements context.Context.
func (c *stageCtx) Deadline() (time.Time, bool) { return c.dl, true }

// Done implements context.Context.
func (c *stageCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	return c.done
}

// Err implements context.Context: the error it was cancelled with, or the
// caller's context's (a cancelled parent cancels its children at once).
func (c *stageCtx) Err() error {
	if c.cancelled.Load() {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.err
	}
	return c.parent.Err()
}

// Value implements context.Context.
func (c *stageCtx) Value(key any) any { return c.parent.Value(key) }

// String names the context as the context package names its own.
func (c *stageCtx) String() string { return "engine.stageCtx" }

// AfterFunc arranges for f to run once c is cancelled (at once if it
// is); stop undoes that and reports whether it did. The context package
// uses it for contexts derived from c (context.WithTimeout(stage, …)):
// they are cancelled with c without a goroutine each.
func (c *stageCtx) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	c.nextID++
	id := c.nextID
	c.fns = append(c.fns, stageAfter{id, f})
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, a := range c.fns {
			if a.id == id {
				c.fns = append(c.fns[:i], c.fns[i+1:]...)
				return true
			}
		}
		return false
	}
}

// cancel ends c with err (the first error sticks) and runs what was
// registered with AfterFunc, each in its own goroutine as
// context.AfterFunc runs them.
func (c *stageCtx) cancel(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	c.cancelled.Store(true)
	if c.done != nil {
		close(c.done)
	}
	fns := c.fns
	c.fns = nil
	c.mu.Unlock()
	for _, a := range fns {
		go a.f()
	}
}
