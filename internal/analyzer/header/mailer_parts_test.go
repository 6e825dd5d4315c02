package header

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMailerKindParts holds mailerKind to the regexps over values built
// from pieces of the literals, with case changes, U+212A / U+017F,
// other non-ASCII and invalid bytes spliced in.
func TestMailerKindParts(t *testing.T) {
	pieces := append(append([]string{"php/", "phpmailer", "php", "/", "7", "x", " ", "-", "\xff", "\xe2\x84", "\xc5", "\u0130", "\u0131", "é", "K", "ſ", "\u212a", "\u017f"}, bulkLits...), scriptLits...)
	r := rand.New(rand.NewPCG(3, 4))
	n := 100000
	if testing.Short() {
		n = 10000
	}
	for range n {
		var b strings.Builder
		for k := r.IntN(4) + 1; k > 0; k-- {
			p := pieces[r.IntN(len(pieces))]
			if len(p) > 2 && r.IntN(2) == 0 {
				i, j := r.IntN(len(p)), r.IntN(len(p)+1)
				if i > j {
					i, j = j, i
				}
				p = p[:i] + p[j:] // a piece with a cut
			}
			if r.IntN(3) == 0 {
				p = strings.ToUpper(p)
			}
			b.WriteString(p)
		}
		s := b.String()
		want := 0
		switch {
		case reBulkMailer.MatchString(s):
			want = 1
		case reScriptMailer.MatchString(s):
			want = 2
		}
		if got := mailerKind(s); got != want {
			t.Fatalf("mailerKind(%q) = %d, want %d", s, got, want)
		}
	}
}
