// Package textgate holds cheap tests that are necessary for a regular
// expression to match, so that the regex runs only on text that passes
// them: a sequence of byte classes every match holds (Factor: a sum of
// money "\d{1,3}([,.]\d{3}){2,}" needs "9,999,999"-shaped bytes) and a
// regex paired with literals one of which every match holds (Regexp).
// Both are derived from the parsed expression, never written by hand, and
// only ever answer "cannot match": a regex they let through runs as
// before, so no outcome changes.
package textgate

import (
	"math"
	"regexp/syntax"
	"unicode/utf8"
)

// maxFactorLen bounds a factor's length in bytes.
const maxFactorLen = 16

// byteSet is a set of bytes, one bool each (a factor's: In looks bytes
// up in it).
type byteSet [256]bool

// bset is a set of bytes as a bitmap: the analysis builds and copies
// these, an eighth of a byteSet.
type bset [4]uint64

func (s *bset) add(b rune)     { s[b>>6] |= 1 << (b & 63) }
func (s *bset) has(b int) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *bset) union(o *bset)  { s[0] |= o[0]; s[1] |= o[1]; s[2] |= o[2]; s[3] |= o[3] }

// Factor is a sequence of byte sets: every match of the expression it
// came from holds, contiguously, one byte of each set in turn. The zero
// Factor holds nothing and admits every text.
type Factor struct {
	sets []byteSet
	bits float64 // how rare the factor is in text, in bits (a rough model)
	// skip[c]: how far In moves on when the byte under the factor's last
	// set is c (nil: byte by byte; see newSkip).
	skip *[256]uint8
}

// Len is the factor's length in bytes (0: no factor).
func (f Factor) Len() int { return len(f.sets) }

// Bits is a rough measure of how rarely the factor occurs in text.
func (f Factor) Bits() float64 { return f.bits }

// Classy reports whether some set of the factor holds more than one byte
// (a factor of single bytes is a literal, which literal prefilters see).
func (f Factor) Classy() bool {
	for i := range f.sets {
		n := 0
		for _, in := range f.sets[i] {
			if in {
				n++
			}
		}
		if n > 1 {
			return true
		}
	}
	return false
}

// Punctuated reports whether some set of the factor holds several bytes,
// one of them no letter (digits, separators): a test literal prefilters,
// which see words, do not make.
func (f Factor) Punctuated() bool {
	for i := range f.sets {
		n, other := 0, false
		for b, in := range f.sets[i] {
			if in {
				n++
				if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
					other = true
				}
			}
		}
		if n > 1 && other {
			return true
		}
	}
	return false
}

// In reports whether s holds the factor (always true for the zero Factor).
//
// It tests the byte under the factor's last set first and, where the
// factor cannot end there, moves on by skip (Horspool's rule on byte
// sets): most bytes of mail text belong to no set of a factor of digits
// and separators, and the factor moves its whole length past them.
func (f Factor) In(s string) bool {
	n := len(f.sets)
	if n == 0 {
		return true
	}
	if f.skip == nil {
		return f.inPlain(s)
	}
	last, skip := &f.sets[n-1], f.skip
	for i := 0; i+n <= len(s); {
		c := s[i+n-1]
		if last[c] && f.at(s, i) {
			return true
		}
		i += int(skip[c])
	}
	return false
}

// at reports whether s[i:] begins with the factor but for its last set.
func (f Factor) at(s string, i int) bool {
	for j := 0; j < len(f.sets)-1; j++ {
		if !f.sets[j][s[i+j]] {
			return false
		}
	}
	return true
}

// newSkip returns the skip table of a factor of sets: skip[c] is the
// least d ≥ 1 such that c belongs to set len-1-d (len(sets) when none
// does). After a failed try at offset i, where the last set lies on a
// byte c, a try at i+e with e < skip[c] would put c under set len-1-e,
// which does not hold it: no occurrence begins there. Nil for factors
// of fewer than two sets, or where every byte's skip is 1.
func newSkip(sets []byteSet) *[256]uint8 {
	n := len(sets)
	if n < 2 {
		return nil
	}
	var t [256]uint8
	useful := false
	for c := 0; c < 256; c++ {
		d := 1
		for ; d < n && !sets[n-1-d][c]; d++ {
		}
		t[c] = uint8(d)
		if d > 1 {
			useful = true
		}
	}
	if !useful {
		return nil
	}
	return &t
}

// inPlain is In byte by byte.
func (f Factor) inPlain(s string) bool {
	n := len(f.sets)
	if n == 0 {
		return true
	}
	first := &f.sets[0]
next:
	for i := 0; i+n <= len(s); i++ {
		if !first[s[i]] {
			continue
		}
		for j := 1; j < n; j++ {
			if !f.sets[j][s[i+j]] {
				continue next
			}
		}
		return true
	}
	return false
}

// FactorOf returns the rarest factor every match of the pattern holds
// (the zero Factor when none is known). Classes hold ASCII bytes only:
// an element that may match a non-ASCII character ends a factor.
func FactorOf(pattern string) Factor {
	var best Factor
	for _, f := range FactorsOf(pattern) {
		if f.bits > best.bits {
			best = f
		}
	}
	return best
}

