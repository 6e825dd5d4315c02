package content

import (
	"slices"
	"testing"
)

// scanIntoMain is litIndex.scanInto as on main before the three-byte
// first filter (bitsF): each position of the main loop tested against
// bits4 and bitsS (main's loop, with main's probeLong; the preparation
// and the last positions are scanInto's own). The reference of
// FuzzLitScanMain.
func (x *litIndex) scanIntoMain(r *scanResult, text string) {
	t := x.begin(r)
	n := len(text)
	i := 0
	if n >= 8 {
		// u holds the eight bytes from i: one byte shifts in per step.
		bits4, bitsS := &t.bits4, &t.bitsS
		u := le8(text)
		for i = 0; ; i++ {
			h4, hs := hash4(uint32(u)), hashS(uint32(u)&0xFFFFFF)
			in4, inS := bits4[h4>>6]>>(h4&63)&1 != 0, bitsS[hs>>6]>>(hs&63)&1 != 0
			if in4 || inS {
				if inS {
					k2, h3 := uint32(u)&0xFFFF, hash3(uint32(u)&0xFFFFFF)
					if b2, b3 := testBit(t.bits2[:], k2), testBit(t.bits3[:], h3); b2 || b3 {
						x.probeShort(t, r, u, b2, b3, i)
					}
				}
				if in4 {
					x.probeLongMain(t, r, text, u, i)
				}
			}
			if i+8 >= n {
				break
			}
			u = u>>8 | uint64(text[i+8])<<56
		}
		i = n - 7
	}
	x.finish(t, r, text, i)
}

// probeLongMain is litIndex.probeLong as on main before its notes went
// out of line (probe4, probe8), scanIntoMain's.
func (x *litIndex) probeLongMain(t *litTabs, r *scanResult, text string, u uint64, i int) {
	s := t.by4.get(u & 0xFFFFFFFF)
	if s == nil {
		return
	}
	m4 := t.m4[s.lo : s.lo+int32(s.n)]
	for j, id := range t.by4.list(s) {
		if u&m4[j].mask == m4[j].key {
			r.note(id, i)
		}
	}
	if h8 := hash8(u); !s.has8 || t.bits8[h8>>6]>>(h8&63)&1 == 0 {
		return
	}
	s8 := t.by8.get(u)
	if s8 == nil {
		return
	}
	rest := text[i+8:]
	for _, id := range t.by8.list(s8) {
		if l := x.lits[id]; len(l) == 8 || len(l)-8 <= len(rest) && rest[:len(l)-8] == l[8:] {
			r.note(id, i)
		}
	}
}

// FuzzLitScanMain: scanInto notes the same literals at the same offsets,
// in the same order, and the same sets as main's scanInto, for the
// shipped rules' literals and short ones of any script.
func FuzzLitScanMain(f *testing.F) {
	for _, s := range []string{"the sum of us$10,500,000.00", "容量不足です 万 億", "e re is ist you【】", "verify your account within 24 hours",
		"xxxxxxxxxxxxxxxxxxxxxxxxx", "ab", "a", "", "re: aw: sv: antw: the the the the", "xyz0123456789 abd ab"} {
		f.Add(s)
	}
	a := shippedAnalyzer(f)
	small := newLitIndex()
	for _, l := range []string{"ab", "abc", "abd", "xy", "xyz0", "xyz01234", "xyz0123456789", "gewinn", "üb", "容量", "容量不足", "po", "€5", "aaaaaaaa", "aaaa"} {
		small.addSet([]int{small.add(l)})
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 8000 {
			return
		}
		for _, ix := range []*litIndex{a.lits, small} {
			var got, want scanResult
			ix.scanInto(&got, s)
			ix.scanIntoMain(&want, s)
			if !slices.Equal(got.hits, want.hits) || !slices.Equal(got.sets, want.sets) {
				t.Fatalf("scanInto(%q): hits %v sets %v; main: hits %v sets %v", s, got.hits, got.sets, want.hits, want.sets)
			}
			ix.release(&got)
			ix.release(&want)
		}
	})
}

// TestLitScanMainCorpus compares scanInto with main's on the normalised
// fields of the SA test split.
func TestLitScanMainCorpus(t *testing.T) {
	_, fields := corpusFields(t, "test/ham", "test/spam")
	a := shippedAnalyzer(t)
	for _, f := range fields {
		for _, k := range []string{"subject", "body", "from_name"} {
			s := Normalize(f[k])
			var got, want scanResult
			a.lits.scanInto(&got, s)
			a.lits.scanIntoMain(&want, s)
			if !slices.Equal(got.hits, want.hits) || !slices.Equal(got.sets, want.sets) {
				t.Fatalf("scanInto(%q) differs from main's", s)
			}
			a.lits.release(&got)
			a.lits.release(&want)
		}
	}
}
