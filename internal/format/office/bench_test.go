package office

import (
	"bytes"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// BenchmarkOLE reads a compound file with a 4 MB Workbook stream and a
// VBA project.
func BenchmarkOLE(b *testing.B) {
	s := testdoc.VBAProjectStreams("_VBA_PROJECT_CUR/", map[string]string{"ThisWorkbook": testdoc.EmotetMacro})
	s["Workbook"] = bytes.Repeat([]byte{0x0a, 0x00, 0x00, 0x00}, 1<<20)
	doc := testdoc.CFB(s)
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		AnalyzeOLE(doc, Limits{})
	}
}
