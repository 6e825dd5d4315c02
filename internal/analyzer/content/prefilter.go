package content

import (
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/textgate"
)

// Prefilters. Every match of a rule regex holds, for each of a few sets of
// literals, one literal of the set (an AND of ORs, computed from the
// parsed expression). The rule engine finds all the literals of all rules
// in one pass over a text (litIndex) and runs a regex only where one
// literal of each of its sets occurs, on windows around them.

const (
	maxExact    = 32 // strings an exact set may hold
	maxSetLen   = 64 // literals a required set may hold
	maxClassLen = 8  // runes a character class may hold to count as literals
	maxAndSets  = 4  // sets checked besides the one the windows are placed on
)

// prefilter is what the analysis of one regex found.
type prefilter struct {
	lits []string   // windows go around these (each ≥ 2 bytes); nil: none
	and  [][]string // every match also holds one of each of these (each ≥ 2 bytes)
	// anchor, for a regex without lits: every match holds one of these,
	// some of a single byte ("$"). Nil: none known.
	anchor []string
	// win is how far around an occurrence a match may reach, in bytes:
	// the longest match plus a margin, at most window.
	win int
	// before and after bound where a match lies around the occurrence of
	// a literal of lits (of anchor when lits is nil) it holds: it begins
	// at most before bytes ahead of it and ends at most after bytes from
	// its start (-1: unbounded; see reqSet).
	before, after int
}

// analyzePattern computes the prefilter of a pattern.
func analyzePattern(pattern string) prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return prefilter{}
	}
	bsets := requiredB(re, 0)
	sets := make([][]string, len(bsets))
	for i, s := range bsets {
		sets[i] = s.lits
	}
	p := prefilter{win: window, before: -1, after: -1}
	// A match holding an occurrence lies within maxLen of it; with a
	// margin of a few bytes (windows end on rune boundaries), no match in
	// a window touches the window's edges, so assertions (\b, ^) see the
	// same neighbours as on the whole text.
	if n := textgate.MaxLen(re, 0); n >= 0 && n+8 < window {
		p.win = n + 8
	}
	best, bestAny := -1, -1
	bs, bas := 0, 0
	for i, s := range sets {
		sc := setScore(s)
		if minBytes(s) >= 2 && sc > bs {
			best, bs = i, sc
		}
		if minBytes(s) >= 1 && len(s) <= 16 && sc > bas {
			bestAny, bas = i, sc
		}
	}
	if best < 0 {
		if bestAny >= 0 {
			p.anchor = sets[bestAny]
			p.before, p.after = bsets[bestAny].before, bsets[bestAny].after
		}
		return p
	}
	p.lits = sets[best]
	p.before, p.after = bsets[best].before, bsets[best].after
	for i, s := range sets {
		if i != best && minBytes(s) >= 2 && len(p.and) < maxAndSets {
			p.and = append(p.and, s)
		}
	}
	return p
}

// requiredLiterals returns literals of which every match of the
// expression contains at least one (nil when no such set is known).
func requiredLiterals(pattern string) []string { return analyzePattern(pattern).lits }

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

// setScore prefers sets of long literals, and few of them at equal length.
func setScore(s []string) int {
	min := 1 << 30
	for _, x := range s {
		if n := utf8.RuneCountInString(x); n < min {
			min = n
		}
	}
	return min*2 - len(s)/8
}

func minBytes(s []string) int {
	min := 1 << 30
	for _, x := range s {
		min = nmin(min, len(x))
	}
	if len(s) == 0 {
		return 0
	}
	return min
}

