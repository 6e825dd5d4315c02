package mail

import (
	"errors"
	"mime"
	netmail "net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/ascii"
)

var errBadWord = errors.New("mail: bad encoded word")

// DecodeHeader decodes one raw header value the way Parse does: unfolds
// it, decodes unlabelled 8-bit bytes by sniffing (Shift_JIS, EUC-JP,
// ISO-2022-JP escapes, UTF-8) and RFC 2047 encoded words, and returns
// valid UTF-8.
func DecodeHeader(raw string) string {
	var p parser
	return p.decodeHeaderValue("", raw)
}

// decodeHeaderValue unfolds and decodes one header value.
func (p *parser) decodeHeaderValue(name, raw string) string {
	if plainHeaderValue(raw) {
		// Nothing to unfold or decode (the steps below would each scan
		// raw and change nothing but the trim).
		return strings.TrimSpace(raw)
	}
	v := strings.TrimSpace(p.unfold(raw))
	if strings.IndexByte(v, 0) >= 0 {
		p.anomaly(AnomalyNULByte, name)
		v = strings.ReplaceAll(v, "\x00", "")
	}
	if !ascii.Is(v) || hasEsc(v) {
		v = p.decodeRaw8bit(v)
	}
	if strings.Contains(v, "=?") {
		out, err := decodeEncodedWords(v)
		if err != nil {
			p.anomaly(AnomalyBadEncodedWord, name)
		}
		v = out
	}
	return v
}

// decodeWords decodes RFC 2047 encoded words and raw 8-bit bytes in a
// parameter value (filename="=?ISO-2022-JP?B?...?=" is common, though
// RFC 2047 §5 forbids it).
func (p *parser) decodeWords(s string) string {
	if !utf8.ValidString(s) || hasEsc(s) {
		s = p.decodeRaw8bit(s)
	}
	if !strings.Contains(s, "=?") {
		return s
	}
	out, err := decodeEncodedWords(s)
	if err != nil {
		p.anomaly(AnomalyBadEncodedWord, truncate(s, 60))
	}
	return out
}

// plainHeaderValue reports whether decodeHeaderValue has nothing to do
// to s but trim it: no control byte but tab (so no CR, LF, NUL or ESC),
// no byte 0x80 or above, no "=?". One pass, eight bytes at a time, in
// place of the five scans (unfold's two, NUL, ESC, "=?") and the ASCII
// check it spares: a word whose bytes are all at least 0x20, below 0x80
// and not '=' needs no look at its bytes.
func plainHeaderValue(s string) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		eq := w ^ (lo * '=')
		// A byte below 0x20, one 0x80 or above, or an '=' (the
		// has-less and has-zero tests are exact as to whether any byte
		// matches).
		if (w-lo*0x20)&^w&hi|w&hi|(eq-lo)&^eq&hi != 0 {
			for i := 0; i < 8; i++ {
				if !plainHeaderByte(s, i) {
					return false
				}
			}
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if !plainHeaderByte(s, i) {
			return false
		}
	}
	return true
}

// plainHeaderByte is plainHeaderValue's test of s[i].
func plainHeaderByte(s string, i int) bool {
	c := s[i]
	if c < 0x20 {
		return c == '\t'
	}
	if c >= 0x80 {
		return false
	}
	return c != '=' || i+1 >= len(s) || s[i+1] != '?'
}

func hasEsc(s string) bool { return strings.IndexByte(s, 0x1b) >= 0 }

// decodeRaw8bit decodes unlabelled 8-bit (or ISO-2022-JP escaped) header
// bytes by sniffing. Valid UTF-8 (RFC 6532) is kept as is.
func (p *parser) decodeRaw8bit(s string) string {
	if utf8.ValidString(s) && !hasEsc(s) {
		return s
	}
	b := []byte(s)
	cs := sniff(b)
	if cs != "utf-8" && cs != "us-ascii" {
		p.anomaly(AnomalyRaw8BitHeader, cs)
	}
	return decodeWith(b, cs)
}

