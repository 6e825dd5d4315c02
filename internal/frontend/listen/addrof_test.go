package listen

import (
	"net"
	"net/netip"
	"testing"
)

type addrConn struct {
	net.Conn
	ra net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.ra }

// addrOfPlain is what addrOf did for every connection: parse the remote
// address's string.
func addrOfPlain(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// TestAddrOfTCP: for TCP remote addresses, addrOf (from the address's
// bytes) gives what parsing the address's string gave.
func TestAddrOfTCP(t *testing.T) {
	for _, ta := range []*net.TCPAddr{
		{IP: net.ParseIP("192.0.2.1"), Port: 25},
		{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 1},
		{IP: net.ParseIP("::ffff:198.51.100.7"), Port: 11332},
		{IP: net.ParseIP("2001:db8::1"), Port: 65535},
		{IP: net.ParseIP("fe80::1"), Port: 10, Zone: "eth0"},
		{IP: net.ParseIP("::1")},
		{IP: nil, Port: 5},
		{IP: net.IP{1, 2, 3}, Port: 5},
	} {
		c := addrConn{ra: ta}
		if got, want := addrOf(c), addrOfPlain(c); got != want {
			t.Errorf("%v: %v, parsing the string gives %v", ta, got, want)
		}
	}
	for _, a := range []net.Addr{&net.UnixAddr{Name: "/run/x", Net: "unix"}, &net.UDPAddr{IP: net.ParseIP("192.0.2.9"), Port: 9}} {
		c := addrConn{ra: a}
		if got, want := addrOf(c), addrOfPlain(c); got != want {
			t.Errorf("%v: %v, want %v", a, got, want)
		}
	}
}

// FuzzAddrOf compares addrOf with parsing the string on TCP addresses
// of any bytes, port and zone.
func FuzzAddrOf(f *testing.F) {
	f.Add([]byte{192, 0, 2, 1}, 25, "")
	f.Add([]byte(net.ParseIP("fe80::1")), 10, "eth0")
	f.Add([]byte{}, 0, "")
	f.Fuzz(func(t *testing.T, ip []byte, port int, zone string) {
		c := addrConn{ra: &net.TCPAddr{IP: ip, Port: port, Zone: zone}}
		if got, want := addrOf(c), addrOfPlain(c); got != want {
			t.Fatalf("%v: %v, parsing the string gives %v", c.ra, got, want)
		}
	})
}
