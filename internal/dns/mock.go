package dns

import (
	"context"
	"net"
	"strings"
)

// Mock is an in-memory Lookuper for unit tests: names not listed are not
// found; names in Temp fail temporarily.
type Mock struct {
	TXT  map[string][]string
	MX   map[string][]*net.MX
	IP   map[string][]string // host -> addresses
	PTR  map[string][]string // address -> names
	Temp map[string]bool
}

var _ Lookuper = (*Mock)(nil)

func (m *Mock) key(name string) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	if m != nil && m.Temp[n] {
		return n, dnsErr(n, ErrTemporary, "mock temporary failure")
	}
	return n, nil
}

// LookupTXT implements Lookuper.
func (m *Mock) LookupTXT(_ context.Context, name string) ([]string, error) {
	n, err := m.key(name)
	if err != nil {
		return nil, err
	}
	if v, ok := m.TXT[n]; ok && len(v) > 0 {
		return v, nil
	}
	return nil, dnsErr(n, ErrNotFound, "no such host")
}

// LookupMX implements Lookuper.
func (m *Mock) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	n, err := m.key(name)
	if err != nil {
		return nil, err
	}
	if v, ok := m.MX[n]; ok && len(v) > 0 {
		return v, nil
	}
	return nil, dnsErr(n, ErrNotFound, "no such host")
}

// LookupIPAddr implements Lookuper.
func (m *Mock) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	n, err := m.key(host)
	if err != nil {
		return nil, err
	}
	var out []net.IPAddr
	for _, s := range m.IP[n] {
		if ip := net.ParseIP(s); ip != nil {
			out = append(out, net.IPAddr{IP: ip})
		}
	}
	if len(out) == 0 {
		return nil, dnsErr(n, ErrNotFound, "no such host")
	}
	return out, nil
}

// LookupAddr implements Lookuper.
func (m *Mock) LookupAddr(_ context.Context, addr string) ([]string, error) {
	n, err := m.key(addr)
	if err != nil {
		return nil, err
	}
	if v, ok := m.PTR[n]; ok && len(v) > 0 {
		return v, nil
	}
	return nil, dnsErr(n, ErrNotFound, "no such host")
}