// unfold is unfold writing into the parser's arena, so that the folded
// values of a header block share one allocation (foldHint bytes, when
// more than the value needs: the bytes of the block's folded fields).
func (p *parser) unfold(s string) string {
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	if p.fold.Cap()-p.fold.Len() < len(s) {
		p.fold = strings.Builder{} // strings handed out keep the old buffer
		p.fold.Grow(max(len(s), p.foldHint))
	}
	start := p.fold.Len()
	for s != "" {
		i := strings.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		for line != "" {
			j := strings.IndexByte(line, '\r')
			if j < 0 {
				p.fold.WriteString(line)
				break
			}
			p.fold.WriteString(line[:j])
			line = line[j+1:]
		}
	}
	return p.fold.String()[start:]
}

// unfold removes folding line breaks (RFC 5322 §2.2.3).
func unfold(s string) string {
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\r' && c != '\n' {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// decodeEncodedWords decodes a header value containing encoded words
// (RFC 2047). Whitespace between adjacent encoded words is dropped (§6.2),
// and adjacent words in the same charset are joined as bytes before
// charset decoding, so a multi-byte character split across two words (a
// common mailer bug, and the norm for ISO-2022-JP escapes) survives.
// Unknown charsets are decoded by sniffing.
func decodeEncodedWords(s string) (string, error) {
	type tok struct {
		word    bool
		charset string
		enc     byte
		text    string
	}
	var toks []tok
	var firstErr error
	// The end of a word is the first "?=" after its start; candidates only
	// move forward, so one cached search keeps this linear on hostile
	// input ("=?a?q?" repeated with no end).
	endCache := -2
	findEnd := func(from int) int {
		if endCache == -1 || endCache >= from {
			return endCache
		}
		k := strings.Index(s[from:], "?=")
		if k < 0 {
			endCache = -1
		} else {
			endCache = from + k
		}
		return endCache
	}
	rest := s
	for len(rest) > 0 && len(toks) < 4096 {
		i := strings.Index(rest, "=?")
		if i < 0 {
			toks = append(toks, tok{text: rest})
			rest = ""
			break
		}
		base := len(s) - len(rest) + i
		cs, enc, text, n, ok := scanWordAt(s, base, findEnd)
		if !ok {
			toks = append(toks, tok{text: rest[:i+2]})
			rest = rest[i+2:]
			continue
		}
		if i > 0 {
			toks = append(toks, tok{text: rest[:i]})
		}
		toks = append(toks, tok{word: true, charset: cs, enc: enc, text: text})
		rest = rest[i+n:]
	}
	if rest != "" {
		toks = append(toks, tok{text: rest})
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.word {
			// Whitespace between two encoded words is not shown.
			if i > 0 && i+1 < len(toks) && toks[i-1].word && toks[i+1].word && strings.TrimSpace(t.text) == "" {
				continue
			}
			sb.WriteString(t.text)
			continue
		}
		// Join the raw bytes of a run of words in the same charset.
		var raw []byte
		qUnderscore := false
		j := i
		for j < len(toks) {
			w := toks[j]
			if !w.word {
				if strings.TrimSpace(w.text) == "" && j+1 < len(toks) && toks[j+1].word && strings.EqualFold(toks[j+1].charset, t.charset) {
					j++
					continue
				}
				break
			}
			if !strings.EqualFold(w.charset, t.charset) {
				break
			}
			b, err := decodeWordBytes(w.enc, w.text)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			raw = append(raw, b...)
			if w.enc == 'q' && strings.IndexByte(w.text, '_') >= 0 {
				qUnderscore = true
			}
			j++
		}
		run := toks[i:j]
		i = j - 1
		out, _, _, known := decodeCharset(raw, t.charset)
		if qUnderscore && strings.ContainsRune(out, utf8.RuneError) {
			// Some mailers leave a 0x5F byte of a multi-byte character (a
			// Big5 or Shift_JIS trail byte, a JIS byte) as a raw "_" in Q
			// words; "_" then means itself. Keep whichever decodes better.
			var raw2 []byte
			for _, w := range run {
				if !w.word {
					continue
				}
				if w.enc == 'q' {
					b, _ := decodeWordBytes('Q', w.text)
					raw2 = append(raw2, b...)
				} else {
					b, _ := decodeWordBytes(w.enc, w.text)
					raw2 = append(raw2, b...)
				}
			}
			if out2, _, _, _ := decodeCharset(raw2, t.charset); strings.Count(out2, "\uFFFD") < strings.Count(out, "\uFFFD") {
				out = out2
			}
		}
		if !known && firstErr == nil {
			firstErr = errBadWord
		}
		sb.WriteString(out)
	}
	out := sb.String()
	if strings.IndexByte(out, 0) >= 0 {
		out = strings.ReplaceAll(out, "\x00", "")
	}
	// Folded header text must not carry line breaks after decoding.
	if strings.ContainsAny(out, "\r\n") {
		out = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(out)
	}
	return out, firstErr
}

// scanWordAt parses "=?charset?E?text?=" at s[at:]; findEnd returns the
// index of the first "?=" at or after a position (-1 if none).
func scanWordAt(s string, at int, findEnd func(int) int) (charset string, enc byte, text string, n int, ok bool) {
	w := s[at:]
	if !strings.HasPrefix(w, "=?") {
		return
	}
	lim := w[2:]
	if len(lim) > 76 {
		lim = lim[:76]
	}
	q1 := strings.IndexByte(lim, '?')
	if q1 <= 0 {
		return
	}
	charset = w[2 : 2+q1]
	if strings.ContainsAny(charset, " \t\"") {
		return
	}
	if k := strings.IndexByte(charset, '*'); k >= 0 { // RFC 2231 §5 language
		charset = charset[:k]
	}
	p := 2 + q1 + 1
	if p+2 > len(w) || w[p+1] != '?' {
		return
	}
	enc = w[p] | 0x20
	if enc != 'b' && enc != 'q' {
		return
	}
	e := findEnd(at + p + 2)
	if e < 0 {
		return
	}
	end := e - at - (p + 2)
	text = w[p+2 : p+2+end]
	if strings.ContainsAny(text, " \t\r\n") {
		// Encoded words cannot contain whitespace; tolerate folded B words.
		if enc != 'b' {
			return
		}
		text = strings.Join(strings.Fields(text), "")
	}
	return charset, enc, text, p + 2 + end + 2, true
}

func decodeWordBytes(enc byte, text string) ([]byte, error) {
	if enc == 'b' {
		var bad bool
		out := decodeBase64([]byte(text), func() { bad = true })
		if bad {
			return out, errBadWord
		}
		return out, nil
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_' && enc == 'q':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// parseMediaType parses a Content-Type or Content-Disposition value: the
// standard library first (it handles RFC 2231 continuations, but decodes
// only UTF-8 and ASCII charsets), then a lenient parser that fills what
// the strict one refused or dropped (RFC 2231 values in other charsets,
// such as filename*=ISO-2022-JP”%1B%24B..., duplicate or unquoted
// parameters). ok is false when the value had to be salvaged.
func parseMediaType(v string) (mt string, params map[string]string, ok bool) {
	mt, params, err := mime.ParseMediaType(v)
	if err == nil && !strings.Contains(v, "*=") && !strings.Contains(v, "*0") {
		lowerKeys(params)
		return strings.ToLower(mt), params, true
	}
	lmt, lparams := lenientMediaType(v)
	if err != nil {
		return lmt, lparams, false
	}
	lowerKeys(params)
	// RFC 2231 values: the lenient parser decodes every charset.
	for k, val := range lparams {
		if val != "" {
			params[k] = val
		}
	}
	return strings.ToLower(mt), params, true
}

func lowerKeys(m map[string]string) {
	for k, v := range m {
		if l := strings.ToLower(k); l != k {
			delete(m, k)
			m[l] = v
		}
	}
}

// lenientMediaType salvages values that mime.ParseMediaType rejects:
// "text/plain; charset=iso-2022-jp; foo", unquoted specials, duplicates,
// RFC 2231 continuations (name*0*=, name*1=) and charset'lang'%XX values
// in any charset.
func lenientMediaType(v string) (string, map[string]string) {
	params := map[string]string{}
	fields := splitParams(v)
	if len(fields) == 0 {
		return "", params
	}
	mt := strings.ToLower(strings.TrimSpace(fields[0]))
	if !strings.Contains(mt, "/") && mt != "inline" && mt != "attachment" {
		if mt == "text" {
			mt = "text/plain"
		} else {
			mt = ""
		}
	}
	if strings.ContainsAny(mt, " \t\"") {
		if i := strings.IndexAny(mt, " \t\""); i > 0 && strings.Contains(mt[:i], "/") {
			mt = mt[:i]
		} else {
			mt = ""
		}
	}
	type seg struct {
		idx int
		enc bool
		val string
	}
	conts := map[string][]seg{}
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = unquote(val[1 : len(val)-1])
		} else {
			val = strings.Trim(val, `"`)
		}
		if k == "" || len(params) > 64 {
			continue
		}
		// RFC 2231 §3-4: name*N, name*N*, name*.
		enc := strings.HasSuffix(k, "*")
		base := strings.TrimSuffix(k, "*")
		idx := -1
		if i := strings.LastIndexByte(base, '*'); i > 0 {
			if n, err := strconv.Atoi(base[i+1:]); err == nil && n >= 0 && n < 1000 {
				idx, base = n, base[:i]
			}
		}
		if idx >= 0 {
			conts[base] = append(conts[base], seg{idx, enc, val})
			continue
		}
		if enc {
			params[base] = decode2231(val, true)
			continue
		}
		if _, dup := params[base]; !dup {
			params[base] = val
		}
	}
	for base, segs := range conts {
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].idx < segs[j].idx })
		// The charset of an encoded continuation is in its first segment;
		// join the percent-decoded bytes and decode once.
		var raw []byte
		charset := ""
		for i, s := range segs {
			val := s.val
			if s.enc {
				if i == 0 {
					if a := strings.IndexByte(val, '\''); a >= 0 {
						if b := strings.IndexByte(val[a+1:], '\''); b >= 0 {
							charset = val[:a]
							val = val[a+1+b+1:]
						}
					}
				}
				raw = append(raw, percentDecode(val)...)
			} else {
				raw = append(raw, val...)
			}
		}
		s, _, _, _ := decodeCharset(raw, charset)
		if old, have := params[base]; !have || old == "" || segs[0].enc {
			params[base] = s
		}
	}
	return mt, params
}

