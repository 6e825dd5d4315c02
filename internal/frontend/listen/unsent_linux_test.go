package listen

import (
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUnsentMatchesTCPInfo: the unsent bytes read with SIOCOUTQNSD are
// TCP_INFO's tcpi_notsent_bytes: none on a fresh connection, many when
// the peer stops reading, the same again after it reads some.
func TestUnsentMatchesTCPInfo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cl.(*net.TCPConn).SetReadBuffer(4096)
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	tc := sc.(*net.TCPConn)
	// agree reads both, until a reading of each gives the same number
	// (the kernel may send between two readings while the window opens).
	agree := func(what string) int {
		t.Helper()
		var a, b int
		for range 50 {
			a, b = unsent(tc), unsentTCPInfo(tc)
			if a == b && unsent(tc) == a {
				return a
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: SIOCOUTQNSD %d, TCP_INFO %d", what, a, b)
		return 0
	}
	check := func(what string, wantSome bool) {
		t.Helper()
		if n := agree(what); (n > 0) != wantSome {
			t.Fatalf("%s: %d bytes unsent (want some: %v)", what, n, wantSome)
		}
	}
	check("fresh", false)
	// Fill the client's window and the server's send buffer.
	buf := make([]byte, 64<<10)
	total := 0
	for {
		tc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := tc.Write(buf)
		total += n
		if err != nil {
			break
		}
	}
	time.Sleep(50 * time.Millisecond)
	check("peer not reading", true)
	// The client reads some; whatever is still unsent, both agree.
	cl.SetReadDeadline(time.Now().Add(time.Second))
	io.ReadFull(cl, make([]byte, min(total, 256<<10)))
	agree("after a read")
}

// unsentTCPInfo is unsent as it was read before (tests compare).
func unsentTCPInfo(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	rc.Control(func(fd uintptr) {
		if ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			n = int(ti.Notsent_bytes)
		}
	})
	return n
}
