// Package web is the console: sign-in, dashboard, quarantine, message view,
// history, and the Prometheus /metrics endpoint.
package web

import (
	"log/slog"
	"net/http"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Options are what the console needs.
type Options struct {
	Config *config.Config
	Engine *engine.Engine
	Store  *quarantine.Store
	Logger *slog.Logger
}

// New returns the console handler, mounted at "/" on the console port
// (127.0.0.1:11334 by default) by `sekisho serve`. Paths the Rspamd
// controller protocol uses (/checkv2, /learnspam, /learnham, /ping, /stat,
// /symbols, /api/...) are served by the front ends, not here.
func New(opts Options) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	return mux, nil
}