// splitParams splits at semicolons outside double quotes.
func splitParams(v string) []string {
	var out []string
	inQ, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if inQ {
				i++
			}
		case '"':
			inQ = !inQ
		case ';':
			if !inQ {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	if start <= len(v) {
		out = append(out, v[start:])
	}
	return out
}

func unquote(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// decode2231 decodes charset'lang'%XX (RFC 2231 §4) in any charset.
func decode2231(v string, hasCharset bool) string {
	charset := ""
	if hasCharset {
		if a := strings.IndexByte(v, '\''); a >= 0 {
			if b := strings.IndexByte(v[a+1:], '\''); b >= 0 {
				charset = v[:a]
				v = v[a+1+b+1:]
			}
		}
	}
	s, _, _, _ := decodeCharset(percentDecode(v), charset)
	return s
}

func percentDecode(s string) []byte {
	if strings.IndexByte(s, '%') < 0 {
		return []byte(s)
	}
	if b, err := url.PathUnescape(s); err == nil {
		return []byte(b)
	}
	return lenientPercent(s)
}

func lenientPercent(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// addressList parses an address header leniently.
func (p *parser) addressList(h Headers, x *hdrIndex, id int) []Address {
	var out []Address
	first, n := int(x.first[id]), x.count[id]
	if n == 0 {
		return nil
	}
	for i := first; i < len(h); i++ {
		if i > first {
			if n == 1 {
				break // the only one
			}
			if int(knownID(h[i].Name)) != id {
				continue
			}
		}
		f := &h[i]
		v := f.Value
		if strings.Contains(f.Raw, "=?") {
			v = addressValue(f.Raw)
		}
		switch as := parseAddressList(v); {
		case len(as) == 0:
			// As append(out, as...) did: an empty list (a group with
			// no members: "undisclosed-recipients:;") leaves out nil.
		case out == nil:
			out = as
		default:
			out = append(out, as...)
		}
		if len(out) > 1000 {
			break
		}
	}
	return out
}

// ParseAddressList parses a decoded address list leniently: RFC 5322 first,
// then a fallback that pulls name <addr> pairs and bare addresses.
func ParseAddressList(v string) []Address { return parseAddressList(v) }

var addrParser = netmail.AddressParser{}

func parseAddressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if len(v) > 64<<10 {
		v = v[:64<<10]
	}
	if out, ok := fastAddressList(v); ok {
		return out
	}
	if list, err := addrParser.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, makeAddress(a.Name, a.Address))
		}
		return out
	}
	return lenientAddresses(v)
}

