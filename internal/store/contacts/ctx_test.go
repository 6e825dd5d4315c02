package contacts

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestLookupEndedContext: a lookup (one the cache cannot answer) with a
// context that has ended fails with the context's error, as it did when
// the context went to database/sql (noCancel checks it before the
// query), and a live context with a deadline still answers.
func TestLookupEndedContext(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bg := context.Background()
	if err := s.Learn(bg, "me@example.jp", "a@partner.co.jp", "id1@partner.co.jp", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.sync(bg); err != nil {
		t.Fatal(err)
	}
	live, cancelLive := context.WithTimeout(bg, time.Hour)
	defer cancelLive()
	if k, err := s.Known(live, "me@example.jp", "a@partner.co.jp"); err != nil || !k.AddrSeen || k.RcptHistory != 1 {
		t.Fatalf("live context: %+v %v", k, err)
	}
	if th, err := s.Thread(live, "me@example.jp", []string{"id1@partner.co.jp"}); err != nil || th.Known != 1 {
		t.Fatalf("live context: thread %+v %v", th, err)
	}
	ended, cancel := context.WithCancel(bg)
	cancel()
	_, err = s.Known(ended, "other@example.jp", "b@partner.co.jp")
	if !errors.Is(err, context.Canceled) || err.Error() != "contacts: context canceled" {
		t.Fatalf("ended context: %v", err)
	}
	_, err = s.Thread(ended, "me@example.jp", []string{"id1@partner.co.jp"})
	if !errors.Is(err, context.Canceled) || err.Error() != "contacts: context canceled" {
		t.Fatalf("ended context: thread %v", err)
	}
	past, cancelPast := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancelPast()
	if _, err := s.Known(past, "third@example.jp", "c@partner.co.jp"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("past deadline: %v", err)
	}
}

// TestWriteBatchEndedContext: a batch whose context ended before its
// rows fails with the context's error (the error database/sql gave when
// each statement got the context) and writes nothing.
func TestWriteBatchEndedContext(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := newBatch()
	b.add("me@example.jp", "a@partner.co.jp", "id1@x", time.Now().Unix())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.writeBatch(ctx, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("ended context: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM pairs`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d pairs written, %v", n, err)
	}
	// A live one writes the batch.
	live, cancelLive := context.WithTimeout(context.Background(), time.Minute)
	defer cancelLive()
	if err := s.writeBatch(live, b); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow(`SELECT count(*) FROM pairs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d pairs written, %v", n, err)
	}
}
