package mail

import (
	"slices"
	"strings"
	"testing"
)

// headersRef are the Headers lookups as main wrote them: strings.EqualFold
// on every field.
func headersRef(h Headers, name string) (get string, has bool, values []string, count int) {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			if !has {
				get = h[i].Value
			}
			has = true
			values = append(values, h[i].Value)
			count++
		}
	}
	return get, has, values, count
}

func checkLookups(t *testing.T, h Headers, name string) {
	t.Helper()
	get, has, values, count := headersRef(h, name)
	if h.Get(name) != get || h.Has(name) != has || !slices.Equal(h.Values(name), values) || h.Count(name) != count {
		t.Fatalf("lookups of %q in %v: %q %v %q %d, want %q %v %q %d", name, h,
			h.Get(name), h.Has(name), h.Values(name), h.Count(name), get, has, values, count)
	}
}

var foldNames = []string{"", "a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "From", "from", "FROM", "\u212aey", "Key",
	"ſubject", "Subject", "subject ", "X-Mailer", "x-mailer", "X-MAILER", "x-mailet", "@", "`", "[", "{",
	"\xff", "a\xff", "\xffa", "\xe2\x84", "Received", "Reply-To", "List-Id", "List-ID", "lisT-iD", "List-\u212a",
	"Mailing-List", "mailing-lis\u212a", "é", "É", "ÉA", "éa", "a\u212a", "AK"}

// The lookups answer as strings.EqualFold on every field does.
func TestHeadersLookupsMatchEqualFold(t *testing.T) {
	var h Headers
	for i, n := range foldNames {
		h = append(h, Header{Name: n, Value: strings.Repeat("v", i)})
	}
	for _, name := range foldNames {
		checkLookups(t, h, name)
		for _, n := range foldNames {
			checkLookups(t, Headers{{Name: n, Value: "1"}, {Name: name, Value: "2"}, {Name: n, Value: "3"}}, name)
		}
	}
}

func FuzzHeadersLookups(f *testing.F) {
	f.Add("From", "from", "x")
	f.Add("\u212aey", "key", "KEY")
	f.Add("a\xff", "A\xff", "")
	f.Fuzz(func(t *testing.T, a, b, name string) {
		checkLookups(t, Headers{{Name: a, Value: "a"}, {Name: b, Value: "b"}, {Name: a, Value: "c"}}, name)
	})
}
