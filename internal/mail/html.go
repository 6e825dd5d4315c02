package mail

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlResult is what renderHTML finds in an HTML document.
type htmlResult struct {
	Text    string // what a reader sees
	Hidden  string // text a reader cannot see
	URLs    []URL
	CIDs    []string // cid: references (inline images), without "cid:"
	Limited bool     // input too large or too deep: rendering stopped early
}

const (
	maxHTMLDepth  = 256
	maxHTMLAttrs  = 64
	maxHTMLURLs   = 4000
	maxStyleRules = 2000
)

// frame is one open element. Colours are inherited: fg/bg are the
// effective text and background colours inside the element.
type frame struct {
	tag         atom.Atom
	hidden      bool // hidden by CSS/attributes: children stay hidden
	colorHidden bool // text colour equals the effective background here
	fg, bg      string
	skip        bool // script/style/title...: text not shown
	pre         bool
}

// htmlAttrs holds the attributes of the current tag that rendering uses.
// Only known names are kept, so a tag costs no map and few allocations.
type htmlAttrs struct {
	href, src, srcset, action, formaction, alt, style, class   string
	color, bgcolor, size, httpEquiv, content, data, background string
	poster, title, width, height                               string
	hidden                                                     bool
}

func (a *htmlAttrs) reset() { *a = htmlAttrs{} }

func (a *htmlAttrs) set(k, v []byte) {
	if len(k) > 16 {
		return // longer than any name used
	}
	if string(k) == "hidden" {
		a.hidden = true
		return
	}
	if f, first := a.field(string(k)); f != nil && !(first && *f != "") {
		*f = string(v)
	}
}

// setString is set for a value that is already a string.
func (a *htmlAttrs) setString(k, v string) {
	if k == "hidden" {
		a.hidden = true
		return
	}
	if f, first := a.field(k); f != nil && !(first && *f != "") {
		*f = v
	}
}

// field returns where the attribute named k (lower-case) is kept and
// whether its first value wins; nil for attributes rendering ignores
// (aria-hidden too: not hidden from a sighted reader).
func (a *htmlAttrs) field(k string) (f *string, first bool) {
	switch k {
	case "href":
		return &a.href, true
	case "src":
		return &a.src, true
	case "srcset":
		return &a.srcset, false
	case "action":
		return &a.action, false
	case "formaction":
		return &a.formaction, false
	case "alt":
		return &a.alt, false
	case "width":
		return &a.width, false
	case "height":
		return &a.height, false
	case "style":
		return &a.style, true
	case "class":
		return &a.class, false
	case "color":
		return &a.color, false
	case "bgcolor":
		return &a.bgcolor, false
	case "size":
		return &a.size, false
	case "http-equiv":
		return &a.httpEquiv, false
	case "content":
		return &a.content, false
	case "data":
		return &a.data, false
	case "background":
		return &a.background, false
	case "poster":
		return &a.poster, false
	}
	return nil, false
}

// plainTagByte marks the bytes that make the tokenizer rewrite a tag's
// name or values: entities and NUL. (CR, converted in values, ends names
// and unquoted values; scanTag gives up on one in a quoted value.)
var plainTagByte = [256]bool{'&': true, 0: true}

// plainTag reports whether a raw start tag has none of plainTagByte, so
// that its name and attribute values as the tokenizer returns them are the
// bytes as written (lower-cased names aside).
func plainTag(raw []byte) bool {
	for _, c := range raw {
		if plainTagByte[c] {
			return false
		}
	}
	return true
}

