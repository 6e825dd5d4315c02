package main

import (
	"net"
	"syscall"
	"testing"
	"time"
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
	if _, err := c.Write([]byte("x")); err != nil { // the client speaks first
		t.Fatal(err)
	}
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
	want := acceptedOpts(t, plain)
	for _, clientFirst := range []bool{false, true} {
		fast, err := listenTCP("127.0.0.1:0", clientFirst)
		if err != nil {
			t.Fatal(err)
		}
		defer fast.Close()
		if got := acceptedOpts(t, fast); want != got {
			t.Fatalf("accepted connection options (keepalive, idle, interval, count, nodelay), clientFirst %v: %v, net.Listen's %v", clientFirst, got, want)
		}
	}
	if want[0] == 0 || want[1] != 15 {
		t.Fatalf("net.Listen's accepted connection: %v, want keep-alive on, idle 15 s", want)
	}
}

// TestListenDeferAccept: a client-first listener hands out a connection
// once its first bytes are there (the first read finds them), and a
// client that sends nothing is accepted all the same, after about a
// second; a server-first (SMTP) listener accepts at once.
func TestListenDeferAccept(t *testing.T) {
	accept := func(ln net.Listener, send bool) (net.Conn, time.Duration) {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if send {
			time.Sleep(50 * time.Millisecond)
			if _, err := c.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		a, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a, time.Since(start)
	}
	deferred, err := listenTCP("127.0.0.1:0", true)
	if err != nil {
		t.Fatal(err)
	}
	defer deferred.Close()
	a, _ := accept(deferred, true)
	var n int
	var opt int
	rc, _ := a.(*net.TCPConn).SyscallConn()
	rc.Control(func(fd uintptr) { n, _ = syscall.Read(int(fd), make([]byte, 16)) })
	if n != 5 {
		t.Fatalf("first read of a deferred connection: %d bytes, want the 5 sent", n)
	}
	lrc, _ := deferred.(*net.TCPListener).SyscallConn()
	lrc.Control(func(fd uintptr) { opt, _ = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT) })
	if opt == 0 {
		t.Fatal("TCP_DEFER_ACCEPT not set on a client-first listener")
	}
	// Silent: accepted after the SYN-ACK's first resend (about 1 s).
	if _, took := accept(deferred, false); took > 10*time.Second {
		t.Fatalf("a silent connection accepted after %v", took)
	}
	plain, err := listenTCP("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, took := accept(plain, false); took > time.Second {
		t.Fatalf("server-first listener: a connection accepted after %v", took)
	}
}
