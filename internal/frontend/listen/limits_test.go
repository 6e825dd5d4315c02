package listen

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestBytesBound(t *testing.T) {
	b := NewBytes(10)
	var r1, r2 Reservation
	if !r1.Reserve(b, 6) || r2.Reserve(b, 5) {
		t.Fatal("bound not kept")
	}
	r1.Release()
	if !r2.Reserve(b, 5) || b.Used() != 5 {
		t.Fatalf("used %d", b.Used())
	}
	r2.Release()
	if b.Used() != 0 {
		t.Fatalf("leak: %d", b.Used())
	}
}

func TestReadBody(t *testing.T) {
	b := NewBytes(3 << 20)
	var res Reservation
	if _, err := ReadBody(strings.NewReader("x"), 100, 10, b, &res); !errors.Is(err, ErrTooBig) {
		t.Errorf("declared too big: %v", err)
	}
	if _, err := ReadBody(strings.NewReader("x"), 4<<20, 8<<20, b, &res); !errors.Is(err, ErrBusy) {
		t.Errorf("declared over the bound: %v", err)
	}
	got, err := ReadBody(strings.NewReader("hello"), -1, 10, b, &res)
	if err != nil || string(got) != "hello" {
		t.Errorf("unknown length: %q %v", got, err)
	}
	if _, err := ReadBody(bytes.NewReader(make([]byte, 20)), -1, 10, b, &res); !errors.Is(err, ErrTooBig) {
		t.Errorf("undeclared too big: %v", err)
	}
	res.Release()
	if b.Used() != 0 {
		t.Fatalf("leak: %d", b.Used())
	}
}

// TestPerClientAndFirstRead: over the per-client bound, a connection
// that has sent nothing gives way to the new one; when every one has
// spoken, the new one is refused with the protocol's answer. A silent
// connection is cut at FirstRead.
func TestPerClientAndFirstRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := NewLimitListener(ln, ConnLimits{PerClient: 2, FirstRead: 300 * time.Millisecond, Idle: time.Minute,
		Refuse: func(c net.Conn) { c.Write([]byte("busy\n")) }})
	defer ll.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ll.Accept()
			if err != nil {
				return
			}
			accepted <- c
			go func() { // a server that echoes what it reads
				b := make([]byte, 1)
				for {
					if _, err := c.Read(b); err != nil {
						c.Close()
						return
					}
				}
			}()
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	a := dial()
	a.Write([]byte("x")) // speaks
	<-accepted
	b := dial() // silent
	<-accepted
	time.Sleep(50 * time.Millisecond)
	c := dial() // over the bound: b gives way
	<-accepted
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(b); err != nil {
		t.Errorf("silent connection not closed: %v", err)
	}
	c.Write([]byte("y"))
	time.Sleep(50 * time.Millisecond)
	d := dial() // a and c spoke: refused
	d.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got, _ := io.ReadAll(d); string(got) != "busy\n" {
		t.Errorf("fourth connection: %q", got)
	}
	// A new silent one after c closes is cut at FirstRead.
	c.Close()
	time.Sleep(50 * time.Millisecond)
	e := dial()
	<-accepted
	start := time.Now()
	e.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(e)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("silent connection lived %v (FirstRead 300ms)", d)
	}
}

// TestMaxConnections: with Max open, Accept waits until one closes
// (closing one twice frees one slot), and Close ends an Accept waiting
// for a slot.
func TestMaxConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := NewLimitListener(ln, ConnLimits{Max: 1})
	accepted := make(chan net.Conn, 4)
	errs := make(chan error, 1)
	go func() {
		for {
			c, err := ll.Accept()
			if err != nil {
				errs <- err
				return
			}
			accepted <- c
		}
	}()
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	first := <-accepted
	select {
	case <-accepted:
		t.Fatal("a second connection accepted while the first is open")
	case <-time.After(100 * time.Millisecond):
	}
	first.Close()
	first.Close()
	second := <-accepted
	select {
	case <-accepted:
		t.Fatal("two slots freed by one connection closed twice")
	case <-time.After(100 * time.Millisecond):
	}
	if err := ll.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept waiting for a slot not ended by Close")
	}
	second.Close()
}

// TestRemoteAddrGrowsStackOnce: the first RemoteAddr (net/http's first
// call on the connection's goroutine) marks the connection's stack as
// grown, later calls do not ask again. It checks the flag, not the
// stack's size (the runtime does not expose it).
func TestRemoteAddrGrowsStackOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ll := NewLimitListener(ln, ConnLimits{})
	go func() {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			defer c.Close()
			time.Sleep(time.Second)
		}
	}()
	c, err := ll.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lc := c.(*limitConn)
	want := lc.Conn.RemoteAddr().String()
	for range 3 {
		if got := c.RemoteAddr().String(); got != want {
			t.Fatalf("RemoteAddr %s, want %s", got, want)
		}
		if !lc.grown.Load() {
			t.Fatal("stack not marked grown after RemoteAddr")
		}
	}
}

// TestCloseConns: a tracking listener closes every open connection;
// connections closed before are forgotten, and closing frees their slots.
func TestCloseConns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := NewLimitListener(ln, ConnLimits{Max: 3, Track: true})
	defer ll.Close()
	var clients []net.Conn
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		sc, err := ll.Accept()
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, sc)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	conns[0].Close()
	ll.mu.Lock()
	n := len(ll.all)
	ll.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d tracked, want 2", n)
	}
	ll.CloseConns()
	for i, c := range clients[1:] {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Fatalf("client %d: %v, want EOF", i+1, err)
		}
	}
	if len(ll.sem) != 0 || len(ll.all) != 0 {
		t.Fatalf("slots %d, tracked %d after CloseConns", len(ll.sem), len(ll.all))
	}
}
