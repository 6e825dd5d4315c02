package content

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/textgate"
)

// lead is where every match of a regex begins: with one of a few
// strings (the regex opens with a node of plain literals, "(pay|send)
// ..."). On a window, the regex then runs anchored from each occurrence
// of them in turn, not unanchored from every byte: the unanchored search
// returns the match that begins leftmost, and among those the one the
// regex prefers, which is the anchored regex's first match from the
// leftmost occurrence where it matches at all.
type lead struct {
	strs []string
	// run, when not nil, stands for strs: the regex opens with a run of
	// one or more bytes of an ASCII class ("\d+ ?(million|..."), and a
	// match begins only where such a run does: at a byte of the class
	// not preceded by one (a match from inside a run is one from a byte
	// earlier too, its run one byte longer and the rest alike, so the
	// leftmost match is not there), or at the window's start.
	run *[256]bool
	re  *lazyRe // ^(?:pattern)
	// maxLen is the longest match in bytes (-1: unbounded): a run from p
	// needs the text up to p+maxLen and the margin assertions look at.
	maxLen int
}

// maxLeads bounds the strings of a lead.
const maxLeads = 16

// leadOf returns the lead of a pattern (nil: none known). The leading
// node must match one of a few non-empty strings and nothing else: no
// assertion (which would look at the text before the occurrence), no
// case folding, no U+FFFD (which matches any invalid byte).
func leadOf(pattern string) *lead {
	p, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	for p.Op == syntax.OpCapture {
		p = p.Sub[0]
	}
	// The leading nodes of plain literals, as long as their strings stay
	// few.
	subs := []*syntax.Regexp{p}
	if p.Op == syntax.OpConcat {
		subs = p.Sub
	}
	var strs []string
	for k, sub := range subs {
		s, ok := textgate.Strings(sub, maxLeads)
		if ok && k > 0 {
			s, ok = textgate.Product(strs, s, maxLeads)
		}
		if !ok {
			break
		}
		strs = s
	}
	if len(strs) == 0 {
		return runLeadOf(pattern, p)
	}
	for _, s := range strs {
		if s == "" || strings.ContainsRune(s, utf8.RuneError) {
			return nil
		}
	}
	if _, err := syntax.Parse(`^(?:`+pattern+`)`, syntax.Perl); err != nil {
		return nil
	}
	re := &lazyRe{pat: `^(?:` + pattern + `)`}
	// A string with another as its prefix adds no offset.
	slices.Sort(strs)
	var keep []string
	for _, s := range strs {
		if len(keep) == 0 || !strings.HasPrefix(s, keep[len(keep)-1]) {
			keep = append(keep, s)
		}
	}
	return &lead{strs: keep, re: re, maxLen: textgate.MaxLen(p, 0)}
}

// runLeadOf returns the run lead of a pattern whose leading node is
// C+ for a class C of ASCII characters (nil: none), p its parse without
// the outer captures. C+ consumes a byte before any assertion is looked
// at, so no assertion sees the text before a run's start.
func runLeadOf(pattern string, p *syntax.Regexp) *lead {
	first := p
	if p.Op == syntax.OpConcat {
		first = p.Sub[0]
	}
	for first.Op == syntax.OpCapture {
		first = first.Sub[0]
	}
	if first.Op != syntax.OpPlus || first.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	rs := first.Sub[0].Rune
	if len(rs) == 0 {
		return nil
	}
	var run [256]bool
	for k := 0; k+1 < len(rs); k += 2 {
		if rs[k+1] >= utf8.RuneSelf {
			return nil
		}
		for c := rs[k]; c <= rs[k+1]; c++ {
			run[c] = true
		}
	}
	if _, err := syntax.Parse(`^(?:`+pattern+`)`, syntax.Perl); err != nil {
		return nil
	}
	return &lead{run: &run, re: &lazyRe{pat: `^(?:` + pattern + `)`}, maxLen: textgate.MaxLen(p, 0)}
}

// maxLeadRuns bounds the anchored runs of lead.find: a window holding
// more occurrences of the lead strings runs re unanchored instead. Each
// anchored run may read on to the window's end (and the backtracker
// clears its bit state for all of it), so a text dense with them ("$$$$",
// "<<<<", "the the ...") made many runs cost several times one unanchored
// run, and the offsets a growing slice.
const maxLeadRuns = 32

// find is re's first match in txt[lo:hi] (re.FindString of it, re being
// the pattern the lead came from): the anchored regex runs from each
// offset where a lead string begins, in order, on the text up to hi (up
// to the reach of its longest match and the margin, when that is nearer:
// a match ends at least the margin before the cut, so the assertions at
// its end see the same rune, and $ does not hold there on either text).
// With more than maxLeadRuns offsets, re runs on txt[lo:hi].
func (l *lead) find(re *regexp.Regexp, txt string, lo, hi int) string {
	if l.run != nil {
		return l.findRun(re, txt, lo, hi)
	}
	var buf [maxLeadRuns]int
	at := buf[:0]
	w := txt[lo:hi]
	for _, s := range l.strs {
		for i := 0; i < len(w); {
			j := strings.Index(w[i:], s)
			if j < 0 {
				break
			}
			if len(at) == maxLeadRuns {
				return re.FindString(w)
			}
			at = append(at, lo+i+j)
			i += j + 1
		}
	}
	slices.Sort(at)
	prev := -1
	for _, p := range at {
		if p == prev {
			continue
		}
		prev = p
		end := hi
		if l.maxLen >= 0 {
			end = min(hi, p+l.maxLen+windowMargin)
		}
		if m := l.re.get().FindString(txt[p:end]); m != "" {
			return m
		}
	}
	return ""
}

// findRun is find for a run lead: the anchored regex runs from each
// start of a run in turn (they come in order); after maxLeadRuns runs
// without a match, re runs on txt[lo:hi].
func (l *lead) findRun(re *regexp.Regexp, txt string, lo, hi int) string {
	run := l.run
	n := 0
	for p := lo; p < hi; p++ {
		if !run[txt[p]] || p > lo && run[txt[p-1]] {
			continue
		}
		if n == maxLeadRuns {
			return re.FindString(txt[lo:hi])
		}
		n++
		end := hi
		if l.maxLen >= 0 {
			end = min(hi, p+l.maxLen+windowMargin)
		}
		if m := l.re.get().FindString(txt[p:end]); m != "" {
			return m
		}
	}
	return ""
}