// FactorsOf returns factors every match of the pattern holds.
func FactorsOf(pattern string) []Factor {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	var out []Factor
	for _, seq := range factors(re, 0) {
		out = append(out, newFactor(seq))
	}
	return out
}

func newFactor(seq []bset) Factor {
	if len(seq) > maxFactorLen {
		seq = seq[:maxFactorLen]
	}
	if len(seq) == 0 {
		return Factor{}
	}
	f := Factor{sets: make([]byteSet, len(seq))}
	for i := range seq {
		p := 0.0
		for b := 0; b < 256; b++ {
			if seq[i].has(b) {
				f.sets[i][b] = true
				p += byteFreq(byte(b))
			}
		}
		f.bits += -math.Log2(math.Min(p, 1))
	}
	f.skip = newSkip(f.sets)
	return f
}

// byteFreq is a rough frequency of a byte in mail text.
func byteFreq(b byte) float64 {
	switch {
	case b == ' ':
		return 0.15
	case b >= 'a' && b <= 'z':
		return 0.03
	case b >= 'A' && b <= 'Z':
		return 0.004
	case b >= '0' && b <= '9':
		return 0.005
	case b == '\n' || b == '\r' || b == '\t':
		return 0.01
	case b >= utf8.RuneSelf:
		return 0.002
	}
	return 0.004
}

// exact returns the byte sets of a node that always matches one byte of
// each in turn (ok false otherwise). Assertions match no byte.
func exact(re *syntax.Regexp, depth int) ([]bset, bool) {
	if depth > 50 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil, true
	case syntax.OpLiteral:
		var out []bset
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return nil, false
			}
			var s bset
			s.add(r)
			if re.Flags&syntax.FoldCase != 0 {
				// k and s have non-ASCII case variants (Kelvin sign, long s).
				if r == 'k' || r == 'K' || r == 's' || r == 'S' {
					return nil, false
				}
				if r >= 'a' && r <= 'z' {
					s.add(r - 'a' + 'A')
				} else if r >= 'A' && r <= 'Z' {
					s.add(r - 'A' + 'a')
				}
			}
			out = append(out, s)
		}
		return out, true
	case syntax.OpCharClass:
		var s bset
		if len(re.Rune) == 0 {
			return nil, false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= utf8.RuneSelf {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				s.add(r)
			}
		}
		return []bset{s}, true
	case syntax.OpCapture:
		return exact(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min != re.Max || re.Min > maxFactorLen {
			return nil, false
		}
		sub, ok := exact(re.Sub[0], depth+1)
		if !ok {
			return nil, false
		}
		return repeat(sub, re.Min), true
	case syntax.OpConcat:
		var out []bset
		for _, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
			if len(out) > 4*maxFactorLen {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []bset
		for i, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok || i > 0 && len(s) != len(out) {
				return nil, false
			}
			if i == 0 {
				out = append([]bset(nil), s...)
				continue
			}
			for j := range s {
				out[j].union(&s[j])
			}
		}
		return out, true
	}
	return nil, false
}

func repeat(s []bset, n int) []bset {
	var out []bset
	for i := 0; i < n && len(out) <= 4*maxFactorLen; i++ {
		out = append(out, s...)
	}
	return out
}

// factors returns byte-set sequences every match of re holds.
func factors(re *syntax.Regexp, depth int) [][]bset {
	if depth > 50 {
		return nil
	}
	if s, ok := exact(re, depth); ok {
		if len(s) == 0 {
			return nil
		}
		return [][]bset{s}
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return factors(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		out := factors(re.Sub[0], depth+1)
		if s, ok := exact(re.Sub[0], depth+1); ok && re.Min > 1 {
			out = append(out, repeat(s, re.Min))
		}
		return out
	case syntax.OpConcat:
		var out [][]bset
		var run []bset
		flush := func() {
			if len(run) > 0 {
				out = append(out, run)
			}
			run = nil
		}
		for _, sub := range re.Sub {
			if s, ok := exact(sub, depth+1); ok {
				run = append(run, s...)
				continue
			}
			// x+ and x{n,m} (n ≥ 1) of a fixed x: the run so far ends in
			// n copies of x, and the last copy begins the next run.
			if s, min, ok := repeated(sub, depth+1); ok {
				run = append(run, repeat(s, min)...)
				flush()
				run = append(run, s...)
				continue
			}
			flush()
			out = append(out, factors(sub, depth+1)...)
		}
		flush()
		return out
	}
	return nil
}

// repeated reports x+ or x{n,m} with n ≥ 1 (possibly captured) of a node x
// of fixed bytes, with x's sets and n.
func repeated(re *syntax.Regexp, depth int) ([]bset, int, bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	var min int
	switch re.Op {
	case syntax.OpPlus:
		min = 1
	case syntax.OpRepeat:
		min = re.Min
	default:
		return nil, 0, false
	}
	if min < 1 || min > maxFactorLen {
		return nil, 0, false
	}
	s, ok := exact(re.Sub[0], depth)
	if !ok || len(s) == 0 {
		return nil, 0, false
	}
	return s, min, true
}
