package feed

import (
	"errors"
	"fmt"
	"strings"
)

// STIX 2.1 patterning (STIX 2.1 part 9, "STIX Patterning"): the parser
// reads the whole grammar that matters for structure — observation
// expressions joined by AND, OR and FOLLOWEDBY with qualifiers (WITHIN,
// REPEATS, START/STOP, read and ignored), comparison expressions joined
// by AND and OR, parentheses, NOT, and the comparison operators — and
// turns a pattern into disjunctive normal form: a list of conjunctions of
// comparisons. Mail has no time order, so FOLLOWEDBY is read as AND.

// Bounds of one pattern.
const (
	maxPatternLen = 16 << 10
	maxDNF        = 64 // conjunctions after expansion
	maxConjTerms  = 8  // comparisons in one conjunction
	maxDepth      = 32 // nesting of parentheses and brackets
)

// Errors of the pattern parser.
var (
	ErrPattern         = errors.New("feed: bad STIX pattern")
	ErrPatternTooLarge = errors.New("feed: STIX pattern too large")
)

// Comparison is one property test of a pattern: path is the object type
// and property ("file:hashes.'SHA-256'" is written "file:hashes.sha-256"),
// op the operator in upper case ("=", "!=", "IN", "ISSUBSET", ...), Value
// the literal (strings unquoted). Not is set for "NOT op".
type Comparison struct {
	Path  string
	Op    string
	Value string
	Not   bool
}

// Conj is a conjunction of comparisons: all must hold.
type Conj []Comparison

type tokKind int

const (
	tEOF tokKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tComma
	tColon
	tDot
	tOp     // = != < > <= >=
	tIdent  // words, keywords, paths
	tString // 'x' (also t'..', h'..', b'..': text is the content)
	tNumber
)

type token struct {
	k tokKind
	s string
}

type lexer struct {
	in  string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.in) && strings.IndexByte(" \t\r\n", l.in[l.pos]) >= 0 {
		l.pos++
	}
	if l.pos >= len(l.in) {
		return token{k: tEOF}, nil
	}
	c := l.in[l.pos]
	switch c {
	case '[':
		l.pos++
		return token{tLBrack, "["}, nil
	case ']':
		l.pos++
		return token{tRBrack, "]"}, nil
	case '(':
		l.pos++
		return token{tLParen, "("}, nil
	case ')':
		l.pos++
		return token{tRParen, ")"}, nil
	case ',':
		l.pos++
		return token{tComma, ","}, nil
	case ':':
		l.pos++
		return token{tColon, ":"}, nil
	case '.':
		l.pos++
		return token{tDot, "."}, nil
	case '=':
		l.pos++
		return token{tOp, "="}, nil
	case '!', '<', '>':
		if l.pos+1 < len(l.in) && l.in[l.pos+1] == '=' {
			l.pos += 2
			return token{tOp, string(c) + "="}, nil
		}
		if c == '!' {
			return token{}, fmt.Errorf("%w: stray '!' at %d", ErrPattern, l.pos)
		}
		l.pos++
		return token{tOp, string(c)}, nil
	case '\'':
		return l.str()
	}
	if (c == 't' || c == 'h' || c == 'b') && l.pos+1 < len(l.in) && l.in[l.pos+1] == '\'' {
		l.pos++
		return l.str()
	}
	if c == '-' || c == '+' || (c >= '0' && c <= '9') {
		st := l.pos
		l.pos++
		for l.pos < len(l.in) && (l.in[l.pos] >= '0' && l.in[l.pos] <= '9' || l.in[l.pos] == '.') {
			l.pos++
		}
		return token{tNumber, l.in[st:l.pos]}, nil
	}
	if isIdentByte(c) || c == '*' {
		st := l.pos
		for l.pos < len(l.in) && (isIdentByte(l.in[l.pos]) || l.in[l.pos] == '-' || l.in[l.pos] == '*') {
			l.pos++
		}
		return token{tIdent, l.in[st:l.pos]}, nil
	}
	return token{}, fmt.Errorf("%w: unexpected %q at %d", ErrPattern, c, l.pos)
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// str reads a quoted string; \' and \\ are the escapes.
func (l *lexer) str() (token, error) {
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.in) {
		c := l.in[l.pos]
		switch c {
		case '\\':
			if l.pos+1 >= len(l.in) {
				return token{}, fmt.Errorf("%w: unterminated string", ErrPattern)
			}
			b.WriteByte(l.in[l.pos+1])
			l.pos += 2
		case '\'':
			l.pos++
			return token{tString, b.String()}, nil
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, fmt.Errorf("%w: unterminated string", ErrPattern)
}

type parser struct {
	toks  []token
	i     int
	depth int
}

// ParsePattern parses a STIX 2.1 pattern into disjunctive normal form.
func ParsePattern(s string) ([]Conj, error) {
	if len(s) > maxPatternLen {
		return nil, ErrPatternTooLarge
	}
	l := &lexer{in: s}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.k == tEOF {
			break
		}
	}
	p := &parser{toks: toks}
	d, err := p.obsOr()
	if err != nil {
		return nil, err
	}
	if p.peek().k != tEOF {
		return nil, fmt.Errorf("%w: trailing %q", ErrPattern, p.peek().s)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrPattern)
	}
	return d, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) take() token {
	t := p.toks[p.i]
	if t.k != tEOF {
		p.i++
	}
	return t
}
func (p *parser) kw(w string) bool {
	t := p.peek()
	if t.k == tIdent && strings.EqualFold(t.s, w) {
		p.i++
		return true
	}
	return false
}

