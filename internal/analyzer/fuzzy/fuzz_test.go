package fuzzy_test

import (
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/fuzzy"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil"
)

// FuzzExtract: any message gives bounded features and a signature
// without panicking, and the same bytes give the same signature.
func FuzzExtract(f *testing.F) {
	f.Add(testutil.Campaign(1, 0))
	f.Add([]byte("From: a@b.example\r\nContent-Type: text/html\r\n\r\n<p>会議の資料をお送りします。 https://x.example/a?b=1 www.y.example user@z.example</p><table><tr><td>1 2 3</td></tr></table>\r\n"))
	f.Add([]byte("Subject: x\r\n\r\n\r\n\r\n\n\n a\tb c\u00a0d 123 456 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mail.Parse(raw, mail.Limits{MaxSize: 1 << 20})
		a, b := fuzzy.Extract(m), fuzzy.Extract(m)
		if len(a.Text) > 2000 || len(a.Tags) > 2000 || len(a.Links) > 20 || len(a.Attach) > 8 {
			t.Fatalf("unbounded: %d %d %d %d", len(a.Text), len(a.Tags), len(a.Links), len(a.Attach))
		}
		ea, eb := a.Entry(), b.Entry()
		if ea.HasSig != eb.HasSig || ea.Sig != eb.Sig {
			t.Fatal("signature not deterministic")
		}
	})
}
