package archive

import (
	"bytes"
	"errors"
	"testing"
)

// TestKDFBudget: 7zAES keys are derived once per (salt, rounds, password)
// per message, each derivation is charged, and a spent budget refuses
// further tries (issue 14: decoy archives that each cost a derivation).
func TestKDFBudget(t *testing.T) {
	w := &walker{opt: Options{Budget: &Budget{KDFLeft: 2, KDFLimited: true}}}
	in := make([]byte, 32)
	props := func(salt byte) []byte { // 2^19 rounds, 1-byte salt, 16-byte IV
		return append([]byte{0x80 | 0x40 | 19, 0x0f, salt}, make([]byte, 16)...)
	}
	for i := 0; i < 5; i++ { // one salt: one derivation
		if _, err := sevenZipAESDecrypt(props(1), "pw", in, w); err != nil {
			t.Fatal(err)
		}
	}
	if w.opt.Budget.KDFTries != 1 {
		t.Fatalf("tries %d, want 1 (cached)", w.opt.Budget.KDFTries)
	}
	if _, err := sevenZipAESDecrypt(props(2), "pw", in, w); err != nil {
		t.Fatal(err)
	}
	if _, err := sevenZipAESDecrypt(props(3), "pw", in, w); !errors.Is(err, errKDFBudget) {
		t.Fatalf("third salt: %v, want errKDFBudget", err)
	}
	if w.opt.Budget.KDFSkipped != 1 {
		t.Fatalf("skipped %d", w.opt.Budget.KDFSkipped)
	}
}

// BenchmarkSevenZipKey: one 7-Zip-strength key derivation (2^19 rounds).
func BenchmarkSevenZipKey(b *testing.B) {
	pw := []byte("a\x00b\x00c\x001\x002\x003\x00")
	for b.Loop() {
		sevenZipKey(nil, pw, 19)
	}
}

// TestSharedBound: reads beyond the bound of all scans stop the walk as
// Busy (not a bomb), and Release gives everything back.
func TestSharedBound(t *testing.T) {
	sh := NewShared(1 << 20)
	b := &Budget{Left: 100 << 20, Shared: sh}
	w := &walker{opt: Options{MaxFileBytes: 4 << 20, Budget: b}}
	if _, _, err := w.read(bytes.NewReader(make([]byte, 10))); !errors.Is(err, ErrBudget) || !b.Busy {
		t.Fatalf("over the shared bound: %v busy=%v", err, b.Busy)
	}
	b2 := &Budget{Left: 100 << 20, Shared: sh}
	w2 := &walker{opt: Options{MaxFileBytes: 512 << 10, Budget: b2}}
	if d, _, err := w2.read(bytes.NewReader(make([]byte, 1000))); err != nil || len(d) != 1000 || b2.Busy {
		t.Fatalf("within: %d %v", len(d), err)
	}
	if sh.Used() == 0 {
		t.Fatal("nothing held")
	}
	b2.Release()
	if sh.Used() != 0 {
		t.Fatalf("left held: %d", sh.Used())
	}
}
