package content

import (
	"fmt"
	"strings"
	"testing"
)

// wordAnalyzer is the shipped rules and rules of word-literal patterns
// (\b or not at either end, ASCII and not, literals of two bytes and
// more), in a new analyzer.
func wordAnalyzer(tb testing.TB) *Analyzer {
	var b strings.Builder
	for i, p := range []string{`\bab\b`, `ab\b`, `\bab`, `\bage\b`, `x y`, `\bé\b`, `\bzü`, `ü\b`, `\b_a1\b`, `\bé x\b`, `\babc`, `a-b\b`} {
		fmt.Fprintf(&b, "[[rule]]\nname = \"RULE_W_%d\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nregex = ['%s']\n", i, p)
	}
	rs, err := ParseFile([]byte(b.String()), "words")
	if err != nil {
		tb.Fatal(err)
	}
	a, err := NewAnalyzer(true, rs, nil)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, r := range a.rules {
		for _, w := range r.words {
			if w != nil {
				n++
			}
		}
	}
	if n < 12 {
		tb.Fatalf("%d word literals, want 12 or more", n)
	}
	return a
}

// TestWordLitOf: the patterns that are a literal with \b or not at either
// end, and some that are not.
func TestWordLitOf(t *testing.T) {
	for p, want := range map[string]string{`\bage\b`: "age true true", `ab`: "ab false false", `ab\b`: "ab false true", `\bab`: "ab true false",
		`(?i)ab`: "", `a|b`: "", `\b(ab)\b`: "", `a+`: "", `\b`: "", `^ab`: "", `\Bab`: ""} {
		got := ""
		if w := wordLitOf(p); w != nil {
			got = fmt.Sprintf("%s %v %v", w.lit, w.before, w.after)
		}
		if got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
}

// FuzzWordLit: a word-literal regex's first match, found by the literal's
// positions, is the one the regex finds on its windows (the rule with
// its word literals dropped), on a field's text and on its compact text.
func FuzzWordLit(f *testing.F) {
	for _, s := range []string{"your age: 42", "page manage agent age", "ab ab_ abab ab", "é x, éé zü_ü ü", "_a1 a-b a-bc",
		strings.Repeat("message ", 12) + "age.", strings.Repeat("ab", 20) + " ab"} {
		f.Add(s)
	}
	a := wordAnalyzer(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4000 {
			return
		}
		for _, r := range a.rules {
			plain := *r
			plain.words = nil
			for i, w := range r.words {
				if w == nil {
					continue
				}
				for _, compact := range []bool{false, true} {
					v := newView(map[string]string{"body": s, "subject": s}, noSymbols, a.lits, a.fieldNames)
					f := v.id("body")
					got := v.findRegex(r, i, f, compact)
					want := v.findRegex(&plain, i, f, compact)
					v.release()
					if got != want {
						t.Fatalf("%s #%d %q on %q (compact %v): %q, regex %q", r.Name, i, r.regexes[i].pat, s, compact, got, want)
					}
				}
			}
		}
	})
}
