package url

import (
	"strings"
	"testing"
)

// FuzzLinkSeen holds linkSeen to the set of NUL-joined keys it replaced:
// each of the links parts (split at '|') is added to both.
func FuzzLinkSeen(f *testing.F) {
	f.Add("a|href|x|a|href|x|a|text|x")
	f.Add("a\x00|b|c|a|\x00b|c|a\x00b||c|a|\x00b\x00|c")
	f.Add("|||||||\x00|\x00\x00|")
	f.Fuzz(func(t *testing.T, s string) {
		p := strings.Split(s, "|")
		var seen linkSeen
		ref := map[string]bool{}
		for i := 0; i+2 < len(p); i += 3 {
			key := p[i] + "\x00" + p[i+1] + "\x00" + p[i+2]
			want := !ref[key]
			ref[key] = true
			if got := seen.add(p[i], p[i+1], p[i+2]); got != want {
				t.Fatalf("add(%q, %q, %q) = %v, want %v", p[i], p[i+1], p[i+2], got, want)
			}
		}
	})
}
