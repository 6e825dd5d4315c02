package main

import (
	"context"
	"log/slog"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// recordHistory records every scan in the history when the console, which
// records it otherwise, is off ([quarantine] history decides whether
// anything is kept: Record does nothing when it is off). Before, without
// the console the history was kept only with remediation on, so a daemon
// behind an MTA without the console kept none, and `sekisho bench`
// measured the daemon without its history writer.
func recordHistory(cfg *config.Config, eng *engine.Engine, store *quarantine.Store, log *slog.Logger) {
	if cfg.Serve.Console.Enabled {
		return
	}
	eng.Observe(func(res *pipeline.Result) {
		if res.Msg != nil {
			if err := store.Record(context.Background(), res.Msg.Raw, res); err != nil {
				log.Warn("history not recorded", "msg_id", res.ID, "err", err)
			}
		}
	})
}
