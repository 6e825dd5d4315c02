package bayesstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// v1File writes a format-1 file ("SKBAYES1": no per-key weight) with one
// class, one digest and two keys, as the first release wrote it.
func v1File(t testing.TB, path string) {
	t.Helper()
	var b bytes.Buffer
	uv := func(v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
	b.WriteString("SKBAYES1")
	uv(1)
	uv(uint64(len("global")))
	b.WriteString("global")
	uv(40) // spam messages
	uv(60) // ham messages
	uv(1)
	b.Write(bytes.Repeat([]byte{7}, 16))
	b.WriteByte('S')
	uv(2)
	k1, k2 := ClassKey("global", 100), ClassKey("global", 1000)
	c1, c2 := [2]uint64{5, 1}, [2]uint64{0, 9}
	if k2 < k1 {
		k1, k2, c1, c2 = k2, k1, c2, c1
	}
	uv(k1) // keys ascending, as deltas
	uv(c1[0])
	uv(c1[1])
	uv(k2 - k1)
	uv(c2[0])
	uv(c2[1])
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(b.Bytes()))
	b.Write(sum[:])
	if err := os.WriteFile(path, b.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
}

// TestFileFormatV1Upgrade: a file of the previous format is read with its
// counts, and written back in the current format on the next save.
func TestFileFormatV1Upgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bayes.db")
	v1File(t, path)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(f *File) {
		t.Helper()
		tot, err := f.Totals(ctx, "global")
		if err != nil || tot.Spam != 40 || tot.Ham != 60 {
			t.Fatalf("totals %+v %v", tot, err)
		}
		out := make([]Counts, 2)
		if err := f.Lookup(ctx, "global", []uint64{100, 1000}, out); err != nil {
			t.Fatal(err)
		}
		if out[0].Spam != 5 || out[0].Ham != 1 || out[1].Spam != 0 || out[1].Ham != 9 || out[0].Weight != 0 {
			t.Fatalf("counts %+v", out)
		}
	}
	check(f)
	// A learn makes the next save write format 2; the old counts stay.
	if _, err := f.Learn(ctx, "global", Digest{1}, []uint64{5}, true); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, fileMagic) {
		t.Fatalf("not rewritten in the current format: %q", b[:8])
	}
	f2, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	out := make([]Counts, 1)
	f2.Lookup(ctx, "global", []uint64{100}, out)
	if out[0].Spam != 5 || out[0].Ham != 1 {
		t.Fatalf("counts after rewrite %+v", out)
	}
}

// TestFileFormatNewer: a file of a newer format is refused, not overwritten.
func TestFileFormatNewer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bayes.db")
	os.WriteFile(path, []byte("SKBAYES9 from the future"), 0o640)
	if _, err := OpenFile(path); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("newer file: %v", err)
	}
}
