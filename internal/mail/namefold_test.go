package mail

import (
	"strings"
	"testing"
)

// nameIs must answer as strings.EqualFold does, on any bytes.
func TestNameIsMatchesEqualFold(t *testing.T) {
	names := []string{"", "a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "From", "from", "FROM", "\u212aey", "Key",
		"ſubject", "Subject", "subject ", "X-Mailer", "x-mailer", "X-MAILER", "x-mailet", "@", "`", "[", "{",
		"\xff", "a\xff", "\xffa", "\xe2\x84", "Received", "Reply-To", "List-Id", "List-ID", "lisT-iD", "List-\u212a",
		"Mailing-List", "mailing-lis\u212a", "é", "É", "ÉA", "éa", "a\u212a", "AK"}
	for _, a := range names {
		for _, b := range names {
			if got, want := nameIs(a, b), strings.EqualFold(a, b); got != want {
				t.Errorf("nameIs(%q, %q) = %v, EqualFold %v", a, b, got, want)
			}
		}
	}
}

func FuzzNameIs(f *testing.F) {
	f.Add("From", "from")
	f.Add("\u212aey", "key")
	f.Add("a\xff", "A\xff")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := nameIs(a, b), strings.EqualFold(a, b); got != want {
			t.Fatalf("nameIs(%q, %q) = %v, EqualFold %v", a, b, got, want)
		}
	})
}
