package textgate

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/ascii"
)

// maxLits bounds the literals a gate holds.
const maxLits = 1024

// Regexp is a compiled regular expression with a necessary-literal
// precheck: every match holds one of its literals, so text holding none is
// answered without running the regex.
type Regexp struct {
	re   *regexp.Regexp
	lits Lits
	fold bool // the literals are lower-cased: compare with Lower(text)
}

// MustCompile is regexp.MustCompile with the precheck derived from the
// pattern.
func MustCompile(pattern string) *Regexp {
	re := regexp.MustCompile(pattern)
	g := &Regexp{re: re}
	p, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return g
	}
	g.fold = hasFold(p, 0)
	if set, ok := required(p, 0); ok {
		if g.fold {
			for i := range set {
				set[i] = Lower(set[i])
			}
		}
		g.lits = NewLits(set)
	}
	return g
}

// Regexp returns the regex itself.
func (g *Regexp) Regexp() *regexp.Regexp { return g.re }

// Literals returns the precheck's literals (nil: no precheck).
func (g *Regexp) Literals() []string { return g.lits.list }

// MayMatch reports whether s holds one of the literals (true without a
// precheck).
func (g *Regexp) MayMatch(s string) bool {
	if g.lits.list == nil {
		return true
	}
	if g.fold {
		return g.lits.inLower(s)
	}
	return g.lits.In(s)
}

// MatchString is regexp.MatchString behind the precheck.
func (g *Regexp) MatchString(s string) bool { return g.MayMatch(s) && g.re.MatchString(s) }

// FindString is regexp.FindString behind the precheck.
func (g *Regexp) FindString(s string) string {
	if !g.MayMatch(s) {
		return ""
	}
	return g.re.FindString(s)
}

// Lower maps ASCII upper-case letters, the Kelvin sign and the long s to
// ASCII lower case, and leaves every other character as it is: a text
// matched by an ASCII literal under (?i) holds the literal's Lower (only
// those two non-ASCII characters fold to ASCII letters). It returns s
// itself when nothing changes.
func Lower(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '\u212a' || r == '\u017f' {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\u212a':
			b.WriteByte('k')
		case r == '\u017f':
			b.WriteByte('s')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func hasFold(re *syntax.Regexp, depth int) bool {
	if depth > 100 {
		return true
	}
	if re.Flags&syntax.FoldCase != 0 {
		return true
	}
	for _, sub := range re.Sub {
		if hasFold(sub, depth+1) {
			return true
		}
	}
	return false
}

// required returns literals one of which every match of re holds.
func required(re *syntax.Regexp, depth int) ([]string, bool) {
	if depth > 50 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpLiteral:
		// The longest run the text must hold byte for byte. U+FFFD is
		// never in it: the regexp matches it on any invalid byte, which
		// the text does not hold as EF BF BD. Under (?i), runs of ASCII
		// and of characters without case variants compare through Lower.
		fold := re.Flags&syntax.FoldCase != 0
		best := ""
		start := 0
		for i := 0; i <= len(re.Rune); i++ {
			if i == len(re.Rune) || re.Rune[i] == utf8.RuneError ||
				fold && re.Rune[i] >= utf8.RuneSelf && unicode.SimpleFold(re.Rune[i]) != re.Rune[i] {
				if s := string(re.Rune[start:i]); len(s) > len(best) {
					best = s
				}
				start = i + 1
			}
		}
		if best == "" {
			return nil, false
		}
		return []string{best}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0], depth+1)
		}
	case syntax.OpConcat:
		var best []string
		bs := 0
		for _, sub := range re.Sub {
			if s, ok := required(sub, depth+1); ok {
				if sc := score(s); best == nil || sc > bs {
					best, bs = s, sc
				}
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := required(sub, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
			if len(out) > maxLits {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// score prefers sets whose shortest literal is long, and few literals.
func score(s []string) int {
	min := 1 << 20
	for _, x := range s {
		if len(x) < min {
			min = len(x)
		}
	}
	return min*16 - len(s)
}

// Lits finds whether a text holds one of a set of literals in one pass,
// through a table of their first bytes.
type Lits struct {
	list    []string
	byFirst [256][]string
}

// NewLits indexes literals (the empty literal is in every text).
func NewLits(list []string) Lits {
	l := Lits{list: list}
	for _, s := range list {
		if s == "" {
			l.list = nil // no test: every text may match
			return l
		}
		l.byFirst[s[0]] = append(l.byFirst[s[0]], s)
	}
	return l
}

// inLower is In(Lower(s)) without building Lower(s) when s holds no byte
// that may begin the Kelvin sign or the long s (E2, C5): then Lower(s) is
// s with ASCII letters lower-cased byte for byte, and the literals (lower
// case, valid UTF-8) are compared with the bytes of s so mapped.
func (l *Lits) inLower(s string) bool {
	if l.list == nil {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0xE2 || c == 0xC5 {
			return l.In(Lower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		for _, x := range l.byFirst[c] {
			if ascii.HasPrefixLower(s[i:], x) {
				return true
			}
		}
	}
	return false
}

// In reports whether s holds one of the literals (true for an empty set).
func (l *Lits) In(s string) bool {
	if l.list == nil {
		return true
	}
	for i := 0; i < len(s); i++ {
		for _, x := range l.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], x) {
				return true
			}
		}
	}
	return false
}

// MaxLen returns the longest match of re in bytes (-1: unbounded or
// unknown); depth is how deep re is in the pattern (the walk gives up
// past 50).
func MaxLen(re *syntax.Regexp, depth int) int {
	if depth > 50 {
		return -1
	}
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return 4 * len(re.Rune) // a case variant may be longer ("k", "K", Kelvin sign)
		}
		return len(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		return utf8.RuneLen(re.Rune[len(re.Rune)-1])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpCapture, syntax.OpQuest:
		return MaxLen(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		n := MaxLen(re.Sub[0], depth+1)
		if n < 0 || re.Max < 0 || re.Max > 1000 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat, syntax.OpAlternate:
		t := 0
		for _, sub := range re.Sub {
			n := MaxLen(sub, depth+1)
			if n < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				t += n
			} else if n > t {
				t = n
			}
			if t > 1<<20 {
				return -1
			}
		}
		return t
	}
	return -1
}

// Strings returns the strings a node matches when they are at most max
// and the node holds nothing but literals, without case folding (ok
// false otherwise).
func Strings(re *syntax.Regexp, max int) ([]string, bool) { return strs(re, max, 0) }

func strs(re *syntax.Regexp, max, depth int) ([]string, bool) {
	if depth > 20 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if int(hi-lo) >= max || len(out)+int(hi-lo)+1 > max {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, string(r))
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture:
		return strs(re.Sub[0], max, depth+1)
	case syntax.OpQuest:
		s, ok := strs(re.Sub[0], max, depth+1)
		if !ok || len(s)+1 > max {
			return nil, false
		}
		return append(s, ""), true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := strs(sub, max, depth+1)
			if !ok || len(out)+len(s) > max {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := strs(sub, max, depth+1)
			if ok {
				out, ok = Product(out, s, max)
			}
			if !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// Product concatenates every string of a with every string of b (ok
// false when there would be more than max).
func Product(a, b []string, max int) ([]string, bool) {
	if len(a)*len(b) > max {
		return nil, false
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out, true
}
