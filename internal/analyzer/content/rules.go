package content

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/BurntSushi/toml"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/textgate"
	"golang.org/x/text/unicode/norm"
)

// RuleDef is one rule as written in a rule file (see docs/rules.md).
type RuleDef struct {
	Name     string   `toml:"name"`     // RULE_UPPER_SNAKE
	Score    float64  `toml:"score"`    // weight when it fires
	Category string   `toml:"category"` // spam, phishing, malware, bec, extortion, fraud
	EN       string   `toml:"en"`       // one-line explanation, English
	JA       string   `toml:"ja"`       // one-line explanation, Japanese
	In       []string `toml:"in"`       // where to look; default ["subject", "body"]
	Regex    []string `toml:"regex"`    // RE2 expressions (matched on normalised text)
	Keywords []string `toml:"keywords"` // substrings (normalised; Japanese also with spaces removed)
	// MinMatches is how many distinct regexes/keywords must match. Default 1.
	MinMatches int    `toml:"min_matches"`
	Check      string `toml:"check"` // built-in test: "btc_address", "eth_address", "crypto_address"
	Meta       string `toml:"meta"`  // boolean expression over rules and symbols
	Disabled   bool   `toml:"disabled"`
	// Hidden rules are evaluated and usable in meta rules, but never
	// reported as symbols (helpers such as RULE_IS_REPLY).
	Hidden   bool     `toml:"hidden"`
	Positive []string `toml:"positive"` // examples that must fire
	Negative []string `toml:"negative"` // examples that must not
}

// File is a rule file.
type File struct {
	Rule []RuleDef `toml:"rule"`
}

// Field names for RuleDef.In.
var fields = map[string]bool{"subject": true, "body": true, "headers": true, "urls": true, "from_name": true, "from_addr": true, "attachments": true, "raw_body": true}

// Bounds on a rule file (it may come from an administrator, but a parser
// is a parser).
const (
	maxRules       = 5000
	maxPatternLen  = 4096
	maxPatterns    = 2000
	maxMetaLen     = 4096
	maxMetaDepth   = 64
	maxFileBytes   = 8 << 20
	maxExampleLen  = 64 << 10
	maxKeywordsLen = 1000
)

// Rule is a compiled rule.
type Rule struct {
	RuleDef
	category pipeline.Category
	regexes  []*lazyRe
	compact  []bool       // regex i also runs on the compact (space-free) text
	needCJK  []bool       // every match of regex i holds a CJK character
	lits     [][]string   // regex i can only match text holding one of these
	litIDs   [][]int      // the same as ids in the analyzer's literal index
	litSet   []int        // litIDs[i] as a set of the index (when not nil)
	and      [][][]string // regex i also needs one literal of each of these sets
	andIDs   [][][]int    // the same as ids in the analyzer's literal index
	andSets  [][]int      // andIDs[i] as sets of the index
	gates    [][]string   // regex i without lits: it can only match text holding one of these (some a single byte)
	anchors  [][]string   // regex i without lits: its matches hold one of these (some a single byte)
	wins     []int        // regex i: how far around an occurrence its matches reach, in bytes
	// trims[i]: how far before and after the occurrence of a literal
	// (of lits, else of anchors) a match of regex i holding it may begin
	// and end (-1: unbounded): the merged windows are cut to that.
	trims [][2]int
	// factors[i]: byte classes every match of regex i holds in a row
	// ("9,999,999"), tested on a text before the regex runs on it; the
	// zero Factor (none worth testing) admits every text.
	factors []textgate.Factor
	// leads[i]: where every match of regex i begins (nil: not known;
	// see leadOf), which windows then run it from.
	leads []*lead
	// words[i]: regex i is a literal, with \b or not at either end
	// (wordLit), looked for by its positions in the literal index (nil:
	// not one, or not so indexed).
	words    []*wordLit
	kwIDs    []int // keyword ids in the analyzer's literal index
	keywords []string
	kwCJK    []bool
	meta     expr
	fields   []string
	fieldIDs []int // fields by id in the analyzer's view
	// setN, setC: literal sets of the analyzer's index one of which the
	// normalised (compact) text must hold for any pattern to match; -1:
	// none (see Analyzer.ruleSets).
	setN, setC int
	slot       int // the rule name's slot in the analyzer (Analyzer.nameSlot)
	// cmeta is meta with the names resolved to the analyzer's slots
	// (Analyzer.resolveMeta).
	cmeta *slotExpr
}

