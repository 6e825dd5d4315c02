package header

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/fuzzmsg"
)

// FuzzAnalyze runs the header analyzer over attacker messages (issue 14:
// fuzz every parser that sees attacker bytes).
func FuzzAnalyze(f *testing.F) {
	as, err := New(config.Default(), pipeline.Deps{})
	if err != nil {
		f.Fatal(err)
	}
	fuzzmsg.Analyzers(f, as, []string{"../../mail/testdata/*.eml"},
		[]byte("From: \"PayPal\" <a@b.example>\r\nReply-To: x@freemail.example\r\nDate: Mon, 32 Foo 2025 99:99:99\r\nMessage-ID: <>\r\nReceived: from x (y [300.1.2.3])\r\nSubject: =?utf-8?B?5pel5pys?=\r\n\r\nbody"))
}
