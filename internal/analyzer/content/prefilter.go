package content

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// requiredLiterals returns literals of which every match of the
// expression contains at least one (nil when no such set is known). Rules
// run a regex only when the text contains one of them: a cheap substring
// search in place of a full regular-expression scan on most messages.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := litSet(re, 0, false)
	for _, l := range lits {
		if len(l) < 2 {
			return nil // too weak to be worth it
		}
	}
	if len(lits) > 64 {
		return nil
	}
	return lits
}

// gateLiterals is requiredLiterals with single-byte literals allowed
// ("$" of a currency amount): too weak to place a regex's windows, but a
// byte search still spares a whole-text regex scan on text holding none.
func gateLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := litSet(re, 0, true)
	for _, l := range lits {
		if l == "" {
			return nil
		}
	}
	if len(lits) > 64 {
		return nil
	}
	return lits
}

// litSet returns literals one of which every match of re holds; with
// classes, a small character class counts as its characters.
func litSet(re *syntax.Regexp, depth int, classes bool) []string {
	if depth > 50 {
		return nil
	}
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			s = strings.ToLower(s)
		}
		return []string{s}
	case syntax.OpCharClass:
		if !classes {
			return nil
		}
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo > 8 || len(out) > 16 {
				return nil
			}
			for r := lo; r <= hi; r++ {
				out = append(out, strings.ToLower(string(r)))
			}
		}
		return out
	case syntax.OpCapture:
		return litSet(re.Sub[0], depth+1, classes)
	case syntax.OpPlus:
		return litSet(re.Sub[0], depth+1, classes)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return litSet(re.Sub[0], depth+1, classes)
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			l := litSet(s, depth+1, classes)
			if l == nil {
				return nil
			}
			out = append(out, l...)
		}
		return out
	case syntax.OpConcat:
		// Merge adjacent literals, then pick the child whose weakest
		// literal is the longest.
		var best []string
		bestScore := 0
		var run []rune
		flush := func() {
			if len(run) > 0 {
				s := strings.ToLower(string(run))
				if sc := utf8.RuneCountInString(s) * 2; sc > bestScore {
					best, bestScore = []string{s}, sc
				}
				run = run[:0]
			}
		}
		for _, s := range re.Sub {
			if s.Op == syntax.OpLiteral {
				run = append(run, s.Rune...)
				continue
			}
			flush()
			l := litSet(s, depth+1, classes)
			if l == nil {
				continue
			}
			min := 1 << 30
			for _, x := range l {
				if n := utf8.RuneCountInString(x); n < min {
					min = n
				}
			}
			// Prefer fewer alternatives at equal length.
			sc := min*2 - len(l)/8
			if sc > bestScore {
				best, bestScore = l, sc
			}
		}
		flush()
		return best
	}
	return nil
}
