package contacts

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLookupEndedContext: a lookup (one the cache cannot answer) with a
// context that has ended fails with the context's error, as it did when
// the context went to database/sql (on a Reader, noCancel checks it
// before the query; a writing Store's lookups keep ctx), and a live
// context with a deadline still answers.
func TestLookupEndedContext(t *testing.T) {
	bg := context.Background()
	w, r := learnedFile(t, func(w *Store) error {
		return w.Learn(bg, "me@example.jp", "a@partner.co.jp", "id1@partner.co.jp", time.Now())
	})
	for _, s := range []Reader{w, r} {
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
		_, err := s.Known(ended, "other@example.jp", "b@partner.co.jp")
		if !errors.Is(err, context.Canceled) || err.Error() != "contacts: context canceled" {
			t.Fatalf("ended context: %v", err)
		}
		_, err = s.Thread(ended, "me@example.jp", []string{"id1@partner.co.jp"})
		if !errors.Is(err, context.Canceled) || err.Error() != "contacts: context canceled" {
			t.Fatalf("ended context: thread %v", err)
		}
		past, cancelPast := context.WithDeadline(bg, time.Now().Add(-time.Second))
		defer cancelPast()
		if _, err := s.Known(past, "third@example.jp", "c@partner.co.jp"); !errors.Is(err, context.DeadlineExceeded) || err.Error() != "contacts: context deadline exceeded" {
			t.Fatalf("past deadline: %v", err)
		}
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

// TestLookupWaitingEndsWithContext: a Reader's lookup waiting for the
// Reader's one connection (held by another lookup: one stuck on the disk
// or on a lock) gives up when its context ends, with the context's
// error, as it did when database/sql waited for the connection with the
// context; with the connection free, lookups answer.
func TestLookupWaitingEndsWithContext(t *testing.T) {
	bg := context.Background()
	_, r := learnedFile(t, func(w *Store) error {
		return w.Learn(bg, "me@example.jp", "a@partner.co.jp", "id1@partner.co.jp", time.Now())
	})
	s := r.(*Store)
	// Another lookup holds the connection (its turn and the connection
	// itself) for longer than the contexts below last.
	s.turn <- struct{}{}
	hold, err := s.db.Conn(bg)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(2 * time.Second)
		hold.Close()
		<-s.turn
		close(released)
	}()
	for _, lookup := range []func(context.Context) error{
		func(ctx context.Context) error {
			_, err := s.Known(ctx, "other@example.jp", "b@partner.co.jp")
			return err
		},
		func(ctx context.Context) error {
			_, err := s.Thread(ctx, "me@example.jp", []string{"id1@partner.co.jp"})
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
		start := time.Now()
		err := lookup(ctx)
		cancel()
		if el := time.Since(start); el > time.Second || !errors.Is(err, context.DeadlineExceeded) || err.Error() != "contacts: context deadline exceeded" {
			t.Fatalf("waiting lookup: %v after %v", err, el)
		}
	}
	<-released
	if k, err := s.Known(bg, "me@example.jp", "a@partner.co.jp"); err != nil || !k.AddrSeen {
		t.Fatalf("free connection: %+v %v", k, err)
	}
	if th, err := s.Thread(bg, "me@example.jp", []string{"id1@partner.co.jp"}); err != nil || th.Known != 1 {
		t.Fatalf("free connection: thread %+v %v", th, err)
	}
}

// TestReaderConcurrentLookups: lookups of many goroutines on one Reader,
// some with contexts that end, all answer or fail with their context's
// error, and the Reader's connection is given back each time.
func TestReaderConcurrentLookups(t *testing.T) {
	bg := context.Background()
	_, r := learnedFile(t, func(w *Store) error {
		for i := range 50 {
			if err := w.Learn(bg, "me@example.jp", "p"+strconv.Itoa(i)+"@d.example", "id"+strconv.Itoa(i)+"@x", time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ctx, cancel := context.WithTimeout(bg, time.Duration(i%5)*50*time.Microsecond)
				n := strconv.Itoa(g*1000 + i)
				_, err := r.Known(ctx, "r"+n+"@example.jp", "q"+n+"@x.example")
				if err == nil {
					_, err = r.Thread(ctx, "me@example.jp", []string{"id" + strconv.Itoa(i%60) + "@x"})
				}
				cancel()
				if err != nil && !errors.Is(err, context.DeadlineExceeded) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if k, err := r.Known(bg, "me@example.jp", "p1@d.example"); err != nil || !k.AddrSeen || k.RcptHistory != 50 {
		t.Fatalf("after: %+v %v", k, err)
	}
	if len(r.(*Store).turn) != 0 {
		t.Fatal("the connection's turn was not given back")
	}
}

// doneCounter is a context that can end (as the engine's stage context)
// and counts the calls of Done, which makes the stage context's channel.
type doneCounter struct {
	context.Context
	dones atomic.Int32
}

func (c *doneCounter) Done() <-chan struct{} {
	c.dones.Add(1)
	return c.Context.Done()
}

// TestLookupDoesNotAskDone: a Reader's lookups that the cache cannot
// answer (Known, KnownMin, Thread), with a free connection and a live
// context, never ask for ctx.Done (noCancel).
func TestLookupDoesNotAskDone(t *testing.T) {
	bg := context.Background()
	_, r := learnedFile(t, func(w *Store) error {
		return w.Learn(bg, "me@example.jp", "a@partner.co.jp", "id1@partner.co.jp", time.Now())
	})
	live, cancel := context.WithTimeout(bg, time.Hour)
	defer cancel()
	ctx := &doneCounter{Context: live}
	for i := range 20 {
		n := strconv.Itoa(i)
		if _, err := r.Known(ctx, "r"+n+"@example.jp", "a@partner.co.jp"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.KnownMin(ctx, "me@example.jp", "s"+n+"@partner.co.jp", 1); err != nil {
			t.Fatal(err)
		}
		if th, err := r.Thread(ctx, "me@example.jp", []string{"id1@partner.co.jp", "none" + n}); err != nil || th.Known != 1 {
			t.Fatal(th, err)
		}
	}
	if n := ctx.dones.Load(); n != 0 {
		t.Fatalf("ctx.Done asked %d times", n)
	}
}

// endsAt is a context that ends at its nth call of Err (the writer's
// check before a row), and gives database/sql's rollback at its end time
// to happen before it answers, as when the context ends during a row.
type endsAt struct {
	context.Context
	cancel   func()
	n, calls int
}

func (c *endsAt) Err() error {
	if c.calls++; c.calls == c.n {
		c.cancel()
		time.Sleep(20 * time.Millisecond)
	}
	return c.Context.Err()
}

// TestWriteBatchContextEndsMidway: a batch whose context ends while its
// rows are being written stops at the next row with the context's error
// (next checks it before each row: without that check, database/sql's
// rollback at the context's end closes the transaction's statements and
// the next row fails with "sql: statement is closed", as it often did on
// main, where the statements had ctx) and commits nothing.
func TestWriteBatchContextEndsMidway(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := newBatch()
	now := time.Now().Unix()
	for i := range 100 {
		n := strconv.Itoa(i)
		b.add("r"+n+"@example.jp", "p"+n+"@d.example", "id"+n+"@x", now)
	}
	inner, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx := &endsAt{Context: inner, cancel: cancel, n: 50}
	if err := s.writeBatch(ctx, b); !errors.Is(err, context.Canceled) || ctx.calls != 50 {
		t.Fatalf("context ended midway: %v after %d rows", err, ctx.calls-1)
	}
	var n int
	if err := s.db.QueryRow(`SELECT (SELECT count(*) FROM pairs) + (SELECT count(*) FROM rcpts) + (SELECT count(*) FROM msgids)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows written, %v", n, err)
	}
}

// learnedFile opens a contacts file in a temporary directory, lets learn
// write to it, syncs it and opens a Reader of it; both close when the
// test ends.
func learnedFile(tb testing.TB, learn func(w *Store) error) (*Store, Reader) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "contacts.db")
	w, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	if err := learn(w); err != nil {
		tb.Fatal(err)
	}
	if err := w.sync(context.Background()); err != nil {
		tb.Fatal(err)
	}
	r, err := OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return w, r
}
