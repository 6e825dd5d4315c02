package psl

import (
	"testing"

	"golang.org/x/net/publicsuffix"
)

var seeds = []string{"example.com", "www.example.co.uk", "co.uk", "uk", "", ".", "a..b", ".example.com", "example.com.",
	"192.0.2.1", "::1", "1.2.3.4.example", "xn--p1ai", "foo.appspot.com", "a.b.c.kawasaki.jp", "city.kawasaki.jp",
	"EXAMPLE.COM", "localhost", "a.blogspot.com", "x.y.ck", "www.ck"}

func check(t *testing.T, d string) {
	t.Helper()
	for range 2 { // a miss, then a hit
		s, i := PublicSuffix(d)
		ws, wi := publicsuffix.PublicSuffix(d)
		if s != ws || i != wi {
			t.Fatalf("PublicSuffix(%q) = %q %v, want %q %v", d, s, i, ws, wi)
		}
		r, ok := EffectiveTLDPlusOne(d)
		wr, err := publicsuffix.EffectiveTLDPlusOne(d)
		if r != wr || ok != (err == nil) {
			t.Fatalf("EffectiveTLDPlusOne(%q) = %q %v, want %q %v", d, r, ok, wr, err)
		}
	}
}

func TestSeeds(t *testing.T) {
	for _, d := range seeds {
		check(t, d)
	}
}

// FuzzPSL holds the memo to the package it fronts.
func FuzzPSL(f *testing.F) {
	for _, d := range seeds {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		check(t, d)
	})
}

func TestMemoBound(t *testing.T) {
	for i := range maxMemo * 2 {
		PublicSuffix(string(rune('a'+i%26)) + ".example" + string(rune('a'+i/26%26)) + string(rune('a'+i/676)))
	}
	if len(memo) > maxMemo {
		t.Fatalf("memo holds %d", len(memo))
	}
}

func BenchmarkPublicSuffixHit(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		PublicSuffix("www.example.co.uk")
	}
}

func BenchmarkPublicSuffixDirect(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		publicsuffix.PublicSuffix("www.example.co.uk")
	}
}
