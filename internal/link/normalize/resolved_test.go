package normalize

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzResolved checks that the per-message memo answers as Resolve does:
// for every link of a list (repeats included), Get while filling it and
// Lookup afterwards and from a nil memo give what a fresh Resolve gives.
// Sharing the answers between the URL and lure analyzers rests on that
// (and on Resolve giving the same answer twice).
func FuzzResolved(f *testing.F) {
	for _, s := range []string{
		"hxxps://evil[.]example/\nhttps://evil.example/",
		"http://0x7f.1/\nhttp://0x7f.1/\nhttps://a@b.c/",
		"https://www.google.com/url?q=https://x.y/\nhttps://x.y/",
		"https://xn--80ak6aa92e.com/\nhttp://[::1]/\nhttps:\\\\a\\b",
		"&#104;ttp://x.y\ndata:,x\nhttp://4294967295/\n\nhttp://1.2.3.4.5/",
		"https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fphish.example%2Fa&data=05",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		raws := strings.Split(list, "\n")
		var r Resolved
		for _, raw := range raws {
			c, ok := r.Get(raw)
			wc, wok := Resolve(raw)
			if ok != wok || !reflect.DeepEqual(c, wc) {
				t.Fatalf("Get(%q) = %+v %v, Resolve %+v %v", raw, c, ok, wc, wok)
			}
		}
		for _, raw := range append(raws, list, "x"+list) {
			wc, wok := Resolve(raw)
			for _, m := range []*Resolved{&r, nil} {
				c, ok := m.Lookup(raw)
				if ok != wok || !reflect.DeepEqual(c, wc) {
					t.Fatalf("Lookup(%q) = %+v %v, Resolve %+v %v", raw, c, ok, wc, wok)
				}
			}
		}
	})
}

// FuzzHostForms: the IDNA shortcut for plain LDH names gives what IDNA
// gives; wideHost's ASCII shortcut what the plain test gives.
func FuzzHostForms(f *testing.F) {
	for _, s := range []string{"example.com", "a..b", "-a.com", "a-.com", "ab--cd.com", "xn--80ak6aa92e.com", ".", "a.", ".a",
		strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 130) + "com", "1.2.3.4", "0x7f", "a_b.com", "xn--.com", "xn-a.com", "EXAMPLE.COM", "пример.рф", "ｅｘａｍｐｌｅ。com", "a．b", "é.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := wideHost(s), strings.ContainsAny(s, "。．｡") || hasFullwidth(s); got != want {
			t.Fatalf("wideHost(%q) = %v, want %v", s, got, want)
		}
		lower := strings.ToLower(s)
		a, u, ok := hostForms(lower)
		wa, wu, wok := hostFormsIDNA(lower)
		if a != wa || u != wu || ok != wok {
			t.Fatalf("hostForms(%q) = %q %q %v, IDNA %q %q %v", lower, a, u, ok, wa, wu, wok)
		}
	})
}

// FuzzDefangFirst: defangReplacer changes no text without a byte of
// defangFirst (Parse skips it then).
func FuzzDefangFirst(f *testing.F) {
	for _, s := range []string{"hxxp://a[.]b", "a(dot)b", "{.}", "plain.example/x", "[at]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.ContainsAny(s, defangFirst) && defangReplacer.Replace(s) != s {
			t.Fatalf("%q changed by the defang replacer", s)
		}
	})
}
