package quarantine_test

import (
	"context"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestHoldOnceSQLite: a retried message is held once, a held scan has
// one history row (holdOnce).
func TestHoldOnceSQLite(t *testing.T) { holdOnce(t, testConfig(t, "sqlite", "")) }

// TestHoldOncePostgres is the same on PostgreSQL (advisory lock path).
func TestHoldOncePostgres(t *testing.T) {
	holdOnce(t, testConfig(t, "postgres", testutil.Postgres(t)))
}

func holdOnce(t *testing.T, cfg *config.Config) {
	ctx := context.Background()
	sink := testutil.SMTPSink(t)
	cfg.Quarantine.ReleaseHost = sink.Addr
	eng := newEngine(t, cfg)
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw := fixture(t, "phish-o365.eml")
	scan := func(rcpt string) *pipeline.Result {
		r := eng.Scan(ctx, raw, env(rcpt))
		r.Verdict.Action = pipeline.ActionQuarantine
		return r
	}
	count := func(kind string) (n int, byScan map[string]int) {
		t.Helper()
		if err := st.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _, err := st.List(ctx, quarantine.Filter{Kind: kind, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		byScan = map[string]int{}
		for _, m := range ms {
			byScan[m.ScanID]++
		}
		return len(ms), byScan
	}

	// Record (the scan's observer) then Hold (the action step): one
	// history row under one id, whichever is written first.
	r1 := scan("tanaka@example.jp")
	if err := st.Record(ctx, raw, r1); err != nil {
		t.Fatal(err)
	}
	id1, err := st.Hold(ctx, raw, r1)
	if err != nil {
		t.Fatal(err)
	}
	// Hold first, then Record.
	r2 := scan("sato@example.jp")
	id2, err := st.Hold(ctx, raw, r2)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Record(ctx, raw, r2); err != nil {
		t.Fatal(err)
	}
	if id1 == id2 {
		t.Fatal("another recipient's copy was taken for a retry")
	}
	if n, by := count(quarantine.KindHistory); n != 2 || by[r1.ID] != 1 || by[r2.ID] != 1 {
		t.Fatalf("history rows %d, by scan %v: want one per held scan", n, by)
	}

	// The MTA retries r1's message (the answer was lost): a new scan,
	// held again, is the same quarantine record.
	r1b := scan("tanaka@example.jp")
	_ = st.Record(ctx, raw, r1b)
	id1b, err := st.Hold(ctx, raw, r1b)
	if err != nil {
		t.Fatal(err)
	}
	if id1b != id1 {
		t.Fatalf("retry held as %s, want the first copy %s", id1b, id1)
	}
	if n, _ := count(quarantine.KindQuarantine); n != 2 {
		t.Fatalf("%d quarantine records, want 2", n)
	}
	if n, by := count(quarantine.KindHistory); n != 3 || by[r1b.ID] != 1 {
		t.Fatalf("history rows %d (%v): the retry's scan is history too", n, by)
	}

	// Once released, the same message arriving again is held anew.
	if err := st.Release(ctx, id1, "alice"); err != nil {
		t.Fatal(err)
	}
	id1c, err := st.Hold(ctx, raw, scan("tanaka@example.jp"))
	if err != nil || id1c == id1 {
		t.Fatalf("after release: %s %v", id1c, err)
	}
	// A message without Message-ID is never taken for another.
	noID := []byte("From: a@example.net\r\nTo: b@example.jp\r\nSubject: x\r\n\r\nbody\r\n")
	r := eng.Scan(ctx, noID, env("b@example.jp"))
	a, _ := st.Hold(ctx, noID, r)
	r = eng.Scan(ctx, noID, env("b@example.jp"))
	b, _ := st.Hold(ctx, noID, r)
	if a == "" || a == b {
		t.Fatalf("messages without Message-ID: %q %q", a, b)
	}
}
