package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

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
		ConnContext:    connContext,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// httpMaxConnAge is the total time-out of one HTTP connection.
const httpMaxConnAge = 10 * time.Minute

type connStartKey struct{}

// connStart is a connection's context with the time it started (its
// Value of connStartKey{} is itself): one allocation per connection, where
// context.WithValue of a time.Time made two.
type connStart struct {
	context.Context
	t time.Time
}

func (c *connStart) Value(key any) any {
	if _, ok := key.(connStartKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// connContext is the HTTP servers' ConnContext: the connection's start.
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return &connStart{Context: ctx, t: time.Now()}
}

// maxConnAge closes connections older than age after the current reply.
func maxConnAge(h http.Handler, age time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connStartKey{}).(*connStart); ok && time.Since(c.t) > age {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// limitHTTP bounds the connections of an HTTP front end: max_connections
// in all (more wait in the backlog) and max_connections_per_client from
// one address (more get 503 at once).
func limitHTTP(ln net.Listener, fe config.ServeFrontend) net.Listener {
	return flisten.NewLimitListener(ln, flisten.ConnLimits{PerClient: fe.MaxConnectionsPerClient, Max: fe.MaxConnections,
		Refuse: func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\n" +
				"Content-Type: text/plain\r\nContent-Length: 47\r\n\r\ntoo many connections from your address, later\n"))
		}})
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

// allowedHosts are the names the HTTP front ends answer to (issue 14: DNS
// rebinding): general.hostname and the OS host name (and their first
// labels), the
// hosts of the listen addresses, digest.base_url's host and [web]
// allowed_hosts (IP literals and localhost always).
func allowedHosts(cfg *config.Config) *flisten.Hosts {
	own := []string{cfg.General.Hostname}
	if h, err := os.Hostname(); err == nil {
		own = append(own, h)
	}
	names := append([]string{}, cfg.Web.AllowedHosts...)
	for _, n := range own {
		names = append(names, n)
		if short, _, ok := strings.Cut(n, "."); ok && short != "" && net.ParseIP(n) == nil {
			names = append(names, short)
		}
	}
	sc := cfg.Serve
	for _, l := range []string{sc.Console.Listen, sc.Rspamd.Listen} {
		if h, _, err := net.SplitHostPort(l); err == nil {
			names = append(names, h)
		}
	}
	if u, err := url.Parse(cfg.Digest.BaseURL); err == nil && u.Host != "" {
		names = append(names, u.Host)
	}
	return flisten.NewHosts(names...)
}
