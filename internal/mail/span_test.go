package mail

import (
	"bytes"
	"strings"
	"testing"
)

// checkSpans: every parsed MIME entity knows where its header block, its
// fields and its body sit in its message's Raw.
func checkSpans(t testing.TB, m *Message) {
	t.Helper()
	var walk func(p *Part, base []byte)
	walk = func(p *Part, base []byte) {
		if p.Spanned {
			h, b := p.HeaderSpan, p.BodySpan
			if h.Start < 0 || h.Start > h.End || h.End > b.Start || b.Start > b.End || b.End > len(base) {
				t.Fatalf("part %s: spans %+v %+v outside 0..%d", p.Path, h, b, len(base))
			}
			for _, f := range p.Headers {
				if f.Span.Start < h.Start || f.Span.End > h.End || f.Span.Start > f.Span.End {
					t.Fatalf("part %s: field %q span %+v outside header %+v", p.Path, f.Name, f.Span, h)
				}
				field := string(base[f.Span.Start:f.Span.End])
				if !strings.Contains(field, f.Raw) || !strings.Contains(field, ":") {
					t.Fatalf("part %s: field %q span %q lacks its raw value %q", p.Path, f.Name, field, f.Raw)
				}
			}
		}
		for _, c := range p.Children {
			if p.Embedded != nil {
				walk(c, p.Embedded.Raw)
			} else {
				walk(c, base)
			}
		}
	}
	if m.Root != nil {
		walk(m.Root, m.Raw)
	}
}

// refSplit is the splitter the action step used before parsed offsets.
func refSplit(raw []byte) (header, body []byte) {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			end := i + j + 1
			return raw[:end], raw[end:]
		}
		i += j + 1
	}
	return raw, nil
}

func TestSpans(t *testing.T) {
	inner := "From: a@example.jp\r\nSubject: inner\r\n\r\ninner body\r\n"
	cases := map[string]string{
		"crlf":      "From: a@example.jp\r\nSubject: hi\r\n there\r\n\r\nbody\r\n",
		"lf":        "From: a@example.jp\nSubject: hi\n\tthere\n\nbody\n",
		"no body":   "From: a@example.jp\r\nSubject: hi\r\n",
		"no header": "\r\nbody only\r\n",
		"multipart": "From: a@example.jp\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--b--\r\n",
		"embedded base64": "From: a@example.jp\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"RnJvbTogYUBleGFtcGxlLmpwDQpTdWJqZWN0OiBpbm5lcg0KDQppbm5lciBib2R5DQo=\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			m := Parse([]byte(raw), Limits{})
			checkSpans(t, m)
			h, b, ok := m.Split([]byte(raw))
			rh, rb := refSplit([]byte(raw))
			if !ok || !bytes.Equal(h, rh) || !bytes.Equal(b, rb) {
				t.Fatalf("Split = %q %q %v, want %q %q", h, b, ok, rh, rb)
			}
			if name == "crlf" {
				s := m.Headers[1]
				if got := raw[s.Span.Start:s.Span.End]; got != "Subject: hi\r\n there\r\n" {
					t.Fatalf("Subject span %q", got)
				}
			}
		})
	}
	// The embedded message's fields are offsets into its own Raw.
	m := Parse([]byte(cases["embedded base64"]), Limits{})
	em := m.Root.Embedded
	if em == nil || em.Headers[1].Name != "Subject" || string(em.Raw[em.Headers[1].Span.Start:em.Headers[1].Span.End]) != "Subject: inner\r\n" {
		t.Fatalf("embedded spans: %+v", em)
	}
	// Other bytes, or a header cut at MaxSize: no offsets to use.
	if _, _, ok := m.Split([]byte("x")); ok {
		t.Fatal("Split of other bytes")
	}
	long := "From: a@example.jp\r\nX-Pad: " + strings.Repeat("a", 200) + "\r\n\r\nbody\r\n"
	if _, _, ok := Parse([]byte(long), Limits{MaxSize: 50}).Split([]byte(long)); ok {
		t.Fatal("Split through a header cut at MaxSize")
	}
	if h, b, ok := Parse([]byte(cases["crlf"]+strings.Repeat("x", 100)), Limits{MaxSize: 60}).Split([]byte(cases["crlf"] + strings.Repeat("x", 100))); !ok || !bytes.HasPrefix(b, []byte("body")) || !bytes.HasSuffix(h, []byte("\r\n\r\n")) {
		t.Fatalf("truncated body: %q %q %v", h, b, ok)
	}
}
