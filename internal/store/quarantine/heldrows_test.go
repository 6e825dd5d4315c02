package quarantine_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestHeldHistoryRowSQLite: a held scan's history row is the same
// whether Record's writer wrote it (Hold failed or was never called) or
// Hold did (before or after Record), and is never missing.
func TestHeldHistoryRowSQLite(t *testing.T) { heldHistoryRow(t, testConfig(t, "sqlite", "")) }

// TestHeldHistoryRowPostgres is the same on PostgreSQL.
func TestHeldHistoryRowPostgres(t *testing.T) {
	heldHistoryRow(t, testConfig(t, "postgres", testutil.Postgres(t)))
}

func heldHistoryRow(t *testing.T, cfg *config.Config) {
	ctx := context.Background()
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
	row := func(r *pipeline.Result) *quarantine.Message {
		t.Helper()
		if err := st.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _, err := st.List(ctx, quarantine.Filter{Kind: quarantine.KindHistory, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var found *quarantine.Message
		for _, m := range ms {
			if m.ScanID == r.ID {
				if found != nil {
					t.Fatalf("scan %s: two history rows", r.ID)
				}
				found = m
			}
		}
		if found == nil {
			t.Fatalf("scan %s: no history row", r.ID)
		}
		m, err := st.Message(ctx, found.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	same := func(what string, a, b *quarantine.Message) {
		t.Helper()
		if a.Kind != b.Kind || a.Subject != b.Subject || a.FromAddr != b.FromAddr || a.FromName != b.FromName ||
			a.To != b.To || a.MessageID != b.MessageID || a.Size != b.Size || a.Action != b.Action ||
			a.Category != b.Category || a.Score != b.Score || a.HasRaw != b.HasRaw || a.StoredBytes != b.StoredBytes ||
			string(a.Raw) != string(b.Raw) || !reflect.DeepEqual(a.Rcpts, b.Rcpts) || !reflect.DeepEqual(a.URLs, b.URLs) ||
			!reflect.DeepEqual(a.Attachments, b.Attachments) || !reflect.DeepEqual(a.Verdict.Symbols, b.Verdict.Symbols) ||
			a.Expires.Sub(a.Time).Round(60e9) != b.Expires.Sub(b.Time).Round(60e9) {
			t.Fatalf("%s: history row differs from the writer's:\n%+v\n%+v", what, a, b)
		}
	}
	const rcpt = "tanaka@example.jp"

	// Never held: the writer writes it.
	r0 := scan(rcpt)
	if err := st.Record(ctx, raw, r0); err != nil {
		t.Fatal(err)
	}
	want := row(r0)
	if want.Kind != quarantine.KindHistory || !want.HasRaw {
		t.Fatalf("history row %+v", want)
	}

	// Hold fails (its context is over): the writer still writes the row,
	// Record before or after the failed Hold.
	dead, cancel := context.WithCancel(ctx)
	cancel()
	r1 := scan(rcpt)
	if _, err := st.Hold(dead, raw, r1); err == nil {
		t.Fatal("Hold with a cancelled context succeeded")
	}
	if err := st.Record(ctx, raw, r1); err != nil {
		t.Fatal(err)
	}
	same("hold failed, then Record", row(r1), want)
	r1b := scan(rcpt)
	if err := st.Record(ctx, raw, r1b); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Hold(dead, raw, r1b); err == nil {
		t.Fatal("Hold with a cancelled context succeeded")
	}
	same("Record, then hold failed", row(r1b), want)

	// Record then Hold: Hold writes the row, the writer skips its copy.
	r2 := scan(rcpt)
	if err := st.Record(ctx, raw, r2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Hold(ctx, raw, r2); err != nil {
		t.Fatal(err)
	}
	same("Record, then Hold", row(r2), want)

	// Hold then Record: Record does not queue it again.
	r3 := scan(rcpt)
	if _, err := st.Hold(ctx, raw, r3); err != nil {
		t.Fatal(err)
	}
	before := st.WriterStats()
	if err := st.Record(ctx, raw, r3); err != nil {
		t.Fatal(err)
	}
	if after := st.WriterStats(); after.Queued != 0 || after.Written != before.Written+1 || after.Dropped != before.Dropped {
		t.Fatalf("Record after Hold: stats %+v → %+v, want counted as written, nothing queued", before, after)
	}
	same("Hold, then Record", row(r3), want)

	// A second Record of the same held scan (not done by sekisho, but
	// harmless) is written once.
	if err := st.Record(ctx, raw, r3); err != nil {
		t.Fatal(err)
	}
	same("Record again", row(r3), want)
}