// atextASCII marks the ASCII characters of an atom (RFC 5322 §3.2.3, as
// net/mail takes them: printable, not specials; '.' apart).
var atextASCII = func() (t [128]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = true
	}
	for _, c := range `()<>[]:;@\,".` {
		t[c] = false
	}
	return t
}()

// fastAddressList parses the usual address lists the way net/mail's
// ParseList followed by makeAddress does, without its allocations:
// entries "local@domain", "<local@domain>" and "phrase <local@domain>",
// where the phrase is ASCII atoms (dots allowed, no "=?") and plain
// quoted strings, the addresses are ASCII dot-atoms, and entries are
// separated by commas and spaces. ok is false for anything else (comments,
// groups, escapes, encoded words, 8-bit, domain literals, odd spacing),
// which net/mail then parses. FuzzAddressList holds the two equal.
func fastAddressList(v string) (out []Address, ok bool) {
	n := 1 + strings.Count(v, ",")
	if n > 64 {
		return nil, false
	}
	out = make([]Address, 0, n)
	i := 0
	for {
		i = skipWSP(v, i)
		if i < len(v) && v[i] == ',' {
			i++
			continue
		}
		if i >= len(v) {
			return nil, false // no address
		}
		var a Address
		if l, e := dotAtom(v, i); e > l && e < len(v) && v[e] == '@' {
			// addr-spec
			d, de := dotAtom(v, e+1)
			if de == d || d != e+1 {
				return nil, false
			}
			a, ok = simpleAddress("", v[i:de], v[i:e], v[d:de])
			if !ok {
				return nil, false
			}
			i = de
		} else {
			// [phrase] "<" addr-spec ">"
			var wbuf [8]string
			words := wbuf[:0]
			for i < len(v) && v[i] != '<' {
				if len(words) == len(wbuf) {
					return nil, false
				}
				if v[i] == '"' {
					j := i + 1
					for j < len(v) && v[j] != '"' && v[j] != '\\' && (v[j] >= ' ' && v[j] <= '~' || v[j] == '\t') {
						j++
					}
					if j >= len(v) || v[j] != '"' || j == i+1 {
						return nil, false
					}
					words = append(words, v[i+1:j])
					i = j + 1
				} else {
					j := i
					for j < len(v) && v[j] < 0x80 && (atextASCII[v[j]] || v[j] == '.') {
						j++
					}
					if j == i || strings.Contains(v[i:j], "=?") {
						return nil, false
					}
					words = append(words, v[i:j])
					i = j
				}
				k := skipWSP(v, i)
				if k == i && k < len(v) && v[k] != '<' {
					return nil, false // words must be apart
				}
				i = k
			}
			name := ""
			switch len(words) {
			case 0:
			case 1:
				name = words[0]
			default:
				name = strings.Join(words, " ")
			}
			if i >= len(v) || v[i] != '<' {
				return nil, false
			}
			l, e := dotAtom(v, i+1)
			if e == l || l != i+1 || e >= len(v) || v[e] != '@' {
				return nil, false
			}
			d, de := dotAtom(v, e+1)
			if de == d || d != e+1 || de >= len(v) || v[de] != '>' {
				return nil, false
			}
			a, ok = simpleAddress(name, v[l:de], v[l:e], v[d:de])
			if !ok {
				return nil, false
			}
			i = de + 1
		}
		out = append(out, a)
		i = skipWSP(v, i)
		if i >= len(v) {
			return out, true
		}
		if v[i] != ',' {
			return nil, false
		}
		for i < len(v) && v[i] == ',' {
			i = skipWSP(v, i+1)
		}
		if i >= len(v) {
			return out, true
		}
	}
}