// rawAt returns src[off:off+len(raw)] when those bytes are raw: the
// current token's text as a slice of src, free of copies.
func rawAt(src string, off int, raw []byte) (string, bool) {
	if off < 0 || off+len(raw) > len(src) || src[off:off+len(raw)] != string(raw) {
		return "", false
	}
	return src[off : off+len(raw)], true
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

// scanTag reads a plain (plainTag) start tag t, "<name ...>", into at the
// way x/net/html's tokenizer reads it (readTag, readTagName,
// readTagAttrKey, readTagAttrVal) and TagName/TagAttr return it: the
// first of duplicate attribute names (compared lower-cased) is kept, and
// at most maxHTMLAttrs attributes are used. It returns the tag's atom;
// ok is false (at half filled) for a CR in a quoted value.
func scanTag(t string, at *htmlAttrs) (a atom.Atom, ok bool) {
	if len(t) < 2 {
		return 0, false
	}
	// readTagName: the first letter is read; the name ends before white
	// space (consumed), '/' or '>'.
	pos := 2
	for pos < len(t) && !isTagSpace(t[pos]) && t[pos] != '/' && t[pos] != '>' {
		pos++
	}
	a = lookupLower(t[1:pos])
	if pos < len(t) && isTagSpace(t[pos]) {
		pos++
	}
	pos = skipTagSpace(t, pos)
	var seen [maxHTMLAttrs]string
	n := 0
	for pos < len(t) && n < maxHTMLAttrs {
		if t[pos] == '>' {
			break
		}
		ks := pos
		pos = attrKeyEnd(t, pos)
		ke := pos
		// readTagAttrVal.
		val := ""
		pos = skipTagSpace(t, pos)
		if pos < len(t) {
			c := t[pos]
			pos++
			switch {
			case c == '/':
			case c != '=':
				pos--
			default:
				pos = skipTagSpace(t, pos)
				if pos >= len(t) {
					break
				}
				q := t[pos]
				pos++
				switch q {
				case '>':
					pos--
				case '\'', '"':
					e := strings.IndexByte(t[pos:], q)
					if e < 0 {
						val, pos = t[pos:], len(t)
					} else {
						val, pos = t[pos:pos+e], pos+e+1
					}
					if strings.IndexByte(val, '\r') >= 0 {
						return 0, false // the tokenizer converts it
					}
				default:
					vs := pos - 1
					for pos < len(t) && !isTagSpace(t[pos]) && t[pos] != '>' {
						pos++
					}
					val = t[vs:pos]
					if pos < len(t) && isTagSpace(t[pos]) {
						pos++
					}
				}
			}
		}
		if key := t[ks:ke]; key != "" && !seenKey(seen[:n], key) {
			seen[n] = key
			n++
			setLower(at, key, val)
		}
		pos = skipTagSpace(t, pos)
	}
	return a, true
}

func skipTagSpace(t string, pos int) int {
	for pos < len(t) && isTagSpace(t[pos]) {
		pos++
	}
	return pos
}

// seenKey reports whether key is in keys, compared as the tokenizer
// compares names: ASCII letters lower-cased, other bytes as they are.
func seenKey(keys []string, key string) bool {
	for _, k := range keys {
		if len(k) == len(key) && asciiFoldEqual(k, key) {
			return true
		}
	}
	return false
}

func asciiFoldEqual(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lowerName16 writes the name key lower-cased (ASCII letters) into buf;
// ok is false for a name longer than 16 bytes, longer than any attribute
// rendering reads.
func lowerName16(buf *[16]byte, key string) (_ []byte, ok bool) {
	if len(key) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(key)], true
}

// setLower is at.setString with the name lower-cased (ASCII) as the
// tokenizer returns it; names longer than any used one are skipped.
func setLower(at *htmlAttrs, key, val string) {
	var buf [16]byte
	if k, ok := lowerName16(&buf, key); ok {
		at.setString(string(k), val)
	}
}

// endTagAtom is the atom of an end tag's name as the tokenizer reads it
// (readTagName from the first letter after "</"), from its raw text; ok
// is false when the name holds a NUL (TagName rewrites those).
func endTagAtom(raw []byte) (a atom.Atom, ok bool) {
	if len(raw) < 3 || raw[0] != '<' || raw[1] != '/' {
		return 0, false
	}
	j := 3
	for j < len(raw) && !isTagSpace(raw[j]) && raw[j] != '/' && raw[j] != '>' {
		j++
	}
	name := raw[2:j]
	if bytes.IndexByte(name, 0) >= 0 {
		return 0, false
	}
	var buf [32]byte
	if len(name) > len(buf) {
		return 0, true // longer than any atom
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return atom.Lookup(buf[:len(name)]), true
}

// lookupLower is atom.Lookup of the ASCII-lower-cased name.
func lookupLower(name string) atom.Atom {
	var buf [32]byte
	if len(name) > len(buf) {
		return 0 // longer than any atom
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return atom.Lookup(buf[:len(name)])
}

// styleDecl is the subset of CSS that decides visibility.
type styleDecl struct {
	display, visibility, opacity, fontSize, color, bg string
	height, maxHeight, width, overflow, msoHide       string
	textIndent, left, lineHeight, clip                string
}

// merge copies the fields set in o over d.
func (d *styleDecl) merge(o *styleDecl) {
	m := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	m(&d.display, o.display)
	m(&d.visibility, o.visibility)
	m(&d.opacity, o.opacity)
	m(&d.fontSize, o.fontSize)
	m(&d.color, o.color)
	m(&d.bg, o.bg)
	m(&d.height, o.height)
	m(&d.maxHeight, o.maxHeight)
	m(&d.width, o.width)
	m(&d.overflow, o.overflow)
	m(&d.msoHide, o.msoHide)
	m(&d.textIndent, o.textIndent)
	m(&d.left, o.left)
	m(&d.lineHeight, o.lineHeight)
	m(&d.clip, o.clip)
}

// parseStyleInto scans "k: v; k: v" declarations (lower-cased) into d.
func parseStyleInto(st string, d *styleDecl) {
	for len(st) > 0 {
		var decl string
		if i := strings.IndexByte(st, ';'); i >= 0 {
			decl, st = st[:i], st[i+1:]
		} else {
			decl, st = st, ""
		}
		k, v, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if strings.HasSuffix(v, "important") {
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "important"), "!"))
		}
		switch k {
		case "display":
			d.display = v
		case "visibility":
			d.visibility = v
		case "opacity":
			d.opacity = v
		case "font-size":
			d.fontSize = v
		case "color":
			d.color = v
		case "background-color":
			d.bg = v
		case "background":
			if strings.Contains(v, "url(") {
				d.bg = bgImage
			} else if c := bgColorOf(v); c != "" {
				d.bg = c
			}
		case "background-image":
			if strings.Contains(v, "url(") {
				d.bg = bgImage
			}
		case "height":
			d.height = v
		case "max-height":
			d.maxHeight = v
		case "width":
			d.width = v
		case "max-width":
			if d.width == "" {
				d.width = v
			}
		case "overflow":
			d.overflow = v
		case "mso-hide":
			d.msoHide = v
		case "text-indent":
			d.textIndent = v
		case "left":
			d.left = v
		case "line-height":
			d.lineHeight = v
		case "clip":
			d.clip = v
		}
	}
}

