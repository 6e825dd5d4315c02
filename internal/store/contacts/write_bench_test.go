package contacts

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkWriteBatch is the writer's transaction for a batch of 100
// messages (one recipient and a new sender each, with a message id: 100
// rows of each table), per message.
func BenchmarkWriteBatch(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "contacts.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	const perBatch = 100
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		bt := newBatch()
		for range perBatch {
			i := strconv.Itoa(n)
			bt.add("rcpt"+strconv.Itoa(n%50)+"@example.jp", "s"+i+"@d"+i+".example", "id"+i+"@x", time.Now().Unix())
			n++
		}
		if err := s.writeBatch(ctx, bt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}
