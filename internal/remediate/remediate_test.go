package remediate

import (
	"testing"
)

func TestNormID(t *testing.T) {
	for in, want := range map[string]string{
		"<a@b>":          "a@b",
		"  <a@b>  ":      "a@b",
		"a@b":            "a@b",
		"junk <a@b> <c>": "a@b",
		"<>":             "",
		"":               "",
	} {
		if got := normID(in); got != want {
			t.Errorf("normID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderID(t *testing.T) {
	for in, want := range map[string]string{
		"Message-ID: <x@y>\r\n\r\n":          "x@y",
		"message-id:\r\n <folded@y>\r\n\r\n": "folded@y",
		"Subject: none\r\n\r\n":              "",
		"":                                   "",
	} {
		if got := headerID([]byte(in)); got != want {
			t.Errorf("headerID(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzHeaderID: the header bytes come from the mailbox (sender-written).
func FuzzHeaderID(f *testing.F) {
	f.Add([]byte("Message-ID: <x@y>\r\n\r\n"))
	f.Add([]byte("Message-ID: <<<>>>\r\n \r\n"))
	f.Add([]byte("\x00\xff:\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = headerID(b)
	})
}

func TestOwnMailbox(t *testing.T) {
	r := &Remediator{domains: []string{"example.jp"}}
	for addr, want := range map[string]bool{
		"a@example.jp": true, "a@sub.example.jp": true, "a@example.com": false, "noat": false, "a@badexample.jp": false,
	} {
		if got := r.ownMailbox(addr); got != want {
			t.Errorf("ownMailbox(%q) = %v", addr, got)
		}
	}
}
