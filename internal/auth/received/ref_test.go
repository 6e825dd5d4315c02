package received

import (
	"net/netip"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/mail"
)

// The code before the allocation-free rewrite (issue 17), kept as the
// reference the differential fuzz test compares with.

// dateRef is the reference's date of a Received value (Hop.Date).
func dateRef(v string) time.Time {
	if len(v) > MaxLen {
		v = v[:MaxLen]
	}
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		if d, err := mail.ParseDate(strings.TrimSpace(v[i+1:])); err == nil {
			return d
		}
	}
	return time.Time{}
}

// Parse parses one Received value (unfolded).
func parseRef(v string) Hop {
	if len(v) > MaxLen {
		v = v[:MaxLen]
	}
	h := Hop{Raw: v}
	body := v
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		body = v[:i] // the date: dateRef
	}
	toks := tokenizeRef(body)
	// Clauses: from X (...) by Y (...) via with id for.
	clause := ""
	var fromComments []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.comment {
			if clause == "from" {
				fromComments = append(fromComments, t.s)
			}
			if strings.Contains(strings.ToLower(t.s), "may be forged") {
				h.Forged = true
			}
			continue
		}
		lw := strings.ToLower(t.s)
		switch lw {
		case "from", "by", "via", "with", "id", "for":
			clause = lw
			continue
		}
		switch clause {
		case "from":
			if h.Helo == "" && !h.IP.IsValid() {
				if ip, ok := parseIPLiteralRef(t.s); ok {
					h.IP = ip
				} else {
					h.Helo = strings.ToLower(strings.Trim(t.s, "<>"))
				}
			}
		case "by":
			if h.By == "" {
				h.By = strings.ToLower(t.s)
			}
		case "with":
			if h.With == "" {
				h.With = strings.ToUpper(t.s)
			}
		case "id":
			if h.ID == "" {
				h.ID = strings.Trim(t.s, "<>")
			}
		case "for":
			if h.For == "" {
				h.For = strings.Trim(t.s, "<>")
			}
		}
	}
	for _, c := range fromComments {
		readCommentRef(&h, c)
	}
	if !h.IP.IsValid() {
		if ip, ok := parseIPLiteralRef(h.Helo); ok {
			h.IP = ip
		}
	}
	if h.Helo == "unknown" {
		h.Helo = ""
	}
	return h
}

// readComment reads the comment after the from-name: "(rdns [ip])",
// "([ip])", "(HELO name)", "([ip] helo=name)", "(ip)", "(may be forged)".
func readCommentRef(h *Hop, c string) {
	words := strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	for i := 0; i < len(words); i++ {
		w := words[i]
		lw := strings.ToLower(w)
		switch {
		case lw == "helo" || lw == "ehlo":
			if i+1 < len(words) {
				h.Helo = strings.ToLower(strings.Trim(words[i+1], "<>()"))
				i++
			}
		case strings.HasPrefix(lw, "helo=") || strings.HasPrefix(lw, "ehlo="):
			h.Helo = strings.ToLower(strings.Trim(w[5:], "<>()"))
		case strings.HasPrefix(w, "["):
			if ip, ok := parseIPLiteralRef(w); ok && !h.IP.IsValid() {
				h.IP = ip
			}
		default:
			if ip, ok := parseIPLiteralRef(w); ok {
				if !h.IP.IsValid() {
					h.IP = ip
				}
				continue
			}
			// A host name before the bracketed address is the reverse name.
			if h.RDNS == "" && strings.Contains(w, ".") && i+1 < len(words) && strings.HasPrefix(words[i+1], "[") && lw != "unknown" {
				h.RDNS = strings.ToLower(strings.TrimSuffix(w, "."))
			}
		}
	}
}

// parseIPLiteral reads "[1.2.3.4]", "[IPv6:2001:db8::1]", "1.2.3.4",
// "[1.2.3.4]:25".
func parseIPLiteralRef(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ",;)")
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			s = s[1:i]
		} else {
			s = s[1:]
		}
	}
	if len(s) > 5 && strings.EqualFold(s[:5], "ipv6:") {
		s = s[5:]
	}
	if i := strings.IndexByte(s, '%'); i > 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

type tokenRef struct {
	s       string
	comment bool
}

// tokenize splits on whitespace, keeping parenthesised comments (nested)
// as single tokens.
func tokenizeRef(s string) []tokenRef {
	var out []tokenRef
	i := 0
	for i < len(s) && len(out) < 256 {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			j := i
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := j
			if end > len(s) {
				end = len(s)
			}
			out = append(out, tokenRef{s: s[i+1 : end], comment: true})
			i = end + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n' && s[j] != '(' {
				j++
			}
			out = append(out, tokenRef{s: s[i:j]})
			i = j
		}
	}
	return out
}
