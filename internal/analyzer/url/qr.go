package url

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/format/qr"
	"github.com/sekisho/sekisho/internal/link/normalize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// QRAnalyzer decodes QR codes in image parts (StageExtract) and hands
// their links to the link analyzer with Source "qr".
type QRAnalyzer struct {
	MaxImages int
	Limits    qr.Limits
}

func qrLimits(u config.URL) qr.Limits {
	return qr.Limits{MaxBytes: u.QRMaxBytes, MaxPixels: u.QRMaxPixels, Timeout: u.QRTimeout.Duration}
}

// Name implements pipeline.Analyzer.
func (q *QRAnalyzer) Name() string { return "qr" }

// Stage implements pipeline.Staged.
func (q *QRAnalyzer) Stage() pipeline.Stage { return pipeline.StageExtract }

func isImage(p *mail.Part) bool {
	switch p.ContentType {
	case "image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif":
		return true
	}
	switch strings.ToLower(path.Ext(p.Filename)) {
	case ".png", ".jpg", ".jpeg", ".gif":
		return true
	}
	return false
}

// Analyze implements pipeline.Analyzer.
func (q *QRAnalyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	max := q.MaxImages
	if max <= 0 {
		max = 10
	}
	n := 0
	var found []mail.URL
	for _, p := range t.Msg.Parts {
		if n >= max || ctx.Err() != nil {
			break
		}
		if p.IsMultipart() || len(p.Body) == 0 || !isImage(p) {
			continue
		}
		n++
		texts, err := qr.Decode(ctx, p.Body, q.Limits)
		if err != nil {
			if errors.Is(err, qr.ErrTooLarge) || errors.Is(err, qr.ErrTimeout) {
				t.Add(SymQRImageSkiped, p.Path+": "+err.Error())
			}
			continue
		}
		for _, s := range texts {
			s = strings.TrimSpace(s)
			if len(s) > normalize.MaxLen {
				s = s[:normalize.MaxLen]
			}
			l, ok := normalize.Parse(s)
			if !ok || l.Host == "" || !(l.IsWeb() || l.Scheme == "mailto") {
				continue
			}
			found = append(found, mail.URL{Raw: s, Scheme: l.Scheme, Host: l.Host, Source: "qr", Part: p.Path})
			t.Add(SymQRURL, l.Host)
		}
	}
	if len(found) > 0 {
		t.AddURLs(found...)
		if len([]rune(strings.TrimSpace(t.Msg.Text))) < 200 {
			t.Add(SymQRSparseText, found[0].Host)
		}
	}
	return nil
}
