package mail

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlResult is what renderHTML finds in an HTML document.
type htmlResult struct {
	Text    string // what a reader sees
	Hidden  string // text a reader cannot see
	URLs    []URL
	Limited bool // input too large or too deep: rendering stopped early
}

const maxHTMLDepth = 256

// renderHTML turns HTML into the text a reader sees, marks hidden text and
// collects every URL (href with anchor text, src, form action, meta refresh).
func renderHTML(src string, maxBytes int) htmlResult {
	var res htmlResult
	if len(src) > maxBytes {
		src = src[:maxBytes]
		res.Limited = true
	}
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(maxBytes + 4096)
	var vis, hid strings.Builder
	type frame struct {
		tag    atom.Atom
		hidden bool
	}
	stack := make([]frame, 0, 32)
	hiddenDepth := 0 // number of hidden frames on the stack
	skip := 0        // inside script/style/head title etc.
	var anchor *URL
	var anchorText strings.Builder
	newline := func() {
		s := vis.String()
		if len(s) > 0 && !strings.HasSuffix(s, "\n") {
			vis.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if anchor != nil {
				anchor.Anchor = strings.TrimSpace(anchorText.String())
				res.URLs = append(res.URLs, *anchor)
			}
			res.Text = tidySpaces(vis.String())
			res.Hidden = tidySpaces(hid.String())
			return res
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := html.UnescapeString(string(z.Raw()))
			if hiddenDepth > 0 {
				hid.WriteString(t)
				hid.WriteByte(' ')
				continue
			}
			vis.WriteString(t)
			if anchor != nil {
				anchorText.WriteString(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := string(k)
				if _, dup := attrs[key]; !dup && len(attrs) < 64 {
					attrs[key] = string(v)
				}
			}
			hidden := isHiddenElement(a, attrs)
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template:
				if tt == html.StartTagToken {
					skip++
					stack = append(stack, frame{tag: a})
				}
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Blockquote, atom.Hr:
				newline()
			case atom.Td, atom.Th:
				vis.WriteByte(' ')
			case atom.Img:
				if alt := attrs["alt"]; alt != "" && hiddenDepth == 0 {
					vis.WriteString(" " + alt + " ")
					if anchor != nil {
						anchorText.WriteString(alt)
					}
				}
			}
			hid0 := hiddenDepth > 0 || hidden
			for _, u := range htmlAttrURLs(a, attrs) {
				u.Hidden = hid0
				if u.Source == "href" && (a == atom.A) {
					if anchor != nil {
						anchor.Anchor = strings.TrimSpace(anchorText.String())
						res.URLs = append(res.URLs, *anchor)
					}
					uu := u
					anchor = &uu
					anchorText.Reset()
					continue
				}
				res.URLs = append(res.URLs, u)
			}
			if tt == html.StartTagToken && !isVoid(a) && a != atom.Script && a != atom.Style && a != atom.Title && a != atom.Noscript && a != atom.Template {
				if len(stack) >= maxHTMLDepth {
					res.Limited = true
					continue
				}
				stack = append(stack, frame{tag: a, hidden: hidden})
				if hidden {
					hiddenDepth++
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.A && anchor != nil {
				anchor.Anchor = strings.TrimSpace(anchorText.String())
				res.URLs = append(res.URLs, *anchor)
				anchor = nil
				anchorText.Reset()
			}
			// Pop to the matching frame, if any (tolerant of bad nesting).
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].tag == a {
					for j := len(stack) - 1; j >= i; j-- {
						f := stack[j]
						if f.hidden {
							hiddenDepth--
						}
						if f.tag == atom.Script || f.tag == atom.Style || f.tag == atom.Title || f.tag == atom.Noscript || f.tag == atom.Template {
							skip--
						}
					}
					stack = stack[:i]
					break
				}
			}
			switch a {
			case atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Blockquote:
				newline()
			}
		}
	}
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// isHiddenElement decides from inline style and attributes whether the
// element's text is invisible: display:none, visibility:hidden, zero or
// tiny font, zero size/opacity, text colour equal to background colour.
func isHiddenElement(a atom.Atom, attrs map[string]string) bool {
	if _, ok := attrs["hidden"]; ok {
		return true
	}
	if a == atom.Font {
		if sz := strings.TrimSpace(attrs["size"]); sz == "0" || sz == "-7" {
			return true
		}
		if c := attrs["color"]; c != "" && sameColor(c, attrs["bgcolor"]) {
			return true
		}
	}
	st := strings.ToLower(attrs["style"])
	if st == "" {
		return false
	}
	decl := parseStyle(st)
	if decl["display"] == "none" || decl["visibility"] == "hidden" {
		return true
	}
	if op, ok := decl["opacity"]; ok && (op == "0" || op == "0.0" || op == ".0") {
		return true
	}
	if fs, ok := decl["font-size"]; ok && tinySize(fs) {
		return true
	}
	if (decl["height"] == "0" || decl["height"] == "0px" || decl["max-height"] == "0" || decl["max-height"] == "0px") && decl["overflow"] == "hidden" {
		return true
	}
	col := decl["color"]
	bg := decl["background-color"]
	if bg == "" {
		bg = decl["background"]
	}
	if col != "" && bg != "" && sameColor(col, bg) {
		return true
	}
	return false
}

func parseStyle(st string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(st, ";") {
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

func tinySize(fs string) bool {
	fs = strings.TrimSpace(fs)
	for _, u := range []string{"px", "pt", "em", "rem", "%"} {
		if strings.HasSuffix(fs, u) {
			n := strings.TrimSpace(strings.TrimSuffix(fs, u))
			f := parseFloat(n)
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
			}
		}
	}
	return fs == "0" || fs == "xx-small" && false
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
}

func normColor(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if n, ok := namedColors[c]; ok {
		return n
	}
	if len(c) == 4 && c[0] == '#' {
		return "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	if strings.HasPrefix(c, "rgb(") {
		c = strings.ReplaceAll(c, " ", "")
	}
	return c
}

func sameColor(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	na, nb := normColor(a), normColor(b)
	return na != "transparent" && na == nb
}

// htmlAttrURLs returns the URLs an element references.
func htmlAttrURLs(a atom.Atom, attrs map[string]string) []URL {
	var out []URL
	add := func(raw, src string) {
		raw = strings.TrimSpace(raw)
		if raw == "" || strings.HasPrefix(raw, "#") {
			return
		}
		out = append(out, makeURL(raw, src))
	}
	switch a {
	case atom.A:
		add(attrs["href"], "href")
	case atom.Area:
		add(attrs["href"], "area")
	case atom.Img, atom.Iframe, atom.Embed, atom.Script, atom.Source, atom.Frame, atom.Input, atom.Video, atom.Audio:
		if s := attrs["src"]; s != "" && !strings.HasPrefix(strings.ToLower(s), "cid:") {
			add(s, "src")
		}
	case atom.Form:
		add(attrs["action"], "form")
	case atom.Base:
		add(attrs["href"], "base")
	case atom.Link:
		add(attrs["href"], "src")
	case atom.Meta:
		if strings.EqualFold(attrs["http-equiv"], "refresh") {
			c := attrs["content"]
			if i := strings.Index(strings.ToLower(c), "url="); i >= 0 {
				add(strings.Trim(c[i+4:], `'" `), "meta")
			}
		}
	case atom.Object:
		add(attrs["data"], "src")
	}
	if bg := attrs["background"]; bg != "" {
		add(bg, "src")
	}
	return out
}

// tidySpaces collapses runs of spaces and blank lines.
func tidySpaces(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	lines := strings.Split(s, "\n")
	blank := 0
	for _, ln := range lines {
		ln = strings.Join(strings.FieldsFunc(ln, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\u00a0' || r == '\f' }), " ")
		if ln == "" {
			blank++
			continue
		}
		if sb.Len() > 0 {
			if blank > 0 {
				sb.WriteString("\n\n")
			} else {
				sb.WriteByte('\n')
			}
		}
		blank = 0
		sb.WriteString(ln)
	}
	return sb.String()
}
