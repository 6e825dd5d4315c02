package contacts

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkKnown is the sender analyzer's lookup through the read-only
// handle: 500 correspondents of one recipient, in turn, half of them
// learned (the recipient's history is in the file), nothing queued.
func BenchmarkKnown(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "contacts.db")
	w, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	for i := range 250 {
		if err := w.Learn(ctx, "me@example.jp", fmt.Sprintf("p%d@d%d.example", i, i%40), "", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.sync(ctx); err != nil {
		b.Fatal(err)
	}
	rd, err := OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	peers := make([]string, 500)
	for i := range peers {
		peers[i] = fmt.Sprintf("p%d@d%d.example", i, i%80)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := rd.Known(ctx, "me@example.jp", peers[i%len(peers)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
