package archive_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func fuzzWalk(kind string, data []byte) {
	b := &Budget{Left: 8 << 20}
	Walk(kind, data, Options{MaxFileBytes: 1 << 20, MaxFiles: 100, Passwords: []string{"abc123"}, Budget: b}, func(e *Entry) error {
		return nil
	})
	if b.Left < 0 {
		panic("budget overdrawn")
	}
}

func seedTestfiles(f *testing.F, names ...string) {
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join("/usr/share/clamav-testfiles", n)); err == nil {
			f.Add(b)
		}
	}
}

// FuzzZip walks zip archives, plain and encrypted (ZipCrypto, AES).
func FuzzZip(f *testing.F) {
	f.Add(testdoc.Zip(map[string][]byte{"a.txt": []byte("hello"), "b/c.exe": []byte("MZ")}))
	f.Add(testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "a", Data: []byte("secret")}}, "abc123", false))
	f.Add(testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "a", Data: []byte("secret")}}, "abc123", true))
	seedTestfiles(f, "clam.zip", "clam.bz2.zip", "clam.d64.zip", "clam.impl.zip")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzWalk("zip", b) })
}

// FuzzCab exercises the cabinet reader.
func FuzzCab(f *testing.F) {
	seedTestfiles(f, "clam.cab")
	f.Add([]byte("MSCF\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzWalk("cab", b) })
}

// FuzzISO exercises the ISO 9660 reader (seeded with a tiny image).
func FuzzISO(f *testing.F) {
	f.Add(tinyISO())
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 17*2048 {
			b = append(bytes.Clone(tinyISO()[:17*2048]), b...)
		}
		fuzzWalk("iso", b)
	})
}

// FuzzOthers runs the rar, 7z, tar, gzip, bzip2 and xz readers.
func FuzzOthers(f *testing.F) {
	seedTestfiles(f, "clam.7z", "clam.tar.gz", "clam.exe.bz2")
	f.Add(testdoc.StoredRAR([]testdoc.ZipEntry{{Name: "a.exe", Data: []byte("MZ..")}}))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("hello"))
	w.Close()
	f.Add(gz.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, k := range []string{"rar", "7z", "tar", "gzip", "bzip2", "xz"} {
			fuzzWalk(k, b)
		}
	})
}

// tinyISO builds a minimal ISO 9660 image: PVD at sector 16, terminator,
// a root directory at sector 18 with one file at sector 19.
func tinyISO() []byte {
	img := make([]byte, 20*2048)
	pvd := img[16*2048:]
	pvd[0] = 1
	copy(pvd[1:], "CD001")
	dirRec := func(b []byte, lba, size uint32, flags byte, name string) int {
		n := 33 + len(name)
		if n%2 == 1 {
			n++
		}
		b[0] = byte(n)
		putBoth(b[2:], lba)
		putBoth(b[10:], size)
		b[25] = flags
		b[32] = byte(len(name))
		copy(b[33:], name)
		return n
	}
	dirRec(pvd[156:], 18, 2048, 2, "\x00")
	term := img[17*2048:]
	term[0] = 255
	copy(term[1:], "CD001")
	root := img[18*2048:]
	p := dirRec(root, 18, 2048, 2, "\x00")
	p += dirRec(root[p:], 18, 2048, 2, "\x01")
	dirRec(root[p:], 19, 5, 0, "A.EXE;1")
	copy(img[19*2048:], "MZabc")
	return img
}

func putBoth(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	b[4], b[5], b[6], b[7] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

// FuzzARJ exercises the ARJ reader and its decoders (methods 1-4), seeded
// with clam.arj and archives made by Debian's arj when it is installed.
func FuzzARJ(f *testing.F) {
	seedTestfiles(f, "clam.arj")
	if arj, err := exec.LookPath("arj"); err == nil {
		dir := f.TempDir()
		os.WriteFile(filepath.Join(dir, "a.txt"), bytes.Repeat([]byte("hello arj world "), 200), 0o644)
		for _, m := range []string{"-m1", "-m4", "-m0"} {
			out := filepath.Join(dir, "t"+m+".arj")
			cmd := exec.Command(arj, "a", m, "-y", out, "a.txt")
			cmd.Dir = dir
			if cmd.Run() == nil {
				if b, err := os.ReadFile(out); err == nil {
					f.Add(b)
				}
			}
		}
	}
	f.Add([]byte("\x60\xea\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzWalk("arj", b) })
}
