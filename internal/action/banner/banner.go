// Package banner adds a warning banner at the top of the text and HTML
// bodies of delivered but suspicious mail (sender impersonation, lookalike
// domains, an external sender using a protected name, first contact),
// saying in Japanese and English what was found.
//
// It changes as little as possible: only the first text/plain and the first
// text/html part that are not attachments; every other part, every
// boundary and every header stays byte for byte. A part keeps its charset
// and Content-Transfer-Encoding: the banner is encoded in the part's own
// charset (ISO-2022-JP stays valid ISO-2022-JP; a charset that cannot
// carry Japanese, or a 7bit part whose charset needs 8-bit bytes, gets
// the English banner only), quoted-printable bodies get the banner
// prepended as encoded lines, base64 bodies are decoded and re-encoded.
// HTML gets an ASCII-only block (numeric character references) right after
// <body>. Changing the body breaks a DKIM body hash (l= aside): banners are
// off by default; see docs/frontends.md.
//
// It works from the scan's parse: every entity's fields and byte spans
// (mail.Part), so the MIME tree is not walked a second time and the parts
// changed are the parts the analyzers saw (on malformed MIME the parser's
// lenient reading decides). Without a parsed message (tests, tools) it
// walks the raw bytes itself.
package banner

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Banner decides and writes banners.
type Banner struct {
	symbols    map[string]bool
	categories map[string]bool
	minScore   float64
}

// New builds a banner writer from [serve.banner].
func New(cfg *config.Config) *Banner {
	b := &Banner{symbols: map[string]bool{}, categories: map[string]bool{}, minScore: cfg.Serve.Banner.MinScore}
	for _, s := range cfg.Serve.Banner.Symbols {
		b.symbols[s] = true
	}
	for _, c := range cfg.Serve.Banner.Categories {
		b.categories[c] = true
	}
	return b
}