var reName = regexp.MustCompile(`^RULE_[A-Z0-9]+(?:_[A-Z0-9]+)*$`)

// ErrRules is wrapped by every rule-file error.
var ErrRules = errors.New("rules")

// ParseFile decodes and compiles a rule file. name is used in errors.
func ParseFile(data []byte, name string) ([]*Rule, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%w: %s: file larger than %d bytes", ErrRules, name, maxFileBytes)
	}
	var f File
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrRules, name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: %s: unknown keys %v", ErrRules, name, und)
	}
	if len(f.Rule) > maxRules {
		return nil, fmt.Errorf("%w: %s: more than %d rules", ErrRules, name, maxRules)
	}
	out := make([]*Rule, 0, len(f.Rule))
	seen := map[string]bool{}
	for i := range f.Rule {
		r, err := compile(f.Rule[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s: rule %d (%s): %v", ErrRules, name, i+1, f.Rule[i].Name, err)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("%w: %s: duplicate rule %s", ErrRules, name, r.Name)
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	return out, nil
}

func compile(d RuleDef) (*Rule, error) {
	r := &Rule{RuleDef: d, setN: -1, setC: -1}
	if !reName.MatchString(d.Name) || len(d.Name) > 64 {
		return nil, fmt.Errorf("name must be RULE_UPPER_SNAKE")
	}
	if d.EN == "" || d.JA == "" {
		return nil, fmt.Errorf("needs en and ja explanations")
	}
	cat, err := pipeline.ParseCategory(d.Category)
	if err != nil || cat == pipeline.CategoryClean && d.Score > 0 {
		return nil, fmt.Errorf("bad category %q", d.Category)
	}
	r.category = cat
	if d.Score < -100 || d.Score > 100 {
		return nil, fmt.Errorf("score out of range")
	}
	if len(d.Regex)+len(d.Keywords) > maxPatterns {
		return nil, fmt.Errorf("too many patterns")
	}
	if d.Meta != "" {
		if len(d.Regex)+len(d.Keywords) > 0 || d.Check != "" {
			return nil, fmt.Errorf("a meta rule has no patterns or check of its own")
		}
		if len(d.Meta) > maxMetaLen {
			return nil, fmt.Errorf("meta expression too long")
		}
		e, err := parseMeta(d.Meta)
		if err != nil {
			return nil, fmt.Errorf("meta: %v", err)
		}
		r.meta = e
		return r, nil
	}
	switch d.Check {
	case "", "btc_address", "eth_address", "crypto_address":
	default:
		return nil, fmt.Errorf("unknown check %q", d.Check)
	}
	if len(d.Regex)+len(d.Keywords) == 0 && d.Check == "" {
		return nil, fmt.Errorf("needs regex, keywords, check or meta")
	}
	r.fields = d.In
	if len(r.fields) == 0 {
		r.fields = []string{"subject", "body"}
	}
	for _, f := range r.fields {
		if !fields[f] && !strings.HasPrefix(f, "header:") {
			return nil, fmt.Errorf("unknown field %q in 'in'", f)
		}
	}
	for _, p := range d.Regex {
		if len(p) > maxPatternLen {
			return nil, fmt.Errorf("regex too long")
		}
		// Checked now, compiled at its first use (lazyRe).
		if _, err := regexp.Compile(p); err != nil {
			return nil, fmt.Errorf("regex %q: %v", p, err)
		}
		r.regexes = append(r.regexes, &lazyRe{pat: p})
		r.compact = append(r.compact, hasCJK(p))
		r.needCJK = append(r.needCJK, needsCJK(p))
		pf := analyzePattern(p)
		r.lits = append(r.lits, pf.lits)
		r.and = append(r.and, pf.and)
		var gate []string
		if pf.lits == nil {
			gate = gateLiterals(p)
		}
		r.gates = append(r.gates, gate)
		r.anchors = append(r.anchors, pf.anchor)
		r.wins = append(r.wins, pf.win)
		r.trims = append(r.trims, [2]int{pf.before, pf.after})
		r.factors = append(r.factors, worthFactor(p))
		r.leads = append(r.leads, leadOf(p))
	}
	for _, k := range d.Keywords {
		if len(k) > maxKeywordsLen {
			return nil, fmt.Errorf("keyword too long")
		}
		nk := Normalize(k)
		if hasCJK(nk) {
			nk = compactString(nk)
		}
		if strings.TrimSpace(nk) == "" {
			return nil, fmt.Errorf("empty keyword")
		}
		r.keywords = append(r.keywords, nk)
		r.kwCJK = append(r.kwCJK, hasCJK(nk))
	}
	if d.MinMatches < 0 || d.MinMatches > len(d.Regex)+len(d.Keywords) {
		return nil, fmt.Errorf("min_matches %d out of range", d.MinMatches)
	}
	return r, nil
}

// worthFactor returns the rarest byte factor of a pattern that says more
// than literals do (a class of digits or separators: "9,999,999", a
// digit), or the zero Factor.
func worthFactor(pattern string) textgate.Factor {
	var best textgate.Factor
	for _, f := range textgate.FactorsOf(pattern) {
		if f.Punctuated() && f.Bits() > best.Bits() {
			best = f
		}
	}
	return best
}

// Normalize prepares text for matching: NFKC (full-width ASCII to ASCII,
// half-width katakana to full width), lower case, zero-width characters
// and soft hyphens removed, runs of white space collapsed.
func Normalize(s string) string {
	n, _ := normalize(s)
	return n
}

// normalize is Normalize, and reports whether s is ASCII (then so is the
// result, and it holds no CJK character).
func normalize(s string) (string, bool) {
	if n, ok := normalizeASCII(s); ok {
		return n, true
	}
	return normalizeAny(s), false
}

// normalizeAny is Normalize on any text. Bytes that stay as they are
// (lower-case ASCII but white space, single spaces, characters that
// lower-case to themselves) are copied in runs, not rune by rune.
func normalizeAny(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	run := 0 // start of the bytes not yet written, which stay as they are
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			switch asciiClass[c] {
			case clsPlain:
				space = false
				i++
				continue
			case clsUpper:
				b.WriteString(s[run:i])
				b.WriteByte(c + 'a' - 'A')
				space = false
			default: // white space
				if c == ' ' && !space {
					space = true
					i++
					continue
				}
				b.WriteString(s[run:i])
				if !space {
					b.WriteByte(' ')
				}
				space = true
			}
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if caseless(r) {
			space = false
			i += n // kept (neither white space, zero-width nor cased)
			continue
		}
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f':
			b.WriteString(s[run:i])
			i += n
			run = i
			continue
		}
		if unicode.IsSpace(r) {
			b.WriteString(s[run:i])
			if !space {
				b.WriteByte(' ')
			}
			space = true
			i += n
			run = i
			continue
		}
		space = false
		l := unicode.ToLower(r)
		if l == r && (r != utf8.RuneError || n > 1) {
			i += n // the same bytes (an invalid byte becomes U+FFFD)
			continue
		}
		b.WriteString(s[run:i])
		b.WriteRune(l)
		i += n
		run = i
	}
	if run == 0 {
		return foldMixedWords(s) // nothing changed
	}
	b.WriteString(s[run:])
	return foldMixedWords(b.String())
}

