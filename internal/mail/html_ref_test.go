package mail

// The renderer as it was before htmlLexer: x/net/html's Tokenizer for
// every token. FuzzHTMLLexer, TestHTMLLexerMatchesTokenizer and
// TestHTMLLexerCorpus compare renderHTML with it.

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderHTMLRef turns HTML into the text a reader sees, marks hidden text and
// collects every URL (href with anchor text, src, srcset, form action,
// meta refresh, area, background, CSS url()).
func renderHTMLRef(src string, maxBytes int) htmlResult {
	var res htmlResult
	if len(src) > maxBytes {
		src = src[:maxBytes]
		res.Limited = true
	}
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(maxBytes + 4096)
	var vis, hid strings.Builder
	vis.Grow(len(src) / 3)
	stack := make([]frame, 1, 32)
	stack[0] = frame{}
	var classes classRules
	var at htmlAttrs
	var anchor *URL
	var anchorText strings.Builder
	inAnchor := false
	lastNL := true
	newline := func() {
		if !lastNL {
			vis.WriteByte('\n')
			lastNL = true
		}
	}
	finishAnchor := func() {
		if anchor != nil {
			anchor.Anchor = collapseSpace(anchorText.String())
			res.URLs = append(res.URLs, *anchor)
			anchor = nil
		}
		inAnchor = false
		anchorText.Reset()
	}
	addURL := func(raw, source string, hidden bool) {
		raw = strings.TrimSpace(raw)
		if strings.ContainsAny(raw, "\t\r\n") {
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
	off := 0 // where the current token starts in src, while the tokens tile it
	for {
		tt := z.Next()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			off += len(z.Raw())
		}
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
					anchorText.Write(t)
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
				anchorText.Write(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := z.Raw()
			var a atom.Atom
			at.reset()
			fast := false
			if sub, ok := rawAt(src, off, raw); ok && plainTag(raw) {
				// No entity or NUL in the tag (nor CR in a quoted
				// value): its name and values are the bytes as written,
				// slices of src (no copies).
				a, fast = scanTag(sub, &at)
			}
			if !fast {
				at.reset()
				name, hasAttr := z.TagName()
				a = atom.Lookup(name)
				for n := 0; hasAttr && n < maxHTMLAttrs; n++ {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					at.set(k, v)
				}
			}
			off += len(raw)
			parent := *top
			f := frame{tag: a, fg: parent.fg, bg: parent.bg, pre: parent.pre || a == atom.Pre}
			own := elementHidden(a, &at, classes, &f)
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
					vis.WriteString(" " + alt + " ")
					lastNL = false
					if inAnchor {
						anchorText.WriteString(" " + alt + " ")
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
						u := res.URLs[n-1]
						res.URLs = res.URLs[:n-1]
						anchor = &u
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
				if a == atom.Img && isPixel(&at) {
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
			a, ok := endTagAtom(z.Raw())
			if !ok {
				name, _ := z.TagName()
				a = atom.Lookup(name)
			}
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