func skipWSP(v string, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}

// dotAtom returns the span [i, e) of the ASCII dot-atom at v[i:], empty
// when there is none or it has a leading, trailing or double dot.
func dotAtom(v string, i int) (int, int) {
	e := i
	for e < len(v) && v[e] < 0x80 && (atextASCII[v[e]] || v[e] == '.') {
		e++
	}
	a := v[i:e]
	if a == "" || a[0] == '.' || a[len(a)-1] == '.' || strings.Contains(a, "..") {
		return i, i
	}
	return i, e
}

// simpleAddress is makeAddress for a name and an address already trimmed:
// the address is kept as written when its domain is lower-case.
func simpleAddress(name, addr, local, domain string) (Address, bool) {
	for i := 0; i < len(domain); i++ {
		if c := domain[i]; 'A' <= c && c <= 'Z' {
			return makeAddress(name, addr), true
		}
	}
	if strings.TrimSpace(name) != name {
		return Address{}, false
	}
	// One copy for the name and the address: they are slices of the
	// header block (one string), which an address kept for long (the
	// contacts cache keys on it) must not hold alive.
	var c string
	if name == "" {
		c = strings.Clone(addr)
	} else {
		c = name + addr
	}
	name, addr = c[:len(name)], c[len(name):]
	return Address{Name: name, Addr: addr, Local: addr[:len(local)], Domain: addr[len(local)+1:]}, true
}

