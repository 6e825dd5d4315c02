package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath (issue 14: open redirects): whatever the "next" value,
// the redirect stays on the console: a path that a browser cannot read
// as another host.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/quarantine?x=1", "//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example/", "/%09/evil.example", "", "/", "/login?next=//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := localPath(s)
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\t\r\n ") {
			t.Fatalf("localPath(%q) = %q", s, p)
		}
		u, err := url.Parse(p)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q: host %q", s, p, u.Host)
		}
	})
}
