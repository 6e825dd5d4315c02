// Package normalize turns a link as written in a message into what a
// browser would open: it undoes defanging (hxxp, [.], (dot)), HTML-entity
// and percent encoding of the host, backslashes, numeric/hex/octal/dword
// IPv4 hosts (the inet_aton forms browsers accept, WHATWG URL §3.5 "IPv4
// parser"), userinfo tricks ("https://amazon.co.jp@evil.example/"), and
// converts IDN hosts to their A-label and U-label forms (RFC 5891, UTS #46).
// It then unwraps known redirectors and tracker parameters (Google /url?q=,
// Microsoft Safe Links, Proofpoint URL Defense, Facebook l.php, generic
// redirect parameters), nested up to MaxDepth.
//
// Nothing here touches the network. Every input is bounded: URLs longer
// than MaxLen are cut, and the unwrapping depth is limited.
package normalize

import (
	"encoding/base64"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/link/psl"
	"golang.org/x/net/idna"
)

// Bounds.
const (
	MaxLen   = 8192 // bytes of a URL considered
	MaxDepth = 5    // redirector unwrapping depth
)

// Trick names recorded in Link.Tricks.
const (
	TrickDefanged   = "defanged"    // hxxp, [.], (dot)
	TrickEntity     = "entity"      // HTML entities in the URL
	TrickPercent    = "percent"     // percent-encoded host
	TrickBackslash  = "backslash"   // backslashes in place of slashes
	TrickNumericIP  = "numeric_ip"  // decimal/hex/octal/dword IPv4 host
	TrickUserinfo   = "userinfo"    // userinfo that looks like a host name
	TrickFullwidth  = "fullwidth"   // full-width dots or letters in the host
	TrickSchemeCase = "scheme_form" // "http:/host", "http:\\host"
)

// Link is one normalised URL.
type Link struct {
	Raw         string     // as given
	URL         string     // normalised, ASCII host
	Scheme      string     // lower-case; "" for a bare host
	Host        string     // ASCII (A-label) lower-case host, no port, no trailing dot
	HostUnicode string     // U-label form (same as Host when not IDN)
	Registrable string     // eTLD+1 of Host ("" for IPs and bare suffixes)
	Suffix      string     // public suffix of Host
	IP          netip.Addr // valid when the host is an IP literal
	Userinfo    string     // the part before "@" in the authority, decoded
	Path        string     // decoded path
	RawQuery    string
	Punycode    bool     // some label is an A-label (xn--)
	Tricks      []string // obfuscations undone
}

// IsWeb reports whether the link is http(s) (or a bare host).
func (l *Link) IsWeb() bool {
	return l.Scheme == "http" || l.Scheme == "https" || l.Scheme == ""
}

func (l *Link) trick(s string) {
	for _, t := range l.Tricks {
		if t == s {
			return
		}
	}
	l.Tricks = append(l.Tricks, s)
}

// HasTrick reports whether an obfuscation was undone.
func (l *Link) HasTrick(s string) bool {
	for _, t := range l.Tricks {
		if t == s {
			return true
		}
	}
	return false
}

var defangReplacer = strings.NewReplacer(
	"[.]", ".", "(.)", ".", "{.}", ".", "[dot]", ".", "(dot)", ".", "{dot}", ".",
	"[DOT]", ".", "(DOT)", ".", "[:]", ":", "[://]", "://", "[@]", "@", "[at]", "@", "(at)", "@",
	"[/]", "/",
)

// defangFirst are the first bytes of defangReplacer's patterns.
const defangFirst = "[({"

var fangSchemes = map[string]string{
	"hxxp": "http", "hxxps": "https", "hxtp": "http", "hxtps": "https", "hxxxp": "http",
	"h**p": "http", "h**ps": "https", "httx": "http", "ttp": "http", "ttps": "https",
	"fxp": "ftp", "meow": "http", "hXXp": "http", "hXXps": "https",
}

