package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/net/netutil"

	"github.com/sekisho/sekisho/internal/config"
	flisten "github.com/sekisho/sekisho/internal/frontend/listen"
)

// httpServer is the HTTP server of one HTTP front end (Rspamd protocol,
// console with the JSON API), bounded (issue 14): the request header
// within 10 s, the whole request (header and body) within read_timeout, so
// a slow body cannot hold a connection; the reply within the scan time and
// a minute; idle keep-alive connections for a minute; and a keep-alive
// connection as a whole for httpMaxConnAge: the reply to a request that
// starts later says "Connection: close" and the connection ends after it
// (so no connection outlives httpMaxConnAge by more than one request).
func httpServer(fe config.ServeFrontend, h http.Handler, log *slog.Logger) *http.Server {
	rt := fe.ReadTimeout.Duration
	if rt <= 0 {
		rt = time.Minute
	}
	return &http.Server{Handler: maxConnAge(h, httpMaxConnAge), ReadHeaderTimeout: min(10*time.Second, rt), ReadTimeout: rt,
		WriteTimeout: rt + fe.ScanTimeout.Duration + time.Minute, IdleTimeout: time.Minute,
		MaxHeaderBytes: 64 << 10,
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connStartKey{}, time.Now())
		},
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// httpMaxConnAge is the total time-out of one HTTP connection.
const httpMaxConnAge = 10 * time.Minute

type connStartKey struct{}

// maxConnAge closes connections older than age after the current reply.
func maxConnAge(h http.Handler, age time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := r.Context().Value(connStartKey{}).(time.Time); ok && time.Since(t) > age {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// limitHTTP bounds the connections of an HTTP front end: max_connections
// in all (more wait in the backlog) and max_connections_per_client from
// one address (more get 503 at once).
func limitHTTP(ln net.Listener, fe config.ServeFrontend) net.Listener {
	ll := flisten.NewLimitListener(ln, flisten.ConnLimits{PerClient: fe.MaxConnectionsPerClient,
		Refuse: func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\n" +
				"Content-Type: text/plain\r\nContent-Length: 47\r\n\r\ntoo many connections from your address, later\n"))
		}})
	return netutil.LimitListener(ll, fe.MaxConnections)
}

// setMemoryLimit gives the Go runtime a soft memory limit derived from the
// configured bounds (issue 14), unless GOMEMLIMIT is set: message bytes in
// flight (held about twice: the bytes and the parse), bytes decompressed
// by all scans, and 512 MiB for the rest. Near it the collector works
// harder instead of letting garbage from refused or finished requests
// double the heap. It returns the limit set (0: none).
func setMemoryLimit(cfg *config.Config) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	lim := 2*cfg.Serve.MaxBytesInFlight + 512<<20
	if cfg.Attach.Enabled {
		lim += cfg.Attach.MaxBytesAllScans
	}
	debug.SetMemoryLimit(lim)
	return lim
}