func makeAddress(name, addr string) Address {
	addr = strings.TrimSpace(addr)
	local, domain := addr, ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local, domain = addr[:i], strings.ToLower(strings.TrimRight(addr[i+1:], "."))
		addr = local + "@" + domain
		local, domain = addr[:i], addr[i+1:]
	} else {
		addr = strings.Clone(addr)
		local = addr
	}
	// Copies, not slices of the header block (one string) the values
	// come from: an address kept for long must not hold it alive.
	return Address{Name: strings.Clone(strings.TrimSpace(name)), Addr: addr, Local: local, Domain: domain}
}

// lenientAddresses handles what net/mail refuses: unquoted specials and
// 8-bit in display names, missing brackets, trailing junk, obsolete
// syntax such as route addresses (<@relay:user@host>).
func lenientAddresses(v string) []Address {
	var out []Address
	// pending is the text of a piece without an address: "Microsoft
	// account team ,_<x@y>" splits at the comma, and a mail client shows
	// that text as the display name of the address that follows.
	pending := ""
	withName := func(name string) string {
		if pending != "" && !hasLetter(name) {
			name = pending
		}
		pending = ""
		return name
	}
	for _, piece := range splitAddressList(v) {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		// Group syntax "name: a, b;" leaves "name: a" in the first piece.
		if i := strings.IndexByte(piece, ':'); i >= 0 && !strings.Contains(piece[:i], "<") && !strings.Contains(piece[:i], "@") && !strings.Contains(piece[:i], "\"") {
			piece = strings.TrimSpace(piece[i+1:])
		}
		if i := strings.LastIndexByte(piece, '<'); i >= 0 {
			j := strings.IndexByte(piece[i:], '>')
			addr := piece[i+1:]
			if j >= 0 {
				addr = piece[i+1 : i+j]
			}
			if k := strings.LastIndexByte(addr, ':'); k >= 0 && strings.HasPrefix(addr, "@") {
				addr = addr[k+1:] // obsolete route
			}
			name := strings.Trim(strings.TrimSpace(piece[:i]), `"' `)
			out = append(out, makeAddress(withName(name), strings.TrimSpace(addr)))
			continue
		}
		// name (comment) or bare address
		f := strings.Fields(piece)
		addr := ""
		var nameParts []string
		for _, w := range f {
			if addr == "" && strings.Contains(w, "@") {
				addr = strings.Trim(w, `"'(),;`)
			} else {
				nameParts = append(nameParts, w)
			}
		}
		if addr == "" {
			if len(pending) < 256 {
				pending = strings.TrimSpace(pending + " " + strings.Trim(piece, `"' `))
			}
			continue
		}
		out = append(out, makeAddress(withName(strings.Trim(strings.Join(nameParts, " "), `"'() `)), addr))
	}
	return out
}