// Parse normalises one URL. ok is false when no host or scheme can be
// made out (the Link still carries Raw).
func Parse(raw string) (Link, bool) {
	l := Link{Raw: raw}
	s := raw
	if len(s) > MaxLen {
		s = s[:MaxLen]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "<>\"'`")
	// Control characters and white space inside a URL are dropped by
	// browsers (WHATWG: tab and newline removed).
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r == 0 || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' {
			return -1
		}
		return r
	}, s)
	if strings.Contains(s, "&") {
		if d := decodeEntities(s); d != s {
			// Only entities in the scheme and host hide where a link
			// goes; "&amp;" in a query string is ordinary HTML.
			if hostArea(s) != hostArea(d) {
				l.trick(TrickEntity)
			}
			s = d
		}
	}
	// Every defanging pattern starts with one of defangFirst.
	if strings.ContainsAny(s, defangFirst) {
		if d := defangReplacer.Replace(s); d != s {
			l.trick(TrickDefanged)
			s = d
		}
	}
	// Scheme.
	low := strings.ToLower(s)
	if i := strings.Index(s, ":"); i > 0 && i < 12 {
		sch := s[:i]
		if f, ok := fangSchemes[sch]; ok {
			l.trick(TrickDefanged)
			s = f + s[i:]
			low = strings.ToLower(s)
		} else if f, ok := fangSchemes[strings.ToLower(sch)]; ok {
			l.trick(TrickDefanged)
			s = f + s[i:]
			low = strings.ToLower(s)
		}
	}
	scheme := ""
	rest := s
	if i := strings.Index(s, ":"); i > 0 && isScheme(low[:i]) {
		scheme = low[:i]
		rest = s[i+1:]
	}
	switch scheme {
	case "":
		if !strings.HasPrefix(low, "www.") && !looksLikeHost(s) {
			return l, false
		}
	case "http", "https", "ftp", "ws", "wss":
	default:
		// mailto:, data:, javascript:, tel: ... are kept as they are.
		l.Scheme = scheme
		l.URL = scheme + ":" + rest
		if scheme == "mailto" {
			addr := rest
			if i := strings.IndexByte(addr, '?'); i >= 0 {
				addr = addr[:i]
			}
			if i := strings.LastIndexByte(addr, '@'); i >= 0 {
				l.setHost(addr[i+1:])
			}
		}
		return l, true
	}
	l.Scheme = scheme
	if strings.Contains(rest, "\\") {
		// Backslashes before or in the host hide it; in the path they are
		// only sloppy (Windows paths pasted into links).
		if strings.HasPrefix(strings.TrimLeft(rest, "/"), "\\") {
			l.trick(TrickBackslash)
		}
		rest = strings.ReplaceAll(rest, "\\", "/")
	}
	if scheme != "" {
		n := 0
		for n < len(rest) && rest[n] == '/' {
			n++
		}
		if n != 2 {
			l.trick(TrickSchemeCase)
		}
		rest = rest[n:]
	}
	// Authority ends at the first "/", "?" or "#".
	auth := rest
	tail := ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth, tail = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		ui := auth[:i]
		auth = auth[i+1:]
		if d, err := url.PathUnescape(ui); err == nil {
			ui = d
		}
		l.Userinfo = ui
		user := ui
		if j := strings.IndexByte(user, ':'); j >= 0 {
			user = user[:j]
		}
		if strings.Contains(user, ".") && !strings.Contains(user, "@") && looksLikeHost(user) {
			l.trick(TrickUserinfo)
		}
	}
	host := auth
	port := ""
	if strings.HasPrefix(host, "[") {
		if j := strings.IndexByte(host, ']'); j > 0 {
			port = strings.TrimPrefix(host[j+1:], ":")
			host = host[:j+1]
		}
	} else if j := strings.LastIndexByte(host, ':'); j >= 0 {
		port = host[j+1:]
		host = host[:j]
	}
	if strings.Contains(host, "%") {
		if d, err := url.PathUnescape(host); err == nil && d != host {
			l.trick(TrickPercent)
			host = d
		}
	}
	if !l.setHost(host) {
		return l, false
	}
	// Path and query.
	path, query, frag := tail, "", ""
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag = path[:i], path[i:]
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if d, err := url.PathUnescape(path); err == nil {
		l.Path = d
	} else {
		l.Path = path
	}
	l.RawQuery = query
	if l.Scheme == "" {
		l.Scheme = "http"
	}
	if path == "" {
		path = "/"
	}
	// One allocation: the URL's length is known.
	var b strings.Builder
	b.Grow(len(l.Scheme) + 3 + len(l.Host) + 2 + 1 + len(port) + len(path) + 1 + len(query) + len(frag))
	b.WriteString(l.Scheme)
	b.WriteString("://")
	if l.IP.Is6() {
		b.WriteByte('[')
		b.WriteString(l.Host)
		b.WriteByte(']')
	} else {
		b.WriteString(l.Host)
	}
	if port != "" && validPort(port) && !(port == "80" && l.Scheme == "http") && !(port == "443" && l.Scheme == "https") {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	b.WriteString(frag)
	l.URL = b.String()
	return l, true
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

// setHost fills Host, HostUnicode, IP, Registrable and Suffix.
func (l *Link) setHost(host string) bool {
	host = strings.TrimSpace(host)
	if host == "" || len(host) > 253*4 {
		return false
	}
	// Full-width and ideographic dots and letters (UTS #46 maps them).
	if wideHost(host) {
		l.trick(TrickFullwidth)
		host = strings.Map(func(r rune) rune {
			switch r {
			case '。', '．', '｡':
				return '.'
			}
			if r >= 0xFF01 && r <= 0xFF5E {
				return r - 0xFF01 + 0x21
			}
			return r
		}, host)
	}
	host = strings.TrimSuffix(host, ".")
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil {
			return false
		}
		l.IP = a.Unmap()
		l.Host = l.IP.String()
		l.HostUnicode = l.Host
		return true
	}
	if a, numeric, ok := ParseIPv4(host); ok {
		l.IP = a
		l.Host = a.String()
		l.HostUnicode = l.Host
		if numeric {
			l.trick(TrickNumericIP)
		}
		return true
	}
	ascii, uni, ok := hostForms(strings.ToLower(host))
	if !ok || !validHostChars(ascii) {
		return false
	}
	l.Host = ascii
	l.HostUnicode = uni
	// Some label is an A-label.
	l.Punycode = strings.HasPrefix(ascii, "xn--") || strings.Contains(ascii, ".xn--")
	l.Suffix, _ = psl.PublicSuffix(ascii)
	if r, ok := psl.EffectiveTLDPlusOne(ascii); ok {
		l.Registrable = r
	}
	return true
}

