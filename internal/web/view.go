package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	xhtml "golang.org/x/net/html"
)

type symView struct {
	Name    string
	Score   float64
	Options []string
	Explain string
	Class   string
}

type linkView struct {
	Text     string
	URL      string
	Host     string
	Source   string
	Mismatch bool
	Hidden   bool
	SHA256   string
}

type partView struct {
	Path     string
	Indent   int
	Type     string
	Detected string
	Filename string
	Size     int64
	SHA256   string
	Attach   bool
}

type msgView struct {
	M           *quarantine.Message
	Explanation string
	Symbols     []symView
	AuthResults []string
	AuthSymbols []symView
	Received    []string
	Headers     []mail.Header
	Links       []linkView
	Parts       []partView
	Analysed    []pipeline.AttachmentInfo
	Text        string
	HasHTML     bool
	Audit       []quarantine.AuditEntry
	CanRelease  bool
}

func (s *server) parse(raw []byte) *mail.Message {
	lim := mail.DefaultLimits()
	if s.eng != nil {
		lim = s.eng.Limits()
	}
	return mail.Parse(raw, lim)
}

func (s *server) view(m *quarantine.Message, lang string) *msgView {
	v := &msgView{M: m, Explanation: m.Verdict.Explanation, Analysed: m.Verdict.Attachments}
	if lang == "ja" && m.Verdict.ExplanationJA != "" {
		v.Explanation = m.Verdict.ExplanationJA
	}
	for _, y := range m.Verdict.Symbols {
		sv := symView{Name: y.Name, Score: y.Score, Options: y.Options, Explain: explain(lang, y.Name, y.EN, y.JA), Class: "zero"}
		if y.Score > 0 {
			sv.Class = "pos"
		} else if y.Score < 0 {
			sv.Class = "neg"
		}
		v.Symbols = append(v.Symbols, sv)
		for _, p := range []string{"SPF_", "DKIM_", "DMARC_", "ARC_", "RCVD_"} {
			if strings.HasPrefix(y.Name, p) {
				v.AuthSymbols = append(v.AuthSymbols, sv)
				break
			}
		}
	}
	for _, h := range m.Verdict.Headers {
		if strings.EqualFold(h.Name, "Authentication-Results") {
			v.AuthResults = append(v.AuthResults, h.Value)
		}
	}
	for _, u := range m.URLs {
		lv := linkView{Text: u.Anchor, URL: u.URL, Host: u.Host, Source: u.Source, Hidden: u.Hidden, SHA256: u.SHA256}
		if ah := anchorHost(u.Anchor); ah != "" && u.Host != "" && trimWWW(ah) != trimWWW(u.Host) {
			lv.Mismatch = true
		}
		v.Links = append(v.Links, lv)
	}
	if m.Raw == nil {
		return v
	}
	msg := s.parse(m.Raw)
	v.Headers = msg.Headers
	v.AuthResults = append(v.AuthResults, msg.Headers.Values("Authentication-Results")...)
	v.Received = msg.Headers.Values("Received")
	v.Text = msg.Text
	for _, p := range msg.TextParts {
		if p.HTML != "" {
			v.HasHTML = true
		}
	}
	for _, p := range msg.TextParts {
		if p.ContentType == "text/plain" && p.Text != "" {
			v.Text = p.Text
			break
		}
	}
	if len(v.Text) > 200_000 {
		v.Text = v.Text[:200_000] + "\n…"
	}
	for i, p := range msg.Parts {
		if i >= 500 {
			break
		}
		pv := partView{Path: p.Path, Indent: p.Depth, Type: p.ContentType, Filename: p.Filename, Size: int64(len(p.Body)), Attach: p.IsAttachment}
		if !p.IsMultipart() && len(p.Body) > 0 {
			h := sha256.Sum256(p.Body)
			pv.SHA256 = hex.EncodeToString(h[:])
			pv.Detected = strings.SplitN(http.DetectContentType(p.Body), ";", 2)[0]
		}
		if pv.Indent > 12 {
			pv.Indent = 12
		}
		v.Parts = append(v.Parts, pv)
	}
	if len(v.Links) == 0 {
		for _, u := range msg.URLs {
			h := sha256.Sum256([]byte(u.Raw))
			lv := linkView{Text: u.Anchor, URL: u.Raw, Host: u.Host, Source: u.Source, Hidden: u.Hidden, SHA256: hex.EncodeToString(h[:])}
			if ah := anchorHost(u.Anchor); ah != "" && u.Host != "" && trimWWW(ah) != trimWWW(u.Host) {
				lv.Mismatch = true
			}
			v.Links = append(v.Links, lv)
		}
	}
	return v
}

