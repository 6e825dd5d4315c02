package engine

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestOneBudget: the caller's deadline (a front end's scan_timeout) is
// the message's one budget. Analyzers are cut before it, with a share kept
// for the policy, so a verdict always comes back in time:
//   - an analyzer past its own analyzer_timeout fails closed (the time-out
//     is an unscannable finding that holds mail with a link, never a
//     clean pass);
//   - when the budget itself runs out, the verdict is tempfail, for the
//     front end's fail_safe (the sender retries).
func TestOneBudget(t *testing.T) {
	raw := []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nsee https://files.example.org/x\r\n")
	slow := &fake{name: "slow", stage: pipeline.StageExtract, fn: func(ctx context.Context, t *pipeline.Task) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	scan := func(analyzerTO time.Duration) pipeline.Verdict {
		cfg := testConfig(t)
		cfg.Limits.AnalyzerTimeout.Duration = analyzerTO
		cfg.Limits.ScanTimeout.Duration = time.Minute
		e, err := New(cfg, Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{slow}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		// 2 s: the engine keeps a tenth (200 ms) for the verdict, which a
		// loaded CI machine needs (100 ms was missed at a load of 15).
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		dl, _ := ctx.Deadline()
		r := e.Scan(ctx, raw, pipeline.Envelope{})
		if !time.Now().Before(dl) {
			t.Errorf("verdict after the caller's deadline")
		}
		return r.Verdict
	}
	v := scan(200 * time.Millisecond)
	if !v.Has(pipeline.SymAnalyzerTimeout) || v.Action != pipeline.ActionQuarantine || v.Category != pipeline.CategoryUnscannable {
		t.Errorf("analyzer time-out: %s/%s %v, want quarantine/unscannable", v.Action, v.Category, names(v))
	}
	v = scan(time.Minute)
	if !v.Has(pipeline.SymScanTimeout) || v.Action != pipeline.ActionTempfail {
		t.Errorf("budget spent: %s %v, want tempfail with %s", v.Action, names(v), pipeline.SymScanTimeout)
	}
}

// TestOwnScanTimeout: without a caller deadline, the engine's own [limits]
// scan_timeout sets the budget (the budget is a child of the caller's
// context, its deadline taken from the scan's): spent, it is tempfail; and
// a caller cancelling ends the analyzers at once.
func TestOwnScanTimeout(t *testing.T) {
	raw := []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nsee https://files.example.org/x\r\n")
	slow := &fake{name: "slow", stage: pipeline.StageExtract, fn: func(ctx context.Context, t *pipeline.Task) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	cfg := testConfig(t)
	cfg.Limits.AnalyzerTimeout.Duration = time.Minute
	cfg.Limits.ScanTimeout.Duration = 1500 * time.Millisecond
	e, err := New(cfg, Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{slow}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	r := e.Scan(context.Background(), raw, pipeline.Envelope{})
	if d := time.Since(start); d > 3*time.Second { // 1.35 s of budget; slack for a loaded machine
		t.Errorf("verdict after %v, past the scan_timeout", d)
	}
	if v := r.Verdict; !v.Has(pipeline.SymScanTimeout) || v.Action != pipeline.ActionTempfail {
		t.Errorf("scan_timeout spent: %s %v, want tempfail with %s", v.Action, names(v), pipeline.SymScanTimeout)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	e.Scan(ctx, raw, pipeline.Envelope{})
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled scan took %v", d)
	}
}