// hostForms returns the A-label (ASCII) and U-label forms of a
// lower-case host name. A name of ASCII letters, digits, hyphens and dots
// with no "xn--" is both already: IDNA is skipped for it (FuzzHostForms
// compares with hostFormsIDNA).
func hostForms(lower string) (ascii, uni string, ok bool) {
	if lower != "" && plainLDH(lower) && !strings.Contains(lower, "xn--") {
		return lower, lower, true
	}
	return hostFormsIDNA(lower)
}

// hostFormsIDNA is hostForms through package idna.
func hostFormsIDNA(lower string) (ascii, uni string, ok bool) {
	ascii, err := idna.Lookup.ToASCII(lower)
	if err != nil {
		// Keep what we can: a lenient conversion for display and matching.
		ascii2, err2 := idna.Punycode.ToASCII(lower)
		if err2 != nil || ascii2 == "" {
			return "", "", false
		}
		ascii = ascii2
	}
	ascii = strings.ToLower(ascii)
	uni, err = idna.Punycode.ToUnicode(ascii)
	if err != nil {
		uni = ascii
	}
	return ascii, uni, true
}

// plainLDH: only a-z, 0-9, '-' and '.'.
func plainLDH(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// wideHost reports full-width or ideographic dots or full-width letters
// in a host name: none in an ASCII one.
func wideHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			return strings.ContainsAny(host, "。．｡") || hasFullwidth(host)
		}
	}
	return false
}

func hasFullwidth(s string) bool {
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			return true
		}
	}
	return false
}

func validHostChars(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return !strings.Contains(s, "..")
}

// ParseIPv4 parses the IPv4 forms browsers accept: dotted quads and the
// inet_aton shorthands with one to four parts, each decimal, octal (leading
// 0) or hex (0x). numeric is true when the form is not a plain dotted quad.
func ParseIPv4(s string) (addr netip.Addr, numeric bool, ok bool) {
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false, false
	}
	// A byte that is no hex digit, x or dot fails the number of its part
	// (most host names end here, before the split and the parse errors).
	for i := 0; i < len(s); i++ {
		if !ipv4Byte[s[i]] {
			return netip.Addr{}, false, false
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false, false
	}
	// The last label must be numeric for the host to be an IPv4 address.
	var valBuf [4]uint64
	vals := valBuf[:len(parts)]
	plain := len(parts) == 4
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false, false
		}
		base := 10
		q := p
		switch {
		case len(q) > 1 && (q[:2] == "0x" || q[:2] == "0X"):
			base, q = 16, q[2:]
			plain = false
			if q == "" {
				q = "0"
			}
		case len(q) > 1 && q[0] == '0':
			base, q = 8, q[1:]
			plain = false
		}
		v, err := strconv.ParseUint(q, base, 64)
		if err != nil {
			return netip.Addr{}, false, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 255 {
			return netip.Addr{}, false, false
		}
		n |= vals[i] << (8 * (3 - i))
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false, false
	}
	n |= vals[last]
	a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	return a, !plain, true
}