// bgImage is the background of an element with a background image: its
// colour is unknown, so text on it is never judged same-coloured.
const bgImage = "image"

// bgColorOf picks the colour out of a "background:" shorthand.
func bgColorOf(v string) string {
	for _, f := range strings.Fields(v) {
		if strings.HasPrefix(f, "#") || strings.HasPrefix(f, "rgb") {
			return f
		}
		if _, ok := namedColors[f]; ok {
			return f
		}
	}
	return ""
}

// hiddenBy reports whether a declaration set makes text invisible.
func (d *styleDecl) hiddenBy() bool {
	switch {
	case d.display == "none", d.visibility == "hidden", d.visibility == "collapse", d.msoHide == "all":
		return true
	case d.opacity != "" && zeroNumber(d.opacity):
		return true
	case d.fontSize != "" && tinySize(d.fontSize):
		return true
	case (zeroLength(d.height) || zeroLength(d.maxHeight) || zeroLength(d.width)) && d.overflow == "hidden":
		return true
	case zeroLength(d.lineHeight) && d.overflow == "hidden":
		return true
	case farNegative(d.textIndent) || farNegative(d.left):
		return true
	case strings.HasPrefix(d.clip, "rect(0") && strings.Count(d.clip, "0") >= 4:
		return true
	case d.color == "transparent":
		return true
	}
	return false
}

func zeroNumber(s string) bool {
	f := parseFloat(strings.TrimSuffix(s, "%"))
	return f >= 0 && f < 0.05
}

