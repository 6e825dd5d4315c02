package mail

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/xurls/v2"
)

// Plain-text URL extraction is a hand-written linear scan: xurls' relaxed
// regular expression (an alternation of every TLD) cost ~95 % of parse time
// on the SpamAssassin corpus. xurls' TLD list still decides which
// scheme-less "host.tld/path" strings are links.

var tldSet = func() map[string]bool {
	m := make(map[string]bool, len(xurls.TLDs)+len(xurls.PseudoTLDs))
	for _, t := range xurls.TLDs {
		m[strings.ToLower(t)] = true
	}
	for _, t := range xurls.PseudoTLDs {
		m[strings.ToLower(t)] = true
	}
	return m
}()

// urlByte marks ASCII bytes that may appear inside a URL written in text.
var urlByte = func() (t [128]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range "<>\"`{}|\\^" {
		t[c] = false
	}
	return t
}()

// urlPlain marks the URL bytes that need no more thought while a run is
// scanned: all but the '.', ':', '/', '?' and '#' that mark hosts.
var urlPlain = func() (t [128]bool) {
	t = urlByte
	for _, c := range ".:/?#" {
		t[c] = false
	}
	return t
}()

// urlRune reports whether a non-ASCII rune may continue a URL in text.
// CJK scripts, full-width forms, Japanese and general punctuation end it:
// Japanese writers put a URL straight before 「です」 or "。" with no space.
// Other letters (Cyrillic, Greek, accented Latin) stay, for IDN hosts.
func urlRune(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r < 0xA0:
		return false
	case r >= 0x2000 && r <= 0x2BFF: // general punctuation, arrows, symbols
		return false
	case r >= 0x2E80 && r <= 0xA4CF: // CJK radicals, punctuation, kana, Han, Yi
		return false
	case r >= 0xAC00 && r <= 0xD7FF: // Hangul
		return false
	case r >= 0xF900 && r <= 0xFAFF: // CJK compatibility
		return false
	case r >= 0xFE30 && r <= 0xFFFF: // CJK forms, full-width and half-width forms, specials
		return false
	case r >= 0x20000:
		return false
	case r == 0xA0 || r == 0xAB || r == 0xBB || r == 0xA7 || r == 0xB6:
		return false
	}
	return true
}

