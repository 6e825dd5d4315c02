package engine

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestOneBudgetFailsClosed: the caller's deadline (a front end's
// scan_timeout) is the message's one budget. An analyzer that would run
// past it is cut before the deadline with a share kept for the policy, so
// a verdict still comes back in time, and it fails closed: the time-out is
// an unscannable finding that holds mail with a link, never a clean pass.
func TestOneBudgetFailsClosed(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limits.AnalyzerTimeout.Duration = time.Minute // only the caller's deadline bounds it
	cfg.Limits.ScanTimeout.Duration = time.Minute
	slow := &fake{name: "slow", stage: pipeline.StageExtract, fn: func(ctx context.Context, t *pipeline.Task) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	e, err := New(cfg, Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{slow}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	dl, _ := ctx.Deadline()
	r := e.Scan(ctx, []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nsee https://files.example.org/x\r\n"), pipeline.Envelope{})
	if !time.Now().Before(dl) {
		t.Errorf("verdict after the caller's deadline")
	}
	v := r.Verdict
	if !v.Has(pipeline.SymAnalyzerTimeout) {
		t.Errorf("no time-out finding: %v", names(v))
	}
	if v.Action != pipeline.ActionQuarantine || v.Category != pipeline.CategoryUnscannable {
		t.Errorf("got %s/%s, want quarantine/unscannable", v.Action, v.Category)
	}
}
