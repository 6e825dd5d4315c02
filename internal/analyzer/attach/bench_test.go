package attach

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// benchMessages builds a mix of attachments: an Emotet-like password zip,
// a macro workbook, a 2 MB zip of text and random data, a PDF with
// compressed streams, and the clamav-testfiles containers when present.
func benchMessages(b *testing.B) ([]*mail.Message, int64) {
	rng := rand.New(rand.NewSource(7))
	var atts []testdoc.Attachment
	atts = append(atts, testdoc.Attachment{Name: "a.xlsm", Data: testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))})
	text := bytes.Repeat([]byte("売上報告 quarterly figures 1234567890\n"), 30000)
	noise := make([]byte, 1<<20)
	rng.Read(noise)
	atts = append(atts, testdoc.Attachment{Name: "data.zip", Data: testdoc.Zip(map[string][]byte{"report.txt": text, "noise.bin": noise})})
	var pdf bytes.Buffer
	pdf.WriteString("%PDF-1.5\n")
	for i := 0; i < 50; i++ {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		fmt.Fprintf(w, "BT /F1 12 Tf 72 712 Td (Page %d text with some content) Tj ET\n", i)
		w.Write(bytes.Repeat([]byte("0 0 m 100 100 l S\n"), 500))
		w.Close()
		fmt.Fprintf(&pdf, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", i+1, z.Len())
		pdf.Write(z.Bytes())
		pdf.WriteString("\nendstream\nendobj\n")
	}
	atts = append(atts, testdoc.Attachment{Name: "doc.pdf", Data: pdf.Bytes()})
	for _, n := range []string{"clam.zip", "clam.7z", "clam.cab", "clam.ole.doc", "clam.pdf", "clam.ppt", "clam.exe.rtf"} {
		if d, err := os.ReadFile(filepath.Join(testfiles, n)); err == nil {
			atts = append(atts, testdoc.Attachment{Name: n, Data: d})
		}
	}
	var msgs []*mail.Message
	var total int64
	for _, a := range atts {
		msgs = append(msgs, mail.Parse(testdoc.Mail("x", "password: abc123", a), mail.Limits{}))
		total += int64(len(a.Data))
	}
	msgs = append(msgs, mail.Parse(testdoc.EmotetMail(false, testdoc.EmotetBody), mail.Limits{}))
	return msgs, total
}

// BenchmarkAttachments reports attachment analysis throughput (MB/s of
// attachment bytes, before decompression) on one core.
func BenchmarkAttachments(b *testing.B) {
	msgs, total := benchMessages(b)
	for _, m := range msgs[len(msgs)-1:] {
		total += int64(len(m.Attachments[0].Body))
	}
	a := NewAnalyzer(config.Default().Attach)
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range msgs {
			task := pipeline.NewTask("b", m, pipeline.Envelope{}, nil)
			a.Analyze(context.Background(), task)
		}
	}
}

// BenchmarkOfficeTricks reports throughput on the document tricks: a 1 MB
// BIFF8 workbook with a hidden XLM macro sheet, an .xlsb with one, a Word
// .doc with a DDE field in 1 MB of text, an RTF with a Package object, a
// form-control VBA project and an HTML body smuggling a zip (MB/s of
// attachment and body bytes).
func BenchmarkOfficeTricks(b *testing.B) {
	var formulas [][]byte
	for i := 0; i < 20000; i++ {
		formulas = append(formulas, append(testdoc.PtgStr(8, "value"), testdoc.PtgFuncVar(1, testdoc.FtabSum)...))
	}
	formulas = append(formulas, xlmDropper(8)...)
	text := strings.Repeat("契約書の本文です。This is the contract text. ", 20000) + "\x13 DDEAUTO cmd \"/c calc\" \x14\x15"
	pkg := testdoc.Ole10Native("a.pdf", `C:\a.pdf`, 3, `C:\Temp\a.pdf`, bytes.Repeat([]byte("%PDF-1.4 "), 20000))
	noise := make([]byte, 256<<10)
	rand.New(rand.NewSource(3)).Read(noise)
	zipB64 := base64.StdEncoding.EncodeToString(testdoc.Zip(map[string][]byte{"a.bin": noise}))
	html := "From: a@example.com\r\nTo: b@example.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<html><body><a href=\"data:application/zip;base64," + zipB64 + "\">x</a></body></html>\r\n"
	atts := []testdoc.Attachment{
		{Name: "book.xls", Data: testdoc.XLS(8, []testdoc.Sheet{{Name: "Macro1", Macro: true, State: 2, Formulas: formulas}}, true)},
		{Name: "book.xlsb", Data: testdoc.XLSB([]testdoc.Sheet{{Name: "Macro1", Macro: true, State: 2, Formulas: xlmDropper(12)}}, true)},
		{Name: "notice.doc", Data: testdoc.WordDoc(text, true, nil)},
		{Name: "order.rtf", Data: testdoc.RTFObject("Package", testdoc.OLE1("Package", pkg[4:]))},
		{Name: "form.xlsm", Data: testdoc.XLSM(testdoc.VBAProject(map[string]string{"Sheet1": "Private Sub CommandButton1_Click()\r\nShell \"cmd /c calc\"\r\nEnd Sub\r\n"}))},
	}
	var msgs []*mail.Message
	var total int64
	for _, a := range atts {
		msgs = append(msgs, mail.Parse(testdoc.Mail("x", "see attached", a), mail.Limits{}))
		total += int64(len(a.Data))
	}
	msgs = append(msgs, mail.Parse([]byte(html), mail.Limits{}))
	total += int64(len(html))
	a := NewAnalyzer(config.Default().Attach)
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range msgs {
			a.Analyze(context.Background(), pipeline.NewTask("b", m, pipeline.Envelope{}, nil))
		}
	}
}
