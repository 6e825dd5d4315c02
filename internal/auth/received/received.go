// Package received parses Received trace fields (RFC 5321 §4.4, RFC 5322
// §3.6.7) as MTAs really write them (Postfix, Sendmail, Exim, qmail,
// Microsoft, Japanese ISPs) and walks the chain to the first hop not
// written by a trusted relay: the client that handed the message to the
// organisation, with its IP address, HELO and reverse name.
package received

import (
	"math/bits"
	"net/netip"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/mail"
)

// Hop is one parsed Received field.
type Hop struct {
	Helo   string     // the name the client gave (HELO/EHLO), lower-case
	RDNS   string     // the reverse name the receiving MTA found, "" for unknown
	IP     netip.Addr // the client address (invalid when none)
	By     string     // the receiving host
	With   string     // protocol: SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP, local ...
	ID     string
	For    string
	Forged bool // the MTA itself noted "may be forged"
	Raw    string
}

// Date returns the date after the field's last ";" (zero when there is
// none or it does not parse). It is parsed when asked for: no check reads
// it, and parsing it was about a quarter of Parse.
func (h *Hop) Date() time.Time {
	if i := strings.LastIndexByte(h.Raw, ';'); i >= 0 {
		if d, ok := parseDate(strings.TrimSpace(h.Raw[i+1:])); ok {
			return d
		}
	}
	return time.Time{}
}

// MaxLen bounds how much of one field is parsed.
const MaxLen = 4096

