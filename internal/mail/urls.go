package mail

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/xurls/v2"
)

var textURLRe = xurls.Relaxed()

// jpStop are characters that end a URL written in Japanese text (xurls
// would keep them: they are valid in IRIs, but a writer means them as
// punctuation).
const jpStop = "、。，．「」『』（）【】〈〉《》！？：；　…・"

// extractTextURLs finds URLs in plain text.
func extractTextURLs(s string) []URL {
	if !strings.Contains(s, ".") {
		return nil
	}
	var out []URL
	for _, m := range textURLRe.FindAllString(s, 500) {
		if i := strings.IndexAny(m, jpStop); i >= 0 {
			m = m[:i]
		}
		m = strings.TrimRightFunc(m, func(r rune) bool { return r > 0x7f && !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		if m == "" {
			continue
		}
		low := strings.ToLower(m)
		if !strings.Contains(low, "://") && !strings.HasPrefix(low, "www.") && !strings.HasPrefix(low, "mailto:") {
			// Bare "example.com" style: keep only when it looks like a host
			// with a path or a known scheme-less link, to avoid matching
			// file names such as "report.pdf".
			if strings.Contains(m, "@") || !strings.Contains(m, "/") {
				continue
			}
		}
		out = append(out, makeURL(m, "text"))
	}
	return out
}

// makeURL fills Scheme and Host for a raw URL string.
func makeURL(raw, source string) URL {
	u := URL{Raw: raw, Source: source}
	s := raw
	if len(s) > 4096 {
		s = s[:4096]
	}
	low := strings.ToLower(s)
	if strings.HasPrefix(low, "www.") {
		s = "http://" + s
	}
	if i := strings.Index(s, ":"); i > 0 {
		sch := strings.ToLower(s[:i])
		if isScheme(sch) {
			u.Scheme = sch
		}
	}
	if pu, err := url.Parse(strings.TrimSpace(s)); err == nil {
		u.Host = strings.ToLower(strings.TrimSuffix(pu.Hostname(), "."))
	} else if u.Scheme == "http" || u.Scheme == "https" {
		// Salvage the host from a URL net/url refuses (bad escapes etc.).
		rest := s[len(u.Scheme)+1:]
		rest = strings.TrimLeft(rest, "/\\")
		if i := strings.IndexAny(rest, "/?#\\"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest, "]") {
			rest = rest[:i]
		}
		u.Host = strings.ToLower(rest)
	}
	if !utf8.ValidString(u.Host) {
		u.Host = strings.ToValidUTF8(u.Host, "")
	}
	return u
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
