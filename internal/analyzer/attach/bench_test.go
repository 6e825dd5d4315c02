package attach

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
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
