package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/web/sanitize"
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
	Audit       []accounts.AuditEntry
	CanRelease  bool
	CanLearn    bool // not for digest sign-ins (see digestUserPrefix)
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
		if d, ok := pipeline.Lookup(y.Name); ok && d.Group == "auth" {
			v.AuthSymbols = append(v.AuthSymbols, sv)
		}
	}
	if m.Verdict.Auth != nil {
		v.AuthResults = append(v.AuthResults, action.AuthenticationResults(m.Verdict.Auth))
	}
	for _, h := range m.Verdict.Headers { // verdicts stored by earlier versions
		if strings.EqualFold(h.Name, "Authentication-Results") {
			v.AuthResults = append(v.AuthResults, h.Value)
		}
	}
	for _, u := range m.URLs {
		lv := linkView{Text: u.Anchor, URL: u.URL, Host: u.Host, Source: u.Source, Hidden: u.Hidden, SHA256: u.SHA256}
		if ah := sanitize.AnchorHost(u.Anchor); ah != "" && u.Host != "" && sanitize.TrimWWW(ah) != sanitize.TrimWWW(u.Host) {
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
			if ah := sanitize.AnchorHost(u.Anchor); ah != "" && u.Host != "" && sanitize.TrimWWW(ah) != sanitize.TrimWWW(u.Host) {
				lv.Mismatch = true
			}
			v.Links = append(v.Links, lv)
		}
	}
	return v
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
