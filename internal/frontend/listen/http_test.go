package listen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHostsAllowed(t *testing.T) {
	h := NewHosts("MX1.corp.example.", "console.corp.example:8443", "*.admin.example", "", "10.0.0.1")
	for host, want := range map[string]bool{
		"": true, "127.0.0.1": true, "127.0.0.1:11334": true, "[::1]:11334": true, "192.0.2.7": true,
		"localhost": true, "LOCALHOST:11334": true, "app.localhost": true,
		"mx1.corp.example": true, "mx1.corp.example.:25": true, "console.corp.example": true,
		"a.admin.example": true, "b.c.admin.example:1": true,
		"admin.example": false, "evil.example": false, "corp.example": false, "localhost.evil.example": false,
		"mx1.corp.example.evil.example": false, "xadmin.example": false,
	} {
		if got := h.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}
	if !NewHosts("*").Allowed("evil.example") {
		t.Error(`"*" does not allow every name`)
	}
}

func TestCheckHost(t *testing.T) {
	h := CheckHost(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), NewHosts("mx1.example"))
	for host, want := range map[string]int{"evil.example": 421, "mx1.example": 200, "127.0.0.1:8080": 200} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
}

func TestBoundBodies(t *testing.T) {
	b := NewBytes(2 << 20) // a body of unknown length reserves 1 MiB steps
	var seen string
	var used int64
	h := BoundBodies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x, _ := io.ReadAll(r.Body)
		seen, used = string(x), b.Used()
	}), 60, b)
	do := func(body string, length int64) int {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.ContentLength = length
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := do("a=b", 3); c != 200 || seen != "a=b" || used != 3 {
		t.Errorf("small body: %d %q used %d", c, seen, used)
	}
	if c := do(strings.Repeat("x", 61), 61); c != 413 {
		t.Errorf("declared too big: %d", c)
	}
	if c := do(strings.Repeat("x", 61), -1); c != 413 {
		t.Errorf("unknown length too big: %d", c)
	}
	if !b.Acquire(2<<20 - 50) {
		t.Fatal("acquire")
	}
	if c := do(strings.Repeat("x", 60), 60); c != 503 {
		t.Errorf("over the bound: %d, want 503", c)
	}
	b.Release(2<<20 - 50)
	if b.Used() != 0 {
		t.Errorf("%d bytes still reserved", b.Used())
	}
	if c := do("", 0); c != 200 {
		t.Errorf("no body: %d", c)
	}
}
