package url

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// FuzzAnalyze runs the URL analyzer (links from text and HTML, their
// hosts, look-alikes) over attacker messages.
func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	more, _ := filepath.Glob("../../mail/testdata/*.eml")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: text/html\r\n\r\n<a href=\"hxxps://xn--80ak6aa92e.com/%2e%2e/\">https://paypal.com</a> http://[::1]:99999/ https://a@b@c/ <base href=//x>"))
	a := NewAnalyzer()
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mail.Parse(raw, mail.Limits{})
		a.Analyze(context.Background(), pipeline.NewTask("f", m, pipeline.Envelope{}, nil))
	})
}
