package main

import (
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/config"
)

// daemonGCPercent is the collector's target (GOGC) in the daemon unless
// GOGC is set: the heap may grow 65 % over what is live between
// collections instead of 100 %, which keeps the peak RSS with the trained
// classifier within 150 MB (issue 17). The content rules' regexes are
// compiled at their first use (about a fifth of them run on the
// SpamAssassin corpus; compiled up front they were 7 MB of the live heap
// and a third of the collector's marking). 65 is chosen for the worst
// case, a daemon whose mail has made it compile every regex: measured
// with `sekisho bench --rounds 3 --milter` (docs/performance.md, ninth
// round), peak RSS 139.5 MB with the regexes compiled when used and
// 147.0 MB with all of them compiled; at 75 the latter reached 150.6.
const daemonGCPercent = 65

// prepareMemory runs first in serve: it loads the IPA dictionary (when
// the classifier is on) before anything else is in memory, with the
// collector working hard meanwhile — decoding it makes several times its
// size in garbage —, then gives back what that used and the daemon does
// not need again: the garbage, and the executable's read-only pages, among
// them the 12 MB of the embedded dictionary. It sets the collector's
// target unless GOGC is set. Loaded at the first Japanese message instead,
// the dictionary would set the daemon's peak RSS on top of everything
// else (the classifier's mapped file, the analyzers).
//
// The dictionary's large tables are then moved out of the heap into a
// mapped file in the data directory (tokenize.MapDictionary: 16.7 MB
// the collector no longer grows its target from, in clean file pages);
// where that fails they stay in the heap.
func prepareMemory(cfg *config.Config, log *slog.Logger) {
	prev := debug.SetGCPercent(10)
	if cfg.Bayes.Enabled {
		tokenize.Preload()
		// (The engine creates the data directory so too, next.)
		err := os.MkdirAll(cfg.General.DataDir, 0o750)
		var n int64
		if err == nil {
			n, err = tokenize.MapDictionary(cfg.General.DataDir)
		}
		if err != nil {
			log.Info("IPA dictionary tables kept in the heap", "err", err)
		} else {
			log.Debug("IPA dictionary tables mapped", "bytes", n)
		}
	}
	if os.Getenv("GOGC") == "" {
		prev = daemonGCPercent
	}
	debug.SetGCPercent(prev)
	debug.FreeOSMemory()
	releaseReadOnlyPages()
}

// releaseStartupMemory runs once the analyzers are built: their start-up
// reads of the executable's read-only data are given back too.
func releaseStartupMemory(log *slog.Logger) {
	n := releaseReadOnlyPages()
	log.Debug("start-up pages released", "bytes", n)
}
