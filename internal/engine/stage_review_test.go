package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

type boomName struct {
	fake
	armed *atomic.Bool
}

func (b *boomName) Name() string {
	if b.armed.Load() {
		panic("boom in Name")
	}
	return b.name
}

// TestPanicInStageEndsItsContext: a panic out of runStage (recovered by the
// front end, as milter/listen do) must still end the stage's context, as
// the defer cancel() of context.WithTimeout did on main.
func TestPanicInStageEndsItsContext(t *testing.T) {
	raw := []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nhello\r\n")
	var armed atomic.Bool
	started := make(chan struct{})
	woke := make(chan error, 1)
	boom := &boomName{fake: fake{name: "boom", stage: pipeline.StageExtract, fn: func(ctx context.Context, _ *pipeline.Task) error {
		<-started
		return errors.New("fail")
	}}, armed: &armed}
	waiter := &fake{name: "waiter", stage: pipeline.StageExtract, fn: func(ctx context.Context, _ *pipeline.Task) error {
		c, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		close(started)
		select {
		case <-c.Done():
			woke <- c.Err()
		case <-time.After(3 * time.Second):
			woke <- errors.New("derived context never cancelled")
		}
		return nil
	}}
	cfg := testConfig(t)
	cfg.Limits.AnalyzerTimeout.Duration = time.Minute
	e, err := New(cfg, Options{Factories: []Factory{}, Analyzers: []pipeline.Analyzer{boom, waiter}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	armed.Store(true)
	func() {
		defer func() { t.Logf("recovered: %v", recover()) }()
		e.Scan(context.Background(), raw, pipeline.Envelope{})
	}()
	if err := <-woke; !errors.Is(err, context.Canceled) {
		t.Fatalf("after a panic in runStage: %v", err)
	}
}
