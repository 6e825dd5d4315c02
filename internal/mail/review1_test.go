package mail

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/sekisho/sekisho/internal/ascii"
)

// oldRawParamValue is rawParamValue as it was before the hdrIndex fast
// path: the raw value unfolded, 8-bit sniffed, never RFC 2047-decoded.
func oldRawParamValue(p *parser, h Headers, name string) string {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			v := strings.TrimSpace(unfold(h[i].Raw))
			if !ascii.Is(v) || hasEsc(v) {
				v = p.decodeRaw8bit(v)
			}
			return v
		}
	}
	return ""
}

func TestRawParamValueLoneCR(t *testing.T) {
	for _, raw := range []string{
		"Content-Type: multipart/mixed; boundary=\"=\r?us-ascii?q?zz?=\"\r\n",
		"Content-Type: text/plain; name==\r?utf-8?b?YWJj?=\r\n",
	} {
		p := &parser{lim: DefaultLimits()}
		h := p.parseHeader([]byte(raw), 0)
		var x hdrIndex
		x.build(h)
		got := p.rawParamValue(h, &x, hContentType)
		want := oldRawParamValue(p, h, "Content-Type")
		if got != want {
			t.Errorf("rawParamValue(%q) = %q, want %q", raw, got, want)
		}
	}
}

// An address field holding an empty group leaves the list nil, as the
// append of every field's addresses did.
func TestAddressListEmptyGroupNil(t *testing.T) {
	for _, raw := range []string{
		"From: a@b.example\r\nTo: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody\r\n",
		"From: a@b.example\r\nTo: undisclosed-recipients:;\r\nTo: list:;\r\n\r\nbody\r\n",
	} {
		m := Parse([]byte(raw), DefaultLimits())
		if m.To != nil {
			t.Errorf("%q: To = %#v, want nil", raw, m.To)
		}
	}
}

// The addresses are copies: slices of the header block (one string of up
// to MaxHeaderBytes) would keep it alive wherever an address is kept
// (2000 From addresses of messages with 55 KB headers held 115 MB).
func TestAddressesDoNotPinHeaders(t *testing.T) {
	raw := "From: Alice <alice@a.example>, bob@B.example, carol@c.example\r\n" +
		"To: \"Dan\" <dan@d.example>, Eve <eve@E.EXAMPLE>\r\nSubject: x\r\n\r\nbody\r\n"
	m := Parse([]byte(raw), DefaultLimits())
	within := func(s, block string) bool {
		if s == "" || block == "" {
			return false
		}
		p, b := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(block)))
		return p >= b && p < b+uintptr(len(block))
	}
	for _, h := range m.Headers {
		for _, as := range [][]Address{m.From, m.To} {
			for _, a := range as {
				for _, s := range []string{a.Name, a.Addr, a.Local, a.Domain} {
					if within(s, h.Raw) || within(s, h.Value) {
						t.Errorf("%q (of %+v) is a slice of the %s field", s, a, h.Name)
					}
				}
			}
		}
	}
	if len(m.From) != 3 || len(m.To) != 2 {
		t.Fatalf("From %+v To %+v", m.From, m.To)
	}
}
