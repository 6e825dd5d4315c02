package archive_test

import (
	"bytes"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	. "github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestImplode opens clamav-testfiles' clam.impl.zip (method 6, 4 KiB
// window, two trees) and checks clam.exe against its CRC-32.
func TestImplode(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testfiles, "clam.impl.zip"))
	if err != nil {
		testutil.PeerMissing(t, "clamav-testfiles not installed")
		return
	}
	got := walkAll(t, "zip", b, Options{})
	e := got["CLAM.EXE"]
	if e == nil || e.Err != nil || len(e.Data) != 544 || !bytes.HasPrefix(e.Data, []byte("MZ")) || crc32.ChecksumIEEE(e.Data) != 0xef073cfd {
		if e != nil {
			t.Fatalf("clam.impl.zip: err %v, %d bytes, crc %08x", e.Err, len(e.Data), crc32.ChecksumIEEE(e.Data))
		}
		t.Fatalf("clam.impl.zip: %v", keys(got))
	}
}
