package archive_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestDeflate64 reads zips compressed with Deflate64 (method 9) by 7-Zip,
// plain and ZipCrypto-encrypted, with matches farther than deflate's 32 KiB
// window and longer than its 258 bytes, and clamav-testfiles' clam.d64.zip.
func TestDeflate64(t *testing.T) {
	if b, err := os.ReadFile(filepath.Join(testfiles, "clam.d64.zip")); err == nil {
		got := walkAll(t, "zip", b, Options{})
		var found bool
		for _, e := range got {
			if bytes.HasPrefix(e.Data, []byte("MZ")) && len(e.Data) == 544 && e.Err == nil {
				found = true
			}
		}
		if !found {
			t.Errorf("clam.d64.zip: %v", keys(got))
		}
	} else {
		testutil.PeerMissing(t, "clamav-testfiles not installed")
	}
	sz := testutil.LookPeer(t, "7z")
	dir := t.TempDir()
	files := arjSamples()
	files["zeros.bin"] = make([]byte, 300_000)
	var names []string
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
		names = append(names, n)
	}
	for _, c := range []struct {
		name string
		args []string
		pw   []string
	}{{"d64.zip", []string{"-mm=Deflate64"}, nil}, {"d64fast.zip", []string{"-mm=Deflate64", "-mx=1"}, nil},
		{"d64enc.zip", []string{"-mm=Deflate64", "-pabc123"}, []string{"abc123"}}} {
		out := filepath.Join(dir, c.name)
		args := append(append([]string{"a", "-tzip"}, c.args...), out)
		cmd := exec.Command(sz, append(args, names...)...)
		cmd.Dir = dir
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7z: %v %s", err, o)
		}
		data, _ := os.ReadFile(out)
		got := walkAll(t, "zip", data, Options{Passwords: c.pw, Budget: &Budget{Left: 1 << 30}})
		for n, want := range files {
			if e := got[n]; e == nil || e.Err != nil || !bytes.Equal(e.Data, want) {
				if e == nil {
					t.Errorf("%s: %s missing", c.name, n)
				} else {
					t.Errorf("%s: %s: err %v, %d bytes of %d", c.name, n, e.Err, len(e.Data), len(want))
				}
			}
		}
		// damaged: never a panic or a hang
		for i := 200; i < len(data); i += len(data)/40 + 1 {
			bad := bytes.Clone(data)
			bad[i] ^= 0x21
			Walk("zip", bad, Options{Passwords: c.pw}, func(e *Entry) error { return nil })
		}
	}
}