func zeroLength(s string) bool {
	if s == "" {
		return false
	}
	for _, u := range []string{"px", "pt", "em", "rem", "%"} {
		s = strings.TrimSuffix(s, u)
	}
	f := parseFloat(strings.TrimSpace(s))
	return f >= 0 && f < 1
}

func farNegative(s string) bool {
	if !strings.HasPrefix(s, "-") {
		return false
	}
	for _, u := range []string{"px", "pt", "em", "rem"} {
		if strings.HasSuffix(s, u) {
			f := parseFloat(strings.TrimSpace(strings.TrimSuffix(s[1:], u)))
			if u == "em" || u == "rem" {
				f *= 16
			}
			return f >= 500
		}
	}
	return false
}

// classRules maps a CSS class to the visibility-relevant declarations of
// simple ".cls" / "tag.cls" rules from <style> elements.
type classRules map[string]*styleDecl

// addStyleSheet parses simple rules; anything complex is ignored. Rules
// inside at-rule blocks (@media) count as top-level ones. Linear time.
func (cr classRules) addStyleSheet(css string) {
	css = asciiLower(css)
	pos := 0
	for pos < len(css) {
		open := strings.IndexByte(css[pos:], '{')
		if open < 0 {
			return
		}
		open += pos
		sel := strings.TrimLeft(css[pos:open], "} \t\r\n")
		if strings.HasPrefix(sel, "@") {
			pos = open + 1 // enter the block
			continue
		}
		close := strings.IndexByte(css[open:], '}')
		if close < 0 {
			return
		}
		close += open
		body := css[open+1 : close]
		pos = close + 1
		var d styleDecl
		parseStyleInto(body, &d)
		if d == (styleDecl{}) {
			continue
		}
		for _, s := range strings.Split(sel, ",") {
			s = strings.TrimSpace(s)
			if i := strings.LastIndexAny(s, " \t\r\n>"); i >= 0 {
				s = s[i+1:] // descendant selector: keep the last simple one
			}
			dot := strings.IndexByte(s, '.')
			if dot < 0 || strings.ContainsAny(s[dot+1:], ".:[#>+~*") {
				continue
			}
			cls := s[dot+1:]
			if cls == "" || len(cr) >= maxStyleRules {
				continue
			}
			if old := cr[cls]; old != nil {
				old.merge(&d)
			} else {
				dd := d
				cr[cls] = &dd
			}
		}
	}
}

func isSkipTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Head, atom.Xmp, atom.Noembed, atom.Noframes:
		return true
	}
	return false
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Blockquote, atom.Hr, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Form, atom.Address, atom.Pre,
		atom.Center, atom.Main, atom.Figure, atom.Figcaption, atom.Fieldset, atom.Caption, atom.Tbody,
		atom.Thead, atom.Tfoot, atom.Body, atom.Html, atom.Option, atom.Legend, atom.Details, atom.Summary:
		return true
	}
	return false
}

