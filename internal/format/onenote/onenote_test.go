package onenote

import (
	"bytes"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func TestEmbedded(t *testing.T) {
	hta := []byte("<HTA:APPLICATION /><script>new ActiveXObject('WScript.Shell').Run('cmd /c calc')</script>")
	png := []byte("\x89PNG\r\n\x1a\nfake image")
	b := testdoc.OneNote(png, hta)
	if !IsOneNote(b) {
		t.Fatal("magic")
	}
	files, tr := Embedded(b, 10, 1<<20)
	if tr || len(files) != 2 || !bytes.Equal(files[0].Data, png) || !bytes.Equal(files[1].Data, hta) {
		t.Fatalf("%d files, truncated %v", len(files), tr)
	}
	if files, tr = Embedded(b, 1, 1<<20); len(files) != 1 || !tr {
		t.Fatalf("max files: %d %v", len(files), tr)
	}
	if files, tr = Embedded(b, 10, 20); len(files) != 1 || !tr {
		t.Fatalf("max bytes: %d %v", len(files), tr)
	}
	// A length past the end is skipped, not trusted.
	cut := b[:len(b)-40]
	if files, tr = Embedded(cut, 10, 1<<20); len(files) != 1 || !tr {
		t.Fatalf("cut: %d %v", len(files), tr)
	}
}

func FuzzEmbedded(f *testing.F) {
	f.Add(testdoc.OneNote([]byte("MZ program"), []byte("@echo off")))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, _ := Embedded(b, 100, 1<<20)
		for _, fl := range files {
			if fl.Offset < 0 || fl.Offset+len(fl.Data) > len(b) {
				t.Fatal("out of bounds")
			}
		}
	})
}
