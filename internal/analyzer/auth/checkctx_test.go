package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

type ctxKey struct{}

// TestCheckCtx: checkCtx answers as context.WithTimeout(parent,
// checkBudget) would, whether or not its Done was asked for.
func TestCheckCtx(t *testing.T) {
	// Deadline: the budget, or the parent's when earlier.
	c := newCheckCtx(context.Background())
	if dl, ok := c.Deadline(); !ok || time.Until(dl) > checkBudget || time.Until(dl) < checkBudget-time.Minute {
		t.Fatalf("deadline %v %v", dl, ok)
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	c.release()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("released: %v", c.Err())
	}
	select { // Done asked for after release: closed
	case <-c.Done():
	default:
		t.Fatal("Done of a released context open")
	}

	// The parent's earlier deadline passes: without Done, and with it.
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), ctxKey{}, "v"), 20*time.Millisecond)
	defer cancel()
	a, b := newCheckCtx(parent), newCheckCtx(parent)
	pd, _ := parent.Deadline()
	if dl, _ := a.Deadline(); !dl.Equal(pd) {
		t.Fatalf("deadline %v, parent's %v", dl, pd)
	}
	if a.Value(ctxKey{}) != "v" {
		t.Fatal("value not passed on")
	}
	done := b.Done()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed at the deadline")
	}
	for _, c := range []*checkCtx{a, b} {
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("after the deadline: %v", c.Err())
		}
		c.release()
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("released after the deadline: %v", c.Err())
		}
	}

	// The parent cancelled: Err at once, Done closed.
	parent2, cancel2 := context.WithCancel(context.Background())
	d, e := newCheckCtx(parent2), newCheckCtx(parent2)
	de := e.Done()
	cancel2()
	if !errors.Is(d.Err(), context.Canceled) {
		t.Fatalf("parent cancelled: %v", d.Err())
	}
	select {
	case <-de:
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed with the parent")
	}
	if !errors.Is(e.Err(), context.Canceled) {
		t.Fatalf("parent cancelled, Done made: %v", e.Err())
	}
	d.release()
	e.release()

	// Released before the parent ends: Canceled stays (as a real
	// context's, cancelled first).
	parent3, cancel3 := context.WithCancel(context.Background())
	g := newCheckCtx(parent3)
	g.release()
	cancel3()
	if !errors.Is(g.Err(), context.Canceled) || errors.Is(g.Err(), context.DeadlineExceeded) {
		t.Fatalf("released, then the parent: %v", g.Err())
	}

	// Own deadline passed without Done: DeadlineExceeded.
	f := &checkCtx{parent: context.Background(), dl: time.Now().Add(-time.Second)}
	if !errors.Is(f.Err(), context.DeadlineExceeded) {
		t.Fatalf("past deadline: %v", f.Err())
	}
	select {
	case <-f.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done of a context past its deadline open")
	}
	f.release()
}