// or joins two DNFs.
func or(a, b []Conj) ([]Conj, error) {
	if len(a)+len(b) > maxDNF {
		return nil, ErrPatternTooLarge
	}
	return append(a, b...), nil
}

// and distributes two DNFs.
func and(a, b []Conj) ([]Conj, error) {
	if len(a)*len(b) > maxDNF {
		return nil, ErrPatternTooLarge
	}
	out := make([]Conj, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if len(x)+len(y) > maxConjTerms {
				return nil, ErrPatternTooLarge
			}
			c := make(Conj, 0, len(x)+len(y))
			out = append(out, append(append(c, x...), y...))
		}
	}
	return out, nil
}

// obsOr reads observation expressions: FOLLOWEDBY binds loosest, then
// OR, then AND (the STIX grammar's order).
func (p *parser) obsOr() ([]Conj, error) {
	d, err := p.obsOrInner()
	if err != nil {
		return nil, err
	}
	for p.kw("FOLLOWEDBY") {
		e, err := p.obsOrInner()
		if err != nil {
			return nil, err
		}
		if d, err = and(d, e); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) obsOrInner() ([]Conj, error) {
	d, err := p.obsAnd()
	if err != nil {
		return nil, err
	}
	for p.kw("OR") {
		e, err := p.obsAnd()
		if err != nil {
			return nil, err
		}
		if d, err = or(d, e); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) obsAnd() ([]Conj, error) {
	d, err := p.obsUnit()
	if err != nil {
		return nil, err
	}
	for p.kw("AND") {
		e, err := p.obsUnit()
		if err != nil {
			return nil, err
		}
		if d, err = and(d, e); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return ErrPatternTooLarge
	}
	return nil
}

func (p *parser) obsUnit() ([]Conj, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	var d []Conj
	var err error
	switch t := p.take(); t.k {
	case tLParen:
		if d, err = p.obsOr(); err != nil {
			return nil, err
		}
		if p.take().k != tRParen {
			return nil, fmt.Errorf("%w: missing ')'", ErrPattern)
		}
	case tLBrack:
		if d, err = p.cmpOr(); err != nil {
			return nil, err
		}
		if p.take().k != tRBrack {
			return nil, fmt.Errorf("%w: missing ']'", ErrPattern)
		}
	default:
		return nil, fmt.Errorf("%w: want '[' or '(', got %q", ErrPattern, t.s)
	}
	return d, p.qualifiers()
}

// qualifiers reads and ignores WITHIN n SECONDS, REPEATS n TIMES and
// START t'..' STOP t'..'.
func (p *parser) qualifiers() error {
	for {
		switch {
		case p.kw("WITHIN"):
			if p.take().k != tNumber || !p.kw("SECONDS") {
				return fmt.Errorf("%w: WITHIN n SECONDS", ErrPattern)
			}
		case p.kw("REPEATS"):
			if p.take().k != tNumber || !p.kw("TIMES") {
				return fmt.Errorf("%w: REPEATS n TIMES", ErrPattern)
			}
		case p.kw("START"):
			if p.take().k != tString || !p.kw("STOP") || p.take().k != tString {
				return fmt.Errorf("%w: START t'..' STOP t'..'", ErrPattern)
			}
		default:
			return nil
		}
	}
}

func (p *parser) cmpOr() ([]Conj, error) {
	d, err := p.cmpAnd()
	if err != nil {
		return nil, err
	}
	for p.kw("OR") {
		e, err := p.cmpAnd()
		if err != nil {
			return nil, err
		}
		if d, err = or(d, e); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) cmpAnd() ([]Conj, error) {
	d, err := p.cmpUnit()
	if err != nil {
		return nil, err
	}
	for p.kw("AND") {
		e, err := p.cmpUnit()
		if err != nil {
			return nil, err
		}
		if d, err = and(d, e); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) cmpUnit() ([]Conj, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.peek().k == tLParen {
		p.take()
		d, err := p.cmpOr()
		if err != nil {
			return nil, err
		}
		if p.take().k != tRParen {
			return nil, fmt.Errorf("%w: missing ')'", ErrPattern)
		}
		return d, nil
	}
	if p.kw("EXISTS") {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return []Conj{{{Path: path, Op: "EXISTS"}}}, nil
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	not := p.kw("NOT")
	var op string
	if t := p.peek(); t.k == tOp {
		op = p.take().s
	} else {
		for _, w := range []string{"IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"} {
			if p.kw(w) {
				op = w
				break
			}
		}
	}
	if op == "" {
		return nil, fmt.Errorf("%w: want an operator after %s", ErrPattern, path)
	}
	if op == "IN" {
		if p.take().k != tLParen {
			return nil, fmt.Errorf("%w: IN wants a set", ErrPattern)
		}
		var d []Conj
		for {
			v := p.take()
			if v.k != tString && v.k != tNumber && v.k != tIdent {
				return nil, fmt.Errorf("%w: bad set member", ErrPattern)
			}
			if len(d) >= maxDNF {
				return nil, ErrPatternTooLarge
			}
			d = append(d, Conj{{Path: path, Op: "=", Value: v.s, Not: not}})
			t := p.take()
			if t.k == tRParen {
				break
			}
			if t.k != tComma {
				return nil, fmt.Errorf("%w: bad set", ErrPattern)
			}
		}
		if not {
			// NOT IN: every member differs; one conjunction.
			c := Conj{}
			for _, x := range d {
				c = append(c, x[0])
			}
			if len(c) > maxConjTerms {
				return nil, ErrPatternTooLarge
			}
			return []Conj{c}, nil
		}
		return d, nil
	}
	v := p.take()
	if v.k != tString && v.k != tNumber && v.k != tIdent {
		return nil, fmt.Errorf("%w: want a value after %s %s", ErrPattern, path, op)
	}
	return []Conj{{{Path: path, Op: op, Value: v.s, Not: not}}}, nil
}

// path reads "type:prop(.prop|[n]|.'quoted')*", returned lower-case.
func (p *parser) path() (string, error) {
	t := p.take()
	if t.k != tIdent {
		return "", fmt.Errorf("%w: want an object type, got %q", ErrPattern, t.s)
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(t.s))
	if p.take().k != tColon {
		return "", fmt.Errorf("%w: want ':' after %s", ErrPattern, t.s)
	}
	b.WriteByte(':')
	first := true
	for {
		t := p.peek()
		switch {
		case first && (t.k == tIdent || t.k == tString):
			p.take()
			b.WriteString(strings.ToLower(t.s))
			first = false
		case !first && t.k == tDot:
			p.take()
			n := p.take()
			if n.k != tIdent && n.k != tString {
				return "", fmt.Errorf("%w: bad path", ErrPattern)
			}
			b.WriteByte('.')
			b.WriteString(strings.ToLower(n.s))
		case !first && t.k == tLBrack:
			p.take()
			n := p.take()
			if n.k != tNumber && n.k != tIdent {
				return "", fmt.Errorf("%w: bad list index", ErrPattern)
			}
			if p.take().k != tRBrack {
				return "", fmt.Errorf("%w: missing ']' in path", ErrPattern)
			}
			b.WriteString("[" + n.s + "]")
		default:
			if first {
				return "", fmt.Errorf("%w: empty property path", ErrPattern)
			}
			return b.String(), nil
		}
	}
}