// extractTextURLs finds URLs in plain text.
func extractTextURLs(s string) []URL {
	// Every link form needs a "/" (scheme://, host/path) or a ":"
	// (mailto:) or "www.".
	if strings.IndexByte(s, '/') < 0 && strings.IndexByte(s, ':') < 0 && !strings.Contains(s, "www.") && !strings.Contains(s, "WWW.") {
		return nil
	}
	var out []URL
	i := 0
	// Only a run holding a '.' or ':' can give a URL. mark is the first of
	// them at or after i, dot and colon the next of each; sep is the last
	// byte before mark that is not an ASCII URL byte, or before i.
	mark, sep, dot, colon := -1, -1, -1, -1
	for i < len(s) {
		if mark < i {
			if dot < i && dot != len(s) {
				dot = indexByteFrom(s, i, '.')
			}
			if colon < i && colon != len(s) {
				colon = indexByteFrom(s, i, ':')
			}
			mark = min(dot, colon)
			if mark == len(s) {
				return out
			}
			sep = mark - 1
			for sep >= i && s[sep] < 0x80 && urlByte[s[sep]] {
				sep--
			}
		}
		if sep >= i && s[sep] < 0x80 {
			// The runs before sep (an ASCII byte no run goes past: no
			// "://" before mark) hold no '.' or ':'.
			i = sep + 1
		}
		// Else from i to mark all is ASCII URL bytes (a run starts at
		// i), or a non-ASCII character at sep: go on run by run.

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

// indexByteFrom is the index of the first c in s at or after i, or len(s).
func indexByteFrom(s string, i int, c byte) int {
	if k := strings.IndexByte(s[i:], c); k >= 0 {
		return i + k
	}
	return len(s)
}

// idnHostEnd returns where an internationalised host that continues at j
// ends, or -1 when the letters at j are not part of a host: the host must
// go on to a dot and an ASCII top-level label of two or more letters.
func idnHostEnd(s string, j int) int {
	k, lastDot := j, -1
	for k < len(s) {
		r, n := utf8.DecodeRuneInString(s[k:])
		switch {
		case r == '.':
			lastDot = k
		case r < 0x80 && (isAlnum(byte(r)) || r == '-'):
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
		default:
			n = 0
		}
		if n == 0 {
			break
		}
		k += n
		if k-j > 253 {
			return -1
		}
	}
	if lastDot <= j {
		return -1
	}
	tld := s[lastDot+1 : k]
	if len(tld) < 2 {
		return -1
	}
	for i := 0; i < len(tld); i++ {
		if !(tld[i] >= 'a' && tld[i] <= 'z' || tld[i] >= 'A' && tld[i] <= 'Z') {
			return -1
		}
	}
	return k
}

// appendRunURLs finds the URL(s) in one run of non-space URL characters.
func appendRunURLs(out []URL, run string) []URL {
	for len(run) > 0 {
		start, end, ok := findURL(run)
		if !ok {
			return out
		}
		u := trimURLEnd(run[start:end])
		if u != "" {
			out = append(out, makeURL(u, "text"))
		}
		run = run[end:]
	}
	return out
}

// findURL returns the first URL in run. A URL with a scheme runs to the
// end of the run (it may hold further URLs: redirectors); a "www." or bare
// host link too.
func findURL(run string) (start, end int, ok bool) {
	if strings.IndexByte(run, '/') < 0 && strings.IndexByte(run, ':') < 0 && !hasWWWFold(run) {
		// No "://", "mailto:", "www." or host/path: no link (and no
		// lower-cased copy of the run made to find none).
		return 0, 0, false
	}
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

// hasWWWFold reports whether asciiLower(s) holds "www.".
func hasWWWFold(s string) bool {
	for i := 3; i < len(s); i++ {
		if s[i] == '.' && s[i-1]|0x20 == 'w' && s[i-2]|0x20 == 'w' && s[i-3]|0x20 == 'w' {
			return true
		}
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isSchemeByte(c byte) bool {
	return isAlnum(c) || c == '+' || c == '-' || c == '.'
}

func validAfterScheme(c byte) bool {
	return c >= 0x80 || isAlnum(c) || c == '[' || c == '%' || c == '_' || c == '-'
}

// indexWWW finds "www." at a word boundary followed by a host character.
func indexWWW(low string) int {
	off := 0
	for {
		k := strings.Index(low[off:], "www.")
		if k < 0 {
			return -1
		}
		k += off
		if (k == 0 || !isAlnum(low[k-1]) && low[k-1] != '.' && low[k-1] != '/') && k+4 < len(low) && (isAlnum(low[k+4]) || low[k+4] >= 0x80) {
			return k
		}
		off = k + 4
	}
}

// hostWithTLD reports whether h looks like a host name ending in a known TLD.
func hostWithTLD(h string) bool {
	if i := strings.IndexByte(h, ':'); i >= 0 { // port
		h = h[:i]
	}
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 || dot == len(h)-1 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(isAlnum(c) || c == '-' || c == '.' || c >= 0x80) {
			return false
		}
	}
	return tldSet[h[dot+1:]]
}

// trimURLEnd drops trailing punctuation a writer meant as prose, keeping a
// closing bracket that matches one inside the URL.
func trimURLEnd(u string) string {
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
	if strings.HasSuffix(u, "://") || len(u) >= 7 && asciiFoldEqual(u[len(u)-7:], "mailto:") {
		return ""
	}
	return u
}

// makeURL fills Scheme and Host for a raw URL string.
func makeURL(raw, source string) URL {
	u := URL{Raw: raw, Source: source}
	if !utf8.ValidString(u.Raw) {
		u.Raw = strings.ToValidUTF8(u.Raw, "\uFFFD")
	}
	s := u.Raw
	if len(s) > 4096 {
		s = s[:4096]
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "www.") {
		s = "http://" + s
	} else if i := strings.Index(s, ":"); i > 0 {
		sch := strings.ToLower(s[:i])
		if isScheme(sch) {
			u.Scheme = sch
		}
	}
	if u.Scheme == "" && !strings.Contains(s, "://") && !strings.HasPrefix(s, "//") {
		// Scheme-less "host.tld/path" from text.
		if source == "text" {
			s = "http://" + s
		}
	}
	u.Host = hostOf(s, u.Scheme)
	return u
}

// hostOf extracts the lower-case host from a URL, salvaging what net/url
// refuses (bad escapes, spaces, backslashes).
func hostOf(s, scheme string) string {
	switch scheme {
	case "mailto", "data", "javascript", "tel", "sms", "cid", "about", "file":
		return ""
	}
	rest := s
	switch {
	case (scheme == "http" || scheme == "https" || scheme == "ftp") && len(rest) > len(scheme):
		// Browsers accept "http:/\evil.example" and "http:evil.example".
		rest = rest[len(scheme)+1:]
	case strings.Contains(rest, "://"):
		rest = rest[strings.Index(rest, "://")+3:]
	case strings.HasPrefix(rest, "//"):
		rest = rest[2:]
	default:
		return ""
	}
	rest = strings.TrimLeft(rest, "/\\")
	if i := strings.IndexAny(rest, "/?#\\ \t\r\n"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i > 0 {
			rest = rest[1:i]
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	if strings.IndexByte(rest, '%') >= 0 {
		if un, err := url.PathUnescape(rest); err == nil {
			rest = un
		}
	}
	rest = strings.TrimSuffix(strings.ToLower(rest), ".")
	if !utf8.ValidString(rest) {
		rest = strings.ToValidUTF8(rest, "")
	}
	return rest
}

func isScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, so byte offsets in the result
// are valid in the input (strings.ToLower may change lengths).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			var sb strings.Builder
			sb.Grow(len(s))
			sb.WriteString(s[:i])
			for j := i; j < len(s); j++ {
				c := s[j]
				if c >= 'A' && c <= 'Z' {
					c += 32
				}
				sb.WriteByte(c)
			}
			return sb.String()
		}
	}
	return s
}