// Parse parses one Received value (unfolded).
func Parse(v string) Hop {
	if len(v) > MaxLen {
		v = v[:MaxLen]
	}
	h := Hop{Raw: v}
	body := v
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		body = v[:i] // the date after it: Hop.Date
	}
	var tokBuf [48]token
	toks := tokenize(tokBuf[:0], body)
	// Clauses: from X (...) by Y (...) via with id for.
	clause := ""
	var comBuf [4]string
	fromComments := comBuf[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.comment {
			if clause == "from" {
				fromComments = append(fromComments, t.s)
			}
			if containsLower(t.s, "may be forged") {
				h.Forged = true
			}
			continue
		}
		if kw := keyword(t.s); kw != "" {
			clause = kw
			continue
		}
		switch clause {
		case "from":
			if h.Helo == "" && !h.IP.IsValid() {
				if ip, ok := parseIPLiteral(t.s); ok {
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
		h.readComment(c)
	}
	if !h.IP.IsValid() {
		if ip, ok := parseIPLiteral(h.Helo); ok {
			h.IP = ip
		}
	}
	if h.Helo == "unknown" {
		h.Helo = ""
	}
	return h
}

// clauses are the words that open a clause, as keyword returns them.
var clauses = [...]string{"from", "by", "via", "with", "id", "for"}

// keyword returns the clause word s is (compared lower-cased, as
// strings.ToLower would), or "".
func keyword(s string) string {
	if len(s) < 2 || len(s) > 4 {
		if len(s) < 2 || !hasNonASCII(s) {
			return ""
		}
		// ToLower can shorten or lengthen non-ASCII text.
		return keywordSlow(s)
	}
	if hasNonASCII(s) {
		return keywordSlow(s)
	}
	// The clause words of s's length ("by", "id"; "via", "for"; "from",
	// "with"), in clauses' order.
	var a, b string
	switch len(s) {
	case 2:
		a, b = "by", "id"
	case 3:
		a, b = "via", "for"
	default:
		a, b = "from", "with"
	}
	switch {
	case ascii.EqualLower(s, a):
		return a
	case ascii.EqualLower(s, b):
		return b
	}
	return ""
}

func keywordSlow(s string) string {
	lw := strings.ToLower(s)
	for _, k := range clauses {
		if lw == k {
			return k
		}
	}
	return ""
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// lowerIs reports whether strings.ToLower(s) == lw without building the
// lower-cased copy for ASCII s.
func lowerIs(s, lw string) bool {
	if hasNonASCII(s) {
		return strings.ToLower(s) == lw
	}
	return ascii.EqualLower(s, lw)
}

// lowerHasPrefix reports whether strings.HasPrefix(strings.ToLower(s), p)
// (p lower-case ASCII).
func lowerHasPrefix(s, p string) bool {
	if len(s) >= len(p) && !hasNonASCII(s[:len(p)]) {
		return ascii.EqualLower(s[:len(p)], p)
	}
	if !hasNonASCII(s) {
		return false // shorter than p
	}
	return strings.HasPrefix(strings.ToLower(s), p)
}

// containsLower reports whether strings.ToLower(s) contains sub (lower-case
// ASCII letters and spaces, none of them the lower case of a non-ASCII
// letter, so that ASCII folding of s finds exactly the same matches).
func containsLower(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	c0 := sub[0]
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == c0 && ascii.EqualLower(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// readComment reads the comment after the from-name: "(rdns [ip])",
// "([ip])", "(HELO name)", "([ip] helo=name)", "(ip)", "(may be forged)".
func (h *Hop) readComment(c string) {
	var wordBuf [16]string
	words := appendFields(wordBuf[:0], c)
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case lowerIs(w, "helo") || lowerIs(w, "ehlo"):
			if i+1 < len(words) {
				h.Helo = strings.ToLower(strings.Trim(words[i+1], "<>()"))
				i++
			}
		case lowerHasPrefix(w, "helo=") || lowerHasPrefix(w, "ehlo="):
			h.Helo = strings.ToLower(strings.Trim(w[5:], "<>()"))
		case strings.HasPrefix(w, "["):
			if ip, ok := parseIPLiteral(w); ok && !h.IP.IsValid() {
				h.IP = ip
			}
		default:
			if ip, ok := parseIPLiteral(w); ok {
				if !h.IP.IsValid() {
					h.IP = ip
				}
				continue
			}
			// A host name before the bracketed address is the reverse name.
			if h.RDNS == "" && strings.Contains(w, ".") && i+1 < len(words) && strings.HasPrefix(words[i+1], "[") && !lowerIs(w, "unknown") {
				h.RDNS = strings.ToLower(strings.TrimSuffix(w, "."))
			}
		}
	}
}

// appendFields appends the words of c split at space, tab and comma
// (strings.FieldsFunc with those separators).
func appendFields(dst []string, c string) []string {
	start := -1
	for i := 0; i < len(c); i++ {
		b := c[i]
		if b == ' ' || b == '\t' || b == ',' {
			if start >= 0 {
				dst = append(dst, c[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, c[start:])
	}
	return dst
}

// parseIPLiteral reads "[1.2.3.4]", "[IPv6:2001:db8::1]", "1.2.3.4",
// "[1.2.3.4]:25".
func parseIPLiteral(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	for len(s) > 0 && (s[len(s)-1] == ',' || s[len(s)-1] == ';' || s[len(s)-1] == ')') {
		s = s[:len(s)-1] // strings.TrimRight(s, ",;)") without its cutset set-up
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			s = s[1:i]
		} else {
			s = s[1:]
		}
	}
	if len(s) > 5 && ascii.EqualLower(s[:5], "ipv6:") {
		s = s[5:]
	}
	if i := strings.IndexByte(s, '%'); i > 0 {
		s = s[:i]
	}
	if !addrChars(s) {
		return netip.Addr{}, false // what ParseAddr would refuse, without its error value
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// addrChars reports whether s could be an address netip.ParseAddr accepts
// (no zone): hex digits, dots and colons, with a dot or a colon.
func addrChars(s string) bool {
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == ':':
			sep = true
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return sep
}

// parseDate is mail.ParseDate for the date after the last ";". MTAs that
// fold the field leave runs of spaces in it ("Fri,    2 Aug 2002 ..."),
// and many add comments after the zone ("-0500 (CDT)\t(envelope-from
// x)"), which mail's fast path does not take and net/mail parses only
// after failing most of its layouts (some 70 allocations). net/mail reads
// a date with a numeric zone as the text up to the zone, and of the rest
// only checks that the comments it starts with are balanced; time.Parse
// matches a layout space to any run of spaces. So the text up to the
// zone with its runs of spaces squeezed, alone, parses the same
// (FuzzParseDate holds the two to that).
func parseDate(s string) (time.Time, bool) {
	if q, ok := squeezeDate(s); ok {
		s = q
	}
	d, err := mail.ParseDate(s)
	return d, err == nil
}

// squeezeDate returns the date up to its numeric zone (the first + or -
// and four digits) with runs of spaces squeezed, when what follows the
// zone passes net/mail's comment check; ok is false when s is to be
// parsed as it is.
func squeezeDate(s string) (string, bool) {
	if strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0 {
		return "", false // net/mail removes CRLF and refuses a lone CR first
	}
	z := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			z = i
			break
		}
	}
	if z < 0 || len(s) < z+5 {
		return "", false
	}
	for i := z + 1; i < z+5; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	if !cfwsOK(s[z+5:]) {
		return "", false // an error either way
	}
	if !strings.Contains(s[:z], "  ") {
		if len(s) == z+5 {
			return "", false // nothing to drop or squeeze
		}
		return s[:z+5], true // nothing to squeeze: no copy
	}
	var buf [128]byte
	b := squeeze(buf[:0], s[:z])
	b = append(b, s[z:z+5]...)
	return string(b), true
}

// cfwsOK reports whether net/mail's skipCFWS accepts s: blanks (space,
// tab) and balanced comments (a backslash escapes the next byte) up to
// the end or to anything else.
func cfwsOK(s string) bool {
	s = strings.TrimLeft(s, " \t")
	for len(s) > 0 && s[0] == '(' {
		s = s[1:]
		depth := 1
		for len(s) > 0 && depth > 0 {
			switch {
			case s[0] == '\\' && len(s) > 1:
				s = s[1:]
			case s[0] == '(':
				depth++
			case s[0] == ')':
				depth--
			}
			s = s[1:]
		}
		if depth != 0 {
			return false
		}
		s = strings.TrimLeft(s, " \t")
	}
	return true
}

// squeeze appends s with each run of spaces as one space.
func squeeze(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		dst = append(dst, s[i])
	}
	return dst
}

// Bytes of every lane of a word, for the eight-at-a-time scans.
const (
	lanes1  = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// load8 is s[j:j+8] as a little-endian word (one bounds check).
func load8(s string, j int) uint64 {
	t := s[j : j+8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// zeroLanes has the top bit set in the lanes of w that are 0; the lowest
// set bit is exact (a borrow only marks lanes above a zero one), which is
// all the scans below use.
func zeroLanes(w uint64) uint64 { return (w - lanes1) &^ w & lanes80 }

// commentEnd is the index of the ")" closing the comment opened at s[i]
// ("("), nested comments and "\" escapes counted, or len(s) or
// len(s)+1 (an escape as the last byte) when it is not closed. Eight
// bytes at a time: a word with none of "\", "(", ")" is skipped whole;
// otherwise j goes to the first of them (the lowest lane flagged is exact).
func commentEnd(s string, i int) int {
	depth := 0
	j := i
	for j < len(s) {
		if j+8 <= len(s) {
			w := load8(s, j)
			m := zeroLanes(w^('\\'*lanes1)) | zeroLanes(w^('('*lanes1)) | zeroLanes(w^(')'*lanes1))
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) >> 3
		}
		switch s[j] {
		case '\\':
			j += 2
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
		j++
	}
	return j
}

type token struct {
	s       string
	comment bool
}

// tokenize splits on whitespace, keeping parenthesised comments (nested)
// as single tokens; it appends to dst.
func tokenize(dst []token, s string) []token {
	out := dst
	i := 0
	for i < len(s) && len(out)-len(dst) < 256 {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			end := commentEnd(s, i)
			if end > len(s) {
				end = len(s)
			}
			out = append(out, token{s: s[i+1 : end], comment: true})
			i = end + 1
		default:
			// A word ends at white space or "(", all below 0x29: the
			// other bytes (most of a word) pass on one compare.
			w := s[i+1:]
			k := len(w)
			for x, c := range []byte(w) {
				if c > '(' {
					continue
				}
				if c == ' ' || c == '(' || c == '\t' || c == '\r' || c == '\n' {
					k = x
					break
				}
			}
			j := i + 1 + k
			out = append(out, token{s: s[i:j]})
			i = j
		}
	}
	return out
}

// Trust says which relays are the organisation's own.
type Trust struct {
	// Hosts are host names of trusted relays; an entry starting with "."
	// matches any subdomain.
	Hosts []string
	// Nets are trusted relay networks.
	Nets []netip.Prefix
}

// Empty reports whether nothing is trusted.
func (t Trust) Empty() bool { return len(t.Hosts) == 0 && len(t.Nets) == 0 }

// HostTrusted reports whether a host name is a trusted relay.
func (t Trust) HostTrusted(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return false
	}
	for _, h := range t.Hosts {
		h = strings.ToLower(h)
		if strings.HasPrefix(h, ".") {
			if strings.HasSuffix(host, h) || host == h[1:] {
				return true
			}
		} else if host == h {
			return true
		}
	}
	return false
}

// IPTrusted reports whether an address is in a trusted network.
func (t Trust) IPTrusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	for _, n := range t.Nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// FirstUntrusted walks hops (newest first, as in the header) and returns
// the index of the first hop whose client is not a trusted relay, where
// that hop was itself written by a trusted relay. ok is false when the
// newest hop was not written by a trusted relay, or the chain ends inside
// the trusted zone (local submission).
func FirstUntrusted(hops []Hop, t Trust) (int, bool) {
	if t.Empty() || len(hops) == 0 {
		return -1, false
	}
	for i, h := range hops {
		writtenByTrusted := t.HostTrusted(h.By) || (i > 0)
		if i == 0 && !writtenByTrusted {
			// The newest field may have no usable "by" (some MTAs); accept it
			// when its client is trusted or it is the only evidence.
			if !t.HostTrusted(h.By) && h.By != "" && len(t.Hosts) > 0 {
				return -1, false
			}
		}
		if !h.IP.IsValid() {
			// A hop without an address (local pickup, HTTP submission) is
			// inside the trusted zone only if written by a trusted host.
			if h.By != "" && t.HostTrusted(h.By) {
				continue
			}
			return -1, false
		}
		if t.IPTrusted(h.IP) || t.HostTrusted(h.RDNS) {
			continue
		}
		return i, true
	}
	return -1, false
}

// Origin returns the oldest hop with a client address: where the message
// claims to have entered the mail system (not proof: hops below the first
// untrusted one can be forged).
func Origin(hops []Hop) (int, bool) {
	for i := len(hops) - 1; i >= 0; i-- {
		if hops[i].IP.IsValid() {
			return i, true
		}
	}
	return -1, false
}

// Reserved reports whether an address is private, loopback, link-local,
// shared (CGN, RFC 6598), documentation or otherwise not routable.
func Reserved(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return true
	}
	for _, p := range reservedNets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

var reservedNets = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"2001:db8::/32", "100::/64", "fc00::/7",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()