// ipv4Byte holds the bytes of ParseIPv4's numbers and dots.
var ipv4Byte = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEFxX.") {
		t[c] = true
	}
	return t
}()

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

// looksLikeHost is true for "label.label" with a plausible last label.
func looksLikeHost(s string) bool {
	h := s
	if i := strings.IndexAny(h, "/?#:"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 || dot == len(h)-1 {
		return false
	}
	tld := h[dot+1:]
	for _, r := range tld {
		if !unicode.IsLetter(r) && !(r >= '0' && r <= '9') && r != '-' {
			return false
		}
	}
	return true
}

// hostArea returns the part of a URL up to the first "/" after "://".
func hostArea(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		if j := strings.IndexByte(s, '/'); j >= 0 {
			return s[:j]
		}
		return s
	}
	rest := s[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		return s[:i+3+j]
	}
	return s
}

// decodeEntities decodes numeric character references and the few named
// ones seen in obfuscated links; "&name" without ";" is left alone so that
// query strings survive.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '&' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := strings.IndexByte(s[i:], ';')
		if j < 2 || j > 12 {
			b.WriteByte('&')
			i++
			continue
		}
		ent := s[i+1 : i+j]
		if r, ok := entity(ent); ok {
			b.WriteRune(r)
			i += j + 1
			continue
		}
		b.WriteByte('&')
		i++
	}
	return b.String()
}

func entity(e string) (rune, bool) {
	switch strings.ToLower(e) {
	case "amp":
		return '&', true
	case "period":
		return '.', true
	case "sol":
		return '/', true
	case "colon":
		return ':', true
	case "commat":
		return '@', true
	case "quest":
		return '?', true
	case "equals":
		return '=', true
	case "num":
		return '#', true
	case "percnt":
		return '%', true
	case "bsol":
		return '\\', true
	}
	if e[0] != '#' {
		return 0, false
	}
	base := 10
	n := e[1:]
	if len(n) > 0 && (n[0] == 'x' || n[0] == 'X') {
		base, n = 16, n[1:]
	}
	v, err := strconv.ParseUint(n, base, 32)
	if err != nil || v == 0 || v > unicode.MaxRune || v >= 0xD800 && v <= 0xDFFF {
		return 0, false
	}
	return rune(v), true
}

// Chain is a link and the links it redirects to, outermost first.
type Chain struct {
	Links []Link
	// Via names the redirector of each hop after the first ("google",
	// "safelinks", "proofpoint", "param:url" ...).
	Via []string
}

// Final returns the innermost link.
func (c *Chain) Final() *Link { return &c.Links[len(c.Links)-1] }

// Resolve normalises raw and unwraps redirectors.
func Resolve(raw string) (Chain, bool) {
	l, ok := Parse(raw)
	if !ok {
		return Chain{Links: []Link{l}}, false
	}
	c := Chain{Links: []Link{l}}
	for depth := 0; depth < MaxDepth; depth++ {
		cur := &c.Links[len(c.Links)-1]
		next, via := Unwrap(cur)
		if next == "" {
			break
		}
		nl, ok := Parse(next)
		if !ok || nl.URL == cur.URL {
			break
		}
		c.Links = append(c.Links, nl)
		c.Via = append(c.Via, via)
	}
	return c, true
}

// TaskKeyResolved is the key under which the URL analyzer leaves a
// message's *Resolved on its task (pipeline.Task.Set) for later stages.
const TaskKeyResolved = "normalize.resolved"

// Resolved remembers Resolve's answers for one message, so that the
// analyzers checking its links (url, then lure) resolve each once. A nil
// *Resolved remembers nothing. Get stores; once handed to other
// goroutines it is only read (Lookup), which needs no lock.
type Resolved struct {
	m map[string]resolved
}

type resolved struct {
	c  Chain
	ok bool
}

// Get is Resolve(raw), computed on the first call for raw. The Chain is
// shared between callers: it must not be changed.
func (r *Resolved) Get(raw string) (Chain, bool) {
	if r == nil {
		return Resolve(raw)
	}
	if e, ok := r.m[raw]; ok {
		return e.c, e.ok
	}
	c, ok := Resolve(raw)
	if r.m == nil {
		r.m = map[string]resolved{}
	}
	r.m[raw] = resolved{c, ok}
	return c, ok
}