func nmin(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// exact returns the strings the expression matches, lower-cased, when
// they are few (ok false otherwise). Assertions match "".
func exact(re *syntax.Regexp, depth int) ([]string, bool) {
	if depth > 50 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo >= maxClassLen || len(out)+int(hi-lo) >= maxClassLen {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, strings.ToLower(string(r)))
			}
		}
		return dedupe(out), len(out) > 0
	case syntax.OpCapture:
		return exact(re.Sub[0], depth+1)
	case syntax.OpQuest:
		s, ok := exact(re.Sub[0], depth+1)
		if !ok || len(s)+1 > maxExact {
			return nil, false
		}
		return dedupe(append(s, "")), true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok || len(out)+len(s) > maxExact {
				return nil, false
			}
			out = append(out, s...)
		}
		return dedupe(out), true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok {
				return nil, false
			}
			if out = product(out, s); out == nil {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// product concatenates every string of a with every string of b (nil
// when there would be more than maxExact).
func product(a, b []string) []string {
	if len(a)*len(b) > maxExact {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return dedupe(out)
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// minimal drops the strings that hold another string of the set (text
// holding "x million" holds "million"); nil when the set holds "".
func minimal(s []string) []string {
	var out []string
	for i, x := range s {
		if x == "" {
			return nil
		}
		redundant := false
		for j, y := range s {
			if i != j && len(y) < len(x) && strings.Contains(x, y) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, x)
		}
	}
	return out
}

// required returns sets of literals such that every match of re holds a
// literal of each set.
func required(re *syntax.Regexp, depth int) [][]string {
	var out [][]string
	for _, s := range requiredB(re, depth) {
		out = append(out, s.lits)
	}
	return out
}

// reqSet is a set of required literals with bounds on where, in every
// match, the literal of the set it holds begins: at most before bytes
// after the match's start, and at most after bytes before its end (-1:
// unbounded). The literal lies within the text matched by the node the
// set comes from, so both bounds are the node's longest match plus the
// longest matches of what comes before (after) it.
type reqSet struct {
	lits          []string
	before, after int
}

// addLen adds longest match lengths (-1: unbounded).
func addLen(a, b int) int {
	if a < 0 || b < 0 || a+b > 1<<20 {
		return -1
	}
	return a + b
}

// spanLen returns the longest match of the nodes subs (-1: unbounded).
func spanLen(subs []*syntax.Regexp, depth int) int {
	t := 0
	for _, sub := range subs {
		t = addLen(t, textgate.MaxLen(sub, depth))
	}
	return t
}

// requiredB is required with the bounds of each set.
func requiredB(re *syntax.Regexp, depth int) []reqSet {
	if depth > 50 {
		return nil
	}
	if s, ok := exact(re, depth); ok {
		if m := minimal(s); m != nil {
			n := textgate.MaxLen(re, depth)
			return []reqSet{{m, n, n}}
		}
		return nil
	}
	switch re.Op {
	case syntax.OpCapture:
		return requiredB(re.Sub[0], depth+1)
	case syntax.OpPlus:
		out := requiredB(re.Sub[0], depth+1)
		for i := range out {
			out[i].before, out[i].after = -1, -1 // other copies around
		}
		return out
	case syntax.OpRepeat:
		if re.Min >= 1 {
			out := requiredB(re.Sub[0], depth+1)
			n := textgate.MaxLen(re, depth)
			for i := range out {
				out[i].before, out[i].after = n, n // within the repeat
			}
			return out
		}
	case syntax.OpConcat:
		var out []reqSet
		run := []string{""}
		runFrom := 0 // the run holds the exact nodes re.Sub[runFrom:k]
		flush := func(k int) {
			if m := minimal(run); m != nil {
				pre, span, post := spanLen(re.Sub[:runFrom], depth+1), spanLen(re.Sub[runFrom:k], depth+1), spanLen(re.Sub[k:], depth+1)
				out = append(out, reqSet{m, addLen(pre, span), addLen(span, post)})
			}
			run = []string{""}
			runFrom = k
		}
		for k, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok {
				flush(k)
				pre, post := spanLen(re.Sub[:k], depth+1), spanLen(re.Sub[k+1:], depth+1)
				for _, r := range requiredB(sub, depth+1) {
					out = append(out, reqSet{r.lits, addLen(pre, r.before), addLen(r.after, post)})
				}
				runFrom = k + 1
				continue
			}
			if p := product(run, s); p != nil {
				run = p
				continue
			}
			flush(k)
			run = s
		}
		flush(len(re.Sub))
		return out
	case syntax.OpAlternate:
		// One literal of the best set of each alternative.
		var out []string
		before, after := 0, 0
		for _, sub := range re.Sub {
			sets := requiredB(sub, depth+1)
			best, bs := -1, -1
			for i, s := range sets {
				if sc := setScore(s.lits); sc > bs {
					best, bs = i, sc
				}
			}
			if best < 0 {
				return nil
			}
			out = append(out, sets[best].lits...)
			before, after = maxBound(before, sets[best].before), maxBound(after, sets[best].after)
		}
		out = minimal(dedupe(out))
		if out == nil || len(out) > maxSetLen {
			return nil
		}
		return []reqSet{{out, before, after}}
	}
	return nil
}

// maxBound is the larger of two bounds (-1: unbounded).
func maxBound(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
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
