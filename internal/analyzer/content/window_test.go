package content

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"testing"

	"github.com/sekisho/sekisho/internal/textgate"
)

// requiredRef is required as first written (without bounds); it returns sets of literals such that every match of re holds a
// literal of each set.
func requiredRef(re *syntax.Regexp, depth int) [][]string {
	if depth > 50 {
		return nil
	}
	if s, ok := exact(re, depth); ok {
		if m := minimal(s); m != nil {
			return [][]string{m}
		}
		return nil
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return requiredRef(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredRef(re.Sub[0], depth+1)
		}
	case syntax.OpConcat:
		var out [][]string
		run := []string{""}
		flush := func() {
			if m := minimal(run); m != nil {
				out = append(out, m)
			}
			run = []string{""}
		}
		for _, sub := range re.Sub {
			s, ok := exact(sub, depth+1)
			if !ok {
				flush()
				out = append(out, requiredRef(sub, depth+1)...)
				continue
			}
			if p := product(run, s); p != nil {
				run = p
				continue
			}
			flush()
			run = s
		}
		flush()
		return out
	case syntax.OpAlternate:
		// One literal of the best set of each alternative.
		var out []string
		for _, sub := range re.Sub {
			sets := requiredRef(sub, depth+1)
			best, bs := -1, -1
			for i, s := range sets {
				if sc := setScore(s); sc > bs {
					best, bs = i, sc
				}
			}
			if best < 0 {
				return nil
			}
			out = append(out, sets[best]...)
		}
		out = minimal(dedupe(out))
		if out == nil || len(out) > maxSetLen {
			return nil
		}
		return [][]string{out}
	}
	return nil
}

// windowRule is a one-regex rule over the body, as newAnalyzer builds
// it, with its own literal index.
func windowRule(pattern string, trim bool) (*Rule, *litIndex, bool) {
	return windowRuleAnd(pattern, trim, func([]string) bool { return true })
}

// windowRuleAnd is windowRule with the and sets indexed when index says
// so (else looked for in the windows, as indexAnd has it).
func windowRuleAnd(pattern string, trim bool, index func([]string) bool) (*Rule, *litIndex, bool) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, nil, false
	}
	pf := analyzePattern(pattern)
	t := [2]int{pf.before, pf.after}
	if !trim {
		t = [2]int{-1, -1}
	}
	x := newLitIndex()
	r := &Rule{regexes: []*lazyRe{{pat: pattern, re: re}}, wins: []int{pf.win}, trims: [][2]int{t}, gates: [][]string{nil}, anchors: [][]string{pf.anchor},
		needCJK: []bool{false}, factors: []textgate.Factor{worthFactor(pattern)}}
	if pf.lits == nil {
		r.litIDs = [][]int{nil}
		r.gates = [][]string{gateLiterals(pattern)}
		return r, x, true
	}
	r.anchors = [][]string{nil}
	ids := make([]int, len(pf.lits))
	for i, l := range pf.lits {
		ids[i] = x.add(l)
	}
	r.litIDs = [][]int{ids}
	r.litSet = []int{x.addSet(ids)}
	var and [][]int
	var andSets []int
	r.and = [][][]string{pf.and}
	for _, set := range pf.and {
		if !index(set) {
			and = append(and, nil)
			andSets = append(andSets, -1)
			continue
		}
		var s []int
		for _, l := range set {
			s = append(s, x.add(l))
		}
		and = append(and, s)
		andSets = append(andSets, x.addSet(s))
	}
	r.andIDs = [][][]int{and}
	r.andSets = [][]int{andSets}
	return r, x, true
}

// FuzzWindowTrim: windows cut to the reach of a match around its literal
// give the match the uncut windows give (and, for regexes whose matches
// are short, the whole-text search's); the sets of required carry the
// bounds without changing.
func FuzzWindowTrim(f *testing.F) {
	for _, s := range [][2]string{
		{`\d+([.,]\d+)? ?(million|billion|m) (us )?(dollars|usd|pounds|euros|gbp|eur)`, "we have 10.5 million us dollars and 7 m eur for 12 m usd"},
		{`(us ?\$|usd|\$|£|€) ?\d+([.,]\d+)? ?(million|billion)`, "us$ 10 million, usd 5.5 billion $3 million"},
		{`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`, "the sum of us$10,500,000.00 and $1,000,000"},
		{`to be removed[^.!?]{0,60}(reply|send|e-?mail|click)[^.!?]{0,40}\bremove\b`, "to be removed from the list, reply with remove in the subject. to be removed click remove"},
		{`\bage\b`, "page message age, image age"},
		{`(pay|send|transfer|payment of) .{0,40}\b(bitcoin|btc|ethereum|eth)\b`, "please send the amount of 0.5 btc to pay 1 eth"},
		{`^\s*(re|aw|sv)\s*(\[\d+\])?\s*[:：]`, " re: hello re: world"},
		{`(a|ab)(c|bcd)(d*)`, "xxabcd abcddd acd"},
		{`x(a|b)+y z`, "xababababy z xay z"},
		{`(your|the)( [a-z]+)? (account|mailbox) [^.?!>]{0,80}\b(has been|is|was|are) (suspended|locked)`, "the account is fine. your mailbox is locked, the account has been suspended"},
		{`(you.re|you are) (running |almost )?out of (storage|space)`, "you are out of space; you're running out of storage"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 3000 {
			return
		}
		p, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil {
			return
		}
		var plain [][]string
		for _, s := range requiredB(p, 0) {
			plain = append(plain, s.lits)
		}
		if want := requiredRef(p, 0); !reflect.DeepEqual(plain, want) {
			t.Fatalf("%q: sets %q, want %q", pattern, plain, want)
		}
		rt, xt, ok := windowRule(pattern, true)
		if !ok {
			return
		}
		ru, xu, _ := windowRule(pattern, false)
		vt := newView(map[string]string{"body": text}, nil, xt, nil)
		vu := newView(map[string]string{"body": text}, nil, xu, nil)
		got := vt.findRegex(rt, 0, vt.id("body"), false)
		want := vu.findRegex(ru, 0, vu.id("body"), false)
		if got != want {
			t.Fatalf("%q on %q: cut windows find %q, uncut %q", pattern, vt.text("body", false).txt, got, want)
		}
		// And sets looked for in the windows, not indexed, give the
		// same match.
		rn, xn, _ := windowRuleAnd(pattern, true, func([]string) bool { return false })
		vn := newView(map[string]string{"body": text}, nil, xn, nil)
		if got2 := vn.findRegex(rn, 0, vn.id("body"), false); got2 != got {
			t.Fatalf("%q on %q: unindexed and sets find %q, indexed %q", pattern, vn.text("body", false).txt, got2, got)
		}
		if pf := analyzePattern(pattern); pf.lits != nil && pf.win < window {
			if whole := rt.regexes[0].get().FindString(vt.text("body", false).txt); got != whole {
				t.Fatalf("%q on %q: windows find %q, the whole text %q", pattern, vt.text("body", false).txt, got, whole)
			}
		}
	})
}
