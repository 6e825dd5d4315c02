package mail

import (
	"strings"
	"testing"
)

func refKnownID(n string) uint8 {
	for id, k := range knownHeaders {
		if strings.EqualFold(n, k) {
			return uint8(id)
		}
	}
	return hNone
}

// FuzzKnownID: knownID is the EqualFold search (Headers.Get's match).
func FuzzKnownID(f *testing.F) {
	for _, k := range knownHeaders {
		f.Add(k)
		f.Add(strings.ToUpper(k))
	}
	for _, s := range []string{"ſubject", "Content-\u212aind", "X-Mailer", "", "Received", "content-transfer-encodinG", "ＦＲＯＭ", "Cc\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, n string) {
		if got, want := knownID(n), refKnownID(n); got != want {
			t.Fatalf("knownID(%q) = %d, want %d", n, got, want)
		}
	})
}

func TestHdrIndex(t *testing.T) {
	h := Headers{{Name: "Received", Value: "r"}, {Name: "FROM", Value: "a"}, {Name: "ſubject", Value: "s"}, {Name: "from", Value: "b"}}
	var x hdrIndex
	x.build(h)
	for _, id := range []int{hFrom, hSubject, hDate} {
		if got, want := x.get(h, id), h.Get(knownHeaders[id]); got != want {
			t.Errorf("%s: %q, want %q", knownHeaders[id], got, want)
		}
		if got, want := int(x.count[id]), h.Count(knownHeaders[id]); got != want {
			t.Errorf("%s: count %d, want %d", knownHeaders[id], got, want)
		}
	}
}
