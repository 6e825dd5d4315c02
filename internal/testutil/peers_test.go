package testutil

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePort(t *testing.T) {
	p := FreePort(t)
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("port %d not free: %v", p, err)
	}
	l.Close()
}

func TestLookPeer(t *testing.T) {
	if p := LookPeer(t, "definitely-not-a-peer-xyz", "sh"); p == "" {
		t.Fatal("sh not found")
	}
}

func TestNoPeerSkips(t *testing.T) {
	t.Setenv("SEKISHO_REQUIRE_PEERS", "")
	ran := false
	t.Run("missing", func(t *testing.T) {
		NoPeer(t, "peer %s missing", "x")
		ran = true
	})
	if ran {
		t.Fatal("NoPeer did not stop the test")
	}
}
