package textgate

import (
	"math"
	"reflect"
	"regexp"
	"regexp/syntax"
	"testing"
	"unicode/utf8"
)

// The factor analysis as first written (byte sets of 256 bools), to
// compare with.

func newFactorRef(seq []byteSet) Factor {
	if len(seq) > maxFactorLen {
		seq = seq[:maxFactorLen]
	}
	f := Factor{sets: seq}
	for i := range seq {
		p := 0.0
		for b, in := range seq[i] {
			if in {
				p += byteFreq(byte(b))
			}
		}
		f.bits += -math.Log2(math.Min(p, 1))
	}
	return f
}

// exact returns the byte sets of a node that always matches one byte of
// each in turn (ok false otherwise). Assertions match no byte.
func exactRef(re *syntax.Regexp, depth int) ([]byteSet, bool) {
	if depth > 50 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil, true
	case syntax.OpLiteral:
		var out []byteSet
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return nil, false
			}
			var s byteSet
			s[r] = true
			if re.Flags&syntax.FoldCase != 0 {
				// k and s have non-ASCII case variants (Kelvin sign, long s).
				if r == 'k' || r == 'K' || r == 's' || r == 'S' {
					return nil, false
				}
				if r >= 'a' && r <= 'z' {
					s[r-'a'+'A'] = true
				} else if r >= 'A' && r <= 'Z' {
					s[r-'A'+'a'] = true
				}
			}
			out = append(out, s)
		}
		return out, true
	case syntax.OpCharClass:
		var s byteSet
		if len(re.Rune) == 0 {
			return nil, false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= utf8.RuneSelf {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				s[r] = true
			}
		}
		return []byteSet{s}, true
	case syntax.OpCapture:
		return exactRef(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min != re.Max || re.Min > maxFactorLen {
			return nil, false
		}
		sub, ok := exactRef(re.Sub[0], depth+1)
		if !ok {
			return nil, false
		}
		return repeatRef(sub, re.Min), true
	case syntax.OpConcat:
		var out []byteSet
		for _, sub := range re.Sub {
			s, ok := exactRef(sub, depth+1)
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
		var out []byteSet
		for i, sub := range re.Sub {
			s, ok := exactRef(sub, depth+1)
			if !ok || i > 0 && len(s) != len(out) {
				return nil, false
			}
			if i == 0 {
				out = append([]byteSet(nil), s...)
				continue
			}
			for j := range s {
				for b, in := range s[j] {
					if in {
						out[j][b] = true
					}
				}
			}
		}
		return out, true
	}
	return nil, false
}

func repeatRef(s []byteSet, n int) []byteSet {
	var out []byteSet
	for i := 0; i < n && len(out) <= 4*maxFactorLen; i++ {
		out = append(out, s...)
	}
	return out
}

// factors returns byte-set sequences every match of re holds.
func factorsRef(re *syntax.Regexp, depth int) [][]byteSet {
	if depth > 50 {
		return nil
	}
	if s, ok := exactRef(re, depth); ok {
		if len(s) == 0 {
			return nil
		}
		return [][]byteSet{s}
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return factorsRef(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		out := factorsRef(re.Sub[0], depth+1)
		if s, ok := exactRef(re.Sub[0], depth+1); ok && re.Min > 1 {
			out = append(out, repeatRef(s, re.Min))
		}
		return out
	case syntax.OpConcat:
		var out [][]byteSet
		var run []byteSet
		flush := func() {
			if len(run) > 0 {
				out = append(out, run)
			}
			run = nil
		}
		for _, sub := range re.Sub {
			if s, ok := exactRef(sub, depth+1); ok {
				run = append(run, s...)
				continue
			}
			// x+ and x{n,m} (n ≥ 1) of a fixed x: the run so far ends in
			// n copies of x, and the last copy begins the next run.
			if s, min, ok := repeatedRef(sub, depth+1); ok {
				run = append(run, repeatRef(s, min)...)
				flush()
				run = append(run, s...)
				continue
			}
			flush()
			out = append(out, factorsRef(sub, depth+1)...)
		}
		flush()
		return out
	}
	return nil
}

// repeated reports x+ or x{n,m} with n ≥ 1 (possibly captured) of a node x
// of fixed bytes, with x's sets and n.
func repeatedRef(re *syntax.Regexp, depth int) ([]byteSet, int, bool) {
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
	s, ok := exactRef(re.Sub[0], depth)
	if !ok || len(s) == 0 {
		return nil, 0, false
	}
	return s, min, true
}

// FuzzFactorsRef: FactorsOf finds the factors (sets and rarity) the
// first analysis found.
func FuzzFactorsRef(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s[0])
	}
	f.Add(`(?i)ab[cd]{3}(x|y)+z{2,4}`)
	f.Fuzz(func(t *testing.T, pattern string) {
		if len(pattern) > 300 {
			return
		}
		re, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil {
			return
		}
		var want []Factor
		for _, seq := range factorsRef(re, 0) {
			want = append(want, newFactorRef(seq))
		}
		got := FactorsOf(pattern)
		for i := range got {
			got[i].skip = nil // the reference has no skip table
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: factors differ", pattern)
		}
	})
}

// FuzzMayMatchLower: the folded literal test answers as the literals on
// Lower(text) do.
func FuzzMayMatchLower(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s[0], s[1])
	}
	f.Add(`(?i)secure|verify|ſtep|kelvin`, "\u212aELVIN S\u017fTEP")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		if _, err := regexp.Compile(pattern); err != nil {
			return
		}
		g := MustCompile(pattern)
		if !g.fold {
			return
		}
		if got, want := g.lits.inLower(text), g.lits.In(Lower(text)); got != want {
			t.Fatalf("%q on %q: %v, want %v (literals %q)", pattern, text, got, want, g.Literals())
		}
	})
}

// FuzzFactorIn: In, with its skip table, answers as the plain byte by
// byte test does, for every factor of the pattern and every suffix of
// the text.
func FuzzFactorIn(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s[0], s[1])
	}
	f.Add(`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`, "the sum of US$10,500,000.00 and 1.234.567 or 12,345")
	f.Add(`[ab]x[bc]y[ca]`, "aaxbycaxcyabxbya")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		for _, fc := range FactorsOf(pattern) {
			for i := 0; i <= len(text) && i < 64; i++ {
				if got, want := fc.In(text[i:]), fc.inPlain(text[i:]); got != want {
					t.Fatalf("%q on %q: In %v, plain %v", pattern, text[i:], got, want)
				}
			}
		}
	})
}
