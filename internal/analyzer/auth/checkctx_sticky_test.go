package auth

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestCheckCtxErrSticky: once Err is non-nil it stays (the context
// contract), whether the parent ends later, release comes, or Done is
// asked for after release.
func TestCheckCtxErrSticky(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	c := &checkCtx{parent: parent, dl: time.Now().Add(5 * time.Millisecond)}
	time.Sleep(10 * time.Millisecond)
	first := c.Err()
	cancel()
	if second := c.Err(); first == nil || second != first {
		t.Errorf("Err %v, then %v after the parent's cancel", first, second)
	}
	c.release()
	if third := c.Err(); third != first {
		t.Errorf("Err %v, then %v after release", first, third)
	}

	p2, cancel2 := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel2()
	d := newCheckCtx(p2)
	real, rcancel := context.WithTimeout(p2, checkBudget)
	d.release()
	rcancel()
	time.Sleep(20 * time.Millisecond)
	before := d.Err()
	<-d.Done()
	if after := d.Err(); after != before || after != real.Err() {
		t.Errorf("Err %v before Done, %v after; WithTimeout's %v", before, after, real.Err())
	}
}

// A context derived from a check's follows its end without a goroutine
// of its own, as one derived from context.WithTimeout does.
func TestCheckCtxDerivedNoGoroutine(t *testing.T) {
	c := newCheckCtx(context.Background())
	before := runtime.NumGoroutine()
	var cancels []context.CancelFunc
	for range 100 {
		_, cancel := context.WithTimeout(c, time.Hour)
		cancels = append(cancels, cancel)
	}
	if n := runtime.NumGoroutine() - before; n > 10 {
		t.Errorf("%d goroutines for 100 derived contexts", n)
	}
	d, cancel := context.WithTimeout(c, time.Hour)
	defer cancel()
	c.release()
	select {
	case <-d.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("derived context not ended by release")
	}
	for _, cancel := range cancels {
		cancel()
	}
	// Derived from an ended check: ended at once.
	e, cancel2 := context.WithCancel(c)
	defer cancel2()
	select {
	case <-e.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context derived after release not ended")
	}
}
