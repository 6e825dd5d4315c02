package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestClamAVTestFiles(t *testing.T) {
	dir := "/usr/share/clamav-testfiles"
	for _, n := range []string{"clam.bin-be.cpio", "clam.bin-le.cpio", "clam.newc.cpio", "clam.odc.cpio", "clam.exe.binhex", "clam.exe.szdd", "clam.sis"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Skip("clamav-testfiles not installed")
		}
		k := Identify(b)
		files, err := Open(k, b, Limits{})
		found := false
		for _, f := range files {
			if bytes.Contains(f.Data, []byte("CLAMessageBoxA")) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: kind %q, %d files, err %v: clam.exe not found", n, k, len(files), err)
		}
	}
}

// cpio archives built here, one per header format.
func TestCPIOBuilt(t *testing.T) {
	payload := []byte("hello payload")
	newc := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1, 0o100644, 0, 0, 1, 0, len(payload), 0, 0, 0, 0, 6, 0)
	var b bytes.Buffer
	b.WriteString(newc + "a.txt\x00")
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.Write(payload)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	files, err := Open(Identify(b.Bytes()), b.Bytes(), Limits{})
	if err != nil || len(files) != 1 || files[0].Name != "a.txt" || !bytes.Equal(files[0].Data, payload) {
		t.Fatalf("newc: %v %+v", err, files)
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		h := make([]byte, 26)
		bo.PutUint16(h, 0o70707)
		bo.PutUint16(h[20:], 6)
		bo.PutUint16(h[24:], uint16(len(payload)))
		bin := append(h, "a.txt\x00"...)
		bin = append(bin, payload...)
		bin = append(bin, 0)
		files, _ := Open(Identify(bin), bin, Limits{})
		if len(files) != 1 || !bytes.Equal(files[0].Data, payload) {
			t.Fatalf("binary %v: %+v", bo, files)
		}
	}
	odc := fmt.Sprintf("070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o", 0, 1, 0o100644, 0, 0, 1, 0, 0, 6, len(payload)) + "a.txt\x00" + string(payload)
	files, _ = Open(Identify([]byte(odc)), []byte(odc), Limits{})
	if len(files) != 1 || !bytes.Equal(files[0].Data, payload) {
		t.Fatalf("odc: %+v", files)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("070701000000000000000000"))
	f.Add([]byte("SZDD\x88\xf0\x27\x33A\x00\x10\x00\x00\x00\xffabcdefgh\x00\xf0"))
	f.Add([]byte("(This file must be converted with BinHex 4.0)\n:!!!!:"))
	f.Add([]byte("\xc7\x71\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x04\x00a.txt\x00abcd"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k := Identify(b); k != "" {
			Open(k, b, Limits{MaxFiles: 10, MaxBytes: 1 << 20})
		}
	})
}
