package bayesstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
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

// oldHeader starts a format-2 or format-3 file as those releases wrote
// it: one class ("global", 40 spam and 60 ham messages), one digest, the
// hash-table mark and the key count. uv appends a uvarint to b.
func oldHeader(magic string, keys int) (b *bytes.Buffer, uv func(uint64)) {
	b = new(bytes.Buffer)
	uv = func(v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
	b.WriteString(magic)
	uv(1)
	uv(uint64(len("global")))
	b.WriteString("global")
	uv(40)
	uv(60)
	uv(1)
	b.Write(bytes.Repeat([]byte{7}, 16))
	b.WriteByte('H')
	uv(uint64(keys))
	return b, uv
}

// writeSummed appends b's CRC-32 (big-endian) and writes it to path.
func writeSummed(t testing.TB, path string, b *bytes.Buffer) {
	t.Helper()
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(b.Bytes()))
	b.Write(sum[:])
	if err := os.WriteFile(path, b.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
}

// v2File writes a format-2 file ("SKBAYES2": varint keys with weights),
// as releases before format 3 wrote it: one class, one digest, three keys.
func v2File(t testing.TB, path string, keys []uint64, counts []Counts) {
	t.Helper()
	b, uv := oldHeader("SKBAYES2", len(keys))
	var prev uint64
	for i, k := range keys { // ascending
		uv(k - prev)
		prev = k
		uv(uint64(counts[i].Spam))
		uv(uint64(counts[i].Ham))
		b.Write(binary.AppendVarint(nil, int64(counts[i].Weight*weightScale)))
	}
	writeSummed(t, path, b)
}

// TestFileFormatV2Upgrade: opening a format-2 file rewrites it in format 4
// (lines, mapped) with the same totals, digests, counts and
// weights; learning on top of it and reopening keeps everything.
func TestFileFormatV2Upgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bayes.db")
	keys := []uint64{3, 1 << 40, 1<<63 + 5}
	counts := []Counts{{Spam: 5, Ham: 1, Weight: 0.5}, {Spam: 0, Ham: 9, Weight: -1.25}, {Spam: 2, Ham: 2}}
	v2File(t, path, keys, counts)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("SKBAYES4")) {
		t.Fatalf("not migrated at open: %q", b[:8])
	}
	check := func(f *File, extra bool) {
		t.Helper()
		tot, _ := f.Totals(ctx, "global")
		if tot.Spam != 40 || tot.Ham != 60 {
			t.Fatalf("totals %+v", tot)
		}
		out := make([]Counts, 5)
		// Keys of the file are raw (class-mixed) keys: look them up in
		// the class "" where ClassKey leaves them as they are.
		if err := f.Lookup(ctx, "", append(append([]uint64(nil), keys...), 4, 77), out); err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			if out[i] != counts[i] {
				t.Fatalf("key %d: %+v, want %+v", keys[i], out[i], counts[i])
			}
		}
		if out[3] != (Counts{}) {
			t.Fatalf("unknown key: %+v", out[3])
		}
		if extra && out[4] != (Counts{Spam: 1}) {
			t.Fatalf("learned key: %+v", out[4])
		}
		if o, _ := f.Learn(ctx, "", Digest(bytes.Repeat([]byte{7}, 16)), nil, false); o != AlreadyLearned {
			t.Fatalf("digest lost: %v", o)
		}
	}
	check(f, false)
	if _, err := f.Learn(ctx, "", Digest{1}, []uint64{77}, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.Stats(ctx); st.Features != 4 {
		t.Fatalf("features %d", st.Features)
	}
	check(f, true)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f2, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	check(f2, true)
	if st, _ := f2.Stats(ctx); st.Features != 4 {
		t.Fatalf("features after reopen %d", st.Features)
	}
}

// v3File writes a format-3 file ("SKBAYES3": fixed-width key and count
// arrays), as releases before format 4 wrote it: one class, one digest.
func v3File(t testing.TB, path string, keys []uint64, counts []Counts) {
	t.Helper()
	b, _ := oldHeader("SKBAYES3", len(keys))
	for b.Len()%8 != 0 {
		b.WriteByte(0)
	}
	for _, k := range keys { // ascending
		b.Write(binary.LittleEndian.AppendUint64(nil, k))
	}
	for _, c := range counts {
		b.Write(binary.LittleEndian.AppendUint32(nil, c.Spam))
		b.Write(binary.LittleEndian.AppendUint32(nil, c.Ham))
		b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(c.Weight)))
	}
	writeSummed(t, path, b)
}

