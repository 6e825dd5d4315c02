package url

import (
	"path"
	"regexp"
	"strings"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// maxHTMLBytes bounds how much of one HTML attachment is examined.
const maxHTMLBytes = 4 << 20

var (
	rePasswordInput = regexp.MustCompile(`(?i)<input[^>]{0,400}type\s*=\s*["']?password`)
	reBlob          = regexp.MustCompile(`(?i)new\s+blob\s*\(|mssaveoropenblob|createobjecturl\s*\(|\batob\s*\(|fromcharcode|uint8array`)
	reDownload      = regexp.MustCompile(`(?i)\.download\s*=|\bdownload\s*=\s*["']|setattribute\s*\(\s*["']download|mssaveoropenblob|saveas\s*\(`)
	reBase64Blob    = regexp.MustCompile(`[A-Za-z0-9+/]{1000}[A-Za-z0-9+/]{1000}`)
	reRedirect      = regexp.MustCompile(`(?i)http-equiv\s*=\s*["']?refresh["']?[^>]{0,200}url\s*=|(?:window|document|top|self)\.location(?:\.href)?\s*=|location\.(?:replace|assign)\s*\(`)
	reAttURL        = regexp.MustCompile(`(?i)(?:https?|hxxps?)://[^\s"'<>()\\]{3,1000}`)
)

func isHTMLPart(p *mail.Part) bool {
	if p.ContentType == "text/html" || p.ContentType == "application/xhtml+xml" || p.ContentType == "image/svg+xml" {
		return true
	}
	switch strings.ToLower(path.Ext(p.Filename)) {
	case ".htm", ".html", ".shtml", ".xhtml", ".mht", ".mhtml", ".svg", ".hta":
		return true
	}
	return false
}

// htmlAttachments checks HTML attachments and the HTML body for password
// forms, HTML smuggling and redirects, and returns the links inside the
// attachments (the parser does not look inside attachments).
func (a *Analyzer) htmlAttachments(t *pipeline.Task) []mail.URL {
	var out []mail.URL
	for _, p := range t.Msg.Parts {
		if p.IsMultipart() || !isHTMLPart(p) {
			continue
		}
		var src string
		attached := p.IsAttachment && !(p.ContentType == "text/html" && p.Filename == "" && p.Disposition != "attachment")
		if attached {
			b := p.Body
			if len(b) > maxHTMLBytes {
				b = b[:maxHTMLBytes]
			}
			src = string(b)
		} else if p.HTML != "" {
			src = p.HTML
			if len(src) > maxHTMLBytes {
				src = src[:maxHTMLBytes]
			}
		} else {
			continue
		}
		name := p.Filename
		if name == "" {
			name = "part " + p.Path
		}
		if !attached {
			if hasPasswordInput(src) {
				t.Add(SymPasswordForm, "body")
			}
			continue
		}
		t.Add(SymHTMLAttach, name)
		if hasPasswordInput(src) {
			t.Add(SymPasswordForm, name)
		}
		low := asciiLower(src)
		if containsAny(low, blobLits...) && reBlob.MatchString(src) && (reDownload.MatchString(src) || hasBase64Run(src, 2000) && strings.Contains(strings.ToLower(src), "blob")) {
			t.Add(SymSmuggling, name)
		}
		if containsAny(low, redirectLits...) && reRedirect.MatchString(src) {
			t.Add(SymHTMLRedirect, name)
		}
		if !strings.Contains(src, "://") {
			continue
		}
		for _, u := range reAttURL.FindAllString(src, 100) {
			out = append(out, mail.URL{Raw: u, Source: "html_attachment", Part: p.Path})
		}
	}
	return out
}
