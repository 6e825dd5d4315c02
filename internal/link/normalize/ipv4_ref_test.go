package normalize

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// parseIPv4Ref is ParseIPv4 before the character precheck (issue 17).
func parseIPv4Ref(s string) (addr netip.Addr, numeric bool, ok bool) {
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false, false
	}
	// The last label must be numeric for the host to be an IPv4 address.
	vals := make([]uint64, len(parts))
	plain := len(parts) == 4
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false, false
		}
		base := 10
		q := p
		switch {
		case len(q) > 1 && (q[:2] == "0x" || q[:2] == "0X"):
			base, q = 16, q[2:]
			plain = false
			if q == "" {
				q = "0"
			}
		case len(q) > 1 && q[0] == '0':
			base, q = 8, q[1:]
			plain = false
		}
		v, err := strconv.ParseUint(q, base, 64)
		if err != nil {
			return netip.Addr{}, false, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 255 {
			return netip.Addr{}, false, false
		}
		n |= vals[i] << (8 * (3 - i))
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false, false
	}
	n |= vals[last]
	a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	return a, !plain, true
}

// FuzzParseIPv4 holds ParseIPv4 to the old code.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "0x7f.1", "017700000001", "4294967295", "4294967296", "1.2.3.4.", "1..2", ".", "", "0x", "0X1.0x", "cafe.de",
		"example.com", "1.2.3.4.5", "08.1.1.1", "0xffffffff", "1.2.3.0x100", "99999999999999999999", "1.2.3.4\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, n, ok := ParseIPv4(s)
		wa, wn, wok := parseIPv4Ref(s)
		if a != wa || n != wn || ok != wok {
			t.Fatalf("ParseIPv4(%q) = %v %v %v, want %v %v %v", s, a, n, ok, wa, wn, wok)
		}
	})
}

var _ = strings.Split
var _ = strconv.ParseUint
var _ netip.Addr
