package e2e

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// cabBomb is a Microsoft cabinet of one MSZIP folder of blocks of 32 KiB
// of zeros each (about 100 bytes per block), holding files of size bytes
// each.
func cabBomb(t *testing.T, files, size int) []byte {
	t.Helper()
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(make([]byte, 32768))
	fw.Close()
	blk := append([]byte("CK"), z.Bytes()...)
	total := files * size
	nData := (total + 32767) / 32768
	if nData > 65535 {
		t.Fatalf("%d blocks: too many for one folder", nData)
	}
	var names bytes.Buffer
	for i := 0; i < files; i++ {
		var f [16]byte
		binary.LittleEndian.PutUint32(f[0:], uint32(size))
		binary.LittleEndian.PutUint32(f[4:], uint32(i*size))
		names.Write(f[:])
		fmt.Fprintf(&names, "report-%d.txt\x00", i)
	}
	const hdr, folder = 36, 8
	coffFiles := hdr + folder
	dataOff := coffFiles + names.Len()
	var b bytes.Buffer
	h := make([]byte, hdr)
	copy(h, "MSCF")
	binary.LittleEndian.PutUint32(h[8:], uint32(dataOff+nData*(8+len(blk))))
	binary.LittleEndian.PutUint32(h[16:], uint32(coffFiles))
	h[24], h[25] = 3, 1
	binary.LittleEndian.PutUint16(h[26:], 1)
	binary.LittleEndian.PutUint16(h[28:], uint16(files))
	b.Write(h)
	fo := make([]byte, folder)
	binary.LittleEndian.PutUint32(fo[0:], uint32(dataOff))
	binary.LittleEndian.PutUint16(fo[4:], uint16(nData))
	binary.LittleEndian.PutUint16(fo[6:], 1) // MSZIP
	b.Write(fo)
	b.Write(names.Bytes())
	d := make([]byte, 8)
	binary.LittleEndian.PutUint16(d[4:], uint16(len(blk)))
	binary.LittleEndian.PutUint16(d[6:], 32768)
	for i := 0; i < nData; i++ {
		b.Write(d)
		b.Write(blk)
	}
	return b.Bytes()
}

// TestConcurrentCabBombsBoundedBinary (issue 14: cabinets were outside
// [attach] max_bytes_all_scans): eight cabinet bombs (8 × 50 MiB of zeros
// each) scanned at once through the JSON API stay within the bound of all
// scans; none is accepted — each is a bomb or, when the bound is reached,
// tempfail.
func TestConcurrentCabBombsBoundedBinary(t *testing.T) {
	bomb := cabBomb(t, 8, 50<<20)
	t.Logf("cab bomb: %d bytes, 8 × 50 MiB of zeros", len(bomb))
	actions, bombs, hwm := scanBombsAtOnce(t, testdoc.Attachment{Name: "invoice.cab", Type: "application/vnd.ms-cab-compressed", Data: bomb})
	t.Logf("verdicts: %v, ARCHIVE_BOMB in %d", actions, bombs)
	for a, n := range actions {
		if a == "accept/clean" || a == "tag/spam" || a == "/" {
			t.Errorf("%d cab bombs got %q", n, a)
		}
	}
	t.Logf("peak RSS %d MiB (max_bytes_all_scans 256 MiB)", hwm>>20)
	if hwm > 720<<20 { // measured 421–453 MiB; 1,424 MiB before cabinets were counted
		t.Errorf("peak RSS %d MiB", hwm>>20)
	}
}
