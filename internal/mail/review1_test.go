package mail

import (
	"strings"
	"testing"
)

// oldRawParamValue is rawParamValue as it was before the hdrIndex fast
// path: the raw value unfolded, 8-bit sniffed, never RFC 2047-decoded.
func oldRawParamValue(p *parser, h Headers, name string) string {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			v := strings.TrimSpace(unfold(h[i].Raw))
			if !isASCIIString(v) || hasEsc(v) {
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
