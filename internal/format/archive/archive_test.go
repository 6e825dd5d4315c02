package archive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/testutil"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
	"github.com/ulikunitz/xz"
)

const testfiles = "/usr/share/clamav-testfiles"

func walkAll(t *testing.T, kind string, data []byte, opt Options) map[string]*Entry {
	t.Helper()
	got := map[string]*Entry{}
	err := Walk(kind, data, opt, func(e *Entry) error {
		got[e.Name] = e
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return got
}

func TestFormatsBuiltHere(t *testing.T) {
	payload := []byte("MZ hello payload " + strings.Repeat("x", 500))
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Name = "inner.exe"
	gw.Write(payload)
	gw.Close()
	var xzb bytes.Buffer
	xw, _ := xz.NewWriter(&xzb)
	xw.Write(payload)
	xw.Close()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "dir/inner.exe", Mode: 0644, Size: int64(len(payload)), Typeflag: tar.TypeReg})
	tw.Write(payload)
	tw.Close()
	cases := []struct {
		kind, name string
		data       []byte
	}{
		{"zip", "inner.exe", testdoc.Zip(map[string][]byte{"inner.exe": payload})},
		{"gzip", "inner.exe", gz.Bytes()},
		{"xz", "", xzb.Bytes()},
		{"tar", "dir/inner.exe", tb.Bytes()},
		{"rar", "inner.exe", testdoc.StoredRAR([]testdoc.ZipEntry{{Name: "inner.exe", Data: payload}})},
	}
	for _, c := range cases {
		got := walkAll(t, c.kind, c.data, Options{})
		e := got[c.name]
		if e == nil || !bytes.Equal(e.Data, payload) {
			t.Errorf("%s: entries %v", c.kind, keys(got))
		}
	}
}

func keys(m map[string]*Entry) []string {
	var out []string
	for k, e := range m {
		out = append(out, k+"("+errString(e.Err)+")")
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestZipCryptoAndAES(t *testing.T) {
	payload := []byte(strings.Repeat("secret content ", 100))
	for _, aes := range []bool{false, true} {
		z := testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "a.txt", Data: payload}, {Name: "b.txt", Data: []byte("second")}}, "abc123", aes)
		// no password: encrypted entries, no data
		got := walkAll(t, "zip", z, Options{})
		if e := got["a.txt"]; e == nil || !e.Encrypted || e.Data != nil || !errors.Is(e.Err, ErrEncrypted) {
			t.Fatalf("aes=%v no password: %+v", aes, e)
		}
		got = walkAll(t, "zip", z, Options{Passwords: []string{"wrong", "infected", "abc123"}})
		e := got["a.txt"]
		if e == nil || !bytes.Equal(e.Data, payload) || e.Password != "abc123" {
			t.Fatalf("aes=%v with password: %+v", aes, e)
		}
		if string(got["b.txt"].Data) != "second" {
			t.Fatalf("aes=%v second entry: %q", aes, got["b.txt"].Data)
		}
	}
}

// TestSevenZipPassword needs the 7z tool to build an AES-encrypted archive.
func TestSevenZipPassword(t *testing.T) {
	bin := testutil.LookPeer(t, "7z")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "doc.txt"), []byte("hello from inside"), 0o644)
	for _, c := range []struct {
		name string
		args []string
	}{{"plain.7z", nil}, {"enc.7z", []string{"-pabc123"}}, {"hdr.7z", []string{"-pabc123", "-mhe=on"}}} {
		args := append([]string{"a", "-bd", "-y", filepath.Join(dir, c.name), filepath.Join(dir, "doc.txt")}, c.args...)
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("7z: %v %s", err, out)
		}
		data, _ := os.ReadFile(filepath.Join(dir, c.name))
		got := walkAll(t, "7z", data, Options{})
		if c.name == "plain.7z" {
			if string(got["doc.txt"].Data) != "hello from inside" {
				t.Fatalf("plain: %v", keys(got))
			}
			continue
		}
		enc := false
		for _, e := range got {
			enc = enc || (e.Encrypted && e.Data == nil)
		}
		if !enc {
			t.Fatalf("%s without password: %v", c.name, keys(got))
		}
		got = walkAll(t, "7z", data, Options{Passwords: []string{"nope", "abc123"}})
		if e := got["doc.txt"]; e == nil || string(e.Data) != "hello from inside" || e.Password != "abc123" {
			t.Fatalf("%s with password: %v", c.name, keys(got))
		}
	}
}

