package outbound

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
)

func tracker(t *testing.T, extra string) (*Tracker, *time.Time) {
	cfg, err := config.Parse(fmt.Sprintf("[general]\ndata_dir = %q\n", filepath.Join(t.TempDir(), "d")) + extra)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tr.SetClock(func() time.Time { return now })
	t.Cleanup(func() { tr.Close() })
	return tr, &now
}

// TestBurstAboveOwnHistory: an account that usually sends ~5 recipients
// an hour is flagged when it suddenly writes to 150 (not free-mail).
func TestBurstAboveOwnHistory(t *testing.T) {
	tr, now := tracker(t, "[serve.outbound]\nmax_recipients = 10000\nmax_messages = 10000\nmax_new_domains = 10000\n")
	for h := 0; h < 72; h++ {
		for i := 0; i < 5; i++ {
			if syms, _, _ := tr.Check("acct", []string{fmt.Sprintf("p%d@partner.example", i)}); len(syms) > 0 {
				t.Fatalf("usual traffic flagged: %v", syms)
			}
		}
		*now = now.Add(time.Hour)
	}
	var got []string
	for i := 0; i < 150; i++ {
		got, _, _ = tr.Check("acct", []string{fmt.Sprintf("c%d@corp%d.example", i, i%3)})
	}
	if len(got) != 1 || got[0] != SymBurst {
		t.Errorf("burst: %v", got)
	}
}

func TestWindowExpires(t *testing.T) {
	tr, now := tracker(t, "[serve.outbound]\nmax_messages = 3\n")
	for i := 0; i < 4; i++ {
		tr.Check("a", []string{"x@example.jp"})
	}
	if s, _, _ := tr.Check("a", []string{"x@example.jp"}); len(s) == 0 {
		t.Fatal("rate not flagged")
	}
	*now = now.Add(2 * time.Hour)
	if s, _, _ := tr.Check("a", []string{"x@example.jp"}); len(s) != 0 {
		t.Errorf("still flagged after the window: %v", s)
	}
}

func TestPersist(t *testing.T) {
	dir := t.TempDir()
	cfg, _ := config.Parse(fmt.Sprintf("[general]\ndata_dir = %q\n[serve.outbound]\nmax_messages = 2\n", dir))
	tr, _ := New(cfg, nil)
	tr.Check("a", []string{"x@y"})
	tr.Check("a", []string{"x@y"})
	tr.Close()
	tr2, _ := New(cfg, nil)
	defer tr2.Close()
	if s, _, _ := tr2.Check("a", []string{"x@y"}); len(s) == 0 {
		t.Error("state not restored")
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.example/services/T0/B0/SECRETTOKEN?x=1": "https://hooks.example/…",
		"https://user:pw@hooks.example/x":                      "https://hooks.example/…",
		"::bad":                                                "(webhook)",
	} {
		if got := redactURL(in); got != want || strings.Contains(got, "SECRET") {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
