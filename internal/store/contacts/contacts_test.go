package contacts

import (
	"context"
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
