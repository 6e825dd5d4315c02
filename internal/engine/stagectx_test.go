package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

type ctxKey struct{}

// TestStageContextLifetime: a stage's context behaves as the
// context.WithTimeout of the analysis budget it replaces. It carries the
// caller's values and the stage's deadline; it is cancelled (Canceled)
// when the stage ends, together with what was derived from it and what
// was registered with context.AfterFunc; the next stage gets a live one;
// an analyzer that outlives its stage's time-out sees DeadlineExceeded on
// its context and on contexts derived from it, and the time-out is a
// finding.
func TestStageContextLifetime(t *testing.T) {
	raw := []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nhello\r\n")
	var (
		mu        sync.Mutex
		first     context.Context
		child     context.Context
		afterRan        = make(chan struct{})
		secondErr error = errors.New("not run")
		slowErr   error
		slowChild error
		dlOK      bool
		val       any
	)
	as := []pipeline.Analyzer{
		&fake{name: "first", stage: pipeline.StageExtract, fn: func(ctx context.Context, _ *pipeline.Task) error {
			mu.Lock()
			defer mu.Unlock()
			first = ctx
			c, cancel := context.WithTimeout(ctx, time.Hour)
			_ = cancel // cancelled with the stage
			child = c
			context.AfterFunc(ctx, func() { close(afterRan) })
			dl, ok := ctx.Deadline()
			dlOK = ok && time.Until(dl) > 100*time.Millisecond && time.Until(dl) <= 200*time.Millisecond
			val = ctx.Value(ctxKey{})
			return ctx.Err()
		}},
		&fake{name: "second", stage: pipeline.StageMain, fn: func(ctx context.Context, _ *pipeline.Task) error {
			mu.Lock()
			defer mu.Unlock()
			secondErr = ctx.Err()
			if ctx == first {
				secondErr = errors.New("stage context reused")
			}
			return nil
		}},
	}
	e, err := New(testConfig(t), Options{Factories: []Factory{}, Analyzers: as})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	r := e.Scan(ctx, raw, pipeline.Envelope{})
	if v := r.Verdict; v.Has(pipeline.SymAnalyzerTimeout) || v.Has(pipeline.SymAnalyzerError) || v.Has(pipeline.SymScanTimeout) {
		t.Fatalf("unexpected findings %v", names(v))
	}
	mu.Lock()
	if !dlOK || val != "v" {
		t.Errorf("stage context: deadline within analyzer_timeout %v, value %v", dlOK, val)
	}
	if secondErr != nil {
		t.Errorf("second stage: %v", secondErr)
	}
	if !errors.Is(first.Err(), context.Canceled) {
		t.Errorf("first stage's context after the stage: %v, want Canceled", first.Err())
	}
	select {
	case <-first.Done():
	default:
		t.Errorf("first stage's context not done after the stage")
	}
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("derived context not cancelled with the stage")
	}
	if !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("derived context: %v, want Canceled", child.Err())
	}
	select {
	case <-afterRan:
	case <-time.After(5 * time.Second):
		t.Fatal("context.AfterFunc not run when the stage ended")
	}
	mu.Unlock()

	// A stage that overruns analyzer_timeout.
	slow := &fake{name: "slow", stage: pipeline.StageExtract, fn: func(ctx context.Context, _ *pipeline.Task) error {
		c, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		<-c.Done()
		mu.Lock()
		slowErr, slowChild = ctx.Err(), c.Err()
		mu.Unlock()
		return ctx.Err()
	}}
	e2, err := New(testConfig(t), Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{slow}})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	start := time.Now()
	r = e2.Scan(context.Background(), raw, pipeline.Envelope{})
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("stage time-out after %v, want analyzer_timeout (200 ms)", d)
	}
	if !r.Verdict.Has(pipeline.SymAnalyzerTimeout) || r.Verdict.Has(pipeline.SymScanTimeout) {
		t.Errorf("stage time-out: %v, want %s only", names(r.Verdict), pipeline.SymAnalyzerTimeout)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		mu.Lock()
		se, sc := slowErr, slowChild
		mu.Unlock()
		if se != nil {
			if !errors.Is(se, context.DeadlineExceeded) || !errors.Is(sc, context.DeadlineExceeded) {
				t.Errorf("timed-out stage: context %v, derived %v; want DeadlineExceeded", se, sc)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("slow analyzer never woke")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStageCtxAfterFuncStop: stop withdraws a registration before the
// cancel and reports false after it; a registration on a cancelled
// context runs at once.
func TestStageCtxAfterFuncStop(t *testing.T) {
	c := &stageCtx{parent: context.Background(), dl: time.Now().Add(time.Hour)}
	ran := make(chan int, 3)
	stop1 := c.AfterFunc(func() { ran <- 1 })
	stop2 := c.AfterFunc(func() { ran <- 2 })
	if !stop1() || stop1() {
		t.Fatal("stop before cancel")
	}
	c.cancel(context.DeadlineExceeded)
	c.cancel(context.Canceled) // the first error sticks
	if got := <-ran; got != 2 {
		t.Fatalf("ran %d", got)
	}
	if stop2() {
		t.Error("stop after the run reported true")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Errorf("Err %v", c.Err())
	}
	c.AfterFunc(func() { ran <- 3 })
	if got := <-ran; got != 3 {
		t.Fatalf("ran %d", got)
	}
	select {
	case <-c.Done():
	default:
		t.Error("Done of a cancelled context is open")
	}
	// A live parent's cancellation shows in Err at once.
	p, cancel := context.WithCancel(context.Background())
	c2 := &stageCtx{parent: p, dl: time.Now().Add(time.Hour)}
	cancel()
	if !errors.Is(c2.Err(), context.Canceled) {
		t.Errorf("Err with a cancelled parent: %v", c2.Err())
	}
}
