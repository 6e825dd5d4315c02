package tokenize

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// checkIndexHeaders fails unless indexHeaders finds what Headers.Get,
// Has, Count and the Received fields in order give.
func checkIndexHeaders(t *testing.T, h mail.Headers) {
	t.Helper()
	x := indexHeaders(h)
	for k, name := range fieldNames {
		if got, want := x.get(h, k), h.Get(name); got != want {
			t.Fatalf("%v: get %q = %q, want %q", h, name, got, want)
		}
		if got, want := x.first[k] >= 0, h.Has(name); got != want {
			t.Fatalf("%v: has %q = %v, want %v", h, name, got, want)
		}
	}
	if got, want := x.nrcv, h.Count("Received"); got != want {
		t.Fatalf("%v: %d Received, want %d", h, got, want)
	}
	var want []int
	for i := range h {
		if strings.EqualFold(h[i].Name, "Received") && len(want) < len(x.rcv) {
			want = append(want, i)
		}
	}
	for j, i := range want {
		if x.rcv[j] != i {
			t.Fatalf("%v: Received %d at %d, want %d", h, j, x.rcv[j], i)
		}
	}
}

// TestIndexHeaders: the one-pass index of the fields the tokenizer reads
// is what Headers.Get, Has and Count give, for names in any case, with
// the non-ASCII letters that fold to ASCII ones (ſ to s, the Kelvin sign
// to k), repeated fields and more than four Received fields.
func TestIndexHeaders(t *testing.T) {
	names := []string{"X-Mailer", "x-mailer", "X-MAILER", "User-Agent", "Uſer-Agent", "USER-AGENT", "List-Id", "Liſt-Id",
		"LIST-ID", "List-Unsubscribe", "List-Unſubſcribe", "X-Priority", "X-MSMail-Priority", "X-MſMail-Priority",
		"Date", "DATE", "Dat", "Received", "RECEIVED", "Receivedx", "Recei\u212aved", "X-Mailerr", "Subject", "", "ſ", "\u212a"}
	for i, a := range names {
		for j, b := range names {
			h := mail.Headers{{Name: a, Value: "v1"}, {Name: b, Value: "v2"}, {Name: a, Value: "v3"}}
			checkIndexHeaders(t, h)
			h = append(h, mail.Header{Name: "Received", Value: "r"}, mail.Header{Name: b, Value: "v4"},
				mail.Header{Name: "received", Value: "r2"}, mail.Header{Name: "Received", Value: "r3"},
				mail.Header{Name: names[(i+j)%len(names)], Value: ""}, mail.Header{Name: "RECEIVED", Value: "r4"})
			checkIndexHeaders(t, h)
		}
	}
}

// FuzzIndexHeaders: indexHeaders against Headers.Get, Has and Count.
func FuzzIndexHeaders(f *testing.F) {
	f.Add("X-Mailer", "Received", "Uſer-Agent", "date")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		h := mail.Headers{{Name: a, Value: "1"}, {Name: b, Value: "2"}, {Name: c, Value: "3"}, {Name: d, Value: "4"},
			{Name: b, Value: "5"}, {Name: a, Value: "6"}, {Name: c, Value: ""}, {Name: d, Value: "8"}, {Name: a, Value: "9"}}
		checkIndexHeaders(t, h)
	})
}

// FuzzTrimPunctHasDigit: trimPunct and hasDigit are the strings
// functions they replace.
func FuzzTrimPunctHasDigit(f *testing.F) {
	f.Add("(mx1.example.com)")
	f.Add("[192.0.2.1];")
	f.Add("<\xff>,")
	f.Add("ab٣c")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trimPunct(s), strings.Trim(s, "()[]<>,;"); got != want {
			t.Fatalf("trimPunct(%q) = %q, want %q", s, got, want)
		}
		if got, want := hasDigit(s), strings.IndexAny(s, "0123456789") >= 0; got != want {
			t.Fatalf("hasDigit(%q) = %v, want %v", s, got, want)
		}
	})
}
