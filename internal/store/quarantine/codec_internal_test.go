package quarantine

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// TestOldCodecRowsRead: rows of earlier releases (raw_codec "zstd",
// compressed with their encoder's settings) and uncompressed ones read
// back as stored, beside the rows this release writes (S2).
func TestOldCodecRowsRead(t *testing.T) {
	st := openPooled(t, "sqlite")
	raw := []byte("From: a@example.com\r\nSubject: an old row\r\n\r\n" + strings.Repeat("body of a message held by an earlier release\r\n", 40))
	ctx := context.Background()
	id, err := st.Hold(ctx, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var codec string
	if err := st.queryRow(ctx, `SELECT raw_codec FROM messages WHERE id = ?`, id).Scan(&codec); err != nil || codec != codecS2 {
		t.Fatalf("new row's codec %q (%v), want %q", codec, err, codecS2)
	}
	if got, err := st.Get(ctx, id); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("new row: %v, %d bytes", err, len(got))
	}
	// The encoder of earlier releases.
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(512<<10))
	defer enc.Close()
	for _, c := range []struct {
		codec string
		data  []byte
	}{{"zstd", enc.EncodeAll(raw, nil)}, {"", raw}, {"none", raw}} {
		if _, err := st.exec(ctx, `UPDATE messages SET raw = ?, raw_codec = ? WHERE id = ?`, c.data, c.codec, id); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Get(ctx, id); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("row with codec %q: %v, %d bytes", c.codec, err, len(got))
		}
	}
	if _, err := st.exec(ctx, `UPDATE messages SET raw = ?, raw_codec = ? WHERE id = ?`, raw, "lz4", id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, id); err == nil {
		t.Fatal("unknown codec read without an error")
	}
}

// TestS2DecodedLimit: an S2 block that claims more than maxDecoded is
// refused before anything is allocated for it.
func TestS2DecodedLimit(t *testing.T) {
	st := &Store{}
	// The block's header: its decoded length as a uvarint.
	b := []byte{0x80, 0x80, 0x80, 0x81, 0x01} // 256 MiB + 1 << 21
	if _, err := st.decompress(codecS2, b); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

// FuzzDecompress: any stored bytes under either codec give the message
// back or an error, never a panic, and a message compressed by this
// release comes back whole.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte("From: a@example.com\r\n\r\nhello hello hello hello\r\n"), false)
	f.Add(s2.Encode(nil, []byte("Subject: x\r\n\r\nbody body body body body body\r\n")), true)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x01, 0x00, 0x00}, true)
	dec, _ := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxDecoded), zstd.WithDecoderConcurrency(1))
	defer dec.Close()
	st := &Store{dec: dec}
	f.Fuzz(func(t *testing.T, b []byte, asZstd bool) {
		codec := codecS2
		if asZstd {
			codec = "zstd"
		}
		_, _ = st.decompress(codec, b)
		c := st.compress(b)
		got, err := st.decompress(codecS2, c)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %d bytes: %v", len(b), err)
		}
		pc, bp := st.compressPooled(b)
		if !bytes.Equal(pc, c) {
			t.Fatal("compressPooled and compress differ")
		}
		putBuf(bp)
	})
}
