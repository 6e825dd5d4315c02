package testutil

import (
	"io"
	"net"
	"testing"
)

// Exchange sends req over a new TCP connection to addr and reads the
// reply to the server's close (one request per connection, as rspamc,
// spamc and the front ends' benchmarks send them), into buf, grown when
// full. An error other than the close fails tb.
func Exchange(tb testing.TB, addr string, req, buf []byte) []byte {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(req); err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		if n == len(buf) {
			buf = append(buf, make([]byte, max(len(buf), 512))...)
		}
		m, err := c.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n]
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}
