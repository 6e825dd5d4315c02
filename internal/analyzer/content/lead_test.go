package content

import (
	"regexp"
	"strings"
	"testing"
)

func TestLeadOf(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{`(pay|send|transfer|payment of) .{0,40}\b(bitcoin|btc)\b`, []string{"pay ", "payment of ", "send ", "transfer "}},
		{`(us ?\$|usd|\$|£|€) ?\d+`, []string{"$", "us $", "us$", "usd", "£", "€"}},
		{`to be removed[^.!?]{0,60}`, []string{"to be removed"}},
		{`(foo)? x`, []string{" x", "foo x"}},
		{`gr[áa]tis x`, []string{"gratis x", "grátis x"}},
		{`\bage\b`, nil},
		{`(?i)verify`, nil},
		{`(\bfoo|bar) x`, nil},

		{`\d+ million`, nil}, // a run lead (TestRunLeadOf)
		{"a\uFFFDb", nil},
	} {
		l := leadOf(c.pattern)
		var got []string
		if l != nil {
			got = l.strs
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: lead %q, want %q", c.pattern, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: lead %q, want %q", c.pattern, got, c.want)
				break
			}
		}
	}
}

// FuzzLead: the anchored runs from the lead strings find, in any window
// of any text, the match the regex finds unanchored in the window.
func FuzzLead(f *testing.F) {
	for _, s := range [][2]string{
		{`(pay|send|transfer|payment of) .{0,40}\b(bitcoin|btc|ethereum|eth)\b`, "please send the amount of 0.5 btc to pay 1 eth"},
		{`(us ?\$|usd|\$|£|€) ?\d+([.,]\d+)? ?(million|billion)`, "us$ 10 million, usd 5.5 billion $3 million"},
		{`(your|the)( [a-z]+)?( 365)? (account|mailbox)\b[^.?!>]{0,80}\b(has been|is) (suspended|locked)$`, "the your the account has been suspended"},
		{`to be removed[^.!?]{0,60}(reply|send|e-?mail|click)[^.!?]{0,40}\bremove\b`, "to be removed from the list, reply with remove"},
		{`(a|ab)(c|bcd)(d*)`, "xxabcd abcddd acd"},
		{`(?m)(x|xy)\s*$`, "axy\nxy \n x"},
		{`(é|e)\b.`, "café\xff ée é"},
		// Case folding in classes (ſ, K), empty branches, assertions
		// after the lead, leftmost-first among overlapping occurrences,
		// a match that may begin before a longer lead string.
		{`(?i)[sk]e[^x]{0,3}`, "ſe Ke kex SE"},
		{`(a|)b(c|)`, "aab bc abc"},
		{`(ab|a)\B.`, "ab abc a_ aa"},
		{`(x|xy)\b`, "xyz xy x"},
		{`(ab)?ab`, "aabab abab"},
		{`(?U)a.*b`, "aab ab"},
		{`<[^<>@]+@[^<>]+>`, strings.Repeat("<", 40) + "<a@b>"},
		{`(us ?\$|\$) ?\d{1,3}([,.]\d{3}){2,}`, strings.Repeat("$ ", 40) + "$1,000,000"},
		// Run leads: a match begins where a run of the class does.
		{`\d+([.,]\d+)? ?(million|billion|m) (us )?(dollars|usd)`, "1,000,000 1.5 m dollars 12 million usd 3m usd"},
		{`(\d+)\b(x|yz)`, "12x 123yz 1 2x"},
		{`[a-c]+?\Bc`, "abcc ac bc ccc"},
		{`[0-9a-f]+[^0-9]`, "00ff0 1x"},
		{`\d+`, strings.Repeat("1 ", 40) + "22"},
	} {
		f.Add(s[0], s[1], 0, 1000)
		f.Add(s[0], s[1], 3, 20)
	}
	f.Fuzz(func(t *testing.T, pattern, text string, lo, hi int) {
		if len(pattern) > 200 || len(text) > 3000 {
			return
		}
		l := leadOf(pattern)
		if l == nil {
			return
		}
		re := regexp.MustCompile(pattern)
		lo, hi = min(max(lo, 0), len(text)), min(max(hi, 0), len(text))
		if lo > hi {
			lo, hi = hi, lo
		}
		if got, want := l.find(re, text, lo, hi), re.FindString(text[lo:hi]); got != want {
			t.Fatalf("%q on %q [%d:%d]: lead finds %q, the regex %q", pattern, text, lo, hi, got, want)
		}
	})
}

// TestLeadDense: a window dense with lead strings ("$$$$", "<<<<", "the
// the ...") runs the regex unanchored once, not anchored from each of
// them (which read on to the window's end each time and collected the
// offsets in a growing slice): find allocates nothing and answers as the
// regex does.
func TestLeadDense(t *testing.T) {
	for _, c := range [][2]string{
		{`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`, strings.Repeat("$", 30000) + " x 1,000,000 $1,000,000"},
		{`<[^<>@]+@[^<>]+>`, strings.Repeat("<", 30000) + "<a@b>"},
		{`(your|the)( [a-z]+)?( 365)? (account|mailbox)\b[^.?!>]{0,80}\b(has been|is) (suspended|locked)`, strings.Repeat("the ", 8000) + "your account is locked"},
	} {
		l := leadOf(c[0])
		if l == nil {
			t.Fatalf("%q: no lead", c[0])
		}
		re := regexp.MustCompile(c[0])
		if got, want := l.find(re, c[1], 0, len(c[1])), re.FindString(c[1]); got != want {
			t.Errorf("%q: lead finds %q, the regex %q", c[0], got, want)
		}
		if raceOn {
			continue
		}
		if n := testing.AllocsPerRun(5, func() { l.find(re, c[1], 0, len(c[1])) }); n != 0 {
			t.Errorf("%q: %v allocations on a text dense with lead strings", c[0], n)
		}
	}
}

func TestRunLeadOf(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    string // the class's bytes
	}{
		{`\d+ million`, "0123456789"},
		{`(\d+)([.,]\d+)? ?(million|m)`, "0123456789"},
		{`[a-c]+x`, "abc"},
		{`(?i)k+x`, ""}, // K folds to U+212A
		{`[^<>]+@`, ""}, // not ASCII
		{`\d*x`, ""},    // not a run of one or more
		{`\b\d+ x`, ""}, // an assertion first
		{`x\d+`, ""},    // a string lead instead
	} {
		l := leadOf(c.pattern)
		var got []byte
		if l != nil && l.run != nil {
			for b := range 256 {
				if l.run[b] {
					got = append(got, byte(b))
				}
			}
		}
		if string(got) != c.want {
			t.Errorf("%q: run lead %q, want %q", c.pattern, got, c.want)
		}
	}
}
