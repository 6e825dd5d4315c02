package smtpout

import (
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	good := map[string]string{
		"a@example.jp":                  "a@example.jp",
		"<a@example.jp>":                "a@example.jp",
		" <first.last@example.jp> ":     "first.last@example.jp",
		`"john, x"@corp.example`:        `"john, x"@corp.example`,
		`"a\"b"@corp.example`:           `"a\"b"@corp.example`,
		"user+tag@[192.0.2.1]":          "user+tag@[192.0.2.1]",
		"u@[IPv6:2001:db8::1]":          "u@[IPv6:2001:db8::1]",
		"山田@例え.jp":                      "山田@例え.jp",
		"":                              "",
		"<>":                            "",
		"o'brien@xn--bcher-kva.example": "o'brien@xn--bcher-kva.example",
	}
	for in, want := range good {
		got, err := ParsePath(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"a@x> NOTIFY=NEVER", "a@x NOTIFY=NEVER", "a@x>\r\nRCPT TO:<b@y", "<a@x> ORCPT=rfc822;b@y",
		"a@x\x00", "a b@x", "a@", "@x", "a..b@x", ".a@x", "a@-x.example", "a@x..y", "@relay:a@x",
		`"unterminated@x`, `"a"b"@x`, "a@[1.2.3.4 ]", "a@[x]", strings.Repeat("a", 65) + "@x",
		"a@" + strings.Repeat("x.", 130) + "jp", "a<b@x", "a@x,b@y",
	} {
		if got, err := ParsePath(in); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"a@example.jp", `"john, x"@corp.example`, "a@x> NOTIFY=NEVER", "u@[IPv6:::1]", "<>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		// Whatever passes cannot break out of "RCPT TO:<...>".
		if strings.ContainsAny(p, "\r\n<>") {
			t.Fatalf("%q passed as %q", s, p)
		}
		if i := strings.LastIndexByte(p, '@'); p != "" && strings.ContainsAny(p[i:], " \t") {
			t.Fatalf("space in domain: %q", p)
		}
		if p != "" && !strings.HasPrefix(p, `"`) && strings.ContainsAny(p, " \t") {
			t.Fatalf("space outside quotes: %q", p)
		}
	})
}
