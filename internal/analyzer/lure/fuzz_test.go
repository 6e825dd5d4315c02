package lure

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// FuzzAnalyze runs the lure analyzer (broken From lists, styled
// letters, mixed scripts) over attacker messages.
func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob("../../mail/testdata/*.eml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: Amazon Gutschein, <service@x.example>\r\nSubject: 𝗟𝗔𝗦𝗧 𝗖𝗛𝗔𝗡𝗖𝗘 Lеԁgеr\r\n\r\nx"))
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
