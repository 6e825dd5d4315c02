package brands

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The shortcuts of Claimed and MatchLookalike against the plain
// computations they stand for (docs/brands.md).

type matchHit struct {
	pat *namePat
	at  int
}

// eachRef is matcher.each without its skips: every pattern tried at every
// position.
func (m *matcher) eachRef(s string) []matchHit {
	var out []matchHit
	for i := 0; i+1 < len(s); i++ {
		for pi := range m.pats {
			p := &m.pats[pi]
			if !strings.HasPrefix(s[i:], p.pat) {
				continue
			}
			if p.word && !wordAt(s, i, i+len(p.pat)) {
				continue
			}
			out = append(out, matchHit{p, i})
		}
	}
	return out
}

func sortHits(h []matchHit) {
	slices.SortFunc(h, func(a, b matchHit) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return strings.Compare(a.pat.pat, b.pat.pat)*4 + (a.pat.brand - b.pat.brand)
	})
}

var shortcutSamples = []string{
	"", "x", "Microsoft 365", "Amazon.co.jp", "【au】お支払い", "SMBC日興証券", "楽天 カード", "三井住友カード",
	"Micros0ft Support", "P a y P a l", "A D A C", "orange : votre facture", "Free | Espace abonné",
	"Mijn ING", "bankingDHL", "xDHL", "DHL!", "électroniços", "ｱﾏｿﾞﾝ", "apple support", "LINE",
	"rnicrosoft", "PayPaI", "docomo", "\xff\xfeDHL", "UPS\u0301", "Amazonプライム", "amazonamazon",
}

// FuzzMatcherEach: the matcher's skips (bytes no name starts with, word
// names inside a word, the key bitsets) lose no occurrence, in any of the
// four views.
func FuzzMatcherEach(f *testing.F) {
	for _, s := range shortcutSamples {
		f.Add(s)
	}
	ni := &catalogue().ix.names
	ms := []*matcher{&ni.cased, &ni.lower, &ni.skel, &ni.nospace}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 512 {
			s = s[:512]
		}
		for k, m := range ms {
			var got []matchHit
			m.each(s, func(p *namePat, i int) { got = append(got, matchHit{p, i}) })
			want := m.eachRef(s)
			sortHits(got)
			sortHits(want)
			if !slices.Equal(got, want) {
				t.Fatalf("matcher %d on %q: %d hits, want %d", k, s, len(got), len(want))
			}
		}
	})
}

// TestMatcherEachCatalogue: every name of the catalogue is found in texts
// made of it, in every view that holds it.
func TestMatcherEachCatalogue(t *testing.T) {
	ni := &catalogue().ix.names
	for k, m := range []*matcher{&ni.cased, &ni.lower, &ni.skel, &ni.nospace} {
		for _, p := range m.pats {
			for _, s := range []string{p.pat, "x " + p.pat + " y", "【" + p.pat + "】", p.pat + p.pat} {
				var got []matchHit
				m.each(s, func(p *namePat, i int) { got = append(got, matchHit{p, i}) })
				want := m.eachRef(s)
				sortHits(got)
				sortHits(want)
				if !slices.Equal(got, want) {
					t.Fatalf("matcher %d on %q: %d hits, want %d", k, s, len(got), len(want))
				}
			}
		}
	}
}

// FuzzClaimedMemo: an answer from the memo is the one computed afresh,
// for a text sliced from a larger one too, and after the memo is cleared.
func FuzzClaimedMemo(f *testing.F) {
	for _, s := range shortcutSamples {
		f.Add(s, 0)
	}
	c := catalogue()
	names := func(bs []Brand) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Name)
		}
		return out
	}
	f.Fuzz(func(t *testing.T, s string, cut int) {
		if len(s) > 600 {
			s = s[:600]
		}
		want := names(brandsAt(c.brands, c.ix.names.claimed(c.brands, s)))
		big := s + strings.Repeat(" padding", 8)
		for round := range 3 {
			sub := big[:len(s)]
			if got := names(Claimed(sub)); !slices.Equal(got, want) {
				t.Fatalf("round %d: Claimed(%q) = %q, want %q", round, s, got, want)
			}
			if round == 1 {
				c.claimMu.Lock()
				c.claims = nil
				c.claimMu.Unlock()
			}
		}
		// A caller's changes to its answer do not reach the memo.
		if got := Claimed(s); len(got) > 0 {
			got[0] = Brand{Name: "changed"}
			if again := names(Claimed(s)); !slices.Equal(again, want) {
				t.Fatalf("memo changed by a caller: %q", again)
			}
		}
		_ = cut
	})
}

