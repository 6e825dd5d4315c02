package mail

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlLexer cuts an HTML document into the tokens x/net/html's Tokenizer
// returns for it (same types, same raw extents, same text, tag names and
// attributes as TagName and TagAttr give them), reading the string in
// place: the Tokenizer copies every byte through readByte into its own
// buffer and allocates twice per attribute. What the lexer does not read
// itself it hands to x/net/html: a tag whose attribute values hold
// entities it does not know (tagFeeder reads that one tag), text with
// such entities (html.UnescapeString), and from a <script> whose text
// holds "<!--" on (its escaping rules), the rest of the document (a
// Tokenizer started at that tag, where a fresh one is in the same state).
// renderHTMLRef (tests) is the renderer on the Tokenizer alone.
type htmlLexer struct {
	src    string
	pos    int    // where the next token starts
	rawTag string // the raw text element whose text comes next, or ""

	// The current token.
	start, end  int  // its raw text, src[start:end]
	textRaw     bool // text token: entities are not decoded
	convNUL     bool // text token: NUL becomes U+FFFD
	tag         atom.Atom
	at          htmlAttrs
	scratch     []byte // a converted text
	scratch2    []byte // and with its entities decoded
	feed        *tagFeeder
	slow        *html.Tokenizer // set: the rest of src comes from it
	slowOff     int             // where the slow token starts in src
	slowMaxBuf  int
	nameStart   int
	nameEnd     int
	lastValEnd  int // end of the last kept attribute's value, -1 none
	savedAttrs  int
	needsFeeder bool
	// seen holds the names of the kept attributes of the tag scanTag
	// reads (seen[:savedAttrs]; entries past it are stale and never
	// read). A field, not a local: a [maxHTMLAttrs]string local is
	// zeroed (1 KiB) on every tag, about 5 K instructions a message.
	seen [maxHTMLAttrs]string
}

func newHTMLLexer(src string, maxBuf int) *htmlLexer {
	return &htmlLexer{src: src, slowMaxBuf: maxBuf}
}

// Next reads the next token.
func (lx *htmlLexer) Next() html.TokenType {
	if lx.slow != nil {
		lx.slowOff += lx.end - lx.start
		tt := lx.slow.Next()
		lx.start, lx.end = lx.slowOff, lx.slowOff+len(lx.slow.Raw())
		return tt
	}
	s := lx.src
	p := lx.pos
	lx.start = p
	if lx.rawTag != "" {
		tag := lx.rawTag
		e := len(s)
		if tag != "plaintext" {
			e = rawTextEnd(s, p, tag)
			lx.rawTag = ""
		}
		if e > p {
			lx.end, lx.pos = e, e
			lx.textRaw = tag != "textarea" && tag != "title"
			lx.convNUL = true
			return html.TextToken
		}
	}
	lx.textRaw, lx.convNUL = false, false
	n := len(s)
	for k := p; ; {
		i := strings.IndexByte(s[k:], '<')
		if i < 0 || k+i+1 >= n {
			break
		}
		i += k
		c := s[i+1]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?') {
			k = i + 1
			continue
		}
		if i > p {
			lx.end, lx.pos = i, i
			return html.TextToken
		}
		return lx.markup(i)
	}
	if p < n {
		lx.end, lx.pos = n, n
		return html.TextToken
	}
	lx.end = p
	return html.ErrorToken
}

