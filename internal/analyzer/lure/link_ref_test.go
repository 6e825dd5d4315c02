package lure

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// rcptInLinkRef is rcptInLink before the stack buffers (issue 17).
func rcptInLinkRef(raw string, rcpts []string) string {
	low := strings.ToLower(raw)
	if i := strings.IndexByte(low, '#'); i >= 0 {
		frag := low[i+1:]
		if u, err := url.QueryUnescape(frag); err == nil {
			frag = u
		}
		for _, r := range rcpts {
			if strings.Contains(frag, r) {
				return r
			}
		}
	}
	for _, m := range b64Runs(raw, 8) {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			b, err := enc.DecodeString(m)
			if err != nil {
				continue
			}
			dec := strings.ToLower(string(b))
			for _, r := range rcpts {
				if strings.Contains(dec, r) {
					return r
				}
			}
			break
		}
	}
	return ""
}

// FuzzRcptInLink holds rcptInLink to the old code, FuzzIsUnsubLink
// isUnsubLink to the regexp over the joined text.
func FuzzRcptInLink(f *testing.F) {
	for _, s := range []string{"https://x.example/#A@B.example", "https://x.example/?u=" + base64.StdEncoding.EncodeToString([]byte("Joe@Example.COM")),
		"https://x.example/" + base64.RawURLEncoding.EncodeToString([]byte("x joe@example.com\xff")), "https://x.example/#%4a%4fe@example.com",
		"https://x.example/" + strings.Repeat("QUJD", 200) + "?" + base64.StdEncoding.EncodeToString([]byte("joe@example.com")),
		"https://İ.example/\xc3#JOE@example.com", "https://x.example/\xe3\x81#\xffjoe@EXAMPLE.com#x", "ẞ#İjoe@example.com"} {
		f.Add(s, "joe@example.com")
	}
	f.Fuzz(func(t *testing.T, raw, rcpt string) {
		rcpts := []string{strings.ToLower(rcpt), "joe@example.com"}
		if got, want := rcptInLink(raw, rcpts), rcptInLinkRef(raw, rcpts); got != want {
			t.Fatalf("rcptInLink(%q, %q) = %q, want %q", raw, rcpts, got, want)
		}
	})
}

func FuzzIsUnsubLink(f *testing.F) {
	for _, s := range [][2]string{{"https://x.example/UnSubscribe", "Click"}, {"https://x.example/opt", "-out"}, {"x", "\u212aanage"}, {"UNſUB", ""}, {"d\xc3", "\x89sinscri"}, {strings.Repeat("a", 600), "manage"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, raw, anchor string) {
		if got, want := isUnsubLink(raw, anchor), reUnsub.MatchString(raw+" "+anchor); got != want {
			t.Fatalf("isUnsubLink(%q, %q) = %v, regexp %v", raw, anchor, got, want)
		}
	})
}

var _ = url.QueryUnescape
