package main

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/sekisho/sekisho/internal/config"
	flisten "github.com/sekisho/sekisho/internal/frontend/listen"
)

// httpServer is the HTTP server of one HTTP front end (Rspamd protocol,
// console with the JSON API), bounded (issue 14): the request header
// within 10 s, the whole request (header and body) within read_timeout, so
// a slow body cannot hold a connection; the reply within the scan time and
// a minute; idle keep-alive connections for a minute.
func httpServer(fe config.ServeFrontend, h http.Handler, log *slog.Logger) *http.Server {
	rt := fe.ReadTimeout.Duration
	if rt <= 0 {
		rt = time.Minute
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: min(10*time.Second, rt), ReadTimeout: rt,
		WriteTimeout: rt + fe.ScanTimeout.Duration + time.Minute, IdleTimeout: time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
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
