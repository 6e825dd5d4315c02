package attach

import (
	"context"
	"os"
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
	f.Add(testdoc.XLSB([]testdoc.Sheet{{Name: "M", Macro: true, State: 2, Formulas: xlmDropper(12)}}, true), "a.xlsb")
	f.Add(testdoc.XLS(8, []testdoc.Sheet{{Name: "M", Macro: true, State: 2, Formulas: xlmDropper(8)}}, true), "a.xls")
	f.Add(testdoc.WordDoc("\x13 DDEAUTO cmd \x14\x15", false, map[string][]byte{"ObjectPool/_1/\x01Ole10Native": testdoc.Ole10Native("a", "b", 1, "cmd.exe /c calc", nil)}), "a.doc")
	f.Add(testdoc.RTFObject("Package", testdoc.OLE1("Package", testdoc.Ole10Native("a.js", "a.js", 3, "a.js", []byte("x"))[4:])), "a.rtf")
	f.Add(testdoc.EncryptedXLS([]testdoc.Sheet{{Name: "M", Macro: true, State: 2, Formulas: xlmDropper(8)}}, true, "VelvetSweatshop", false), "b.xls")
	f.Add(testdoc.WordDocPieces([]testdoc.WordPiece{{Text: "\x13 DD"}, {Text: "EAUTO cmd \x14\x15", Wide: true}}), "b.doc")
	f.Add(tgz("a.tgz", tgz("b.tgz", tgz("c.exe", []byte("MZ")))), "deep.tgz")
	if b, err := os.ReadFile("/usr/share/clamav-testfiles/clam.arj"); err == nil {
		f.Add(b, "a.arj")
	}
	c := config.Default().Attach
	c.MaxDepth = 1 // the chain rule past max_depth is exercised too
	c.MaxFileBytes, c.MaxTotalBytes = 1<<20, 8<<20
	a := NewAnalyzer(c)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		msg := mail.Parse(testdoc.Mail("x", "password: abc123", testdoc.Attachment{Name: name, Data: data}), mail.Limits{})
		task := pipeline.NewTask("f", msg, pipeline.Envelope{}, nil)
		a.Analyze(context.Background(), task)
	})
}