// asciiSpace holds the ASCII characters unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// normalizeASCII is Normalize on ASCII text: NFKC leaves ASCII alone, no
// ASCII character is zero-width and none is a look-alike letter, so only
// case and white space change (and nothing when the text is lower case
// with single spaces). ok is false, and the text not normalised, when s
// is not ASCII. Eight bytes are looked at a time (asciiBlock): a block
// without two white space characters in a row (counting the byte before
// it) is lower-cased, and its white space made spaces, in one step; the
// others byte by byte.
func normalizeASCII(s string) (_ string, ok bool) {
	// The clean prefix: lower case, single spaces.
	space := false
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := le8(s[i:])
		if w&hiBits != 0 {
			break
		}
		up, ws, sp := asciiBlock(w)
		if up|ws != 0 || doubleSpace(sp, space) {
			break
		}
		space = sp>>63 != 0
	}
	if i, space = cleanFrom(s, i, space); i == len(s) {
		return s, true
	}
	if !asciiFrom(s, i) {
		return "", false
	}
	// The output is never longer than s: the clean prefix, then each
	// block lower-cased whole or byte by byte.
	out := make([]byte, len(s))
	j := copy(out, s[:i])
	for i < len(s) {
		end := len(s)
		if i+8 <= len(s) {
			w := le8(s[i:])
			up, ws, sp := asciiBlock(w)
			if ws != 0 {
				// Other white space is a space unless it follows one.
				m := (ws >> 7) * 0xFF
				w = w&^m | m&(' '*ones)
				sp |= ws
			}
			if !doubleSpace(sp, space) {
				binary.LittleEndian.PutUint64(out[j:j+8], w|up>>2)
				i, j = i+8, j+8
				space = sp>>63 != 0
				continue
			}
			end = i + 8
		}
		for ; i < end; i++ {
			c := s[i]
			switch asciiClass[c] {
			case clsSpace:
				if space {
					continue
				}
				space = true
			case clsOtherSpace:
				if space {
					continue
				}
				c, space = ' ', true
			case clsUpper:
				c, space = c+'a'-'A', false
			default:
				space = false
			}
			out[j] = c
			j++
		}
	}
	return unsafe.String(unsafe.SliceData(out), j), true
}