// markup reads the token at src[i:], "<" and a letter, '/', '!' or '?'.
func (lx *htmlLexer) markup(i int) html.TokenType {
	s := lx.src
	n := len(s)
	comment := func(e int) html.TokenType {
		lx.end, lx.pos = e, e
		return html.CommentToken
	}
	switch c := s[i+1]; {
	case c == '!':
		if i+3 >= n {
			return comment(n)
		}
		if s[i+2] == '-' && s[i+3] == '-' {
			return comment(commentEnd(s, i+4))
		}
		e := closeAngle(s, i+2)
		if i+9 <= n && asciiFoldEqual("doctype", s[i+2:i+9]) {
			lx.end, lx.pos = e, e
			return html.DoctypeToken
		}
		return comment(e)
	case c == '?':
		return comment(closeAngle(s, i+1))
	case c == '/':
		if i+2 >= n {
			lx.end, lx.pos = n, n
			return html.TextToken
		}
		c2 := s[i+2]
		if c2 == '>' {
			return comment(i + 3)
		}
		if !('a' <= c2 && c2 <= 'z' || 'A' <= c2 && c2 <= 'Z') {
			return comment(closeAngle(s, i+2))
		}
		e, ok := lx.scanTag(i+2, false)
		if !ok {
			lx.pos, lx.end = n, n
			return html.ErrorToken
		}
		lx.end, lx.pos = e, e
		name := s[lx.nameStart:lx.nameEnd]
		if strings.IndexByte(name, 0) >= 0 {
			lx.tag = 0 // TagName turns NUL into U+FFFD: no atom
		} else {
			lx.tag = lookupLower(name)
		}
		return html.EndTagToken
	}
	// A start tag.
	lx.at.reset()
	e, ok := lx.scanTag(i+1, true)
	if !ok {
		lx.pos, lx.end = n, n
		return html.ErrorToken
	}
	raw := s[i:e]
	name := s[lx.nameStart:lx.nameEnd]
	rawTag := rawTextTag(name)
	if rawTag == "script" {
		if te := rawTextEnd(s, e, rawTag); strings.Contains(s[e:te], "<!--") {
			// The escaping states of script data: x/net/html reads
			// the rest, from this tag on.
			z := html.NewTokenizer(strings.NewReader(s[i:]))
			z.SetMaxBuf(lx.slowMaxBuf)
			lx.slow, lx.slowOff, lx.start, lx.end = z, i, i, i
			return lx.Next()
		}
	}
	lx.end, lx.pos, lx.rawTag = e, e, rawTag
	if lx.needsFeeder {
		if lx.feed == nil {
			lx.feed = &tagFeeder{}
			lx.feed.z = html.NewTokenizer(&lx.feed.r)
		}
		lx.at.reset()
		var tt html.TokenType
		lx.tag, tt = lx.feed.read(raw, &lx.at)
		return tt
	}
	lx.tag = 0
	if strings.IndexByte(name, 0) < 0 {
		lx.tag = lookupLower(name)
	}
	if s[e-2] == '/' && (lx.savedAttrs == 0 || e-2 != lx.lastValEnd-1) {
		return html.SelfClosingTagToken
	}
	return html.StartTagToken
}

// rawTextTag is the raw text element a start tag named name opens, as
// readStartTag decides it (ASCII letters compared without case), or "".
func rawTextTag(name string) string {
	if len(name) < 3 || len(name) > 9 {
		return ""
	}
	for _, t := range [...]string{"iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"} {
		if len(t) == len(name) && asciiFoldEqual(t, name) {
			return t
		}
	}
	return ""
}

// rawTextEnd is where the raw text of element tag (lower case) that starts
// at p ends: at the first "</tag" followed by white space, '/' or '>'
// (letters compared without case), else at the end of s.
func rawTextEnd(s string, p int, tag string) int {
	for k := p; ; {
		i := strings.Index(s[k:], "</")
		if i < 0 {
			return len(s)
		}
		i += k
		j := i + 2 + len(tag)
		if j < len(s) && asciiFoldEqual(tag, s[i+2:j]) {
			switch s[j] {
			case ' ', '\n', '\r', '\t', '\f', '/', '>':
				return i
			}
		}
		k = i + 2
	}
}

// commentEnd is where a comment whose "<!--" ends at p ends (readComment).
func commentEnd(s string, p int) int {
	dashes := 0
	beginning := true
	for p < len(s) {
		c := s[p]
		p++
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return p
			}
		case '!':
			if dashes >= 2 {
				if p >= len(s) {
					return p
				}
				c = s[p]
				p++
				if c == '>' {
					return p
				}
				if c == '-' {
					dashes = 1
					beginning = false
					continue
				}
			}
		}
		dashes = 0
		beginning = false
	}
	return len(s)
}