func TestBounds(t *testing.T) {
	big := bytes.Repeat([]byte{0}, 5<<20)
	z := testdoc.Zip(map[string][]byte{"a": big, "b": big, "c": big})
	b := &Budget{Left: 8 << 20}
	var n int
	err := Walk("zip", z, Options{MaxFileBytes: 1 << 20, Budget: b}, func(e *Entry) error {
		n++
		if !e.Truncated || len(e.Data) != 1<<20 {
			t.Errorf("entry %s: truncated %v len %d", e.Name, e.Truncated, len(e.Data))
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("err %v n %d", err, n)
	}
	many := map[string][]byte{}
	for i := 0; i < 50; i++ {
		many[strings.Repeat("f", i+1)] = []byte("x")
	}
	err = Walk("zip", testdoc.Zip(many), Options{MaxFiles: 10}, func(*Entry) error { return nil })
	if !errors.Is(err, ErrTooManyFiles) {
		t.Fatalf("count bound: %v", err)
	}
	b = &Budget{Left: 3 << 20}
	err = Walk("zip", z, Options{MaxFileBytes: 2 << 20, Budget: b}, func(*Entry) error { return nil })
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("budget: %v", err)
	}
}

// TestClamAVTestfiles opens Debian's clamav-testfiles containers and
// finds clam.exe inside each one this package reads.
func TestClamAVTestfiles(t *testing.T) {
	testutil.NeedFile(t, testfiles, "clamav-testfiles")
	exe, _ := os.ReadFile(filepath.Join(testfiles, "clam.exe"))
	cases := map[string]string{"clam.zip": "zip", "clam.7z": "7z", "clam.cab": "cab", "clam.exe.bz2": "bzip2", "clam.tar.gz": "gzip", "clam.bz2.zip": "zip"}
	for file, kind := range cases {
		data, err := os.ReadFile(filepath.Join(testfiles, file))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		var walk func(kind string, data []byte, depth int)
		walk = func(kind string, data []byte, depth int) {
			Walk(kind, data, Options{}, func(e *Entry) error {
				if bytes.Equal(e.Data, exe) {
					found = true
				}
				if depth < 3 {
					switch {
					case bytes.HasPrefix(e.Data, []byte("BZh")):
						walk("bzip2", e.Data, depth+1)
					case len(e.Data) > 262 && string(e.Data[257:262]) == "ustar":
						walk("tar", e.Data, depth+1)
					}
				}
				return nil
			})
		}
		walk(kind, data, 0)
		if !found {
			t.Errorf("%s: clam.exe not found", file)
		}
	}
}

func TestCabAndISOFromTools(t *testing.T) {
	exe := []byte("MZ" + strings.Repeat("\x00", 100) + "payload")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "clam.exe"), exe, 0o644)
	if gcab, err := exec.LookPath("gcab"); err == nil {
		out := filepath.Join(dir, "t.cab")
		if b, err := exec.Command(gcab, "-c", "-n", "-z", out, filepath.Join(dir, "clam.exe")).CombinedOutput(); err != nil {
			t.Fatalf("gcab: %v %s", err, b)
		}
		data, _ := os.ReadFile(out)
		got := walkAll(t, "cab", data, Options{})
		if e := got["clam.exe"]; e == nil || !bytes.Equal(e.Data, exe) {
			t.Errorf("gcab mszip: %v", keys(got))
		}
	} else {
		testutil.PeerMissing(t, "gcab not installed")
	}
	if geniso, err := exec.LookPath("genisoimage"); err == nil {
		os.MkdirAll(filepath.Join(dir, "iso/sub"), 0o755)
		os.WriteFile(filepath.Join(dir, "iso/sub/invoice_document.exe"), exe, 0o644)
		out := filepath.Join(dir, "t.iso")
		for _, j := range [][]string{{"-J"}, {}} {
			args := append([]string{"-quiet", "-o", out}, j...)
			args = append(args, filepath.Join(dir, "iso"))
			if b, err := exec.Command(geniso, args...).CombinedOutput(); err != nil {
				t.Fatalf("genisoimage: %v %s", err, b)
			}
			data, _ := os.ReadFile(out)
			got := walkAll(t, "iso", data, Options{})
			want := "sub/invoice_document.exe"
			if len(j) == 0 {
				want = "SUB/INVOICE_.EXE"
			}
			if e := got[want]; e == nil || !bytes.Equal(e.Data, exe) {
				t.Errorf("iso %v: %v", j, keys(got))
			}
		}
	} else {
		testutil.PeerMissing(t, "genisoimage not installed")
	}
}

// sevenZipWithHeader wraps a raw header in a 7z signature header.
func sevenZipWithHeader(hdr []byte) []byte {
	b := []byte("7z\xbc\xaf\x27\x1c\x00\x04")
	sh := make([]byte, 20)
	binary.LittleEndian.PutUint64(sh[8:], uint64(len(hdr)))
	binary.LittleEndian.PutUint32(sh[16:], crc32.ChecksumIEEE(hdr))
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(sh))
	return append(append(b, sh...), hdr...)
}

// TestSevenZipHeaderBomb: a tiny 7z claiming billions of files must be
// refused before the 7z reader allocates for them (a fatal OOM).
func TestSevenZipHeaderBomb(t *testing.T) {
	hdr := []byte{0x01, 0x05, 0xfe, 0, 0, 0, 0xf0, 0, 0, 0, 0x00, 0x00}
	err := Walk("7z", sevenZipWithHeader(hdr), Options{}, func(*Entry) error { return nil })
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
	// the same header with one file is fine
	ok := []byte{0x01, 0x05, 0x01, 0x00, 0x00}
	if err := Walk("7z", sevenZipWithHeader(ok), Options{}, func(*Entry) error { return nil }); errors.Is(err, ErrUnsupported) {
		t.Fatalf("small header: %v", err)
	}
}
