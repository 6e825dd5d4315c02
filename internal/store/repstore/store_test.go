package repstore

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

var bg = context.Background()

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// testStore: counts add, decay by the half-life, and keep the first seen.
func testStore(t *testing.T, st Store, flush func()) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	hl := 24 * time.Hour
	if err := st.Record(bg, []string{"a:x@y", "d:y"}, Delta{Ham: 2, Rcpts: 3}, t0); err != nil {
		t.Fatal(err)
	}
	flush()
	if err := st.Record(bg, []string{"d:y"}, Delta{Spam: 1}, t0.Add(hl)); err != nil {
		t.Fatal(err)
	}
	flush()
	cs, err := st.Get(bg, []string{"a:x@y", "d:y", "n:none"}, t0.Add(2*hl))
	if err != nil {
		t.Fatal(err)
	}
	if !cs[0].Known || !near(cs[0].Ham, 0.5) || !near(cs[0].Rcpts, 0.75) || !cs[0].First.Equal(t0) {
		t.Errorf("a: %+v", cs[0])
	}
	if !near(cs[1].Ham, 0.5) || !near(cs[1].Spam, 0.5) || !cs[1].First.Equal(t0) {
		t.Errorf("d: %+v", cs[1])
	}
	if cs[2].Known {
		t.Errorf("unknown key known: %+v", cs[2])
	}
}

func TestMem(t *testing.T) { testStore(t, NewMem(24*time.Hour), func() {}) }

func TestSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	st, err := OpenSQLite(path, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, st, func() {
		if err := st.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	// Gathered writes are seen before they are written, and written on Close.
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	st.Record(bg, []string{"u:z"}, Delta{Bad: 1}, now)
	if cs, _ := st.Get(bg, []string{"u:z"}, now); !cs[0].Known || cs[0].Bad != 1 {
		t.Fatalf("pending write not seen: %+v", cs[0])
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = OpenSQLite(path, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if cs, _ := st.Get(bg, []string{"u:z"}, now); cs[0].Bad != 1 {
		t.Fatalf("write lost on close: %+v", cs[0])
	}
}

func TestRedis(t *testing.T) {
	st, err := OpenRedis(bg, redistest.Start(t), "t:", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testStore(t, st, func() {})
}