// closeAngle is the end of a token that runs from p to the first '>'
// (readUntilCloseAngle), or to the end of s.
func closeAngle(s string, p int) int {
	if i := strings.IndexByte(s[p:], '>'); i >= 0 {
		return p + i + 1
	}
	return len(s)
}

// scanTag reads the tag whose name starts at src[p] the way readTag does;
// with save, it keeps the attributes rendering uses in lx.at (the first
// of duplicate names, compared lower-cased; at most maxHTMLAttrs) and sets
// lx.needsFeeder for a tag whose kept values it cannot take as written
// (entities, NUL, CR: TagAttr converts those) or that keeps more than
// maxHTMLAttrs attributes. It returns the end of the tag; ok is false when
// the tag does not end before src does (the Tokenizer's ErrorToken).
func (lx *htmlLexer) scanTag(p int, save bool) (end int, ok bool) {
	t := lx.src
	n := len(t)
	lx.needsFeeder = false
	lx.savedAttrs = 0
	lx.lastValEnd = -1
	lx.nameStart = p
	p++
	for p < n && !isTagSpace(t[p]) && t[p] != '/' && t[p] != '>' {
		p++
	}
	lx.nameEnd = p
	if p < n && isTagSpace(t[p]) {
		p++
	}
	p = skipTagSpace(t, p)
	seen := &lx.seen
	for {
		if p >= n {
			return n, false
		}
		if t[p] == '>' {
			return p + 1, true
		}
		ks := p
		p = attrKeyEnd(t, p)
		ke := p
		// readTagAttrVal.
		vs, ve := p, p
		p = skipTagSpace(t, p)
		if p < n {
			c := t[p]
			p++
			switch {
			case c == '/':
			case c != '=':
				p--
			default:
				p = skipTagSpace(t, p)
				if p >= n {
					break
				}
				q := t[p]
				p++
				switch q {
				case '>':
					p--
				case '\'', '"':
					vs = p
					if e := strings.IndexByte(t[p:], q); e < 0 {
						ve, p = n, n
					} else {
						ve, p = p+e, p+e+1
					}
				default:
					vs = p - 1
					for p < n && !isTagSpace(t[p]) && t[p] != '>' {
						p++
					}
					ve = p
					if p < n && isTagSpace(t[p]) {
						p++
					}
				}
			}
		}
		if key := t[ks:ke]; save && key != "" && !seenKey(seen[:min(lx.savedAttrs, maxHTMLAttrs)], key) {
			if lx.savedAttrs >= maxHTMLAttrs {
				lx.needsFeeder = true // more names than seen holds
			} else {
				seen[lx.savedAttrs] = key
				val := t[vs:ve]
				switch {
				case lx.needsFeeder:
				case plainValue(val), !usedAttr(key):
					// As written, or a value rendering does not read
					// (a name it ignores, or "hidden").
					setLower(&lx.at, key, val)
				default:
					if v, ok := lx.attrValue(val); ok {
						setLower(&lx.at, key, v)
					} else {
						lx.needsFeeder = true
					}
				}
			}
			lx.savedAttrs++
			lx.lastValEnd = ve
		}
		p = skipTagSpace(t, p)
	}
}

// plainValue reports whether TagAttr returns val as written: no entity,
// NUL or CR. (A name with a NUL is one rendering ignores.)
func plainValue(val string) bool {
	for i := plainPrefix8(val); i < len(val); i++ {
		if textSpecial[val[i]] {
			return false
		}
	}
	return true
}

// usedAttr reports whether rendering reads the value of the attribute
// named key (compared lower-cased): one htmlAttrs keeps, but "hidden".
func usedAttr(key string) bool {
	var buf [16]byte
	k, ok := lowerName16(&buf, key)
	if !ok {
		return false
	}
	var at htmlAttrs
	f, _ := at.field(string(k))
	return f != nil
}

// attrValue is val as TagAttr returns it (NUL as U+FFFD, CR LF and CR as
// LF, entities decoded as in attributes); ok is false for a named
// reference decodeEntity leaves to x/net/html.
func (lx *htmlLexer) attrValue(val string) (string, bool) {
	b := convertText(lx.scratch[:0], val, true)
	lx.scratch = b
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), true
	}
	out, ok := unescapeText(lx.scratch2[:0], b, true)
	lx.scratch2 = out
	return string(out), ok
}

