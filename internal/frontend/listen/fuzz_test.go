package listen

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// FuzzHosts: the Host header of any client against the allowed names;
// an allowed name is an IP literal, localhost, or one of the names.
func FuzzHosts(f *testing.F) {
	for _, s := range [][2]string{{"mx1.example", "mx1.example:25"}, {"*.example.jp", "a.example.jp"}, {"", "[::1]:80"}, {"x", "LOCALHOST."}, {"[fe80::1%eth0]:1", "evil.example"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, allowed, host string) {
		h := NewHosts(strings.Split(allowed, ",")...)
		if !h.Allowed(host) {
			return
		}
		n := normHost(host)
		if host == "" || h.any || n == "localhost" || strings.HasSuffix(n, ".localhost") || h.names[n] {
			return
		}
		if _, err := netip.ParseAddr(n); err == nil {
			return
		}
		for _, s := range h.suffixes {
			if strings.HasSuffix(n, s) {
				return
			}
		}
		t.Fatalf("%q allowed by %q", host, allowed)
	})
}

// FuzzReadBody: a body of any length, declared or not, is read whole
// within the limit or refused, and never holds more than the limit and
// a step.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte("a=b"), int64(3), int64(10))
	f.Add([]byte("a=b"), int64(-1), int64(2))
	f.Add(bytes.Repeat([]byte("x"), 70000), int64(-1), int64(65536))
	f.Fuzz(func(t *testing.T, body []byte, declared, limit int64) {
		limit = limit%(1<<20) + 1
		if limit < 0 {
			limit = -limit
		}
		if declared > 1<<20 {
			declared = 1 << 20
		}
		b := NewBytes(4 << 20)
		var res Reservation
		got, err := ReadBody(bytes.NewReader(body), declared, limit, b, &res)
		if err == nil && (int64(len(got)) > limit || b.Used() < int64(len(got))) {
			t.Fatalf("%d bytes read (limit %d), %d reserved", len(got), limit, b.Used())
		}
		res.Release()
		if b.Used() != 0 {
			t.Fatalf("%d bytes still reserved", b.Used())
		}
	})
}
