package main

import (
	"log/slog"
	"runtime/debug"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
)

// releaseStartupMemory returns what start-up used and the daemon does not
// need again: the executable's read-only pages read while building the
// analyzers, and, when the first Japanese message loads the IPA
// dictionary, the embedded dictionary's pages and its decoded copy
// (issue 17: the peak RSS with the trained classifier).
func releaseStartupMemory(log *slog.Logger) {
	n := releaseReadOnlyPages()
	log.Debug("start-up pages released", "bytes", n)
	tokenize.AfterLoad(func() {
		// Off the scan that loaded it.
		go func() {
			debug.FreeOSMemory()
			releaseReadOnlyPages()
		}()
	})
}
