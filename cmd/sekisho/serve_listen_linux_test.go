package main

import (
	"net"
	"syscall"
	"testing"
)

// acceptedOpts dials ln and returns the accepted connection's
// keep-alive and no-delay options.
func acceptedOpts(t *testing.T, ln net.Listener) [5]int {
	t.Helper()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rc, err := a.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var out [5]int
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		for i, o := range [...][2]int{
			{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT},
			{syscall.IPPROTO_TCP, syscall.TCP_NODELAY},
		} {
			v, err := syscall.GetsockoptInt(int(fd), o[0], o[1])
			if err != nil {
				gerr = err
				return
			}
			out[i] = v
		}
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return out
}

// TestListenKeepAlive: connections accepted by listenTCP's listener
// (keep-alive set once on the listening socket, inherited) have the
// options of those net.Listen's listener sets one by one.
func TestListenKeepAlive(t *testing.T) {
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	fast, err := listenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	want, got := acceptedOpts(t, plain), acceptedOpts(t, fast)
	if want != got {
		t.Fatalf("accepted connection options (keepalive, idle, interval, count, nodelay): %v, net.Listen's %v", got, want)
	}
	if want[0] == 0 || want[1] != 15 {
		t.Fatalf("net.Listen's accepted connection: %v, want keep-alive on, idle 15 s", want)
	}
}
