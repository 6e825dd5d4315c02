package attach

import (
	"context"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// FuzzAttachment runs the whole analyzer on one attachment's bytes.
func FuzzAttachment(f *testing.F) {
	xlsm := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))
	f.Add(xlsm, "a.xlsm")
	f.Add(testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "a.xlsm", Data: xlsm}}, "abc123", false), "x.zip")
	f.Add([]byte("%PDF-1.4 /JavaScript /OpenAction"), "a.pdf")
	c := config.Default().Attach
	c.MaxFileBytes, c.MaxTotalBytes = 1<<20, 8<<20
	a := NewAnalyzer(c)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		msg := mail.Parse(testdoc.Mail("x", "password: abc123", testdoc.Attachment{Name: name, Data: data}), mail.Limits{})
		task := pipeline.NewTask("f", msg, pipeline.Envelope{}, nil)
		a.Analyze(context.Background(), task)
	})
}
