package mail

// extractTextURLsRef is extractTextURLs as it was before it skipped to the
// runs that hold a '.' or ':'; FuzzExtractTextURLsSkip compares the two.
// findURLRef and trimURLEndRef are findURL and trimURLEnd as they were
// before they looked for a link without a lower-cased copy of the run
// (FuzzFindURLNoCopy).

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func extractTextURLsRef(s string) []URL {
	// Every link form needs a "/" (scheme://, host/path) or a ":"
	// (mailto:) or "www.".
	if strings.IndexByte(s, '/') < 0 && strings.IndexByte(s, ':') < 0 && !strings.Contains(s, "www.") && !strings.Contains(s, "WWW.") {
		return nil
	}
	var out []URL
	i := 0
	for i < len(s) {
		// Skip to the start of a run of URL characters.
		c := s[i]
		if c < 0x80 {
			if !urlByte[c] {
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !urlRune(r) {
				i += n
				continue
			}
		}
		j := i
		interesting := false
		hostStart := -1 // index just after "://" while in the host part; -2 once past it
		for j < len(s) {
			c := s[j]
			if c < 0x80 {
				if urlPlain[c] {
					j++
					continue
				}
				if !urlByte[c] {
					break
				}
				if c == '.' || c == ':' {
					interesting = true
				}
				if c == ':' && hostStart == -1 && strings.HasPrefix(s[j:], "://") {
					hostStart = j + 3
					j += 3
					continue
				}
				if (c == '/' || c == '?' || c == '#') && hostStart >= 0 {
					hostStart = -2
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[j:])
			if !urlRune(r) {
				// A CJK internationalised host (https://日本語ドメイン.jp/) goes
				// on; CJK text right after an ASCII host ("example.jpです")
				// does not: the CJK letters must be followed by ".tld".
				if hostStart >= 0 && j >= hostStart && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
					if k := idnHostEnd(s, j); k > j {
						j = k
						continue
					}
				}
				break
			}
			j += n
		}
		if interesting && j-i >= 4 {
			out = appendRunURLs(out, s[i:j])
			if len(out) >= 500 {
				return out
			}
		}
		i = j
	}
	return out
}

func urlsBothWays(t *testing.T, s string) {
	t.Helper()
	if got, want := extractTextURLs(s), extractTextURLsRef(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("extractTextURLs(%q):\n got %+v\nwant %+v", s, got, want)
	}
}

var urlSkipSeeds = []string{"", "a.b", "x http://a.example/ y", "日本語http://例え.jp/パス です. www.example.com",
	"a\xffb.example.com/x \xc2\xa0http://x.y/", "see: report.pdf, then http://a.b.example/c?d=e#f.", benchText,
	"https://日本語ドメイン.jp/ and again.example.org/x", "é.example.com/x ü:http://b.c/", strings.Repeat("word ", 50) + "end.com/x"}

func TestExtractTextURLsSkip(t *testing.T) {
	for _, s := range urlSkipSeeds {
		urlsBothWays(t, s)
	}
}

// FuzzExtractTextURLsSkip: skipping to the runs with '.' or ':' finds
// what the run-by-run scan found.
func FuzzExtractTextURLsSkip(f *testing.F) {
	for _, s := range urlSkipSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { urlsBothWays(t, s) })
}

func findURLRef(run string) (start, end int, ok bool) {
	low := run
	if hasUpper(run) {
		low = asciiLower(run)
	}
	best := -1
	if k := strings.Index(low, "://"); k > 0 {
		s := k
		for s > 0 && isSchemeByte(low[s-1]) {
			s--
		}
		for s < k && !(low[s] >= 'a' && low[s] <= 'z') {
			s++
		}
		if s < k && k+3 < len(low) && validAfterScheme(low[k+3]) {
			best = s
		}
	}
	if k := strings.Index(low, "mailto:"); k >= 0 && (best < 0 || k < best) && (k == 0 || !isAlnum(low[k-1])) && strings.IndexByte(low[k:], '@') > 0 {
		best = k
	}
	if k := indexWWW(low); k >= 0 && (best < 0 || k < best) {
		best = k
	}
	if best >= 0 {
		return best, len(run), true
	}
	// Scheme-less "host.tld/path".
	s := 0
	for s < len(low) && !isAlnum(low[s]) {
		s++
	}
	slash := strings.IndexByte(low[s:], '/')
	if slash <= 0 {
		return 0, 0, false
	}
	host := low[s : s+slash]
	if strings.IndexByte(host, '@') >= 0 || !hostWithTLD(host) {
		return 0, 0, false
	}
	return s, len(run), true
}

func trimURLEndRef(u string) string {
	opens := [2]int{strings.Count(u, "("), strings.Count(u, "[")}
	closes := [2]int{strings.Count(u, ")"), strings.Count(u, "]")}
	for len(u) > 0 {
		c := u[len(u)-1]
		k := -1
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '*':
			u = u[:len(u)-1]
			continue
		case ')':
			k = 0
		case ']':
			k = 1
		}
		if k >= 0 && opens[k] < closes[k] {
			closes[k]--
			u = u[:len(u)-1]
			continue
		}
		break
	}
	// A scheme alone is no link.
	if strings.HasSuffix(u, "://") || strings.HasSuffix(asciiLower(u), "mailto:") {
		return ""
	}
	return u
}

// FuzzFindURLNoCopy: findURL's early "no link here" and trimURLEnd's
// case-blind "mailto:" test give what the lower-cased copies gave.
func FuzzFindURLNoCopy(f *testing.F) {
	for _, s := range append(urlSkipSeeds, "Thanks.", "WWW.Example.COM", "wWw.x", "MAILTO:", "x@MailTo:", "Http://X.Y/", "a.b/c", "www", ".www.") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s1, e1, ok1 := findURL(s)
		s2, e2, ok2 := findURLRef(s)
		if s1 != s2 || e1 != e2 || ok1 != ok2 {
			t.Fatalf("findURL(%q) = %d, %d, %v; want %d, %d, %v", s, s1, e1, ok1, s2, e2, ok2)
		}
		if got, want := trimURLEnd(s), trimURLEndRef(s); got != want {
			t.Fatalf("trimURLEnd(%q) = %q, want %q", s, got, want)
		}
	})
}
