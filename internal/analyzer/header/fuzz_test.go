package header

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// FuzzAnalyze runs the header analyzer over attacker messages (issue 14:
// fuzz every parser that sees attacker bytes).
func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob("../../mail/testdata/*.eml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: \"PayPal\" <a@b.example>\r\nReply-To: x@freemail.example\r\nDate: Mon, 32 Foo 2025 99:99:99\r\nMessage-ID: <>\r\nReceived: from x (y [300.1.2.3])\r\nSubject: =?utf-8?B?5pel5pys?=\r\n\r\nbody"))
	as, err := New(config.Default(), pipeline.Deps{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mail.Parse(raw, mail.Limits{})
		for _, a := range as {
			a.Analyze(context.Background(), pipeline.NewTask("f", m, pipeline.Envelope{}, nil))
		}
	})
}
