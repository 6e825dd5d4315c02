package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

func labelFeedback(spam bool) pipeline.Feedback {
	if spam {
		return pipeline.FeedbackSpam
	}
	return pipeline.FeedbackHam
}

// releaseFeedback tells reputation and campaign hashes that a held
// message was released (when either is enabled). A failure is reported,
// never fatal: the message is released.
func releaseFeedback(g *Globals, st *quarantine.Store, id string) {
	cfg, err := g.LoadConfig()
	if err != nil || !cfg.Reputation.Enabled && !cfg.Fuzzy.Enabled {
		return
	}
	ctx := context.Background()
	raw, err := st.Get(ctx, id)
	if err == nil {
		eng, eerr := g.Engine(cfg)
		if eerr != nil {
			err = eerr
		} else {
			_, err = eng.Feedback(ctx, raw, pipeline.FeedbackRelease)
			eng.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sekisho: %s: release feedback: %v\n", id, err)
	}
}