// TestFileFormatV3Upgrade: opening a format-3 file rewrites it in format 4
// with the same totals, digests, counts and weights (counts too large for
// a slot among them); learning on top and reopening keeps everything.
func TestFileFormatV3Upgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bayes.db")
	keys := []uint64{0, 3, 1 << 40, 1<<63 + 5, math.MaxUint64 - 1, math.MaxUint64}
	counts := []Counts{{Spam: 1}, {Spam: 5, Ham: 1, Weight: 0.5}, {Spam: 0, Ham: 70000, Weight: -1.25},
		{Spam: 2, Ham: 2}, {Spam: 1 << 31, Ham: 65535}, {Weight: 3}}
	v3File(t, path, keys, counts)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("SKBAYES4")) {
		t.Fatalf("not migrated at open: %q", b[:8])
	}
	check := func(f *File, extra bool) {
		t.Helper()
		tot, _ := f.Totals(ctx, "global")
		if tot.Spam != 40 || tot.Ham != 60 {
			t.Fatalf("totals %+v", tot)
		}
		q := append(append([]uint64(nil), keys...), 4, 77, math.MaxUint64-2)
		out := make([]Counts, len(q))
		if err := f.Lookup(ctx, "", q, out); err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			if out[i] != counts[i] {
				t.Fatalf("key %d: %+v, want %+v", keys[i], out[i], counts[i])
			}
		}
		if out[len(keys)] != (Counts{}) || out[len(keys)+2] != (Counts{}) {
			t.Fatalf("unknown keys: %+v", out[len(keys):])
		}
		if extra && out[len(keys)+1] != (Counts{Spam: 1}) {
			t.Fatalf("learned key: %+v", out[len(keys)+1])
		}
		if o, _ := f.Learn(ctx, "", Digest(bytes.Repeat([]byte{7}, 16)), nil, true); o != Relearned {
			t.Fatalf("digest lost: %v", o)
		}
		f.Learn(ctx, "", Digest(bytes.Repeat([]byte{7}, 16)), nil, false)
	}
	check(f, false)
	if _, err := f.Learn(ctx, "", Digest{1}, []uint64{77}, true); err != nil {
		t.Fatal(err)
	}
	check(f, true)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f2, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	check(f2, true)
	if st, _ := f2.Stats(ctx); st.Features != len(keys)+1 {
		t.Fatalf("features after reopen %d", st.Features)
	}
}

// TestFileFormatV4Damage: a format-4 file with a flipped byte, cut short,
// with keys out of order or a key out of its place is refused, even with
// a right checksum.
func TestFileFormatV4Damage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "bayes.db")
	f, _ := OpenFile(path)
	f.Learn(ctx, "", Digest{1}, []uint64{10, 20, 30, 40}, true)
	f.Close()
	good, _ := os.ReadFile(path)
	try := func(name string, b []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		if _, err := OpenFile(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	flip := append([]byte(nil), good...)
	flip[len(flip)-20] ^= 1
	try("flip", flip)
	try("short", good[:len(good)-13])
	// The lines: 4 keys, 2 home lines and the free last line, no big
	// counts. All four keys are in line 0 (their homes: the low keys).
	lines := len(good) - 4 - 3*lineSize
	if !bytes.Equal(good[lines+3*lineSize-lineSize:lines+3*lineSize], bytes.Repeat(append(bytes.Repeat([]byte{0xff}, 8), make([]byte, 8)...), 4)) {
		t.Fatalf("unexpected layout")
	}
	fix := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	// Two keys swapped.
	sw := append([]byte(nil), good...)
	k0 := append([]byte(nil), sw[lines:lines+8]...)
	copy(sw[lines:lines+8], sw[lines+slotSize:lines+slotSize+8])
	copy(sw[lines+slotSize:lines+slotSize+8], k0)
	try("order", fix(sw))
	// A slot moved to the next line, with room left in its home line.
	mv := append([]byte(nil), good...)
	copy(mv[lines+lineSize:lines+lineSize+slotSize], mv[lines+3*slotSize:lines+4*slotSize])
	copy(mv[lines+3*slotSize:lines+4*slotSize], append(bytes.Repeat([]byte{0xff}, 8), make([]byte, 8)...))
	try("place", fix(mv))
	// A free slot before a used one.
	gap := append([]byte(nil), good...)
	copy(gap[lines+2*slotSize:lines+3*slotSize], append(bytes.Repeat([]byte{0xff}, 8), make([]byte, 8)...))
	try("gap", fix(gap))
	// A slot marked big without big counts.
	big := append([]byte(nil), good...)
	copy(big[lines+8:lines+12], []byte{0xff, 0xff, 0xff, 0xff})
	try("big", fix(big))
}
