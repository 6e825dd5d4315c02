package mail

// The byte-at-a-time writeCollapsed and tidySpaces, as they were before
// they copied runs; FuzzCollapseRuns compares the two.

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func writeCollapsedRef(sb *strings.Builder, t []byte, pre bool) bool {
	wrote := false
	space := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch c {
		case '\n':
			if pre {
				sb.WriteByte('\n')
				wrote = true
				space = false
				continue
			}
			space = true
		case ' ', '\t', '\r', '\f':
			space = true
		default:
			if space {
				sb.WriteByte(' ')
				space = false
			}
			sb.WriteByte(c)
			wrote = true
		}
	}
	if space {
		sb.WriteByte(' ')
		wrote = true
	}
	return wrote
}

func tidySpacesRef(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	nl := 0        // pending newlines
	space := false // pending space
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch c {
			case '\n':
				nl++
				space = false
				i++
				continue
			case ' ', '\t', '\r', '\f', '\v':
				space = true
				i++
				continue
			}
		} else if c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 { // NBSP
			space = true
			i += 2
			continue
		}
		if sb.Len() > 0 {
			if nl >= 2 {
				sb.WriteString("\n\n")
			} else if nl == 1 {
				sb.WriteByte('\n')
			} else if space {
				sb.WriteByte(' ')
			}
		}
		nl, space = 0, false
		if c < 0x80 {
			sb.WriteByte(c)
			i++
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		sb.WriteString(s[i : i+n])
		i += n
	}
	return sb.String()
}

func collapseBothWays(t *testing.T, s string) {
	t.Helper()
	for _, pre := range []bool{false, true} {
		var a, b strings.Builder
		a.WriteString("x")
		b.WriteString("x")
		wa := writeCollapsed(&a, []byte(s), pre)
		wb := writeCollapsedRef(&b, []byte(s), pre)
		if a.String() != b.String() || wa != wb {
			t.Fatalf("writeCollapsed(%q, %v) = %q, %v; want %q, %v", s, pre, a.String(), wa, b.String(), wb)
		}
	}
	if got, want := tidySpaces(s), tidySpacesRef(s); got != want {
		t.Fatalf("tidySpaces(%q) = %q, want %q", s, got, want)
	}
}

var collapseSeeds = []string{"", " ", "a", " a  b\t\tc\r\n\n\nd \f\v e ", "\u00a0x\u00a0\u00a0y\u00a0", "\xc2", "\xc2\xa0", "\xe0\xc2\xa0z",
	"\n\n\n a \n b \n\n", "日本 語\u3000x", "a\xffb\xc2\xc2\xa0", benchText}

func TestCollapseRuns(t *testing.T) {
	for _, s := range collapseSeeds {
		collapseBothWays(t, s)
	}
}

// FuzzCollapseRuns: writeCollapsed and tidySpaces write what the byte
// loops wrote.
func FuzzCollapseRuns(f *testing.F) {
	for _, s := range collapseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { collapseBothWays(t, s) })
}

// FuzzSmallScans: nameBytes and hasTabOrLineEnd are the library calls
// they replace.
func FuzzSmallScans(f *testing.F) {
	for _, s := range []string{"", "Subject", "Sub ject", "X-\xe2\x80\x8b", "a\tb", "http://x/\r\ny", "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, high := nameBytes([]byte(s))
		if sp != strings.ContainsAny(s, " \t") || high != (strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 }) >= 0) {
			t.Fatalf("nameBytes(%q) = %v, %v", s, sp, high)
		}
		if hasTabOrLineEnd(s) != strings.ContainsAny(s, "\t\r\n") {
			t.Fatalf("hasTabOrLineEnd(%q)", s)
		}
	})
}
