package filetype

import (
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	pe := make([]byte, 0x100)
	copy(pe, "MZ")
	pe[0x3c] = 0x80
	copy(pe[0x80:], "PE\x00\x00")
	dll := append([]byte(nil), pe...)
	dll[0x80+22+1] = 0x20
	cases := map[string][]byte{
		PE: pe, DLL: dll, MSDOS: []byte("MZ\x90\x00"), ELF: []byte("\x7fELF\x02\x01"), Zip: []byte("PK\x03\x04...."),
		Rar: []byte("Rar!\x1a\x07\x01\x00"), SevenZip: []byte("7z\xbc\xaf\x27\x1c\x00\x04"), Gzip: []byte("\x1f\x8b\x08"),
		Bzip2: []byte("BZh91AY"), XZ: []byte("\xfd7zXZ\x00\x00"), Cab: []byte("MSCF\x00\x00\x00\x00"),
		OLE2: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), PDF: []byte("%PDF-1.7"), RTF: []byte("{\\rtf1\\ansi"),
		CHM: []byte("ITSF\x03\x00\x00\x00"), VHDX: []byte("vhdxfile"), Unknown: []byte("hello world"),
	}
	for want, b := range cases {
		if got := Detect(b); got != want {
			t.Errorf("%q: got %q want %q", b[:min(len(b), 8)], got, want)
		}
	}
	iso := make([]byte, 0x8006)
	copy(iso[0x8001:], "CD001")
	if Detect(iso) != ISO {
		t.Error("iso")
	}
}

func TestTricks(t *testing.T) {
	tr := Tricks("invoice\u202efdp.exe")
	if !tr.RLO || tr.Dangerous == "" || !strings.Contains(tr.ShownAs, "exe.pdf") {
		t.Errorf("rlo %+v", tr)
	}
	if tr := Tricks("report.pdf" + strings.Repeat(" ", 40) + ".exe"); !tr.LongSpace || !tr.DoubleExt {
		t.Errorf("long space %+v", tr)
	}
	if tr := Tricks("請求書.pdf　　　　　.exe"); !tr.LongSpace {
		t.Errorf("ideographic space %+v", tr)
	}
	if tr := Tricks("photo.jpg.js"); !tr.DoubleExt || tr.InnerExt != "jpg" {
		t.Errorf("double %+v", tr)
	}
	for _, ok := range []string{"report.final.pdf", "my_file_name.docx", "2026.01.02.xlsx", "archive.tar.gz"} {
		if tr := Tricks(ok); tr.RLO || tr.LongSpace || tr.DoubleExt || tr.Dangerous != "" {
			t.Errorf("%q flagged: %+v", ok, tr)
		}
	}
	if Ext("A.EXE. ") != "exe" {
		t.Error("trailing dots")
	}
}
