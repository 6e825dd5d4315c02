package contacts

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// BenchmarkKnown is the sender analyzer's lookup through the read-only
// handle: 500 correspondents of one recipient, in turn, half of them
// learned (the recipient's history is in the file), nothing queued.
func BenchmarkKnown(b *testing.B) {
	ctx := context.Background()
	_, rd := learnedFile(b, func(w *Store) error {
		for i := range 250 {
			if err := w.Learn(ctx, "me@example.jp", fmt.Sprintf("p%d@d%d.example", i, i%40), "", time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
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

// BenchmarkKnownMiss is a lookup that misses the cache (a new sender
// each time) with a context that can end, as the sender analyzer's
// stage context can: what each such message costs in the file. The
// lookup is made with the end checked before it (noCancel), without
// database/sql's and modernc.org/sqlite's goroutine per query.
func BenchmarkKnownMiss(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	_, rd := learnedFile(b, func(w *Store) error {
		for i := range 250 {
			if err := w.Learn(ctx, "me@example.jp", fmt.Sprintf("p%d@d%d.example", i, i%40), "", time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := rd.Known(ctx, "me@example.jp", "q"+strconv.Itoa(i)+"@x.example"); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
