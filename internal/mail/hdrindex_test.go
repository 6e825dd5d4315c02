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

// TestAddressListIndexed: the indexed addressList reads the fields the
// EqualFold scan read, in order.
func TestAddressListIndexed(t *testing.T) {
	h := Headers{
		{Name: "To", Value: "a@x.example"}, {Name: "From", Value: "b@y.example"}, {Name: "to", Value: "c@z.example, d@z.example"},
		{Name: "Received", Value: "r"}, {Name: "TO", Value: "Name <e@w.example>"}, {Name: "Cc", Value: "f@v.example"},
	}
	var p parser
	var x hdrIndex
	x.build(h)
	for _, id := range []int{hTo, hFrom, hCc, hSender} {
		var want []Address
		for _, f := range h {
			if strings.EqualFold(f.Name, knownHeaders[id]) {
				want = append(want, parseAddressList(f.Value)...)
			}
		}
		got := p.addressList(h, &x, id)
		if len(got) != len(want) {
			t.Fatalf("%s: %+v, want %+v", knownHeaders[id], got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %+v, want %+v", knownHeaders[id], got, want)
			}
		}
	}
}
