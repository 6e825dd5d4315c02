package filetype

import "testing"

// FuzzDetect: type sniffing of attacker bytes never panics and is
// deterministic (issue 14: fuzz targets for the parsers that had none).
func FuzzDetect(f *testing.F) {
	for _, s := range []string{"MZ\x90\x00", "PK\x03\x04", "%PDF-1.7", "7z\xbc\xaf\x27\x1c", "Rar!\x1a\x07\x01\x00",
		"\x1f\x8b\x08", "BZh9", "\xfd7zXZ\x00", "MSCF\x00\x00\x00\x00", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "{\\rtf1", "<html>", "hello"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := Detect(b)
		if d != Detect(b) || Hint(b) != Hint(b) {
			t.Fatal("not deterministic")
		}
		_ = LooksText(b)
		_ = IsArchive(d) || IsExecutable(d) || IsDiskImage(d)
	})
}
