package listen

import (
	"errors"
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestCloseResetsWhenRepliesUnsent: a connection whose client does not
// read (replies left unsent when the write times out) ends with a reset,
// so the client learns at once; one whose replies all went out ends with
// an ordinary FIN (the client reads them, then EOF).
func TestCloseResetsWhenRepliesUnsent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("unsent bytes are read from TCP_INFO on Linux")
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := NewLimitListener(tcp, ConnLimits{Idle: 300 * time.Millisecond})
	defer ln.Close()
	serve := func(stuck bool) <-chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !stuck {
				c.Write([]byte("221 bye\r\n"))
				time.Sleep(100 * time.Millisecond) // on the wire
				c.Close()
				return
			}
			buf := make([]byte, 64<<10)
			for {
				if _, err := c.Write(buf); err != nil {
					break // timed out: the client does not read
				}
			}
			c.Close()
		}()
		return done
	}

	done := serve(true)
	c, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetReadBuffer(4096)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("server write never timed out")
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.Copy(io.Discard, c)
	c.Close()
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client that did not read: got %v, want a reset", err)
	}

	done = serve(false)
	c, err = net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	<-done
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	c.Close()
	if err != nil || string(b) != "221 bye\r\n" {
		t.Errorf("client that read: %q, %v; want the reply and EOF", b, err)
	}
}
