package dns_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// TestLoopback queries a real DNS server on loopback.
func TestLoopback(t *testing.T) {
	srv := dnstest.Start(t)
	srv.Add(t,
		"example.jp. 300 IN MX 10 mx.example.jp.",
		"mx.example.jp. 300 IN A 192.0.2.25",
		"mx.example.jp. 300 IN AAAA 2001:db8::25",
		"25.2.0.192.in-addr.arpa. 300 IN PTR mx.example.jp.",
		"alias.example.jp. 300 IN CNAME mx.example.jp.",
	)
	long := strings.Repeat("x", 700)
	srv.TXT(t, "long.example.jp", long)
	srv.TXT(t, "example.jp", "v=spf1 mx -all")
	srv.ServFail("broken.example.jp")
	srv.Silent("slow.example.jp")
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	txt, err := r.LookupTXT(ctx, "example.jp")
	if err != nil || len(txt) != 1 || txt[0] != "v=spf1 mx -all" {
		t.Fatalf("TXT: %v %v", txt, err)
	}
	txt, err = r.LookupTXT(ctx, "long.example.jp")
	if err != nil || len(txt) != 1 || txt[0] != long {
		t.Fatalf("long TXT (strings joined): %d %v", len(txt), err)
	}
	mx, err := r.LookupMX(ctx, "example.jp")
	if err != nil || len(mx) != 1 || mx[0].Host != "mx.example.jp." {
		t.Fatalf("MX: %v %v", mx, err)
	}
	ips, err := r.LookupNetIP(ctx, "mx.example.jp")
	if err != nil || len(ips) != 2 {
		t.Fatalf("A/AAAA: %v %v", ips, err)
	}
	if ips, err := r.LookupNetIP(ctx, "alias.example.jp"); err != nil || len(ips) != 2 {
		t.Fatalf("CNAME: %v %v", ips, err)
	}
	names, err := r.LookupAddr(ctx, "192.0.2.25")
	if err != nil || len(names) != 1 {
		t.Fatalf("PTR: %v %v", names, err)
	}
	if n, err := r.VerifiedName(ctx, netip.MustParseAddr("192.0.2.25")); err != nil || n != "mx.example.jp" {
		t.Fatalf("iprev: %q %v", n, err)
	}
	// Not found: NXDOMAIN and NODATA.
	for _, name := range []string{"nothing.example.jp", "mx.example.jp"} {
		_, err := r.LookupTXT(ctx, name)
		if !dns.IsNotFound(err) || dns.IsTemporary(err) || !errors.Is(err, dns.ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	// Temporary: SERVFAIL and timeout.
	for _, name := range []string{"broken.example.jp", "slow.example.jp"} {
		_, err := r.LookupTXT(ctx, name)
		if !dns.IsTemporary(err) || dns.IsNotFound(err) || !errors.Is(err, dns.ErrTemporary) {
			t.Errorf("%s: %v, want temporary", name, err)
		}
	}
	// Cache: a second lookup does not reach the server.
	before := srv.Queries()
	r.LookupTXT(ctx, "example.jp")
	r.LookupTXT(ctx, "nothing.example.jp")
	if srv.Queries() != before {
		t.Errorf("cache missed: %d -> %d queries", before, srv.Queries())
	}
	if _, hits, temp := r.Stats(); hits < 2 || temp < 2 {
		t.Errorf("stats: hits %d temporary %d", hits, temp)
	}
	// Invalid names never reach the server.
	if _, err := r.LookupTXT(ctx, "bad..name"); err == nil || dns.IsTemporary(err) {
		t.Errorf("bad name: %v", err)
	}
	// A cancelled context is temporary.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.LookupTXT(cctx, "other.example.jp"); !dns.IsTemporary(err) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNoServer(t *testing.T) {
	// A port nobody listens on: every lookup is temporary, never "not found".
	r, err := dns.New(dns.Config{Servers: []string{"127.0.0.1:1"}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.LookupTXT(context.Background(), "example.jp")
	if !dns.IsTemporary(err) {
		t.Fatalf("got %v", err)
	}
}
