package url

import (
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/fuzzmsg"
)

// FuzzAnalyze runs the URL analyzer (links from text and HTML, their
// hosts, look-alikes) over attacker messages.
func FuzzAnalyze(f *testing.F) {
	fuzzmsg.Analyzers(f, []pipeline.Analyzer{NewAnalyzer()}, []string{"testdata/*.eml", "../../mail/testdata/*.eml"},
		[]byte("Content-Type: text/html\r\n\r\n<a href=\"hxxps://xn--80ak6aa92e.com/%2e%2e/\">https://paypal.com</a> http://[::1]:99999/ https://a@b@c/ <base href=//x>"))
}
