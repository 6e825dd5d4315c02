package office

import (
	"os"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// FuzzDecompress checks the MS-OVBA decompressor and the dir parser.
func FuzzDecompress(f *testing.F) {
	f.Add(testdoc.Compress([]byte("Attribute VB_Name = \"Module1\"\r\nSub AutoOpen()\r\nEnd Sub\r\n")))
	f.Add([]byte{0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _ := Decompress(b, 1<<20)
		if len(out) > 1<<20 {
			t.Fatal("bound exceeded")
		}
		ParseDir(out)
		ParseDir(b)
		FindSource(b, 1<<16)
	})
}

// FuzzOLE checks the OLE2 analysis (VBA, BIFF, Ole10Native, encryption, PPT).
func FuzzOLE(f *testing.F) {
	f.Add(testdoc.VBAProject(map[string]string{"Module1": testdoc.EmotetMacro}))
	f.Add(testdoc.CFB(map[string][]byte{"Workbook": {0x85, 0, 8, 0, 0, 0, 0, 0, 2, 1, 0, 0}, "\x01Ole10Native": {9, 0, 0, 0, 2, 0, 'a', 0, 'b', 0}}))
	f.Add(testdoc.XLS(8, []testdoc.Sheet{{Name: "M", Macro: true, State: 1, Formulas: dropperFormulas(8)}}, true))
	f.Add(testdoc.XLS(5, []testdoc.Sheet{{Name: "M", Macro: true, Formulas: dropperFormulas(5)}}, true))
	f.Add(testdoc.WordDocPieces([]testdoc.WordPiece{{Text: "a \x13 DD"}, {Text: "EAUTO cmd \x13 QUOTE \x14x\x15 \x14\x15", Wide: true}}))
	f.Add(testdoc.EncryptedXLS([]testdoc.Sheet{{Name: "M", Macro: true, State: 1, Formulas: dropperFormulas(8)}}, true, DefaultExcelPassword, false))
	f.Add(testdoc.EncryptedXLS([]testdoc.Sheet{{Name: "M", Macro: true, Formulas: dropperFormulas(8)}}, true, DefaultExcelPassword, true))
	f.Add(testdoc.WordDoc("\x13 DDEAUTO cmd \x14\x15", true, map[string][]byte{"ObjectPool/_1/\x01Ole10Native": testdoc.Ole10Native("a", "b", 1, "cmd.exe /c calc", nil)}))
	for _, n := range []string{"clam.ole.doc", "clam.ppt"} {
		if b, err := os.ReadFile("/usr/share/clamav-testfiles/" + n); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		AnalyzeOLE(b, Limits{MaxStream: 1 << 20})
	})
}

// FuzzRTF checks the RTF object scanner.
func FuzzRTF(f *testing.F) {
	f.Add([]byte(`{\rtf1{\object\objemb{\*\objclass Package}{\*\objdata 01050000020000000800000050616b6167650000}}}`))
	f.Add([]byte(`{\rtf1{\object{\*\objclass Equation.3}{\*\objdata 0105}}}`))
	if b, err := os.ReadFile("/usr/share/clamav-testfiles/clam.exe.rtf"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		AnalyzeRTF(b, Limits{MaxStream: 1 << 20})
	})
}

// FuzzXLM checks the BIFF12 record reader, the .xlsb workbook and macro
// sheet readers and the formula walker for BIFF5, BIFF8 and BIFF12.
func FuzzXLM(f *testing.F) {
	f.Add(testdoc.XLSB([]testdoc.Sheet{{Name: "M", Macro: true, State: 2, Formulas: dropperFormulas(12)}}, true))
	for _, ver := range []int{5, 8, 12} {
		for _, fm := range dropperFormulas(ver) {
			f.Add(fm)
		}
	}
	f.Add([]byte{0x9C, 0x10, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 'r', 0, 'I', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		xlsbWorkbook(b)
		var r Report
		r.xlsbMacroSheet(b)
		for _, ver := range []int{5, 8, 12} {
			r.xlmFormula(b, ver)
		}
		r.biff(b)
		r.wordFields(b)
		r.ole10Native(b, Limits{MaxStream: 1 << 20})
		cfbRootCLSID(b)
		r.exploitObject(b)
	})
}
