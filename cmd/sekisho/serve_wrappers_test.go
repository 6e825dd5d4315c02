package main

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/api"
	flisten "github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/testutil"
)

// BenchmarkHTTPWrappers is one POST per connection (as rspamc sends
// them) to a handler that reads the body and answers 200: "bare" on a
// plain http.Server, "serve" with what `sekisho serve` puts around an
// HTTP front end (httpServer's time-outs and connection age, limitHTTP's
// listeners, CheckHost, api.Guard). The difference is what the wrappers
// cost per request.
func BenchmarkHTTPWrappers(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("{}"))
	})
	body := bytes.Repeat([]byte("x"), 4000)
	req := []byte("POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nIp: 192.0.2.1\r\nContent-Length: 4000\r\n\r\n" + string(body))
	run := func(b *testing.B, srv *http.Server, ln net.Listener, addr string) {
		go srv.Serve(ln)
		defer srv.Close()
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			if r := testutil.Exchange(b, addr, req, buf); !bytes.HasPrefix(r, []byte("HTTP/1.1 200")) {
				b.Fatalf("%q", r)
			}
		}
	}
	b.Run("bare", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		run(b, &http.Server{Handler: h}, ln, ln.Addr().String())
	})
	b.Run("serve", func(b *testing.B) {
		ln, err := listenTCP("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		fe := config.Default().Serve.Rspamd
		fe.MaxConnectionsPerClient = 50
		srv := httpServer(fe, flisten.CheckHost(api.Guard(h, nil), flisten.NewHosts("mx.example")), slog.New(slog.DiscardHandler))
		run(b, srv, limitHTTP(ln, fe), ln.Addr().String())
	})
}
