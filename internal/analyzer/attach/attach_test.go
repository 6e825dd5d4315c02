package attach

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

const testfiles = "/usr/share/clamav-testfiles"

func scan(t testing.TB, raw []byte, mod func(*config.Attach)) *pipeline.Task {
	t.Helper()
	c := config.Default().Attach
	if mod != nil {
		mod(&c)
	}
	msg := mail.Parse(raw, mail.Limits{})
	task := pipeline.NewTask("t", msg, pipeline.Envelope{}, nil)
	if err := NewAnalyzer(c).Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	return task
}

func hits(task *pipeline.Task) map[string][]string {
	m := map[string][]string{}
	for _, h := range task.Hits() {
		m[h.Name] = h.Options
	}
	return m
}

func want(t *testing.T, task *pipeline.Task, syms ...string) {
	t.Helper()
	h := hits(task)
	for _, s := range syms {
		if _, ok := h[s]; !ok {
			t.Errorf("missing %s; have %v", s, h)
		}
	}
}

func notWant(t *testing.T, task *pipeline.Task, syms ...string) {
	t.Helper()
	h := hits(task)
	for _, s := range syms {
		if _, ok := h[s]; ok {
			t.Errorf("unexpected %s %v", s, h[s])
		}
	}
}

var emotetBody = testdoc.EmotetBody

func TestEmotetZipCrypto(t *testing.T) {
	for _, aes := range []bool{false, true} {
		task := scan(t, testdoc.EmotetMail(aes, emotetBody), nil)
		want(t, task, SymArchivePasswordText, SymVBAAutoExecSuspicious, SymVBAPresent)
		notWant(t, task, SymArchiveEncrypted)
		atts := task.Attachments()
		var paths []string
		for _, a := range atts {
			paths = append(paths, a.Path+"="+a.DetectedType)
			if len(a.SHA256) != 64 {
				t.Errorf("sha %q", a.SHA256)
			}
		}
		joined := strings.Join(paths, " ")
		if !strings.Contains(joined, "/請求書_2026.xlsm=xlsm") || !strings.Contains(joined, "=zip") {
			t.Errorf("aes=%v attachments: %s", aes, joined)
		}
		if v, ok := task.Get(DecryptedKey); !ok || len(v.([]Decrypted)) != 1 {
			t.Errorf("decrypted files not kept for clamd")
		}
	}
	// Without the password in the text: an encrypted archive finding only.
	task := scan(t, testdoc.EmotetMail(false, "請求書を添付します。"), nil)
	want(t, task, SymArchiveEncrypted)
	notWant(t, task, SymArchivePasswordText, SymVBAAutoExecSuspicious)
}

func TestCandidatePasswords(t *testing.T) {
	cases := map[string]string{
		"パスワード：abc123":            "abc123",
		"password: abc123.":       "abc123",
		"PW: Xy9_k!":              "Xy9_k!",
		"解凍パスワード\r\nqwe789\r\n":   "qwe789",
		"ZIPのパスワードは「hoge2026」です。": "hoge2026",
		"Password is 8812":        "8812",
		"パスワード：ａｂｃ１２３":            "abc123",
		"The archive pass - 4471": "4471",
		"パスワード(半角英数): p@ss55":     "p@ss55",
	}
	for text, pw := range cases {
		m := mail.Parse(testdoc.Mail("x", text), mail.Limits{})
		got := candidatePasswords(m, nil, 20)
		found := false
		for _, g := range got {
			found = found || g == pw
		}
		if !found {
			t.Errorf("%q: got %q want %q", text, got, pw)
		}
	}
	// A password sent in a separate text part.
	raw := "From: a@example.net\r\nTo: b@example.jp\r\nSubject: pw\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPW: zz998\r\n--x--\r\n"
	got := candidatePasswords(mail.Parse([]byte(raw), mail.Limits{}), []string{"infected"}, 20)
	if strings.Join(got, ",") != "zz998,infected" {
		t.Errorf("separate part: %q", got)
	}
}

