package lure

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/brands"
)

// typoBrandRef is typoBrand as first written: every keyword of the
// catalogue for every word.
func typoBrandRef(name string) (brands.Brand, string, bool) {
	if name == "" || len(name) > 200 {
		return brands.Brand{}, "", false
	}
	toks := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '|' })
	if len(toks) > 12 {
		toks = toks[:12]
	}
	for _, tok := range toks {
		if utf8.RuneCountInString(tok) < 6 || utf8.RuneCountInString(tok) > 20 {
			continue
		}
		low := strings.ToLower(tok)
		if isKeywordRef(low) {
			continue
		}
		sk := brands.Skeleton(tok)
		for _, b := range brands.All() {
			for _, k := range b.Keywords {
				if len(k) < 6 || strings.ContainsAny(k, ".-") {
					continue
				}
				if low == k || strings.Contains(low, k) {
					continue
				}
				if sk == brands.Skeleton(k) || len(k) >= 7 && editDistance1(low, k) {
					return b, tok, true
				}
			}
		}
	}
	return brands.Brand{}, "", false
}

func isKeywordRef(w string) bool {
	for _, b := range brands.All() {
		for _, k := range b.Keywords {
			k = strings.ToLower(k)
			if w == k || len(k) >= 5 && strings.Contains(w, k) {
				return true
			}
		}
	}
	return false
}

var reB64Ref = regexp.MustCompile(`[A-Za-z0-9+/_-]{12,}={0,2}`)

var indexSeeds = []string{"Conta Microsft", "NetfIix Support", "Arnazon", "PayPal Service", "Morton Smith", "Micr0soft Team",
	"aGVsbG8gd29ybGQ=", "https://x.example/#dGFyb0BleGFtcGxlLmpw==x", "Amazonn Prime", "Apple", ""}

func TestIndexesAgree(t *testing.T) {
	for _, b := range brands.All() {
		for _, k := range b.Keywords {
			typos := []string{k, k + "x", "x" + k, strings.ToUpper(k), k[:len(k)-1], k[1:] + " " + k, k[1:]}
			if len(k) >= 2 {
				// Edits at either end: the first and last bytes the
				// index's filter looks at.
				typos = append(typos, "z"+k[1:], k[:len(k)-1]+"z", k[1:2]+k[:1]+k[2:], k[:len(k)-2]+k[len(k)-1:]+k[len(k)-2:len(k)-1])
			}
			for _, s := range typos {
				checkIndexes(t, s)
			}
		}
	}
	for _, s := range indexSeeds {
		checkIndexes(t, s)
	}
}

func checkIndexes(t *testing.T, s string) {
	t.Helper()
	b1, t1, ok1 := typoBrand(s)
	b2, t2, ok2 := typoBrandRef(s)
	if ok1 != ok2 || t1 != t2 || b1.Name != b2.Name {
		t.Fatalf("typoBrand(%q) = %s %q %v, want %s %q %v", s, b1.Name, t1, ok1, b2.Name, t2, ok2)
	}
	low := strings.ToLower(s)
	if isKeyword(low) != isKeywordRef(low) {
		t.Fatalf("isKeyword(%q) = %v", low, isKeyword(low))
	}
	if got, want := b64Runs(s, 8), reB64Ref.FindAllString(s, 8); strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
		t.Fatalf("b64Runs(%q) = %q, want %q", s, got, want)
	}
}

// FuzzIndexes: the keyword indexes and the base64 byte scan answer as the
// loops and the regex they replace.
func FuzzIndexes(f *testing.F) {
	for _, s := range indexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4000 {
			return
		}
		checkIndexes(t, s)
	})
}

func TestGatesHaveLiterals(t *testing.T) {
	if reAuthority.Literals() == nil || reServiceDesk.Literals() == nil {
		t.Errorf("no precheck: authority %q, service desk %q", reAuthority.Literals(), reServiceDesk.Literals())
	}
}
