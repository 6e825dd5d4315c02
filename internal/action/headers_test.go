package action

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
	"golang.org/x/text/encoding/ianaindex"
)

func TestSubjectRewrite(t *testing.T) {
	dec := &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
		e, err := ianaindex.MIME.Encoding(cs)
		if err != nil {
			return nil, err
		}
		return e.NewDecoder().Reader(r), nil
	}}
	cases := []struct{ raw, decoded, prefix, wantDecoded string }{
		{"Hello", "Hello", "[spam]", "[spam] Hello"},
		{"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは", "[spam]", "[spam] こんにちは"},
		{"=?UTF-8?B?5a6J5YWo?=", "安全", "[迷惑]", "[迷惑] 安全"},
		{"caf\xe9 \x93\xfa\x96\x7b", "café 日本", "[spam]", "[spam] café 日本"},
		{"", "", "[spam]", "[spam]"},
	}
	for _, c := range cases {
		got, ok := SubjectRewrite(c.raw, c.decoded, c.prefix)
		if !ok {
			t.Errorf("%q: not rewritten", c.raw)
			continue
		}
		if !isASCII(got) {
			t.Errorf("%q: new subject not ASCII: %q", c.raw, got)
		}
		d, err := dec.DecodeHeader(strings.ReplaceAll(got, "\r\n", ""))
		if err != nil || d != c.wantDecoded {
			t.Errorf("%q → %q decodes to %q (%v), want %q", c.raw, got, d, err, c.wantDecoded)
		}
	}
	if _, ok := SubjectRewrite("[spam] x", "[spam] x", "[spam]"); ok {
		t.Error("prefixed twice")
	}
}

func TestApplyToMessage(t *testing.T) {
	raw := []byte("From: a@b\r\nSubject: old\r\n  folded\r\nTo: c@d\r\n\r\nbody\r\n")
	s := "[spam] old folded"
	out := ApplyToMessage(raw, []pipeline.HeaderField{{Name: "X-A", Value: "1\r\n\t2"}}, &s, nil)
	want := "X-A: 1\r\n\t2\r\nFrom: a@b\r\nSubject: [spam] old folded\r\nTo: c@d\r\n\r\nbody\r\n"
	if string(out) != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	lf := ApplyToMessage([]byte("From: a@b\n\nbody\n"), []pipeline.HeaderField{{Name: "X-A", Value: "1"}}, &s, nil)
	if string(lf) != "X-A: 1\nFrom: a@b\nSubject: [spam] old folded\n\nbody\n" {
		t.Errorf("LF: %q", lf)
	}
}

func TestFold(t *testing.T) {
	v := Fold("X-Spam-Symbols", strings.Repeat("SYMBOL_NAME_LONG(1.00), ", 10))
	for _, l := range strings.Split(v, "\r\n") {
		if len(l) > 80 {
			t.Errorf("long line %q", l)
		}
	}
}

func FuzzHeaders(f *testing.F) {
	f.Add([]byte("From: a@b\r\nSubject: =?UTF-8?B?5a6J5YWo?=\r\n\r\nbody"), "[spam]")
	f.Add([]byte("Subject: x\n y\n\n"), "[迷惑]")
	f.Add([]byte("no header at all"), "")
	f.Fuzz(func(t *testing.T, raw []byte, prefix string) {
		hdr, body := SplitMessage(raw)
		if !bytes.Equal(append(append([]byte(nil), hdr...), body...), raw) {
			t.Fatal("split loses bytes")
		}
		fs := ParseFields(hdr, 100)
		subj := ""
		for _, f := range fs {
			if strings.EqualFold(f.Name, "Subject") {
				subj = f.Value
			}
		}
		s, ok := SubjectRewrite(subj, subj, prefix)
		if ok && strings.ContainsAny(strings.ReplaceAll(s, "\r\n", ""), "\r\n") {
			t.Fatalf("bare line break in subject %q", s)
		}
		out := ApplyToMessage(raw, []pipeline.HeaderField{{Name: "X-T", Value: "1"}}, &s, nil)
		if !bytes.HasSuffix(out, body) {
			t.Fatal("body changed")
		}
	})
}