// Reasons returns the symbols a banner would name (nil: no banner).
func (b *Banner) Reasons(v *pipeline.Verdict) []pipeline.SymbolResult {
	var out []pipeline.SymbolResult
	for _, s := range v.Symbols {
		if b.symbols[s.Name] {
			out = append(out, s)
		}
	}
	if len(out) == 0 && b.categories[string(v.Category)] && v.Score >= b.minScore {
		for _, s := range v.Symbols {
			if s.Score > 0 && s.Category == v.Category {
				out = append(out, s)
			}
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// Apply returns the new body (after the header block) with a banner, or
// nil when no banner applies or the message cannot be changed safely.
func (b *Banner) Apply(raw []byte, r *pipeline.Result) []byte {
	if r == nil {
		return nil
	}
	reasons := b.Reasons(&r.Verdict)
	if len(reasons) == 0 {
		return nil
	}
	t := texts(reasons)
	st := &state{t: t}
	if _, _, ok := r.Msg.Split(raw); ok && len(r.Msg.Raw) == len(raw) {
		// The scan's parse kept every entity's fields and byte spans: the
		// banner rewrites the text bodies in place, without a second walk
		// of its own over the MIME tree.
		var out bytes.Buffer
		prev := r.Msg.Root.BodySpan.Start
		if !st.tree(raw, r.Msg.Root, 0, &out, &prev) {
			return nil
		}
		out.Write(raw[prev:])
		return out.Bytes()
	}
	hdr, body := action.SplitMessage(raw)
	nb, ok := st.part(action.ParseFields(hdr, 1000), body, 0)
	if !ok {
		return nil
	}
	return nb
}

// fields turns a parsed field list into the form part reads.
func fields(hs mail.Headers) []action.Field {
	fs := make([]action.Field, 0, len(hs))
	for _, h := range hs {
		fs = append(fs, action.Field{Name: h.Name, Value: strings.TrimLeft(h.Raw, " \t")})
	}
	return fs
}

// tree is part over the parsed MIME tree: it decides from each entity's
// fields as part does, descends into multipart children by their spans,
// and writes raw[*prev:] up to each rewritten body followed by the new
// body. It reports whether anything changed.
func (st *state) tree(raw []byte, p *mail.Part, depth int, out *bytes.Buffer, prev *int) bool {
	if !p.Spanned {
		return false
	}
	fs := fields(p.Headers)
	if mt, params, ok := st.kind(fs, depth); ok && strings.HasPrefix(mt, "multipart/") {
		if b := params["boundary"]; b == "" || len(b) > 200 || len(p.Children) > 200 {
			return false
		}
		changed := false
		for _, c := range p.Children {
			if st.plainDone && st.htmlDone {
				break
			}
			changed = st.tree(raw, c, depth+1, out, prev) || changed
		}
		return changed
	}
	st.parts-- // part counts the entity again
	nb, ok := st.part(fs, raw[p.BodySpan.Start:p.BodySpan.End], depth)
	if !ok {
		return false
	}
	out.Write(raw[*prev:p.BodySpan.Start])
	out.Write(nb)
	*prev = p.BodySpan.End
	return true
}

type text struct{ ja, en []string }

func texts(rs []pipeline.SymbolResult) text {
	var t text
	for _, r := range rs {
		t.ja = append(t.ja, strings.TrimSpace(r.JA))
		t.en = append(t.en, strings.TrimSpace(r.EN))
	}
	return t
}

// Plain returns the text banner (CRLF line ends).
func (t text) Plain(japanese bool) string {
	var b strings.Builder
	b.WriteString("----------------------------------------------------------------------\r\n")
	if japanese {
		b.WriteString("【注意】このメールには不審な点があります(sekisho):\r\n")
		for _, s := range t.ja {
			b.WriteString("  - " + s + "\r\n")
		}
	}
	b.WriteString("CAUTION: this message looks suspicious (sekisho):\r\n")
	for _, s := range t.en {
		b.WriteString("  - " + s + "\r\n")
	}
	b.WriteString("----------------------------------------------------------------------\r\n\r\n")
	return b.String()
}

// HTML returns the HTML banner, ASCII only.
func (t text) HTML() string {
	ncr := func(s string) string {
		s = html.EscapeString(s)
		var b strings.Builder
		for _, r := range s {
			if r < 0x80 {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, "&#x%X;", r)
			}
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString("\r\n<div style=\"border:2px solid #c00000;background:#fff3f3;color:#000;padding:8px;margin:0 0 12px 0;font-family:sans-serif;font-size:14px\">")
	b.WriteString("<strong>" + ncr("【注意】このメールには不審な点があります") + "</strong><ul>")
	for _, s := range t.ja {
		b.WriteString("<li>" + ncr(s) + "</li>")
	}
	b.WriteString("</ul><strong>CAUTION: this message looks suspicious</strong><ul>")
	for _, s := range t.en {
		b.WriteString("<li>" + ncr(s) + "</li>")
	}
	b.WriteString("</ul><small>sekisho</small></div>\r\n")
	return b.String()
}

type state struct {
	t                   text
	plainDone, htmlDone bool
	parts               int
}

func fieldValue(fs []action.Field, name string) string {
	for _, f := range fs {
		if strings.EqualFold(f.Name, name) {
			return strings.ReplaceAll(strings.ReplaceAll(f.Value, "\r\n", ""), "\n", "")
		}
	}
	return ""
}

// kind counts an entity and returns its media type and parameters; ok
// is false for an entity the banner leaves alone (limits, unreadable
// type, attachment).
func (st *state) kind(fs []action.Field, depth int) (string, map[string]string, bool) {
	st.parts++
	if depth > 10 || st.parts > 300 {
		return "", nil, false
	}
	ct := fieldValue(fs, "Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt, params, err = "text/plain", map[string]string{"charset": "us-ascii"}, nil
	}
	if err != nil {
		return "", nil, false
	}
	if d := fieldValue(fs, "Content-Disposition"); d != "" {
		if dt, _, _ := mime.ParseMediaType(d); dt == "attachment" {
			return "", nil, false
		}
	}
	return mt, params, true
}

// part returns the (possibly) new body of an entity.
func (st *state) part(fs []action.Field, body []byte, depth int) ([]byte, bool) {
	mt, params, ok := st.kind(fs, depth)
	if !ok {
		return nil, false
	}
	cte := strings.ToLower(strings.TrimSpace(fieldValue(fs, "Content-Transfer-Encoding")))
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		return st.multipart(body, params["boundary"], depth)
	case mt == "text/plain" && !st.plainDone:
		nb, ok := st.text(body, cte, params["charset"], false)
		st.plainDone = st.plainDone || ok
		return nb, ok
	case mt == "text/html" && !st.htmlDone:
		nb, ok := st.text(body, cte, params["charset"], true)
		st.htmlDone = st.htmlDone || ok
		return nb, ok
	}
	return nil, false
}

// multipart rewrites the parts it changes and keeps every other byte.
func (st *state) multipart(body []byte, boundary string, depth int) ([]byte, bool) {
	if boundary == "" || len(boundary) > 200 {
		return nil, false
	}
	delim := []byte("--" + boundary)
	// positions of delimiter lines
	type seg struct{ start, end int } // part content between delimiter lines
	var segs []seg
	pos, last := 0, -1
	closed := false
	for pos <= len(body) {
		j := bytes.IndexByte(body[pos:], '\n')
		lineEnd := len(body)
		next := len(body) + 1
		if j >= 0 {
			lineEnd = pos + j
			next = lineEnd + 1
		}
		line := bytes.TrimRight(body[pos:lineEnd], "\r \t")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if last >= 0 {
					// content ends before the CRLF that precedes the delimiter
					e := pos
					if e > last && body[e-1] == '\n' {
						e--
						if e > last && body[e-1] == '\r' {
							e--
						}
					}
					segs = append(segs, seg{last, e})
				}
				if len(rest) == 2 {
					closed = true
					break
				}
				last = next
				if last > len(body) {
					last = len(body)
				}
			}
		}
		pos = next
		if len(segs) > 200 {
			return nil, false
		}
	}
	if !closed && last >= 0 && last < len(body) {
		segs = append(segs, seg{last, len(body)})
	}
	var out bytes.Buffer
	prev := 0
	changed := false
	for _, s := range segs {
		if st.plainDone && st.htmlDone {
			break
		}
		pb := body[s.start:s.end]
		ph, pbody := action.SplitMessage(pb)
		nb, ok := st.part(action.ParseFields(ph, 1000), pbody, depth+1)
		if !ok {
			continue
		}
		out.Write(body[prev:s.start])
		out.Write(ph)
		out.Write(nb)
		prev = s.end
		changed = true
	}
	if !changed {
		return nil, false
	}
	out.Write(body[prev:])
	return out.Bytes(), true
}

// encoderFor returns the charset's encoder (nil for UTF-8 and ASCII).
func encoderFor(charset string) (enc *encoding.Encoder, ascii, ok bool) {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`))
	switch cs {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968":
		return nil, true, true
	case "utf-8", "utf8":
		return nil, false, true
	}
	if strings.HasPrefix(cs, "utf-16") || strings.HasPrefix(cs, "utf-32") {
		return nil, false, false
	}
	e, err := htmlindex.Get(cs)
	if err != nil {
		return nil, false, false
	}
	return e.NewEncoder(), false, true
}

// text changes one text part.
func (st *state) text(body []byte, cte, charset string, isHTML bool) ([]byte, bool) {
	enc, ascii, ok := encoderFor(charset)
	if !ok {
		return nil, false
	}
	var ban []byte
	if isHTML {
		ban = []byte(st.t.HTML())
	} else {
		bj := st.t.Plain(!ascii)
		ban = []byte(bj)
		if enc != nil {
			b, err := enc.Bytes([]byte(bj))
			if err != nil {
				b = []byte(st.t.Plain(false))
			}
			ban = b
		}
		if (cte == "" || cte == "7bit") && has8bit(ban) {
			ban = []byte(st.t.Plain(false))
		}
	}
	switch cte {
	case "", "7bit", "8bit", "binary":
		if isHTML {
			return insertHTML(body, ban), true
		}
		return append(ban, body...), true
	case "quoted-printable":
		if !isHTML {
			return append(qpEncode(ban), body...), true
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, false
		}
		return qpEncode(insertHTML(dec, ban)), true
	case "base64":
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(stripSpace(body))))
		if err != nil {
			return nil, false
		}
		var nb []byte
		if isHTML {
			nb = insertHTML(dec, ban)
		} else {
			nb = append(ban, dec...)
		}
		return b64Lines(nb), true
	}
	return nil, false
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func stripSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, b)
}

func qpEncode(b []byte) []byte {
	var out bytes.Buffer
	w := quotedprintable.NewWriter(&out)
	w.Write(b)
	w.Close()
	s := out.Bytes()
	// quotedprintable writes CRLF for hard line breaks; keep them.
	return s
}

func b64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return out.Bytes()
}

// insertHTML puts the banner right after the <body> tag, or at the start.
func insertHTML(doc, ban []byte) []byte {
	low := bytes.ToLower(doc)
	i := bytes.Index(low, []byte("<body"))
	if i >= 0 {
		if j := bytes.IndexByte(doc[i:], '>'); j >= 0 {
			at := i + j + 1
			out := make([]byte, 0, len(doc)+len(ban))
			out = append(out, doc[:at]...)
			out = append(out, ban...)
			return append(out, doc[at:]...)
		}
	}
	return append(append([]byte(nil), ban...), doc...)
}
