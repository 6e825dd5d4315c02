package contacts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "contacts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.Known(ctx, "me@example.jp", "a@partner.co.jp")
	if err != nil || k.AddrSeen || k.DomainSeen || k.RcptHistory != 0 {
		t.Fatalf("empty store: %+v %v", k, err)
	}
	now := time.Now()
	if err := s.Learn(ctx, "Me@Example.jp", "<A@partner.co.jp>", "<id1@partner.co.jp>", now); err != nil {
		t.Fatal(err)
	}
	if err := s.Learn(ctx, "me@example.jp", "a@partner.co.jp", "id2@x", now); err != nil {
		t.Fatal(err)
	}
	k, _ = s.Known(ctx, "me@example.jp", "a@partner.co.jp")
	if !k.AddrSeen || !k.DomainSeen || k.RcptHistory != 2 {
		t.Fatalf("after learn: %+v", k)
	}
	k, _ = s.Known(ctx, "me@example.jp", "b@partner.co.jp")
	if k.AddrSeen || !k.DomainSeen {
		t.Fatalf("domain: %+v", k)
	}
	th, err := s.Thread(ctx, "me@example.jp", []string{"<id1@partner.co.jp>", "unknown@x"})
	if err != nil || th.Known != 1 || len(th.Peers) != 1 || th.Peers[0] != "a@partner.co.jp" {
		t.Fatalf("thread: %+v %v", th, err)
	}
	if err := s.Prune(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	k, _ = s.Known(ctx, "me@example.jp", "a@partner.co.jp")
	if k.AddrSeen {
		t.Fatalf("prune kept pair")
	}
}

// TestReaderIsReadOnly: the handle analyzers get sees what a writer
// learned and cannot write itself.
func TestReaderIsReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.db")
	r, err := OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Learn(ctx, "me@example.jp", "a@partner.co.jp", "id1@x", time.Now()); err != nil {
		t.Fatal(err)
	}
	if k, err := r.Known(ctx, "me@example.jp", "a@partner.co.jp"); err != nil || !k.AddrSeen {
		t.Fatalf("reader does not see the writer's learning: %+v %v", k, err)
	}
	if err := r.(*Store).Learn(ctx, "me@example.jp", "b@x.example", "", time.Now()); err == nil {
		t.Fatal("the read-only handle wrote")
	}
}

// The history file is readable by sekisho alone (issue 14).
func TestFileMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "contacts.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Fatalf("contacts.db mode %o, want 600", m)
	}
}

// TestQueuedLearning: learning is queued, seen at once by the process's
// readers (the analyzer's read-only handle too), and in the file after
// Close as if each entry had been written in turn.
func TestQueuedLearning(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.db")
	r, err := OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	const n = 2*learnMax + 500 // two full batches and a part one
	for i := range n {
		if err := w.Learn(ctx, "me@example.jp", fmt.Sprintf("p%d@partner.co.jp", i%7), fmt.Sprintf("id%d@x", i%3), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Learn(ctx, "you@example.jp", "new@elsewhere.example", "<fresh@x>", t0); err != nil {
		t.Fatal(err)
	}
	// At once, whether written yet or not. The writer may be committing
	// the batch that holds it during this read: Known then counts it both
	// as queued and from the file (counted twice rather than missed, as
	// Known's documentation says), so 2 is an allowed answer too.
	k, err := r.Known(ctx, "you@example.jp", "new@elsewhere.example")
	if err != nil || !k.AddrSeen || !k.DomainSeen || k.RcptHistory < 1 || k.RcptHistory > 2 {
		t.Fatalf("queued entry not seen: %+v %v", k, err)
	}
	th, err := r.Thread(ctx, "you@example.jp", []string{"<fresh@x>"})
	if err != nil || th.Known != 1 || len(th.Peers) != 1 || th.Peers[0] != "new@elsewhere.example" {
		t.Fatalf("queued message id not seen: %+v %v", th, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	k, err = r.Known(ctx, "me@example.jp", "p3@partner.co.jp")
	if err != nil || !k.AddrSeen || k.RcptHistory != n {
		t.Fatalf("after Close: %+v %v, want %d messages", k, err, n)
	}
	// Rows as the entries' upserts one by one leave them.
	var first, last, count int64
	if err := r.(*Store).db.QueryRow(`SELECT first, last, count FROM pairs WHERE rcpt = ? AND peer = ?`, "me@example.jp", "p3@partner.co.jp").Scan(&first, &last, &count); err != nil {
		t.Fatal(err)
	}
	wantCount := int64((n-3)/7 + 1)
	lastI := int64(n - 1 - (n-1-3)%7)
	if first != t0.Unix()+3 || last != t0.Unix()+lastI || count != wantCount {
		t.Fatalf("pair row first %d last %d count %d, want %d %d %d", first, last, count, t0.Unix()+3, t0.Unix()+lastI, wantCount)
	}
	var peer string
	if err := r.(*Store).db.QueryRow(`SELECT peer FROM msgids WHERE rcpt = ? AND msgid = ?`, "me@example.jp", "id1@x").Scan(&peer); err != nil || peer != "p1@partner.co.jp" {
		t.Fatalf("message id's correspondent %q %v: the first one stays", peer, err)
	}
}
