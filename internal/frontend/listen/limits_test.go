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

// TestPerClientAndFirstRead: the third connection from one address is
// refused with the protocol's answer; a silent one is cut at FirstRead.
func TestPerClientAndFirstRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := NewLimitListener(ln, ConnLimits{PerClient: 2, FirstRead: 200 * time.Millisecond, Idle: time.Minute,
		Refuse: func(c net.Conn) { c.Write([]byte("busy\n")) }})
	defer ll.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ll.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var cs []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cs = append(cs, c)
	}
	b, _ := io.ReadAll(cs[2])
	if string(b) != "busy\n" {
		t.Errorf("third connection: %q", b)
	}
	s := <-accepted
	start := time.Now()
	_, err = s.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() || time.Since(start) > 5*time.Second {
		t.Errorf("silent connection: %v after %v", err, time.Since(start))
	}
	s.Close()
	(<-accepted).Close()
	if n := ll.Open(addrOf(s)); n != 0 {
		t.Errorf("open after close: %d", n)
	}
}
