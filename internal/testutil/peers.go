package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/sekisho/sekisho/internal/freeport"
)

// RequirePeers reports whether SEKISHO_REQUIRE_PEERS=1: then a missing
// peer (Postfix, clamd, 7z, Chromium, PostgreSQL, Redis, python3-dkim,
// clamav-testfiles ...) fails the test instead of skipping it, so a CI
// host with every peer installed cannot pass by skipping.
func RequirePeers() bool { return os.Getenv("SEKISHO_REQUIRE_PEERS") == "1" }

// NoPeer skips t because a peer is missing — or fails it when
// RequirePeers.
func NoPeer(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequirePeers() {
		t.Fatalf("%s (SEKISHO_REQUIRE_PEERS=1)", msg)
	}
	t.Skip(msg)
}

// PeerMissing is NoPeer for an optional part of a test: the test goes on
// (the part is logged as left out) unless RequirePeers, which fails it.
func PeerMissing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequirePeers() {
		t.Fatalf("%s (SEKISHO_REQUIRE_PEERS=1)", msg)
	}
	t.Log(msg + ": left out")
}

// LookPeer returns the first of the programs found on PATH (or given as
// an absolute path that exists), else NoPeer.
func LookPeer(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	NoPeer(t, "peer %v not installed", names)
	return ""
}

// NeedFile returns path when it exists, else NoPeer (a peer's data, such
// as Debian's clamav-testfiles).
func NeedFile(t testing.TB, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		NoPeer(t, "%s not installed (%s)", what, path)
	}
	return path
}

// FreePort returns a loopback TCP port free at the time of the call.
//
// The port is chosen at random below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), not by binding port 0: a port from the
// ephemeral range, once closed, can be handed by the kernel to any other
// process's bind(0) or outgoing connect() before the server under test
// binds it (CI saw "bind: address already in use" from parallel test
// packages). Below the range only another FreePort caller can pick the
// same port, and only within the moment between the check and the bind.
// Where no such range can be read, it falls back to binding port 0.
func FreePort(t testing.TB) int {
	t.Helper()
	// A port is handed out once per test process: two calls in a row may
	// otherwise get the same port, and the second listener of a server
	// under test fails with "address in use".
	port, err := freeport.Get()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// Chromium finds Debian's chromium (or Chrome), else NoPeer.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return LookPeer(t, "chromium", "chromium-browser", "google-chrome")
}