// anchorHost returns the host an anchor text shows, when it looks like an
// address ("https://login.microsoftonline.com/..." or "www.bank.example").
func anchorHost(a string) string {
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

func trimWWW(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }

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

// sanitize makes message HTML safe to show: bluemonday removes script,
// event handlers, styles, forms and frames; then every link loses its href
// (its destination is shown as a tooltip and in the link table) and every
// image becomes a text placeholder, so opening the message makes no request.
func sanitize(src, lang string) string {
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
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return sb.String()
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			t := z.Token()
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
				if h := anchorHost(src); h != "" {
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

// bodyDocument wraps sanitised HTML for the iframe.
func bodyDocument(body string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans",Meiryo,system-ui,sans-serif;font-size:14px;margin:12px;color:#222;background:#fff;word-wrap:break-word}
a.link{color:#0645ad;text-decoration:underline dotted;cursor:help}
.blocked{display:inline-block;border:1px dashed #b55;color:#933;background:#fff4f4;font-size:12px;padding:1px 4px}
table{border-collapse:collapse}td,th{padding:2px 4px}
</style></head><body>` + body + `</body></html>`
}

// ---- charts (server-rendered SVG, no script)

type seg struct {
	Y, H  float64
	Color string
	Title string
}

type bar struct {
	X, W float64
	Segs []seg
}

type axisLabel struct {
	X, Y float64
	Text string
}

type legend struct {
	Color, Name string
	Count       int
}

type chart struct {
	W, H   int
	Bars   []bar
	XLabel []axisLabel
	YLabel []axisLabel
	Grid   []float64
	Legend []legend
	Max    int
}

var colors = map[string]string{
	"accept": "#4c9f70", "tag": "#e0b040", "quarantine": "#e07b39", "reject": "#c0392b", "tempfail": "#8e8e8e",
	"clean": "#4c9f70", "spam": "#e0b040", "phishing": "#d35400", "malware": "#8e44ad", "bec": "#2c7fb8", "extortion": "#c0392b", "fraud": "#7f6000",
}

func buildChart(series []quarantine.Bucket, keys []string, get func(quarantine.Bucket) map[string]int, prefix, lang, labelFmt string) *chart {
	const W, H, left, bottom, top = 720, 220, 40, 28, 10
	c := &chart{W: W, H: H}
	max := 0
	totals := map[string]int{}
	for _, b := range series {
		if b.Total > max {
			max = b.Total
		}
		for k, n := range get(b) {
			totals[k] += n
		}
	}
	if max == 0 {
		max = 1
	}
	// A round axis maximum.
	step := 1
	for _, st := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000} {
		step = st
		if max/st <= 4 {
			break
		}
	}
	axisMax := ((max + step - 1) / step) * step
	c.Max = axisMax
	plotH := float64(H - bottom - top)
	plotW := float64(W - left - 10)
	bw := plotW / float64(len(series))
	for v := 0; v <= axisMax; v += step {
		y := float64(top) + plotH - plotH*float64(v)/float64(axisMax)
		c.Grid = append(c.Grid, y)
		c.YLabel = append(c.YLabel, axisLabel{X: left - 4, Y: y + 4, Text: fmt.Sprint(v)})
	}
	every := len(series) / 6
	if every < 1 {
		every = 1
	}
	for i, b := range series {
		x := float64(left) + float64(i)*bw
		br := bar{X: x + 1, W: bw - 2}
		y := float64(top) + plotH
		m := get(b)
		for _, k := range keys {
			n := m[k]
			if n == 0 {
				continue
			}
			h := plotH * float64(n) / float64(axisMax)
			y -= h
			br.Segs = append(br.Segs, seg{Y: y, H: h, Color: colors[k], Title: fmt.Sprintf("%s %s: %d", b.Start.Local().Format("01/02 15:04"), tr(lang, prefix+k), n)})
		}
		c.Bars = append(c.Bars, br)
		if i%every == 0 {
			c.XLabel = append(c.XLabel, axisLabel{X: x + bw/2, Y: H - 8, Text: b.Start.Local().Format(labelFmt)})
		}
	}
	for _, k := range keys {
		c.Legend = append(c.Legend, legend{Color: colors[k], Name: tr(lang, prefix+k), Count: totals[k]})
	}
	return c
}
