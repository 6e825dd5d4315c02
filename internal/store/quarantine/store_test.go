package quarantine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testConfig(t testing.TB, driver, dsn string) *config.Config {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.General.Hostname = "gw.example.jp"
	cfg.Quarantine.Driver = driver
	cfg.Quarantine.DSN = dsn
	return cfg
}

func newEngine(t testing.TB, cfg *config.Config) *engine.Engine { return enginetest.New(t, cfg) }

func env(rcpt string) pipeline.Envelope {
	return pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Helo: "mail-relay.example.net",
		MailFrom: "micros0ftsupport@hotmail.com", Rcpts: []string{rcpt}, QueueID: "4XyZ1abc", Frontend: "milter"}
}

// TestStoreSQLite runs the store suite on SQLite.
func TestStoreSQLite(t *testing.T) {
	suite(t, testConfig(t, "sqlite", ""))
}

// TestStorePostgres runs the same suite on a real PostgreSQL server.
func TestStorePostgres(t *testing.T) {
	dsn := testutil.Postgres(t)
	suite(t, testConfig(t, "postgres", dsn))
}

func suite(t *testing.T, cfg *config.Config) {
	ctx := context.Background()
	sink := testutil.SMTPSink(t)
	cfg.Quarantine.ReleaseHost = sink.Addr
	cfg.Quarantine.HistoryMaxMessages = 1000
	eng := newEngine(t, cfg)
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Now()
	st.Now = func() time.Time { return clock }

	o365 := fixture(t, "phish-o365.eml")
	kagoya := fixture(t, "phish-kagoya-ja.eml")
	ham := fixture(t, "ham-notes.eml")

	r1 := eng.Scan(ctx, o365, env("tanaka@example.jp"))
	r2 := eng.Scan(ctx, kagoya, env("Sato@Example.jp"))
	r3 := eng.Scan(ctx, ham, env("sato@example.jp"))
	// A hash on the verdict as the attachment analyzer records it.
	r1.Verdict.Attachments = append(r1.Verdict.Attachments, pipeline.AttachmentInfo{Path: "2", Name: "Password_Keep.html", DeclaredType: "text/html", DetectedType: "text/html", Size: 98, SHA256: strings.Repeat("ab", 32)})

	for _, r := range []*pipeline.Result{r1, r2, r3} {
		if err := st.Record(ctx, r.Msg.Raw, r); err != nil {
			t.Fatal(err)
		}
	}
	id1, err := st.Hold(ctx, o365, r1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := st.Hold(ctx, kagoya, r2)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("get byte for byte", func(t *testing.T) {
		got, err := st.Get(ctx, id1)
		if err != nil || !bytes.Equal(got, o365) {
			t.Fatalf("Get: %v, equal=%v", err, bytes.Equal(got, o365))
		}
		if _, err := st.Get(ctx, "nope"); !errors.Is(err, quarantine.ErrNotFound) {
			t.Fatalf("Get missing: %v", err)
		}
	})
	t.Run("message detail", func(t *testing.T) {
		m, err := st.Message(ctx, id1, true)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != quarantine.KindQuarantine || m.Subject != "Action required: your Office 365 password expires today" ||
			m.FromAddr != "micros0ftsupport@hotmail.com" || m.ClientIP != "198.51.100.23" || m.Helo != "mail-relay.example.net" ||
			m.QueueID != "4XyZ1abc" || len(m.Rcpts) != 1 || m.Rcpts[0] != "tanaka@example.jp" || m.ScanID != r1.ID {
			t.Fatalf("fields: %+v", m)
		}
		if m.Action != string(r1.Verdict.Action) || m.Category != string(r1.Verdict.Category) || m.Score != r1.Verdict.Score {
			t.Fatalf("verdict fields: %s %s %v", m.Action, m.Category, m.Score)
		}
		if len(m.Verdict.Symbols) != len(r1.Verdict.Symbols) {
			t.Fatalf("symbols: %d want %d", len(m.Verdict.Symbols), len(r1.Verdict.Symbols))
		}
		found := false
		for _, u := range m.URLs {
			if u.Host == "micros0ft-login.example" && len(u.SHA256) == 64 {
				found = true
			}
		}
		if !found {
			t.Fatalf("URLs: %+v", m.URLs)
		}
		// The verdict's own record plus whatever the attachment analyzer added.
		hasAtt := false
		for _, a := range m.Attachments {
			hasAtt = hasAtt || a.Name == "Password_Keep.html"
		}
		if !hasAtt || len(m.Attachments) != len(r1.Verdict.Attachments) {
			t.Fatalf("attachments: %+v", m.Attachments)
		}
		if !bytes.Equal(m.Raw, o365) || m.StoredBytes <= 0 || m.Size != int64(len(o365)) {
			t.Fatalf("raw: %d stored %d size %d", len(m.Raw), m.StoredBytes, m.Size)
		}
	})
	t.Run("list and filters", func(t *testing.T) {
		count := func(f quarantine.Filter) int {
			t.Helper()
			ms, total, err := st.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != total && total <= 50 {
				t.Fatalf("len %d total %d", len(ms), total)
			}
			return total
		}
		lo, hi := 0.0, 1000.0
		neg := -1000.0
		cases := []struct {
			name string
			f    quarantine.Filter
			want int
		}{
			{"all", quarantine.Filter{}, 5},
			{"quarantine", quarantine.Filter{Kind: quarantine.KindQuarantine}, 2},
			{"history", quarantine.Filter{Kind: quarantine.KindHistory}, 3},
			{"subject", quarantine.Filter{Kind: quarantine.KindQuarantine, Subject: "office 365"}, 1},
			{"subject ja", quarantine.Filter{Subject: "容量超過"}, 2},
			{"subject like escape", quarantine.Filter{Subject: "%"}, 0},
			{"rcpt", quarantine.Filter{Kind: quarantine.KindHistory, Rcpt: "SATO@"}, 2},
			{"sender addr", quarantine.Filter{Sender: "plala"}, 2},
			{"sender name", quarantine.Filter{Sender: "kagoya"}, 2},
			{"category", quarantine.Filter{Kind: quarantine.KindHistory, Category: string(r3.Verdict.Category)}, countCat(r3.Verdict.Category, r1, r2, r3)},
			{"score range", quarantine.Filter{MinScore: &lo, MaxScore: &hi}, 5},
			{"score none", quarantine.Filter{MaxScore: &neg}, 0},
			{"since", quarantine.Filter{Since: clock.Add(time.Hour)}, 0},
			{"hash", quarantine.Filter{Hash: strings.Repeat("AB", 32)}, 2},
			{"restrict", quarantine.Filter{Kind: quarantine.KindQuarantine, Restrict: []string{"sato@example.jp"}}, 1},
			{"restrict empty", quarantine.Filter{Restrict: []string{}}, 0},
		}
		if len(r1.Verdict.Symbols) > 0 {
			cases = append(cases, struct {
				name string
				f    quarantine.Filter
				want int
			}{"symbol", quarantine.Filter{Kind: quarantine.KindQuarantine, Symbol: r1.Verdict.Symbols[0].Name}, 1 + boolInt(r2.Verdict.Has(r1.Verdict.Symbols[0].Name))})
		}
		for _, c := range cases {
			if got := count(c.f); got != c.want {
				t.Errorf("%s: got %d want %d", c.name, got, c.want)
			}
		}
		ok, err := st.CanSee(ctx, id1, []string{"sato@example.jp"})
		if err != nil || ok {
			t.Fatalf("sato must not see tanaka's mail: %v %v", ok, err)
		}
		ok, _ = st.CanSee(ctx, id2, []string{"SATO@example.jp"})
		if !ok {
			t.Fatal("sato must see own mail")
		}
	})
	t.Run("dashboard figures", func(t *testing.T) {
		bs, err := st.Series(ctx, clock.Add(-23*time.Hour), time.Hour, 24)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bs {
			n += b.Total
		}
		if n != 3 {
			t.Fatalf("series total %d", n)
		}
		if _, err := st.TopSymbols(ctx, clock.Add(-time.Hour), 10); err != nil {
			t.Fatal(err)
		}
		lat, err := st.Latencies(ctx, clock.Add(-time.Hour))
		if err != nil || lat.N != 3 {
			t.Fatalf("latency %+v %v", lat, err)
		}
		z, err := st.Size(ctx, quarantine.KindQuarantine)
		if err != nil || z.Messages != 2 || z.Bytes != int64(len(o365)+len(kagoya)) {
			t.Fatalf("size %+v %v", z, err)
		}
	})
	t.Run("release byte for byte", func(t *testing.T) {
		if err := st.Release(ctx, id1, "alice"); err != nil {
			t.Fatal(err)
		}
		got := sink.Wait(t, 10*time.Second)
		if !bytes.Equal(got.Data, o365) {
			t.Fatalf("released bytes differ:\n%q\n%q", got.Data, o365)
		}
		if got.From != "micros0ftsupport@hotmail.com" || len(got.Rcpts) != 1 || got.Rcpts[0] != "tanaka@example.jp" {
			t.Fatalf("envelope %q %q", got.From, got.Rcpts)
		}
		m, _ := st.Message(ctx, id1, false)
		if m.ReleasedBy != "alice" || m.ReleasedAt.IsZero() || m.ReleaseTo != sink.Addr {
			t.Fatalf("release not recorded: %+v", m)
		}
		log, _ := st.Accounts().AuditLog(ctx, id1, 10)
		if len(log) == 0 || log[0].Action != "release" || log[0].User != "alice" {
			t.Fatalf("audit %+v", log)
		}
		hist, _, _ := st.List(ctx, quarantine.Filter{Kind: quarantine.KindHistory, Limit: 1})
		if err := st.Release(ctx, hist[0].ID, "alice"); !errors.Is(err, quarantine.ErrNotHeld) {
			t.Fatalf("history release: %v", err)
		}
	})
	t.Run("learned", func(t *testing.T) {
		if err := st.MarkLearned(ctx, id2, true, "alice"); err != nil {
			t.Fatal(err)
		}
		m, _ := st.Message(ctx, id2, false)
		if m.Learned != "spam" || m.LearnedBy != "alice" {
			t.Fatalf("%+v", m)
		}
	})
	t.Run("users and sessions", func(t *testing.T) {
		if err := st.Accounts().CreateUser(ctx, "alice", accounts.RoleAdmin, "correct horse", nil); err != nil {
			t.Fatal(err)
		}
		if err := st.Accounts().CreateUser(ctx, "alice", accounts.RoleAdmin, "x", nil); !errors.Is(err, accounts.ErrUserExist) {
			t.Fatalf("dup: %v", err)
		}
		if err := st.Accounts().CreateUser(ctx, "sato", accounts.RoleRecipient, "pw", []string{"Sato@Example.jp"}); err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Accounts().Authenticate(ctx, "alice", "wrong"); ok {
			t.Fatal("wrong password accepted")
		}
		u, ok := st.Accounts().Authenticate(ctx, "sato", "pw")
		if !ok || u.Role != accounts.RoleRecipient || len(u.Addresses) != 1 || u.Addresses[0] != "sato@example.jp" {
			t.Fatalf("auth: %+v %v", u, ok)
		}
		tok, sess, err := st.Accounts().CreateSession(ctx, "alice", time.Hour)
		if err != nil || sess.CSRF == "" {
			t.Fatal(err)
		}
		s2, err := st.Accounts().Session(ctx, tok, time.Hour)
		if err != nil || s2.User.Name != "alice" || s2.CSRF != sess.CSRF {
			t.Fatalf("session: %+v %v", s2, err)
		}
		if err := st.Accounts().SetPassword(ctx, "alice", "new"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Accounts().Session(ctx, tok, time.Hour); err == nil {
			t.Fatal("session must end on password change")
		}
		us, _ := st.Accounts().Users(ctx)
		if len(us) != 2 {
			t.Fatalf("users %d", len(us))
		}
		if err := st.Accounts().DeleteUser(ctx, "sato"); err != nil {
			t.Fatal(err)
		}
		tok, _, _ = st.Accounts().CreateSession(ctx, "alice", time.Minute)
		clock = clock.Add(2 * time.Minute)
		if _, err := st.Accounts().Session(ctx, tok, time.Minute); err == nil {
			t.Fatal("expired session accepted")
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := st.Delete(ctx, id2, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Message(ctx, id2, false); !errors.Is(err, quarantine.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := st.Delete(ctx, id2, "alice"); !errors.Is(err, quarantine.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		clock = clock.Add(cfg.Quarantine.HistoryRetention.Duration + time.Hour)
		n, err := st.Expire(ctx)
		if err != nil || n != 3 {
			t.Fatalf("history expiry: %d %v", n, err)
		}
		if _, total, _ := st.List(ctx, quarantine.Filter{Kind: quarantine.KindQuarantine}); total != 1 {
			t.Fatalf("quarantine kept: %d", total)
		}
		clock = clock.Add(cfg.Quarantine.Retention.Duration)
		if n, err := st.Expire(ctx); err != nil || n != 1 {
			t.Fatalf("quarantine expiry: %d %v", n, err)
		}
		// History bound.
		cfg.Quarantine.HistoryMaxMessages = 2
		for i := 0; i < 5; i++ {
			_ = st.Record(ctx, ham, r3)
		}
		_ = st.Flush(ctx)
		if n, err := st.Expire(ctx); err != nil || n != 3 {
			t.Fatalf("bound: %d %v", n, err)
		}
		var want int
		_ = st.DB().QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&want)
		if want != 2 {
			t.Fatalf("%d messages left", want)
		}
		for _, tbl := range []string{"msg_rcpt", "msg_symbol", "msg_hash"} {
			var left int
			_ = st.DB().QueryRow(`SELECT COUNT(*) FROM ` + tbl + ` WHERE msg_id NOT IN (SELECT id FROM messages)`).Scan(&left)
			if left != 0 {
				t.Fatalf("orphans: %d rows of %s", left, tbl)
			}
		}
	})
}

func countCat(c pipeline.Category, rs ...*pipeline.Result) int {
	n := 0
	for _, r := range rs {
		if r.Verdict.Category == c {
			n++
		}
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// openRecording opens a store of cfg (closed by the test's cleanup) and
// returns a message and a scan result to record.
func openRecording(t *testing.T, cfg *config.Config) (*quarantine.Store, []byte, *pipeline.Result) {
	t.Helper()
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, fixture(t, "ham-notes.eml"), &pipeline.Result{ID: "x", Time: time.Now()}
}

// TestRecordNeverBlocks fills the history queue: Record returns at once and
// counts what it drops.
func TestRecordNeverBlocks(t *testing.T) {
	cfg := testConfig(t, "sqlite", "")
	cfg.Quarantine.HistoryQueue = 1
	st, raw, r := openRecording(t, cfg)
	for i := 0; i < 200; i++ {
		_ = st.Record(context.Background(), raw, r)
	}
	_ = st.Flush(context.Background())
	ws := st.WriterStats()
	if ws.Written+ws.Dropped != 200 || ws.Dropped == 0 {
		t.Fatalf("%+v", ws)
	}
}

// TestCloseWritesHistorySQLite: scans recorded just before Close (still
// in the writer's batch window) are in the database after it.
func TestCloseWritesHistorySQLite(t *testing.T) { closeWritesHistory(t, testConfig(t, "sqlite", "")) }

// TestCloseWritesHistoryPostgres is the same on PostgreSQL.
func TestCloseWritesHistoryPostgres(t *testing.T) {
	closeWritesHistory(t, testConfig(t, "postgres", testutil.Postgres(t)))
}

func closeWritesHistory(t *testing.T, cfg *config.Config) {
	ctx := context.Background()
	st, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := fixture(t, "ham-notes.eml")
	const n = 450 // more than one batch, and a part batch waiting for the window
	for i := range n {
		r := &pipeline.Result{ID: fmt.Sprintf("close-%d", i), Time: time.Now(), Env: env("tanaka@example.jp")}
		if err := st.Record(ctx, raw, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	z, err := st.Size(ctx, quarantine.KindHistory)
	if err != nil {
		t.Fatal(err)
	}
	if z.Messages != n {
		t.Fatalf("%d history rows after Close, want %d", z.Messages, n)
	}
	ms, _, err := st.List(ctx, quarantine.Filter{Kind: quarantine.KindHistory, Rcpt: "tanaka@example.jp", Limit: 1000})
	if err != nil || len(ms) != n {
		t.Fatalf("by recipient: %d rows, %v", len(ms), err)
	}
}