// Text is the current text token's text as Tokenizer.Text returns it:
// CR LF and CR as LF, NUL as U+FFFD in raw text, entities decoded outside
// raw text. It is valid until the next call.
func (lx *htmlLexer) Text() []byte {
	if lx.slow != nil {
		return lx.slow.Text()
	}
	s := lx.src[lx.start:lx.end]
	b := convertText(lx.scratch[:0], s, lx.convNUL)
	lx.scratch = b
	if !lx.textRaw && bytes.IndexByte(b, '&') >= 0 {
		out, ok := unescapeText(lx.scratch2[:0], b, false)
		if !ok {
			out = append(out[:0], html.UnescapeString(string(b))...)
		}
		lx.scratch2 = out
		return out
	}
	return b
}

var textSpecial = [256]bool{'\r': true, 0: true, '&': true}

// plainPrefix8 is a multiple of eight bytes at the start of s that hold
// none of textSpecial (the bytes that follow may, or may not).
func plainPrefix8(s string) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	n := len(s)
	// s is resliced, not indexed at an offset, so that the compiler
	// proves the eight loads in range (no bounds checks).
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		cr, amp := w^(lo*'\r'), w^(lo*'&')
		// Some byte of x is zero iff (x-lo) & ^x & hi != 0.
		if (w-lo)&^w&hi|(cr-lo)&^cr&hi|(amp-lo)&^amp&hi != 0 {
			break
		}
		s = s[8:]
	}
	return n - len(s)
}

// convertText appends s to dst with CR LF and CR as LF and, with nul,
// NUL as U+FFFD.
func convertText(dst []byte, s string, nul bool) []byte {
	for len(s) > 0 {
		i := plainPrefix8(s)
		for i < len(s) && !textSpecial[s[i]] {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		switch s[i] {
		case '\r':
			dst = append(dst, '\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case 0:
			if nul {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, 0)
			}
		case '&':
			dst = append(dst, '&')
		}
		s = s[i+1:]
	}
	return dst
}

// unescapeText appends b to dst with its entities decoded as the
// Tokenizer decodes them (in an attribute value or not) where
// decodeEntity can; ok is false where it cannot.
func unescapeText(dst, b []byte, attribute bool) (out []byte, ok bool) {
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '&' {
			i++
		}
		dst = append(dst, b[:i]...)
		if i == len(b) {
			break
		}
		var used int
		dst, used, ok = decodeEntity(b[i:], dst, attribute)
		if !ok {
			return dst, false
		}
		b = b[i+used:]
	}
	return dst, true
}

// decodeEntity appends to dst what x/net/html's unescapeEntity makes of
// the reference at s[0] == '&', and how many bytes it reads, for numeric
// references, names of knownEntity with their ';', '&' followed by no
// name and, in an attribute, a name followed by '='; ok is false for any
// other name (the full entity table and the prefix matching outside
// attributes are x/net/html's).
func decodeEntity(s []byte, dst []byte, attribute bool) (out []byte, used int, ok bool) {
	if len(s) <= 1 {
		return append(dst, '&'), 1, true
	}
	if s[1] == '#' {
		if len(s) <= 2 {
			return append(dst, '&'), 1, true
		}
		i := 2
		hex := false
		if s[i] == 'x' || s[i] == 'X' {
			hex = true
			i++
		}
		i0 := i
		x := rune(0)
		for i < len(s) {
			c := s[i]
			var d rune
			switch {
			case '0' <= c && c <= '9':
				d = rune(c - '0')
			case hex && 'a' <= c && c <= 'f':
				d = rune(c-'a') + 10
			case hex && 'A' <= c && c <= 'F':
				d = rune(c-'A') + 10
			default:
				goto done
			}
			if x <= 0x10FFFF {
				if hex {
					x = 16*x + d
				} else {
					x = 10*x + d
				}
			}
			i++
		}
	done:
		if i == i0 {
			return append(dst, '&'), 1, true
		}
		if i < len(s) && s[i] == ';' {
			i++
		}
		switch {
		case 0x80 <= x && x <= 0x9F:
			x = c1Replacement[x-0x80]
		case x == 0 || 0xD800 <= x && x <= 0xDFFF || x > 0x10FFFF:
			x = utf8.RuneError
		}
		return utf8.AppendRune(dst, x), i, true
	}
	i := 1
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	if i == 1 {
		// No name (";" alone is none either, nor holds one).
		return append(dst, '&'), 1, true
	}
	if i < len(s) && s[i] == ';' {
		if r, ok := knownEntity[string(s[1:i+1])]; ok {
			return append(dst, r...), i + 1, true
		}
	} else if attribute && i < len(s) && s[i] == '=' {
		// "&name=" in an attribute ("?a=1&b=2") is no reference.
		return append(dst, '&'), 1, true
	}
	return dst, 0, false
}