func TestNameTricks(t *testing.T) {
	exe := []byte("MZ" + strings.Repeat("\x00", 200))
	cases := []struct {
		name, ct string
		data     []byte
		syms     []string
	}{
		{"invoice\u202efdp.exe", "application/octet-stream", exe, []string{SymRLOName, SymExecutable, SymDangerousExt}},
		{"report.pdf" + strings.Repeat(" ", 30) + ".exe", "application/octet-stream", exe, []string{SymLongSpaceName, SymDoubleExt, SymExecutable}},
		{"scan.pdf", "application/pdf", exe, []string{SymDisguisedExecutable, SymExecutable}},
		{"run.js", "text/plain", []byte("WScript.Echo(1)"), []string{SymDangerousExt}},
		{"photo.jpg.vbs", "text/plain", []byte("MsgBox 1"), []string{SymDoubleExt, SymDangerousExt}},
		{"link.url", "application/octet-stream", []byte("[InternetShortcut]\r\nURL=file://198.51.100.7/share/run.exe\r\n"), []string{SymDangerousExt}},
		{"a.hta", "text/html", []byte("<html><script>x</script></html>"), []string{SymDangerousExt}},
		{"doc.lnk", "application/octet-stream", append([]byte("\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"), make([]byte, 60)...), []string{SymDangerousType, SymDangerousExt}},
	}
	for _, c := range cases {
		task := scan(t, testdoc.Mail("x", "see attached", testdoc.Attachment{Name: c.name, Type: c.ct, Data: c.data}), nil)
		want(t, task, c.syms...)
	}
	// Harmless files stay quiet.
	task := scan(t, testdoc.Mail("x", "see", testdoc.Attachment{Name: "notes.txt", Type: "text/plain", Data: []byte("hello")},
		testdoc.Attachment{Name: "Liberalism in America.url", Data: []byte("[InternetShortcut]\r\nURL=http://www.example.org/article.html\r\n")},
		testdoc.Attachment{Name: "photo 2026 01.png", Type: "image/png", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}), nil)
	if h := hits(task); len(h) != 0 {
		t.Errorf("clean attachments: %v", h)
	}
}

func TestNestingAndBombs(t *testing.T) {
	inner := []byte("MZ" + strings.Repeat("\x00", 100))
	z := testdoc.Zip(map[string][]byte{"x.exe": inner})
	for i := 0; i < 7; i++ {
		z = testdoc.Zip(map[string][]byte{"level.zip": z})
	}
	// A chain of one-file zips past max_depth is followed (max_chain_depth).
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "deep.zip", Data: z}), nil)
	want(t, task, SymArchiveNested, SymExecutableInArchive)
	notWant(t, task, SymArchiveTooDeep)
	// Past max_chain_depth it is not.
	for i := 0; i < 30; i++ {
		z = testdoc.Zip(map[string][]byte{"level.zip": z})
	}
	task = scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "deep.zip", Data: z}), nil)
	want(t, task, SymArchiveTooDeep, SymArchiveNested)
	notWant(t, task, SymExecutable)

	bomb := testdoc.Zip(map[string][]byte{"zeros.bin": make([]byte, 24<<20)})
	task = scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "b.zip", Data: bomb}), func(c *config.Attach) { c.MaxFileBytes = 4 << 20; c.MaxTotalBytes = 16 << 20 })
	want(t, task, SymArchiveBomb)

	many := map[string][]byte{}
	for i := 0; i < 60; i++ {
		many[strings.Repeat("a", i+1)+".txt"] = []byte("x")
	}
	task = scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "m.zip", Data: testdoc.Zip(many)}), func(c *config.Attach) { c.MaxFiles = 20 })
	want(t, task, SymArchiveTooMany)
}

func TestExeInArchives(t *testing.T) {
	exe := []byte("MZ" + strings.Repeat("\x00", 100))
	rar := testdoc.StoredRAR([]testdoc.ZipEntry{{Name: "setup.exe", Data: exe}})
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "a.rar", Data: rar}), nil)
	want(t, task, SymExecutable, SymExecutableInArchive, SymDangerousExt)
}

func TestOfficeAndPDFSymbols(t *testing.T) {
	docm := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": "Sub Workbook_Open()\r\nMsgBox 1\r\nEnd Sub\r\n"}))
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "report.xlsx", Data: docm}), nil)
	want(t, task, SymVBAAutoExec, SymMacroRenamed, SymVBAPresent)
	notWant(t, task, SymVBAAutoExecSuspicious, SymTypeMismatch)

	pdf := "%PDF-1.4\n1 0 obj\n<< /OpenAction << /S /JavaScript /JS (this.exportDataObject\\({cName: 'a'}\\)) >> >>\nendobj\n2 0 obj\n<< /A << /S /URI /URI (http://pdf-link.example/x) >> >>\nendobj\n%%EOF"
	task = scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "a.pdf", Type: "application/pdf", Data: []byte(pdf)}), nil)
	want(t, task, SymPDFJavaScript, SymPDFAutoAction, SymPDFURI, SymPDFJSSuspicious)
	found := false
	for _, u := range task.URLs() {
		if u.Source == "pdf" && u.Host == "pdf-link.example" {
			found = true
		}
	}
	if !found {
		t.Errorf("PDF link not handed to the URL analyzer: %v", task.URLs())
	}
}

