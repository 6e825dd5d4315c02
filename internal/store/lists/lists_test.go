package lists

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"

	_ "modernc.org/sqlite"
)

func open(t testing.TB) *Store {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(context.Background(), db, "sqlite", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMatch(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	must := func(scope, kind, value string) {
		t.Helper()
		if _, err := s.Add(ctx, scope, kind, value, "test"); err != nil {
			t.Fatalf("add %s %s %s: %v", scope, kind, value, err)
		}
	}
	must("alice@example.jp", Allow, "partner.example")
	must("example.jp", Block, "spam.example")
	must("alice@example.jp", Allow, "ok@spam.example") // user's allow beats the domain's block
	must("bob@example.jp", Block, "Boss@Partner.Example")
	for _, bad := range []string{"", "no dots", "a@", "@x.jp", "x", "a@b@c.jp"} {
		if _, err := s.Add(ctx, "example.jp", Block, bad, "t"); err == nil {
			t.Errorf("invalid value %q accepted", bad)
		}
	}
	msg := func(from string) *mail.Message {
		return mail.Parse([]byte("From: "+from+"\r\nSubject: x\r\n\r\nbody\r\n"), mail.DefaultLimits())
	}
	check := func(rcpts []string, from, envFrom string, allow, block bool) {
		t.Helper()
		m := s.Match(ctx, pipeline.Envelope{Rcpts: rcpts, MailFrom: envFrom}, msg(from))
		if m.Allow != allow || m.Block != block {
			t.Errorf("rcpts %v from %s env %s: got %+v, want allow %v block %v", rcpts, from, envFrom, m, allow, block)
		}
	}
	check([]string{"alice@example.jp"}, "x@mail.partner.example", "", true, false)
	check([]string{"alice@example.jp"}, "x@spam.example", "", false, true)
	check([]string{"alice@example.jp"}, "ok@spam.example", "", true, false)
	check([]string{"carol@example.jp"}, "x@other.example", "y@spam.example", false, true) // envelope sender blocks
	check([]string{"carol@example.jp"}, "x@other.example", "", false, false)
	check([]string{"alice@example.jp", "carol@example.jp"}, "x@partner.example", "", false, false) // not every recipient
	check([]string{"bob@example.jp"}, "boss@partner.example", "", false, true)
	check([]string{"alice@example.jp"}, "x@spam.example", "", false, true)
	if ok, err := s.Remove(ctx, "example.jp", Block, "spam.example"); !ok || err != nil {
		t.Fatalf("remove: %v %v", ok, err)
	}
	check([]string{"alice@example.jp"}, "x@spam.example", "", false, false)
	if n := len(s.Entries([]string{"alice@example.jp"})); n != 2 {
		t.Errorf("alice has %d entries, want 2", n)
	}
	// Adding the other kind replaces the entry.
	must("bob@example.jp", Allow, "boss@partner.example")
	check([]string{"bob@example.jp"}, "boss@partner.example", "", true, false)
	if n := len(s.Entries([]string{"bob@example.jp"})); n != 1 {
		t.Errorf("bob has %d entries, want 1", n)
	}
}