// renderHTML turns HTML into the text a reader sees, marks hidden text and
// collects every URL (href with anchor text, src, srcset, form action,
// meta refresh, area, background, CSS url()).
func renderHTML(src string, maxBytes int) htmlResult {
	var res htmlResult
	if len(src) > maxBytes {
		src = src[:maxBytes]
		res.Limited = true
	}
	z := newHTMLLexer(src, maxBytes+4096)
	var vis, hid strings.Builder
	vis.Grow(len(src) / 3)
	stack := make([]frame, 1, 32)
	stack[0] = frame{}
	var classes classRules
	var anchor URL // the open <a>'s URL, while hasAnchor
	hasAnchor := false
	var anchorText []byte // its text so far
	inAnchor := false
	lastNL := true
	newline := func() {
		if !lastNL {
			vis.WriteByte('\n')
			lastNL = true
		}
	}
	finishAnchor := func() {
		if hasAnchor {
			anchor.Anchor = collapseSpace(string(anchorText))
			res.URLs = append(res.URLs, anchor)
			hasAnchor = false
		}
		inAnchor = false
		anchorText = anchorText[:0]
	}
	addURL := func(raw, source string, hidden bool) {
		raw = strings.TrimSpace(raw)
		if hasTabOrLineEnd(raw) {
			// Browsers drop tabs and line breaks inside URLs.
			raw = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(raw)
		}
		if raw == "" || raw[0] == '#' || len(res.URLs) >= maxHTMLURLs {
			return
		}
		if len(raw) > 4 && strings.EqualFold(raw[:4], "cid:") {
			res.CIDs = append(res.CIDs, strings.Trim(raw[4:], "<> "))
			return
		}
		u := makeURL(raw, source)
		u.Hidden = hidden
		res.URLs = append(res.URLs, u)
	}
	for {
		tt := z.Next()
		top := &stack[len(stack)-1]
		switch tt {
		case html.ErrorToken:
			finishAnchor()
			res.Text = tidySpaces(vis.String())
			res.Hidden = tidySpaces(hid.String())
			return res
		case html.TextToken:
			if top.skip {
				if top.tag == atom.Style {
					if classes == nil {
						classes = classRules{}
					}
					classes.addStyleSheet(string(z.Text()))
				}
				continue
			}
			t := z.Text()
			if top.hidden || top.colorHidden {
				if hid.Len() < maxBytes {
					writeCollapsed(&hid, t, false)
					hid.WriteByte(' ')
				}
				if inAnchor {
					anchorText = append(anchorText, t...)
				}
				continue
			}
			if vis.Len() >= maxBytes {
				res.Limited = true
				continue
			}
			if writeCollapsed(&vis, t, top.pre) {
				lastNL = vis.String()[vis.Len()-1] == '\n'
			}
			if inAnchor {
				anchorText = append(anchorText, t...)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			a, at := z.StartTag()
			parent := *top
			f := frame{tag: a, fg: parent.fg, bg: parent.bg, pre: parent.pre || a == atom.Pre}
			own := elementHidden(a, at, classes, &f)
			f.hidden = parent.hidden || own
			if f.fg != parent.fg || f.bg != parent.bg {
				f.colorHidden = f.fg != "" && f.bg != "" && sameColor(f.fg, f.bg)
			} else {
				f.colorHidden = parent.colorHidden
			}
			if isSkipTag(a) || parent.skip && parent.tag != atom.Head {
				f.skip = true
			}
			hidden := f.hidden || f.colorHidden || parent.skip && a != atom.Meta && a != atom.Base && a != atom.Link
			if !hidden && !parent.skip {
				if isBlock(a) {
					newline()
				} else if a == atom.Td || a == atom.Th {
					if !lastNL {
						vis.WriteByte(' ')
					}
				}
			}
			if a == atom.Img || a == atom.Area || a == atom.Input {
				if alt := strings.TrimSpace(at.alt); alt != "" && !hidden {
					vis.WriteByte(' ')
					vis.WriteString(alt)
					vis.WriteByte(' ')
					lastNL = false
					if inAnchor {
						anchorText = append(append(append(anchorText, ' '), alt...), ' ')
					}
				}
			}
			// URLs.
			switch a {
			case atom.A:
				if strings.TrimSpace(at.href) != "" && !strings.HasPrefix(strings.TrimSpace(at.href), "#") {
					finishAnchor()
					addURL(at.href, "href", hidden)
					if n := len(res.URLs); n > 0 && res.URLs[n-1].Source == "href" {
						anchor, hasAnchor = res.URLs[n-1], true
						res.URLs = res.URLs[:n-1]
						inAnchor = true
					}
				}
			case atom.Area:
				addURL(at.href, "area", hidden)
			case atom.Form:
				addURL(at.action, "form", hidden)
			case atom.Base:
				addURL(at.href, "base", hidden)
			case atom.Link:
				addURL(at.href, "src", hidden)
			case atom.Meta:
				if strings.EqualFold(strings.TrimSpace(at.httpEquiv), "refresh") {
					c := at.content
					if i := strings.Index(asciiLower(c), "url="); i >= 0 {
						addURL(strings.Trim(c[i+4:], `'" `), "meta", false)
					}
				}
			case atom.Object:
				addURL(at.data, "src", hidden)
			}
			if at.src != "" {
				addURL(at.src, "src", hidden)
				if a == atom.Img && isPixel(at) {
					if n := len(res.URLs); n > 0 && res.URLs[n-1].Source == "src" {
						res.URLs[n-1].Pixel = true
					}
				}
			}
			if at.srcset != "" {
				for _, c := range strings.Split(at.srcset, ",") {
					if fs := strings.Fields(c); len(fs) > 0 {
						addURL(fs[0], "src", hidden)
					}
				}
			}
			if at.formaction != "" {
				addURL(at.formaction, "form", hidden)
			}
			if at.background != "" {
				addURL(at.background, "src", hidden)
			}
			if at.poster != "" {
				addURL(at.poster, "src", hidden)
			}
			if at.style != "" {
				for _, u := range cssURLs(at.style) {
					addURL(u, "src", hidden)
				}
			}
			if tt == html.StartTagToken && !isVoid(a) {
				if len(stack) >= maxHTMLDepth {
					res.Limited = true
					continue
				}
				stack = append(stack, f)
			}
		case html.EndTagToken:
			a := z.EndTag()
			if a == atom.A {
				finishAnchor()
			}
			// Pop to the matching frame, if any (tolerant of bad nesting).
			for i := len(stack) - 1; i >= 1; i-- {
				if stack[i].tag == a {
					wasHidden := stack[i].hidden || stack[i].colorHidden || stack[i].skip
					stack = stack[:i]
					if !wasHidden && (isBlock(a) || a == atom.Br) {
						newline()
					}
					break
				}
			}
			if a == atom.Br || a == atom.P && !stack[len(stack)-1].hidden {
				newline()
			}
		}
	}
}

// hasTabOrLineEnd is strings.ContainsAny(s, "\t\r\n") without building
// the set on every call.
func hasTabOrLineEnd(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\t' || c == '\r' || c == '\n' {
			return true
		}
	}
	return false
}

