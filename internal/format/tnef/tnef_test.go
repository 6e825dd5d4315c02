package tnef

import (
	"bytes"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func TestAttachments(t *testing.T) {
	exe := []byte("MZ" + string(make([]byte, 100)))
	b := testdoc.TNEF([]testdoc.ZipEntry{{Name: "INVOIC~1.EXE", Data: exe}, {Name: "notes.txt", Data: []byte("hello")}})
	if !IsTNEF(b) {
		t.Fatal("signature")
	}
	files, tr, err := Attachments(b, 10, 1<<20)
	if err != nil || tr || len(files) != 2 || files[0].Name != "INVOIC~1.EXE" || !bytes.Equal(files[0].Data, exe) || files[1].Name != "notes.txt" {
		t.Fatalf("%+v %v %v", files, tr, err)
	}
	if files, tr, _ = Attachments(b, 1, 1<<20); len(files) != 1 || !tr {
		t.Errorf("max files: %d %v", len(files), tr)
	}
	if files, tr, _ = Attachments(b, 10, 10); !tr || files[0].Data != nil {
		t.Errorf("max bytes: %+v %v", files, tr)
	}
	// Cut anywhere: what came before, never a panic.
	for i := 0; i < len(b); i++ {
		Attachments(b[:i], 10, 1<<20)
	}
	if _, _, err := Attachments([]byte("not tnef"), 10, 10); err != ErrNotTNEF {
		t.Fatal(err)
	}
}

func FuzzAttachments(f *testing.F) {
	f.Add(testdoc.TNEF([]testdoc.ZipEntry{{Name: "a.exe", Data: []byte("MZ..")}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, _, _ := Attachments(b, 50, 1<<20)
		if len(files) > 50 {
			t.Fatal("too many")
		}
	})
}
