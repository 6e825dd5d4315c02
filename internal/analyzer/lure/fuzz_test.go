package lure

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/fuzzmsg"
)

// FuzzAnalyze runs the lure analyzer (broken From lists, styled
// letters, mixed scripts) over attacker messages.
func FuzzAnalyze(f *testing.F) {
	as, err := New(config.Default(), pipeline.Deps{})
	if err != nil {
		f.Fatal(err)
	}
	fuzzmsg.Analyzers(f, as, []string{"../../mail/testdata/*.eml"},
		[]byte("From: Amazon Gutschein, <service@x.example>\r\nSubject: 𝗟𝗔𝗦𝗧 𝗖𝗛𝗔𝗡𝗖𝗘 Lеԁgеr\r\n\r\nx"))
}