// elementHidden decides from attributes, class rules and inline style
// whether the element and its content are invisible, and updates the
// frame's effective colours (text coloured like its background is judged
// per element from these, as a child may change either).
func elementHidden(a atom.Atom, at *htmlAttrs, classes classRules, f *frame) bool {
	hidden := at.hidden
	if a == atom.Input {
		return false
	}
	if at.bgcolor != "" {
		f.bg = at.bgcolor
	}
	if at.background != "" {
		f.bg = bgImage
	}
	if a == atom.Font {
		if sz := strings.TrimSpace(at.size); sz == "0" || sz == "-7" {
			hidden = true
		}
		if at.color != "" {
			f.fg = at.color
		}
	}
	var d styleDecl
	if classes != nil && at.class != "" {
		for _, c := range strings.Fields(strings.ToLower(at.class)) {
			if cd := classes[c]; cd != nil {
				d.merge(cd)
			}
		}
	}
	if at.style != "" {
		parseStyleInto(strings.ToLower(at.style), &d)
	}
	if d.hiddenBy() {
		hidden = true
	}
	if d.color != "" {
		f.fg = d.color
	}
	if d.bg != "" {
		f.bg = d.bg
	}
	if f.bg == bgImage {
		f.bg = "" // unknown colour
	}
	return hidden
}

// cssURLs returns the url(...) references of an inline style.
func cssURLs(st string) []string {
	var out []string
	low := asciiLower(st)
	for len(out) < 8 {
		i := strings.Index(low, "url(")
		if i < 0 {
			break
		}
		j := strings.IndexByte(low[i:], ')')
		if j < 0 {
			break
		}
		out = append(out, strings.Trim(st[i+4:i+j], `'" `))
		low, st = low[i+j:], st[i+j:]
	}
	return out
}