// osaRef is the optimal string alignment distance without bounds or
// early exits.
func osaRef(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// FuzzTypoFilter: the typo candidates' cheap rejections (length, rune
// mask) and the bounded distance never rule out a target within the
// allowed edits, and the bounded distance is exact up to its bound.
func FuzzTypoFilter(f *testing.F) {
	for _, s := range []string{"rnicrosoft", "paypa1", "amazom", "mircosoft", "docomoo", "smbccard", "yahooo", "xxxxxxxxxx", "ａｍａｚｏｎ"} {
		f.Add(s, uint16(0))
	}
	ix := catalogue().ix
	f.Fuzz(func(t *testing.T, label string, pick uint16) {
		rs := []rune(Skeleton(label))
		if len(rs) > 80 {
			return
		}
		qmask := runeMask(rs)
		var dl distBuf
		check := func(c typoCand) {
			tg := &ix.targets[c.i]
			ref := osaRef(rs, tg.rskel)
			rejected := len(rs)-int(c.n) > int(c.max) || int(c.n)-len(rs) > int(c.max) || popcount(qmask^c.mask) > 2*int(c.max)
			if rejected && ref <= int(c.max) {
				t.Fatalf("%q vs %q: distance %d within %d, rejected by the filter", string(rs), string(tg.rskel), ref, c.max)
			}
			got := dl.damerau(rs, tg.rskel, int(c.max))
			if len(rs) <= 64 && len(tg.rskel) <= 64 && min(got, int(c.max)+1) != min(ref, int(c.max)+1) {
				t.Fatalf("%q vs %q: bounded distance %d, want %d (bound %d)", string(rs), string(tg.rskel), got, ref, c.max)
			}
		}
		if len(ix.typoCands) == 0 {
			return
		}
		// One candidate chosen by the fuzzer, and the ones of the same
		// length (those the length test lets through).
		check(ix.typoCands[int(pick)%len(ix.typoCands)])
		for _, c := range ix.typoCands {
			if int(c.n) == len(rs) {
				check(c)
			}
		}
	})
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// TestTypoCands: the compact candidate list holds exactly the targets
// the typo test can accept, with its bound.
func TestTypoCands(t *testing.T) {
	ix := catalogue().ix
	in := map[int32]typoCand{}
	for _, c := range ix.typoCands {
		in[c.i] = c
	}
	for i, tg := range ix.targets {
		c, ok := in[int32(i)]
		if want := tg.nlabel >= 5 && !tg.word; ok != want {
			t.Fatalf("target %q: listed %v, want %v", tg.domain, ok, want)
		}
		if !ok {
			continue
		}
		max := 1
		if tg.nlabel >= 9 {
			max = 2
		}
		if int(c.max) != max || int(c.n) != len(tg.rskel) || c.mask != tg.mask {
			t.Fatalf("target %q: candidate %+v", tg.domain, c)
		}
	}
}

// TestTypoByLen: the bucket matchLookalike takes for a query skeleton
// of l runes lists, in order, exactly the typoCands the old whole-list
// length test let through, for every length a query can have (under 5
// the typo test refuses every candidate, so those buckets are empty).
func TestTypoByLen(t *testing.T) {
	ix := catalogue().ix
	for l := 0; l <= 400; l++ {
		var want []typoCand
		for _, c := range ix.typoCands {
			if d := l - int(c.n); l >= 5 && !(d > int(c.max) || -d > int(c.max)) {
				want = append(want, c)
			}
		}
		var got []typoCand
		if l < len(ix.typoByLen) {
			got = ix.typoByLen[l]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("length %d: candidates %+v, want %+v", l, got, want)
		}
	}
}

// FuzzTypoByLen holds matchLookalike with the length buckets to the old
// walk over every candidate: a copy of the index whose every bucket is
// the whole list (typo then makes the length test itself, as before).
func FuzzTypoByLen(f *testing.F) {
	for _, s := range []string{"micros0ft.com", "mircosoft.com", "amazom.co.jp", "rakuteen.co.jp", "paypa1.com", "yahooo.co.jp", "smbccard.com", "gooogle.com", "xn--pypal-4ve.com", "ａｍａｚｏｎ.com", "a-very-long-label-indeed.example.com"} {
		f.Add(s)
	}
	cat := catalogue()
	full := *cat.ix
	full.typoByLen = make([][]typoCand, len(cat.ix.typoByLen))
	for l := 5; l < len(full.typoByLen); l++ {
		full.typoByLen[l] = full.typoCands
	}
	old := &Catalogue{brands: cat.brands, ix: &full}
	extra := []string{"example.co.jp", "partner-corp.co.jp"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range [][]string{nil, extra} {
			got, gok := matchLookalike(cat, s, x)
			want, wok := matchLookalike(old, s, x)
			if gok != wok || !reflect.DeepEqual(got, want) {
				t.Fatalf("matchLookalike(%q) = %+v %v, want %+v %v", s, got, gok, want, wok)
			}
		}
	})
}