// hasLetter reports whether s has a letter or digit of any script.
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// splitAddressList splits at commas outside quotes, comments and angle
// brackets.
func splitAddressList(v string) []string {
	var out []string
	depth, paren, inQ, start := 0, 0, false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			if paren == 0 {
				inQ = !inQ
			}
		case '(':
			if !inQ {
				paren++
			}
		case ')':
			if !inQ && paren > 0 {
				paren--
			}
		case '<':
			if !inQ && paren == 0 {
				depth++
			}
		case '>':
			if !inQ && depth > 0 {
				depth--
			}
		case ',', ';':
			if !inQ && depth == 0 && paren == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	if start < len(v) {
		out = append(out, v[start:])
	}
	return out
}

// addressValue decodes the encoded words of a raw address header so that
// the result still parses as addresses: a decoded display name holding
// specials ("Smith, John", "PayPal <Support>") is quoted, and quotes and
// backslashes inside quoted strings are escaped.
func addressValue(raw string) string {
	var p parser
	v := strings.TrimSpace(unfold(raw))
	if !ascii.Is(v) || hasEsc(v) {
		v = p.decodeRaw8bit(v)
	}
	var sb strings.Builder
	sb.Grow(len(v))
	inQ := false
	endCache := -2
	findEnd := func(from int) int {
		if endCache == -1 || endCache >= from {
			return endCache
		}
		k := strings.Index(v[from:], "?=")
		if k < 0 {
			endCache = -1
		} else {
			endCache = from + k
		}
		return endCache
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c == '\\' && inQ && i+1 < len(v) {
			sb.WriteString(v[i : i+2])
			i += 2
			continue
		}
		if c == '"' {
			inQ = !inQ
			sb.WriteByte(c)
			i++
			continue
		}
		if c != '=' || i+1 >= len(v) || v[i+1] != '?' {
			sb.WriteByte(c)
			i++
			continue
		}
		// A run of encoded words separated by whitespace.
		j := i
		for {
			_, _, _, n, ok := scanWordAt(v, j, findEnd)
			if !ok {
				break
			}
			j += n
			k := j
			for k < len(v) && (v[k] == ' ' || v[k] == '\t') {
				k++
			}
			if k+1 < len(v) && v[k] == '=' && v[k+1] == '?' {
				if _, _, _, _, ok := scanWordAt(v, k, findEnd); ok {
					j = k
					continue
				}
			}
			break
		}
		if j == i {
			sb.WriteString("=?")
			i += 2
			continue
		}
		dec, _ := decodeEncodedWords(v[i:j])
		switch {
		case inQ:
			sb.WriteString(strings.NewReplacer("\\", "\\\\", `"`, `\"`).Replace(dec))
		case strings.ContainsAny(dec, `",;<>@:()[]\`):
			sb.WriteString(`"` + strings.NewReplacer("\\", "\\\\", `"`, `\"`).Replace(dec) + `"`)
		default:
			sb.WriteString(dec)
		}
		i = j
	}
	return sb.String()
}
