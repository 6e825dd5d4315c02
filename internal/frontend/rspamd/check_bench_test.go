package rspamd

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

type benchSym struct{}

func (benchSym) Name() string { return "bench-sym" }
func (benchSym) Analyze(ctx context.Context, t *pipeline.Task) error {
	t.Add("TEST_ACTION_PHISH")
	return nil
}

// benchHandler is the phishing fixture and a mux with the /checkv2
// handler of an engine of one trivial analyzer.
func benchHandler(b *testing.B) ([]byte, *http.ServeMux) {
	raw, err := os.ReadFile("../../store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.General.DataDir = b.TempDir()
	eng := enginetest.Only(b, cfg, benchSym{})
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	(&Handler{P: p, Settings: cfg.Serve.Rspamd}).Register(mux)
	return raw, mux
}

// BenchmarkCheckHTTP is one /checkv2 request over its own connection
// (as rspamc and sekisho bench send them) to a server with an engine of
// one trivial analyzer: net/http, the handler, the action step and the
// reply, what the Rspamd front end costs besides the analyzers. The
// client's allocations are counted too (the same before and after).
func BenchmarkCheckHTTP(b *testing.B) {
	raw, mux := benchHandler(b)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", srv.URL+"/checkv2", bytes.NewReader(raw))
		req.Header.Set("Ip", "192.0.2.1")
		req.Header.Set("From", "a@example.com")
		req.Header.Set("Rcpt", "b@example.jp")
		req.Header.Set("Queue-Id", "ABC123")
		resp, err := cl.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkCheckRaw is BenchmarkCheckHTTP with a raw TCP client (the
// request written in one piece, the reply read to the close), so that
// nearly all of what it measures is the server's: net/http's connection
// and request handling, the handler, the action step and the reply. The
// server is set up as `sekisho serve` sets up its HTTP front ends
// (time-outs, header bound, a connection context, the listener's
// bounds).
func BenchmarkCheckRaw(b *testing.B) {
	raw, mux := benchHandler(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	type startKey struct{}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10,
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, startKey{}, time.Now())
		}}
	go srv.Serve(listen.NewLimitListener(ln, listen.ConnLimits{PerClient: 50, Max: 100}))
	defer srv.Close()
	// What rspamc 3.x sends (its headers; HTTP/1.1, one request per
	// connection).
	req := []byte("POST /checkv2 HTTP/1.1\r\nConnection: close\r\nHost: 127.0.0.1\r\nUser-Agent: exim\r\n" +
		"Ip: 192.0.2.1\r\nHelo: mx.example\r\nFrom: a@example.com\r\nRcpt: b@example.jp\r\nQueue-Id: ABC123\r\n" +
		"Hostname: mx.example\r\nPass: none\r\nContent-Length: " + strconv.Itoa(len(raw)) + "\r\n\r\n" + string(raw))
	buf := make([]byte, 64<<10)
	addr := ln.Addr().String()
	b.ReportAllocs()
	for b.Loop() {
		if r := testutil.Exchange(b, addr, req, buf); !bytes.HasPrefix(r, []byte("HTTP/1.1 200 OK\r\n")) {
			b.Fatalf("%q", r[:min(len(r), 200)])
		}
	}
}