// writeCollapsed writes HTML text collapsing whitespace runs (newlines in
// the source are spaces to a reader, except inside <pre>). It reports
// whether it wrote anything.
func writeCollapsed(sb *strings.Builder, t []byte, pre bool) bool {
	wrote := false
	space := false
	for i := 0; i < len(t); {
		switch t[i] {
		case '\n':
			i++
			if pre {
				sb.WriteByte('\n')
				wrote = true
				space = false
				continue
			}
			space = true
			continue
		case ' ', '\t', '\r', '\f':
			space = true
			i++
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		// A single space between two such bytes is written as it is.
		j := runEnd(t, i+1, &collapseStop, 0)
		sb.Write(t[i:j])
		wrote = true
		i = j
	}
	if space {
		sb.WriteByte(' ')
		wrote = true
	}
	return wrote
}

// runEnd is where the run of s from j on that writeCollapsed and
// tidySpaces copy as it is ends: at the first byte of stop, but for a
// single space between two bytes not of stop. s[j-1] is not of stop.
// stop holds only bytes at or below 0x20 and, when nbsp is not 0, nbsp.
//
// Eight bytes at a time: a word is taken whole when its only bytes at or
// below 0x20 or equal to nbsp are spaces, no two of them side by side
// (a space in its last byte needs the byte after it not of stop). Any
// other word (a stop byte, or another control byte) goes a byte at a
// time, as the table says. The per-byte tests add at most 0x7f to seven
// bits, so no byte carries into the next: each byte's mask bit is exact.
// A byte loop cost 4-5 instructions a byte; a word here about 20.
func runEnd[T string | []byte](s T, j int, stop *[256]bool, nbsp byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for {
		for j+8 <= len(s) {
			t := s[j : j+8]
			w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
			low := ^(((w &^ hi) + lo*0x5f) | w) & hi // bytes 0x00-0x20
			x := w ^ lo*uint64(nbsp)
			low |= ^(((x &^ hi) + lo*0x7f) | x) & hi // and nbsp
			y := w ^ lo*' '
			sp := ^(((y &^ hi) + lo*0x7f) | y) & hi // spaces
			if low&^sp != 0 || sp&(sp>>8) != 0 {
				break
			}
			if sp>>63 != 0 { // the last byte a space
				if j+8 < len(s) && !stop[s[j+8]] {
					j += 9
					continue
				}
				return j + 7
			}
			j += 8
		}
		for lim := j + 8; j < lim; {
			if j >= len(s) {
				return j
			}
			if !stop[s[j]] {
				j++
			} else if s[j] == ' ' && j+1 < len(s) && !stop[s[j+1]] {
				j += 2
			} else {
				return j
			}
		}
	}
}

// collapseStop ends a run writeCollapsed copies as it is.
var collapseStop = [256]bool{'\n': true, ' ': true, '\t': true, '\r': true, '\f': true}

func collapseSpace(s string) string {
	if singleSpaced(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// singleSpaced reports whether s is ASCII words apart by single spaces,
// with none at either end: strings.Fields and Join give s back.
func singleSpaced(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

func tinySize(fs string) bool {
	fs = strings.TrimSpace(fs)
	switch fs {
	case "0":
		return true
	case "xx-small", "x-small", "small", "medium", "large", "smaller", "larger":
		return false
	}
	for _, u := range []string{"px", "pt", "em", "rem", "%", "vw", "vh"} {
		if strings.HasSuffix(fs, u) {
			f := parseFloat(strings.TrimSpace(strings.TrimSuffix(fs, u)))
			if f < 0 {
				return false
			}
			switch u {
			case "px", "pt":
				return f < 2
			case "em", "rem":
				return f < 0.15
			case "%":
				return f < 15
			default:
				return f < 0.1
			}
		}
	}
	f := parseFloat(fs)
	return f >= 0 && f < 1
}

func parseFloat(s string) float64 {
	var f, div float64 = 0, 0
	if s == "" {
		return -1
	}
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if div > 0 {
				div *= 10
				f += float64(c-'0') / div
			} else {
				f = f*10 + float64(c-'0')
			}
		case c == '.' && div == 0:
			div = 1
		default:
			return -1
		}
	}
	return f
}

var namedColors = map[string]string{
	"white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
	"yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "transparent": "transparent",
	"navy": "#000080", "maroon": "#800000", "purple": "#800080", "teal": "#008080", "olive": "#808000",
	"lime": "#00ff00", "aqua": "#00ffff", "cyan": "#00ffff", "fuchsia": "#ff00ff", "magenta": "#ff00ff",
	"orange": "#ffa500", "whitesmoke": "#f5f5f5", "snow": "#fffafa", "ivory": "#fffff0",
}

// normColor turns a CSS/HTML colour into "#rrggbb" where it can.
func normColor(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if n, ok := namedColors[c]; ok {
		return n
	}
	if len(c) == 6 && isHexString(c) {
		c = "#" + c // bgcolor="ffffff"
	}
	if len(c) == 4 && c[0] == '#' {
		return "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	if strings.HasPrefix(c, "rgb") {
		i := strings.IndexByte(c, '(')
		j := strings.IndexByte(c, ')')
		if i > 0 && j > i {
			parts := strings.FieldsFunc(c[i+1:j], func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
			if len(parts) >= 3 {
				if len(parts) >= 4 && zeroNumber(parts[3]) {
					return "transparent"
				}
				var b [3]byte
				for k := 0; k < 3; k++ {
					f := parseFloat(strings.TrimSuffix(parts[k], "%"))
					if strings.HasSuffix(parts[k], "%") {
						f = f * 255 / 100
					}
					if f < 0 || f > 255 {
						return c
					}
					b[k] = byte(f + 0.5)
				}
				const hx = "0123456789abcdef"
				return string([]byte{'#', hx[b[0]>>4], hx[b[0]&15], hx[b[1]>>4], hx[b[1]&15], hx[b[2]>>4], hx[b[2]&15]})
			}
		}
	}
	return c
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func sameColor(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	na, nb := normColor(a), normColor(b)
	if na == "transparent" {
		return false
	}
	if na == nb {
		return true
	}
	// Near-identical colours (#fefefe on #ffffff) are as unreadable.
	ra, oka := rgbOf(na)
	rb, okb := rgbOf(nb)
	if !oka || !okb {
		return false
	}
	for i := 0; i < 3; i++ {
		d := int(ra[i]) - int(rb[i])
		if d < -12 || d > 12 {
			return false
		}
	}
	return true
}

func rgbOf(c string) ([3]byte, bool) {
	var out [3]byte
	if len(c) != 7 || c[0] != '#' || !isHexString(c[1:]) {
		return out, false
	}
	for i := 0; i < 3; i++ {
		out[i] = unhex(c[1+2*i])<<4 | unhex(c[2+2*i])
	}
	return out, true
}

// tidySpaces collapses runs of spaces and keeps at most one blank line.
func tidySpaces(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	nl := 0        // pending newlines
	space := false // pending space
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\n':
			nl++
			space = false
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // NBSP
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
		// Copy the run up to the next white space or NBSP lead byte (a
		// 0xC2 is never inside another UTF-8 sequence); a single space
		// between two such bytes is written as it is.
		j := runEnd(s, i+1, &tidyStop, 0xC2)
		sb.WriteString(s[i:j])
		i = j
	}
	return sb.String()
}

// tidyStop ends a run tidySpaces copies as it is.
var tidyStop = [256]bool{'\n': true, ' ': true, '\t': true, '\r': true, '\f': true, '\v': true, 0xC2: true}

// isPixel reports an image drawn at most 2×2 pixels (by its width and
// height attributes or inline style): a tracking pixel.
func isPixel(at *htmlAttrs) bool {
	w, h := at.width, at.height
	if at.style != "" {
		var d styleDecl
		parseStyleInto(at.style, &d)
		if d.width != "" {
			w = d.width
		}
		if d.height != "" {
			h = d.height
		}
	}
	tiny := func(v string) bool {
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(v)), "px"))
		return v == "0" || v == "1" || v == "2"
	}
	return tiny(w) && tiny(h)
}

// attrKeyEnd is where the attribute name starting at p in t ends (x/net/html's
// readTagAttrKey: a leading '=' is part of the name; '=', white space, '/'
// and '>' end it).
func attrKeyEnd(t string, p int) int {
	ks := p
	for p < len(t) {
		c := t[p]
		p++
		if c == '=' && ks+1 == p {
			continue
		}
		if c == '=' || isTagSpace(c) || c == '/' || c == '>' {
			return p - 1
		}
	}
	return p
}
