// Package sanitize makes message HTML safe to show in the console: no
// script, no style, no form or frame, no request of any kind when opened.
package sanitize

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// AnchorHost returns the host an anchor text shows, when it looks like an
// address ("https://login.microsoftonline.com/..." or "www.bank.example").
func AnchorHost(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	if a == "" || strings.ContainsAny(a, " \t\n") {
		return ""
	}
	if i := strings.Index(a, "://"); i >= 0 {
		a = a[i+3:]
	}
	if i := strings.IndexAny(a, "/?#"); i >= 0 {
		a = a[:i]
	}
	if i := strings.LastIndex(a, "@"); i >= 0 {
		a = a[i+1:]
	}
	if i := strings.IndexByte(a, ':'); i >= 0 {
		a = a[:i]
	}
	if !strings.Contains(a, ".") || strings.HasSuffix(a, ".") {
		return ""
	}
	return a
}

// TrimWWW drops a leading "www." and lower-cases.
func TrimWWW(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }

// policy allows formatting only: no script, no style, no forms, no
// embedded content; links and images are rewritten after sanitising.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "i", "u", "s", "strong", "em", "small", "big", "sub", "sup",
		"ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
		"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "center", "font", "a", "img")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto", "ftp", "cid", "data")
	p.AllowRelativeURLs(true)
	p.AllowAttrs("src", "alt", "width", "height").OnElements("img")
	p.AllowAttrs("colspan", "rowspan", "align", "valign").OnElements("td", "th", "tr", "table")
	p.AllowAttrs("align").OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("color").OnElements("font")
	p.AllowNoAttrs().OnElements("center")
	return p
}()

// HTML makes message HTML safe to show: bluemonday removes script,
// event handlers, styles, forms and frames; then every link loses its href
// (its destination is shown as a tooltip and in the link table) and every
// image becomes a text placeholder, so opening the message makes no request.
func HTML(src, lang string) string {
	if len(src) > 4<<20 {
		src = src[:4<<20]
	}
	clean := policy.Sanitize(src)
	z := xhtml.NewTokenizer(strings.NewReader(clean))
	var sb strings.Builder
	blocked := "image blocked"
	if lang == "ja" {
		blocked = "画像ブロック"
	}
	// The DOM handed to the browser is bounded (issue 14: 300,000 nested
	// tables never finished loading): at most MaxElements elements and
	// MaxDepth open at once; past either, tags are dropped (their text
	// stays) and a notice says the view was simplified.
	elements, depth, cut := 0, 0, false
	open := map[string]int{}    // emitted and still open, per tag
	skipped := map[string]int{} // start tags dropped, per tag
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if cut {
				notice := "The message's HTML is too large or too deeply nested to show in full; its layout was simplified here. Download the message to see it as sent."
				if lang == "ja" {
					notice = "このメッセージのHTMLは大きすぎるか入れ子が深すぎるため、表示を簡略化しました。送信されたままの内容はメッセージをダウンロードして確認してください。"
				}
				sb.WriteString(`<p class="blocked" id="sekisho-truncated">` + html.EscapeString(notice) + `</p>`)
			}
			return sb.String()
		case xhtml.EndTagToken:
			et := z.Token()
			n := et.Data
			switch {
			case skipped[n] > 0:
				skipped[n]--
				continue
			case open[n] > 0:
				open[n]--
				depth--
			default:
				continue // stray end tag
			}
			sb.WriteString(et.String())
			continue
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			t := z.Token()
			void := tt == xhtml.SelfClosingTagToken || voidElements[t.Data]
			if elements >= MaxElements || (!void && depth >= MaxDepth) {
				cut = true
				if !void {
					skipped[t.Data]++
				}
				continue
			}
			elements++
			if !void {
				open[t.Data]++
				depth++
			}
			switch t.Data {
			case "img":
				alt, src := "", ""
				for _, a := range t.Attr {
					switch a.Key {
					case "alt":
						alt = a.Val
					case "src":
						src = a.Val
					}
				}
				label := blocked
				if h := AnchorHost(src); h != "" {
					label += ": " + h
				}
				if alt != "" {
					label += " — " + alt
				}
				sb.WriteString(`<span class="blocked">[` + html.EscapeString(label) + `]</span>`)
				continue
			case "a":
				href := ""
				for _, a := range t.Attr {
					if a.Key == "href" {
						href = a.Val
					}
				}
				sb.WriteString(`<a class="link" title="` + html.EscapeString(href) + `">`)
				continue
			}
			sb.WriteString(t.String())
		default:
			sb.WriteString(z.Token().String())
		}
	}
}

// Bounds of the DOM HTML emits.
const (
	MaxElements = 20000
	MaxDepth    = 64
)

var voidElements = map[string]bool{"br": true, "hr": true, "img": true}

// Document wraps sanitised HTML for the iframe.
func Document(body string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans",Meiryo,system-ui,sans-serif;font-size:14px;margin:12px;color:#222;background:#fff;word-wrap:break-word}
a.link{color:#0645ad;text-decoration:underline dotted;cursor:help}
.blocked{display:inline-block;border:1px dashed #b55;color:#933;background:#fff4f4;font-size:12px;padding:1px 4px}
table{border-collapse:collapse}td,th{padding:2px 4px}
</style></head><body>` + body + `</body></html>`
}
