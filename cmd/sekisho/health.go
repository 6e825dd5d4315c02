package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// health answers load balancers and supervisors on the console and Rspamd
// ports:
//
//	GET /healthz  200 "ok" while the process runs (liveness)
//	GET /readyz   200 "ready" when every front end listens and the
//	              quarantine database answers; 503 with the reason while
//	              starting, reloading a bad configuration is not a
//	              reason (the old one keeps serving), and while
//	              shutting down (so the balancer drains the instance)
//
// Neither needs a password or a session, and neither says more than
// one word: they are safe to expose to the balancer's network.
type health struct {
	ready    atomic.Bool
	stopping atomic.Bool
	store    *quarantine.Store
}

func (h *health) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if msg, ok := h.check(r.Context()); !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(msg + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
}

func (h *health) check(ctx context.Context) (string, bool) {
	switch {
	case h.stopping.Load():
		return "stopping", false
	case !h.ready.Load():
		return "starting", false
	}
	if h.store != nil && h.store.DB() != nil {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := h.store.DB().PingContext(ctx); err != nil {
			return "database unavailable", false
		}
	}
	return "", true
}
