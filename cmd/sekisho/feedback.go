package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

func labelFeedback(spam bool) pipeline.Feedback {
	if spam {
		return pipeline.FeedbackSpam
	}
	return pipeline.FeedbackHam
}

// releaseFeedback tells reputation and campaign hashes that held
// messages were released (when either is enabled; the engine is built
// on the first release). A failure is reported, never fatal: the message
// is released.
type releaseFeedback struct {
	g   *Globals
	eng *engine.Engine
	off bool
}

func (f *releaseFeedback) send(st *quarantine.Store, id string) {
	if f.off {
		return
	}
	if f.eng == nil {
		cfg, err := f.g.LoadConfig()
		if err != nil || !cfg.Reputation.Enabled && !cfg.Fuzzy.Enabled {
			f.off = true
			return
		}
		if f.eng, err = f.g.Engine(cfg); err != nil {
			f.off = true
			fmt.Fprintf(os.Stderr, "sekisho: release feedback: %v\n", err)
			return
		}
	}
	ctx := context.Background()
	raw, err := st.Get(ctx, id)
	if err == nil {
		_, err = f.eng.Feedback(ctx, raw, pipeline.FeedbackRelease)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sekisho: %s: release feedback: %v\n", id, err)
	}
}

func (f *releaseFeedback) close() {
	if f.eng != nil {
		f.eng.Close()
	}
}

// offlineState keeps a measurement's learning (eval, tune) out of shared
// reputation and campaign state: with a throw-away data directory they
// use its SQLite files, never the configured Redis.
func offlineState(cfg *config.Config) {
	cfg.Reputation.Redis = ""
	cfg.Fuzzy.Redis = ""
}