// Lookup is Resolve(raw), remembered or computed afresh; it stores
// nothing, so several goroutines may call it at once.
func (r *Resolved) Lookup(raw string) (Chain, bool) {
	if r != nil {
		if e, ok := r.m[raw]; ok {
			return e.c, e.ok
		}
	}
	return Resolve(raw)
}

// redirectParams are query parameters that carry a destination URL on
// tracker and redirect endpoints.
var redirectParams = []string{"url", "u", "q", "target", "redirect", "redirect_url", "redirecturl", "redir", "dest", "destination", "link", "goto", "to", "r", "next", "continue", "out", "rurl", "returnurl", "return_url", "ref_url", "lp", "landing", "href", "site", "go", "data"}

// Unwrap returns the destination a redirector link points at, and the
// redirector's name; "" when the link is not a known redirector.
func Unwrap(l *Link) (string, string) {
	if !l.IsWeb() || l.Host == "" {
		return "", ""
	}
	// No query: no map (every lookup below is on an empty one).
	var q url.Values
	if l.RawQuery != "" {
		q, _ = url.ParseQuery(l.RawQuery)
	}
	h := l.Host
	reg := l.Registrable
	switch {
	case strings.HasSuffix(h, ".safelinks.protection.outlook.com"):
		return q.Get("url"), "safelinks"
	case strings.HasPrefix(reg, "google.") && (l.Path == "/url" || l.Path == "/amp/s" || strings.HasPrefix(l.Path, "/url")):
		if v := q.Get("q"); isHTTP(v) {
			return v, "google"
		}
		return q.Get("url"), "google"
	case strings.HasPrefix(reg, "google.") && strings.HasPrefix(l.Path, "/amp/s/"):
		return "https://" + strings.TrimPrefix(l.Path, "/amp/s/"), "google_amp"
	case h == "urldefense.proofpoint.com":
		if v := q.Get("u"); v != "" {
			v = strings.NewReplacer("-", "%", "_", "/").Replace(v)
			if d, err := url.PathUnescape(v); err == nil {
				return d, "proofpoint"
			}
		}
	case h == "urldefense.com" && strings.HasPrefix(l.Path, "/v3/__"):
		p := strings.TrimPrefix(l.Path, "/v3/__")
		full := p
		if l.RawQuery != "" {
			full += "?" + l.RawQuery
		}
		if i := strings.Index(full, "__;"); i >= 0 {
			full = full[:i]
		} else {
			full = strings.TrimSuffix(full, "__")
		}
		return full, "proofpoint"
	case (h == "l.facebook.com" || h == "lm.facebook.com" || h == "l.messenger.com") && l.Path == "/l.php":
		return q.Get("u"), "facebook"
	case h == "www.youtube.com" && l.Path == "/redirect":
		return q.Get("q"), "youtube"
	case reg == "linkedin.com" && strings.HasPrefix(l.Path, "/redir"):
		return q.Get("url"), "linkedin"
	case strings.HasSuffix(h, "mimecastprotect.com"), strings.HasSuffix(h, "mimecast.com"):
		for _, k := range []string{"url", "domain"} {
			if v := q.Get(k); v != "" {
				if !isHTTP(v) {
					v = "https://" + v
				}
				return v, "mimecast"
			}
		}
	case strings.HasSuffix(h, ".bing.com") && strings.HasPrefix(l.Path, "/ck/a"):
		if v := q.Get("u"); strings.HasPrefix(v, "a1") {
			if d, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v[2:], "=")); err == nil && isHTTP(string(d)) {
				return string(d), "bing"
			}
		}
	}
	// Generic: a redirect parameter whose value is a full http(s) URL.
	for _, k := range redirectParams {
		for _, v := range q[k] {
			if isHTTP(v) {
				return v, "param:" + k
			}
			if len(v) >= 16 && len(v) < 2048 {
				if d, err := base64.StdEncoding.DecodeString(v); err == nil && isHTTP(string(d)) {
					return string(d), "param_b64:" + k
				}
				if d, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "=")); err == nil && isHTTP(string(d)) {
					return string(d), "param_b64:" + k
				}
			}
		}
	}
	return "", ""
}

func isHTTP(s string) bool {
	if len(s) < 8 {
		return false
	}
	low := strings.ToLower(s[:8])
	return strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "hxxp")
}
