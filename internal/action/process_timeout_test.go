package action_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

// TestTimedOutScanResultDropped: a scan that outlives the front end's
// scan_timeout is reported by the fail-safe (tempfail), and its result,
// sent later into the channel the caller stopped waiting on, never
// reaches another message's Process (the channel is not reused), while
// the scan itself goes on to its end on the engine's worker.
func TestTimedOutScanResultDropped(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Limits.AnalyzerTimeout.Duration = time.Minute
	cfg.Limits.ScanTimeout.Duration = time.Minute
	eng := enginetest.Only(t, cfg, phish{})
	// An observer (they run within the scan, after the analyzers' budget)
	// holds the message whose subject says "slow" until released.
	release := make(chan struct{})
	var observed atomic.Int32
	eng.Observe(func(r *pipeline.Result) {
		if strings.Contains(r.Msg.Subject, "slow") {
			<-release
		}
		observed.Add(1)
	})
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler)}
	fe := cfg.Serve.Rspamd
	fe.ScanTimeout.Duration = 50 * time.Millisecond
	opt := action.Options{Frontend: pipeline.FrontendRspamd, Settings: fe}
	o := p.Process(context.Background(), []byte("Subject: slow\r\n\r\nbody\r\n"), pipeline.Envelope{}, opt)
	if o.Action != pipeline.ActionTempfail || o.Result != nil || o.Code != 451 {
		t.Fatalf("timed-out scan: action %s result %v code %d", o.Action, o.Result != nil, o.Code)
	}
	close(release) // the abandoned scan ends now, its result sent nowhere read
	fe.ScanTimeout.Duration = 10 * time.Second
	opt.Settings = fe
	for i := range 50 {
		raw := []byte("Subject: quick\r\nMessage-ID: <m" + string(rune('a'+i%26)) + "@example.jp>\r\n\r\nbody\r\n")
		o := p.Process(context.Background(), raw, pipeline.Envelope{}, opt)
		if o.Result == nil || o.Result.Msg.Subject != "quick" {
			t.Fatalf("message %d got another scan's result: %+v", i, o.Result)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for observed.Load() != 51 {
		if time.Now().After(deadline) {
			t.Fatalf("%d scans ended, want 51 (the abandoned one too)", observed.Load())
		}
		time.Sleep(time.Millisecond)
	}
}
