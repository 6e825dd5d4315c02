package archive_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/testutil"
)

// arjSamples are the files the ARJ tests pack: text that compresses, a
// program-like file, random bytes (stored even with a method), and a file
// longer than the 26,624-byte window with repeats far apart.
func arjSamples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 70_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var text strings.Builder
	for i := 0; text.Len() < 300_000; i++ {
		fmt.Fprintf(&text, "line %d: the quick brown fox %d jumps over the lazy dog %x\n", i, i*i%977, rng.Uint32()%4096)
	}
	far := append(append(bytes.Clone(random[:20_000]), bytes.Repeat([]byte("gap "), 5_000)...), random[:20_000]...)
	return map[string][]byte{
		"text.txt": []byte(text.String()),
		"clam.exe": append([]byte("MZ\x90\x00"), bytes.Repeat([]byte("PE\x00\x00payload "), 300)...),
		"rand.bin": random,
		"far.bin":  far,
		"one.txt":  []byte("a"),
	}
}

// TestARJ packs files with Debian's arj in every method (0 stored; 1, 2,
// 3 Huffman-coded LZ77; 4 "fastest") and reads them back, and opens
// clamav-testfiles' clam.arj.
func TestARJ(t *testing.T) {
	if b, err := os.ReadFile(filepath.Join(testfiles, "clam.arj")); err == nil {
		got := walkAll(t, "arj", b, Options{})
		e := got["clam.exe"]
		if e == nil || e.Err != nil || !bytes.HasPrefix(e.Data, []byte("MZ")) || len(e.Data) != 544 {
			t.Fatalf("clam.arj: %v %+v", keys(got), e)
		}
	} else {
		testutil.PeerMissing(t, "clamav-testfiles not installed")
	}
	arj := testutil.LookPeer(t, "arj")
	dir := t.TempDir()
	files := arjSamples()
	var names []string
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
		names = append(names, n)
	}
	for m := 0; m <= 4; m++ {
		out := filepath.Join(dir, fmt.Sprintf("t%d.arj", m))
		cmd := exec.Command(arj, append([]string{"a", fmt.Sprintf("-m%d", m), "-y", out}, names...)...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("arj -m%d: %v %s", m, err, b)
		}
		data, _ := os.ReadFile(out)
		got := walkAll(t, "arj", data, Options{})
		for n, want := range files {
			e := got[n]
			if e == nil || e.Err != nil || !bytes.Equal(e.Data, want) {
				if e != nil {
					t.Errorf("method %d: %s: err %v, %d bytes of %d", m, n, e.Err, len(e.Data), len(want))
				} else {
					t.Errorf("method %d: %s missing: %v", m, n, keys(got))
				}
			}
		}
		// bounded: one file's bytes and the message's budget
		got = walkAll(t, "arj", data, Options{MaxFileBytes: 1000, Budget: &Budget{Left: 1 << 30}})
		if e := got["text.txt"]; e == nil || !e.Truncated || len(e.Data) != 1000 {
			t.Errorf("method %d: MaxFileBytes not applied: %+v", m, e)
		}
		err := Walk("arj", data, Options{Budget: &Budget{Left: 5000}}, func(e *Entry) error { return nil })
		if !errors.Is(err, ErrBudget) {
			t.Errorf("method %d: budget: %v", m, err)
		}
		if err := Walk("arj", data, Options{MaxFiles: 2}, func(e *Entry) error { return nil }); !errors.Is(err, ErrTooManyFiles) {
			t.Errorf("method %d: MaxFiles: %v", m, err)
		}
	}
	// A password-scrambled ("garbled") file is reported encrypted.
	out := filepath.Join(dir, "g.arj")
	cmd := exec.Command(arj, "a", "-gsecret", "-y", out, "clam.exe")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("arj -g: %v %s", err, b)
	}
	data, _ := os.ReadFile(out)
	got := walkAll(t, "arj", data, Options{})
	if e := got["clam.exe"]; e == nil || !e.Encrypted || e.Data != nil {
		t.Errorf("garbled: %+v", e)
	}
	// Damaged data: a flipped byte in the compressed stream is an error on
	// that entry, never a panic or a hang.
	data, _ = os.ReadFile(filepath.Join(dir, "t1.arj"))
	for i := 100; i < len(data); i += len(data) / 50 {
		bad := bytes.Clone(data)
		bad[i] ^= 0x55
		Walk("arj", bad, Options{}, func(e *Entry) error { return nil })
	}
}

// BenchmarkARJ expands 2 MB of text packed by Debian's arj with method 1
// (Huffman-coded LZ77) and method 4 (unary-coded LZ77).
func BenchmarkARJ(b *testing.B) {
	arj := testutil.LookPeer(b, "arj")
	dir := b.TempDir()
	text := arjSamples()["text.txt"]
	big := bytes.Repeat(text, 2_000_000/len(text)+1)[:2_000_000]
	os.WriteFile(filepath.Join(dir, "big.txt"), big, 0o644)
	for _, m := range []string{"1", "4"} {
		out := filepath.Join(dir, "m"+m+".arj")
		cmd := exec.Command(arj, "a", "-m"+m, "-y", out, "big.txt")
		cmd.Dir = dir
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("arj: %v %s", err, o)
		}
		data, _ := os.ReadFile(out)
		b.Run("method"+m, func(b *testing.B) {
			b.SetBytes(int64(len(big)))
			for i := 0; i < b.N; i++ {
				if err := Walk("arj", data, Options{Budget: &Budget{Left: 1 << 30}}, func(e *Entry) error {
					if len(e.Data) != len(big) {
						b.Fatalf("%d bytes", len(e.Data))
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
