package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestMaxConnAge: a keep-alive connection older than its age is closed
// after the reply to its next request.
func TestMaxConnAge(t *testing.T) {
	h := maxConnAge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), 300*time.Millisecond)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnContext = connContext
	srv.Start()
	defer srv.Close()
	conns := 0
	tr := &http.Transport{DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
		conns++
		return (&net.Dialer{}).DialContext(ctx, n, a)
	}}
	c := &http.Client{Transport: tr}
	get := func() *http.Response {
		r, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r
	}
	if r := get(); r.Close {
		t.Fatal("a young connection was closed")
	}
	time.Sleep(400 * time.Millisecond)
	if r := get(); !r.Close {
		t.Fatal("an old connection was kept")
	}
	get()
	if conns != 2 {
		t.Fatalf("%d connections, want 2 (the old one replaced)", conns)
	}
}
