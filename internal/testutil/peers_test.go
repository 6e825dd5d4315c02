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

func TestFreePortOutsideEphemeral(t *testing.T) {
	lo, hi := quietPorts()
	if hi <= lo {
		t.Skip("no ephemeral range to stay below")
	}
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		if p < lo || p >= hi {
			t.Fatalf("port %d outside [%d, %d)", p, lo, hi)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}