// knownEntity holds common named references (with their ';') and what
// html.UnescapeString makes of them: filled from it, not written here.
var knownEntity = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"amp;", "lt;", "gt;", "quot;", "apos;", "nbsp;", "copy;", "reg;", "trade;",
		"mdash;", "ndash;", "hellip;", "rsquo;", "lsquo;", "rdquo;", "ldquo;", "bull;", "middot;", "laquo;", "raquo;",
		"euro;", "pound;", "yen;", "cent;", "deg;", "times;", "eacute;", "egrave;", "agrave;", "uuml;", "ouml;", "auml;", "szlig;"} {
		if v := html.UnescapeString("&" + k); v != "&"+k {
			m[k] = v
		}
	}
	return m
}()

// c1Replacement is what numeric references to 0x80-0x9F decode to
// (windows-1252's characters): taken from html.UnescapeString.
var c1Replacement = func() (t [32]rune) {
	for i := range t {
		r, _ := utf8.DecodeRuneInString(html.UnescapeString("&#" + itoa(0x80+i) + ";"))
		t[i] = r
	}
	return t
}()

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}

// tagFeeder reads single tags with an x/net/html Tokenizer that it feeds
// one tag at a time (one Tokenizer for a document, not one per tag).
type tagFeeder struct {
	z *html.Tokenizer
	r feedReader
}

type feedReader struct{ s string }

func (r *feedReader) Read(b []byte) (int, error) {
	n := copy(b, r.s)
	r.s = r.s[n:]
	return n, nil
}

// read tokenizes raw, one whole start tag, into at: its atom and token
// type (start or self-closing).
func (f *tagFeeder) read(raw string, at *htmlAttrs) (atom.Atom, html.TokenType) {
	f.r.s = raw
	tt := f.z.Next()
	name, hasAttr := f.z.TagName()
	a := atom.Lookup(name)
	for n := 0; hasAttr && n < maxHTMLAttrs; n++ {
		var k, v []byte
		k, v, hasAttr = f.z.TagAttr()
		at.set(k, v)
	}
	f.z.NextIsNotRawText()
	return a, tt
}

// StartTag is the current start tag's atom and attributes.
func (lx *htmlLexer) StartTag() (atom.Atom, *htmlAttrs) {
	if lx.slow == nil {
		return lx.tag, &lx.at
	}
	z := lx.slow
	raw := z.Raw()
	lx.at.reset()
	if sub, ok := rawAt(lx.src, lx.start, raw); ok && plainTag(raw) {
		if a, ok := scanTag(sub, &lx.at); ok {
			return a, &lx.at
		}
	}
	lx.at.reset()
	name, hasAttr := z.TagName()
	a := atom.Lookup(name)
	for n := 0; hasAttr && n < maxHTMLAttrs; n++ {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		lx.at.set(k, v)
	}
	return a, &lx.at
}

// EndTag is the current end tag's atom.
func (lx *htmlLexer) EndTag() atom.Atom {
	if lx.slow == nil {
		return lx.tag
	}
	a, ok := endTagAtom(lx.slow.Raw())
	if !ok {
		name, _ := lx.slow.TagName()
		a = atom.Lookup(name)
	}
	return a
}
