package brands

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	asc "github.com/sekisho/sekisho/internal/ascii"
)

// claimedRef is nameIndex.claimed before the scratch rewrite (issue 17),
// the reference of FuzzClaimedRef.
func claimedRef(ni *nameIndex, list []Brand, text string) []int32 {
	cased, lower := foldTextLower(text, true)
	var hits []nameHit
	// As written and lower-cased: one set of offsets.
	ni.cased.each(cased, func(p *namePat, i int) {
		if p.strict && !strictContext(cased, i, i+len(p.pat), list[p.brand].Context) {
			return
		}
		hits = append(hits, nameHit{p.brand, i, i + len(p.pat)})
	})
	ni.lower.each(lower, func(p *namePat, i int) {
		hits = append(hits, nameHit{p.brand, i, i + len(p.pat)})
	})
	hits = dropInner(hits)
	found := map[int]bool{}
	for _, h := range hits {
		found[h.brand] = true
	}
	// Skeleton and space-free views find what the text disguises.
	more := func(m *matcher, s string) {
		if len(m.pats) == 0 {
			return
		}
		var hs []nameHit
		m.each(s, func(p *namePat, i int) {
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		for _, h := range dropInner(hs) {
			if !found[h.brand] {
				found[h.brand] = true
				hits = append(hits, h)
			}
		}
	}
	more(&ni.skel, claimSkeleton(lower))
	// Letters spaced apart to slip past filters ("A D A C", "P a y P a l").
	if d, ok := JoinSpacedLetters(cased); ok {
		var hs []nameHit
		ni.cased.each(d, func(p *namePat, i int) {
			if p.strict && !strictContext(d, i, i+len(p.pat), list[p.brand].Context) {
				return
			}
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		ni.lower.each(lowerSameLen(d), func(p *namePat, i int) {
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		for _, h := range dropInner(hs) {
			if !found[h.brand] {
				found[h.brand] = true
				hits = append(hits, h)
			}
		}
	}
	if strings.Contains(lower, " ") && !asc.Is(lower) {
		more(&ni.nospace, strings.ReplaceAll(lower, " ", ""))
	}
	if len(hits) == 0 {
		return nil
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].start != hits[b].start {
			return hits[a].start < hits[b].start
		}
		if la, lb := hits[a].end-hits[a].start, hits[b].end-hits[b].start; la != lb {
			return la > lb
		}
		return hits[a].brand < hits[b].brand
	})
	var out []int32
	for _, h := range hits {
		if !slices.Contains(out, int32(h.brand)) {
			out = append(out, int32(h.brand))
		}
	}
	return out
}

func checkClaimedRef(t *testing.T, s string) {
	t.Helper()
	c := catalogue()
	got := c.ix.names.claimed(c.brands, s)
	want := claimedRef(&c.ix.names, c.brands, s)
	if !slices.Equal(got, want) {
		t.Fatalf("claimed(%q) = %v, want %v", s, got, want)
	}
	if g, w := string(appendClaimSkeleton([]byte("xy"), s)), "xy"+claimSkeleton(s); g != w {
		t.Fatalf("appendClaimSkeleton(%q) = %q, want %q", s, g, w)
	}
}

func FuzzClaimedRef(f *testing.F) {
	for _, s := range []string{"PayPal security team", "P a y P a l", "Amazon.co.jp お客様", "楽天 カード", "【au】 お知らせ",
		"Apple Support", "Micros0ft acc0unt", "ltaucard", "Amܿazܿon", "\xff\xfePayPal", "Katie from Ledger", "SMBC日興証券", "  DHL  Express "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			s = s[:4096]
		}
		checkClaimedRef(t, s)
	})
}

func TestClaimedRefCorpus(t *testing.T) {
	msgs := corpusMessages(t, 1000)
	for _, m := range msgs {
		body := m.Text
		if len(body) > 4096 {
			body = body[:4096]
		}
		checkClaimedRef(t, m.Subject)
		checkClaimedRef(t, body)
		checkClaimedRef(t, strings.ToUpper(body))
	}
	_ = sort.Ints
}

// hasSpacedLettersRef is hasSpacedLetters before the one-pass scan.
func hasSpacedLettersRef(s string) bool {
	run := 0
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s) - i
		}
		r, n := utf8.DecodeRuneInString(s[i : i+j])
		if n == j && n > 0 && unicode.IsLetter(r) {
			if run++; run >= 3 {
				return true
			}
		} else {
			run = 0
		}
		i += j + 1
	}
	return false
}

func FuzzHasSpacedLetters(f *testing.F) {
	for _, s := range []string{"A D A C", "P a y P a l", "a b", " a b c", "a b c ", "a  b c", "é ü ö", "\xff a b", "ab c d e", "", " ", "日 本 語", "a b 1 c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasSpacedLetters(s), hasSpacedLettersRef(s); got != want {
			t.Fatalf("hasSpacedLetters(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzClaimSkeletonASCII compares the one-pass ASCII claim skeleton with
// the table path (appendSkel0, applyTypo, claimFold) and the reference.
func FuzzClaimSkeletonASCII(f *testing.F) {
	f.Add("paypal vvv vv v0l1|35 4 rn m w VV Micros0ft")
	f.Add("\x00\x01\t~`")
	f.Add("amazon.co.jp/signin?x=1&y=2")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 512 {
			s = s[:512]
		}
		got, ok := appendClaimSkeletonASCII([]byte("xy"), s)
		if !ok {
			if asc.Is(s) && !strings.ContainsFunc(s, func(r rune) bool { return !claimASCII[r].ok }) {
				t.Fatalf("%q: ASCII path refused", s)
			}
			if string(got) != "xy" {
				t.Fatalf("%q: refused but wrote %q", s, got)
			}
			return
		}
		b, ok2 := appendSkel0(nil, s)
		if !ok2 {
			t.Fatalf("%q: table path refused", s)
		}
		if want := "xy" + string(claimFold(applyTypo(b))); string(got) != want {
			t.Fatalf("appendClaimSkeletonASCII(%q) = %q, table path %q", s, got, want)
		}
		if want := "xy" + claimSkeletonRef(s); string(got) != want {
			t.Fatalf("appendClaimSkeletonASCII(%q) = %q, reference %q", s, got, want)
		}
	})
}