// TestClamAVTestfilesOwnAnalyzers checks that sekisho itself sees the
// executable inside each Debian clamav-testfiles container it can open.
func TestClamAVTestfilesOwnAnalyzers(t *testing.T) {
	testutil.NeedFile(t, testfiles, "clamav-testfiles")
	exe, _ := os.ReadFile(filepath.Join(testfiles, "clam.exe"))
	cases := map[string][]string{
		"clam.exe":     {SymExecutable},
		"clam.zip":     {SymExecutableInArchive},
		"clam.7z":      {SymExecutableInArchive},
		"clam.cab":     {SymExecutableInArchive},
		"clam.tar.gz":  {SymExecutableInArchive},
		"clam.exe.bz2": {SymExecutableInArchive},
		"clam.bz2.zip": {SymExecutableInArchive},
		"clam.pdf":     {SymExecutableInArchive, SymPDFEmbeddedFile},
		"clam.chm":     {SymDangerousType},
		"clam.ole.doc": {SymExecutableInArchive, SymOLEPackage},
		"clam.ppt":     {SymExecutableInArchive, SymOLEPackage},
		"clam.exe.rtf": {SymExecutableInArchive, SymRTFObject, SymOLEPackage},
	}
	for name, syms := range cases {
		data, err := os.ReadFile(filepath.Join(testfiles, name))
		if err != nil {
			t.Fatal(err)
		}
		task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: name, Data: data}), nil)
		for _, s := range syms {
			if !task.Has(s) {
				t.Errorf("%s: missing %s; have %v", name, s, hits(task))
			}
		}
		// the recorded hash of the inner file is clam.exe's
		if name != "clam.chm" {
			sum := sha256hex(exe)
			ok := false
			for _, a := range task.Attachments() {
				ok = ok || a.SHA256 == sum
			}
			if !ok {
				t.Errorf("%s: clam.exe hash not recorded: %+v", name, task.Attachments())
			}
		}
	}
	// An ISO image built here holding clam.exe, and a RAR.
	if iso := buildISO(t, map[string][]byte{"clam.exe": exe}); iso != nil {
		task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "clam.iso", Data: iso}), nil)
		want(t, task, SymDiskImage, SymExecutableInArchive)
	}
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "clam.rar", Data: testdoc.StoredRAR([]testdoc.ZipEntry{{Name: "clam.exe", Data: exe}})}), nil)
	want(t, task, SymExecutableInArchive)
}

func TestRenamedTypes(t *testing.T) {
	z := testdoc.Zip(map[string][]byte{"a.txt": []byte("x")})
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "invoice.pdf", Type: "application/pdf", Data: z}), nil)
	want(t, task, SymTypeMismatch)
	task2 := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "photo", Type: "image/jpeg", Data: z}), nil)
	want(t, task2, SymTypeMismatch)
	if !bytes.Contains([]byte(strings.Join(hits(task)[SymTypeMismatch], "")), []byte(".pdf is zip")) {
		t.Errorf("%v", hits(task))
	}
}

func TestHiddenZipEntries(t *testing.T) {
	exe := []byte("MZ" + strings.Repeat("\x00", 100))
	a := testdoc.Zip(map[string][]byte{"setup.exe": exe})
	b := testdoc.Zip(map[string][]byte{"readme.txt": []byte("hello")})
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "c.zip", Data: append(append([]byte{}, a...), b...)}), nil)
	want(t, task, SymArchiveHidden, SymExecutableInArchive)
	// Central directory cut off: the local headers are still read.
	task = scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "d.zip", Data: a[:len(a)-30]}), nil)
	want(t, task, SymExecutableInArchive)
	notWant(t, task, SymArchiveHidden)
}

// TestOfficePasswordXLSX: an Office-password-protected .xlsx is an OLE2
// container (common in Japanese business mail): encrypted, not a lie.
func TestOfficePasswordXLSX(t *testing.T) {
	info := append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, `<encryption/>`...)
	doc := testdoc.CFB(map[string][]byte{"EncryptionInfo": info, "EncryptedPackage": make([]byte, 64)})
	task := scan(t, testdoc.Mail("x", "x", testdoc.Attachment{Name: "見積書.xlsx", Data: doc}), nil)
	want(t, task, SymOfficeEncrypted)
	notWant(t, task, SymTypeMismatch, SymOfficeDefaultPassword)
	if a := task.Attachments(); len(a) != 1 || !a[0].Encrypted || a[0].DetectedType != "encrypted-ooxml" {
		t.Errorf("%+v", a)
	}
}