// cleanFrom returns the end of the clean run of s from i (lower case,
// single spaces: Normalize leaves it as it is), space telling whether a
// space comes just before i, and whether one ends the run.
func cleanFrom(s string, i int, space bool) (int, bool) {
	for ; i < len(s); i++ {
		k := asciiClass[s[i]]
		if k == clsPlain {
			space = false
			continue
		}
		if k == clsSpace && !space {
			space = true
			continue
		}
		break
	}
	return i, space
}

// hiBits has the top bit of each byte of a word, ones the bottom bit.
const (
	hiBits = 0x8080808080808080
	ones   = 0x0101010101010101
)

// asciiBlock classifies the eight ASCII bytes of w (none with its top
// bit set): the top bit of each byte of up is set for an upper-case
// letter, of ws for white space other than ' ' (\t \n \v \f \r), of sp
// for ' '. Each byte is below 0x80, so no sum carries into the next.
func asciiBlock(w uint64) (up, ws, sp uint64) {
	up = (w + (0x80-'A')*ones) &^ (w + (0x80-'Z'-1)*ones) & hiBits
	ws = (w + (0x80-'\t')*ones) &^ (w + (0x80-'\r'-1)*ones) & hiBits
	sp = ^((w ^ ' '*ones) + 0x7F*ones) & hiBits
	return up, ws, sp
}

// doubleSpace reports whether a block's spaces sp (asciiBlock) hold two
// in a row, counting a space just before the block (space).
func doubleSpace(sp uint64, space bool) bool {
	return sp&(sp<<8) != 0 || space && sp&0x80 != 0
}

// asciiFrom reports whether s[i:] is ASCII, eight bytes at a time.
func asciiFrom(s string, i int) bool {
	for ; i+8 <= len(s); i += 8 {
		if le8(s[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Byte classes of normalizeASCII.
const (
	clsPlain      = iota // kept as it is
	clsSpace             // ' '
	clsOtherSpace        // ASCII white space but ' ': becomes ' '
	clsUpper             // A-Z
	clsNonASCII
)

var asciiClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = clsNonASCII
		case c == ' ':
			t[c] = clsSpace
		case asciiSpace[c]:
			t[c] = clsOtherSpace
		case 'A' <= c && c <= 'Z':
			t[c] = clsUpper
		}
	}
	return t
}()

// confusable maps Cyrillic and Greek lower-case letters that look like
// Latin ones to those letters.
var confusable = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't',
	'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l',
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ϲ': 'c',
}

// foldMixedWords spells Latin words that carry look-alike Cyrillic or
// Greek letters ("vеrify" with a Cyrillic е, "pаssword") in Latin letters,
// so rules see the word the reader sees. Words wholly in Cyrillic or Greek
// are left alone.
func foldMixedWords(s string) string {
	has := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0xCD && c <= 0xD4 {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	rs := []rune(s)
	changed := false
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			i++
			continue
		}
		j := i
		latin, other := false, false
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			switch {
			case rs[j] < 0x250:
				latin = true
			case confusable[rs[j]] != 0:
				other = true
			}
			j++
		}
		if latin && other {
			for k := i; k < j; k++ {
				if l, ok := confusable[rs[k]]; ok {
					rs[k] = l
					changed = true
				}
			}
		}
		i = j
	}
	if !changed {
		return s
	}
	return string(rs)
}

// caseless reports whether r is in a block of caseless letters
// (Hiragana, Katakana, the CJK ideographs and symbols, Hangul
// syllables) that holds neither white space nor a zero-width
// character: normalizeAny keeps such a rune as it is
// (TestCaselessRanges checks every rune of them).
func caseless(r rune) bool {
	return r >= 0x3041 && r <= 0x9fff || r >= 0xac00 && r <= 0xd7a3
}

// compactString removes all white space (Japanese text is unspaced, and
// line breaks fall inside words): strings.Map of a function dropping
// unicode.IsSpace, which also spells each invalid byte as U+FFFD.
// Valid text (normalised text always is) is copied in runs between its
// white space: only the lead bytes C2, E1, E2 and E3 start non-ASCII
// white space (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000).
func compactString(s string) string {
	if !utf8.ValidString(s) {
		return compactMap(s)
	}
	var b strings.Builder
	run := 0 // start of the bytes not yet written
	for i := 0; i < len(s); {
		c := s[i]
		n := 1
		switch {
		case c < utf8.RuneSelf:
			if !asciiSpace[c] {
				i++
				continue
			}
		case c == 0xE3:
			// U+3000–U+3FFF: only U+3000 is white space.
			if s[i+1] != 0x80 || s[i+2] != 0x80 {
				i += 3
				continue
			}
			n = 3
		case c == 0xC2 || c == 0xE1 || c == 0xE2:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				i += size
				continue
			}
			n = size
		case c < 0xE0:
			i += 2
			continue
		case c < 0xF0:
			i += 3
			continue
		default:
			i += 4
			continue
		}
		if run == 0 && b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[run:i])
		i += n
		run = i
	}
	if run == 0 && b.Cap() == 0 {
		return s // no white space
	}
	b.WriteString(s[run:])
	return b.String()
}

// compactMap is compactString on any text.
func compactMap(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func hasCJK(s string) bool {
	for i := 0; i < len(s); i++ {
		// CJK characters (isCJK) are three bytes in UTF-8, led by E3–E9
		// (U+3000–U+9FFF) or EF (U+F900–U+FFEF).
		if c := s[i]; c >= 0xE3 && c <= 0xEF {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if isCJK(r) {
				return true
			}
		}
	}
	return false
}

func isCJK(r rune) bool {
	return r >= 0x3000 && r <= 0x9fff || r >= 0xf900 && r <= 0xfaff || r >= 0xff00 && r <= 0xffef
}

// needsCJK reports whether every match of the pattern holds a CJK
// character (isCJK): on text without one, such a regex cannot match.
func needsCJK(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	return mustCJK(re, 0)
}

func mustCJK(re *syntax.Regexp, depth int) bool {
	if depth > 50 {
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if !isCJK(r) {
				continue
			}
			if re.Flags&syntax.FoldCase == 0 {
				return true
			}
			// Every case variant must be CJK too.
			all := true
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if !isCJK(f) {
					all = false
				}
			}
			if all {
				return true
			}
		}
		return false
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if !(lo >= 0x3000 && hi <= 0x9fff || lo >= 0xf900 && hi <= 0xfaff || lo >= 0xff00 && hi <= 0xffef) {
				return false
			}
		}
		return true
	case syntax.OpCapture, syntax.OpPlus:
		return mustCJK(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		return re.Min >= 1 && mustCJK(re.Sub[0], depth+1)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if mustCJK(sub, depth+1) {
				return true
			}
		}
		return false
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !mustCJK(sub, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// ---- meta expressions ----
//
//	expr   := or
//	or     := and ("||" and)*
//	and    := not ("&&" not)*
//	not    := "!" not | atom
//	atom   := NAME | "(" or ")" | "atleast(" N "," NAME ("," NAME)* ")"

type expr interface {
	eval(func(string) bool) bool
	names(func(string))
}

type nameExpr string
type notExpr struct{ x expr }
type andExpr []expr
type orExpr []expr
type atLeast struct {
	n  int
	xs []expr
}

func (e nameExpr) eval(f func(string) bool) bool { return f(string(e)) }
func (e nameExpr) names(f func(string))          { f(string(e)) }
func (e notExpr) eval(f func(string) bool) bool  { return !e.x.eval(f) }
func (e notExpr) names(f func(string))           { e.x.names(f) }
func (e andExpr) eval(f func(string) bool) bool {
	for _, x := range e {
		if !x.eval(f) {
			return false
		}
	}
	return true
}
func (e andExpr) names(f func(string)) {
	for _, x := range e {
		x.names(f)
	}
}
func (e orExpr) eval(f func(string) bool) bool {
	for _, x := range e {
		if x.eval(f) {
			return true
		}
	}
	return false
}
func (e orExpr) names(f func(string)) {
	for _, x := range e {
		x.names(f)
	}
}
func (e atLeast) eval(f func(string) bool) bool {
	n := 0
	for _, x := range e.xs {
		if x.eval(f) {
			n++
		}
	}
	return n >= e.n
}
func (e atLeast) names(f func(string)) {
	for _, x := range e.xs {
		x.names(f)
	}
}

// slotExpr is a meta expression whose names are resolved to the slots
// of an analyzer's rules (evalState.fired), so evaluating it looks no
// name up in a map; names of no rule are asked of the symbols.
type slotExpr struct {
	op   uint8 // opName, opNot, opAnd, opOr, opAtLeast
	slot int   // opName: the rule's slot, -1: no rule of that name
	name string
	n    int // opAtLeast
	xs   []slotExpr
}

const (
	opName = iota
	opNot
	opAnd
	opOr
	opAtLeast
)

// resolve turns a parsed expression into a slotExpr with the slots of
// the named rules.
func resolve(e expr, slots map[string]int) slotExpr {
	all := func(xs []expr) []slotExpr {
		out := make([]slotExpr, len(xs))
		for i, x := range xs {
			out[i] = resolve(x, slots)
		}
		return out
	}
	switch e := e.(type) {
	case nameExpr:
		sl, ok := slots[string(e)]
		if !ok {
			sl = -1
		}
		return slotExpr{op: opName, slot: sl, name: string(e)}
	case notExpr:
		return slotExpr{op: opNot, xs: []slotExpr{resolve(e.x, slots)}}
	case andExpr:
		return slotExpr{op: opAnd, xs: all(e)}
	case orExpr:
		return slotExpr{op: opOr, xs: all(e)}
	case atLeast:
		return slotExpr{op: opAtLeast, n: e.n, xs: all(e.xs)}
	}
	panic(fmt.Sprintf("content: unknown meta expression %T", e))
}

// eval is expr.eval with the lookup of evalState.meta: a rule evaluated
// already answers by whether it fired, any other name by the symbols.
func (e *slotExpr) eval(fired []int8, symbols func(string) bool) bool {
	switch e.op {
	case opName:
		if e.slot >= 0 && fired[e.slot] != 0 {
			return fired[e.slot] == 2
		}
		return symbols(e.name)
	case opNot:
		return !e.xs[0].eval(fired, symbols)
	case opAnd:
		for i := range e.xs {
			if !e.xs[i].eval(fired, symbols) {
				return false
			}
		}
		return true
	case opOr:
		for i := range e.xs {
			if e.xs[i].eval(fired, symbols) {
				return true
			}
		}
		return false
	}
	n := 0 // opAtLeast
	for i := range e.xs {
		if e.xs[i].eval(fired, symbols) {
			n++
		}
	}
	return n >= e.n
}

type metaParser struct {
	toks  []string
	pos   int
	depth int
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '!':
			toks = append(toks, string(c))
			i++
		case strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||"):
			toks = append(toks, s[i:i+2])
			i += 2
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_':
			j := i
			for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return toks, nil
}

func parseMeta(s string) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &metaParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return e, nil
}

func (p *metaParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *metaParser) or() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxMetaDepth {
		return nil, fmt.Errorf("nested too deep")
	}
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	xs := orExpr{x}
	for p.peek() == "||" {
		p.pos++
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return xs, nil
}

func (p *metaParser) and() (expr, error) {
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	xs := andExpr{x}
	for p.peek() == "&&" {
		p.pos++
		y, err := p.not()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return xs, nil
}

func (p *metaParser) not() (expr, error) {
	if p.peek() == "!" {
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxMetaDepth {
			return nil, fmt.Errorf("nested too deep")
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	}
	return p.atom()
}

var reSymName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)

func (p *metaParser) atom() (expr, error) {
	t := p.peek()
	switch {
	case t == "(":
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return x, nil
	case t == "atleast":
		p.pos++
		if p.peek() != "(" {
			return nil, fmt.Errorf("atleast needs (")
		}
		p.pos++
		n, err := strconv.Atoi(p.peek())
		if err != nil || n < 0 || n > 1000 {
			return nil, fmt.Errorf("atleast needs a count")
		}
		p.pos++
		var xs []expr
		for p.peek() == "," {
			p.pos++
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		if p.peek() != ")" || len(xs) == 0 {
			return nil, fmt.Errorf("atleast(N, A, B...) expected")
		}
		p.pos++
		return atLeast{n, xs}, nil
	case reSymName.MatchString(t):
		p.pos++
		return nameExpr(t), nil
	case t == "":
		return nil, fmt.Errorf("unexpected end")
	}
	return nil, fmt.Errorf("unexpected %q", t)
}

// order sorts meta rules so that each comes after the meta rules it uses,
// and checks that every name is a rule or a registered symbol.
func order(rules []*Rule) ([]*Rule, error) {
	byName := map[string]*Rule{}
	for _, r := range rules {
		byName[r.Name] = r
	}
	var out []*Rule
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(r *Rule) error
	visit = func(r *Rule) error {
		switch state[r.Name] {
		case 1:
			return fmt.Errorf("%w: meta rules form a cycle through %s", ErrRules, r.Name)
		case 2:
			return nil
		}
		state[r.Name] = 1
		var err error
		if r.meta != nil {
			r.meta.names(func(n string) {
				if err != nil {
					return
				}
				if dep, ok := byName[n]; ok {
					if dep.Disabled {
						return
					}
					err = visit(dep)
					return
				}
				if _, ok := pipeline.Lookup(n); !ok {
					err = fmt.Errorf("%w: %s: unknown rule or symbol %s", ErrRules, r.Name, n)
				}
			})
		}
		state[r.Name] = 2
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	for _, r := range rules {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}
