package fuzzystore

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

var bg = context.Background()

func sig(r *rand.Rand) Sig {
	var s Sig
	for i := range s {
		s[i] = r.Uint32()
	}
	return s
}

// near returns a copy of s with k of its minima changed.
func near(r *rand.Rand, s Sig, k int) Sig {
	for _, i := range r.Perm(K)[:k] {
		s[i] = r.Uint32()
	}
	return s
}

func testStore(t *testing.T, st *Store) {
	defer st.Close()
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	base := sig(r)
	e := &Entry{Sig: base, HasSig: true, Subject: "win", ScanID: "s1", Attach: []string{"ab12"}}
	id, err := st.Record(bg, e, Learned, 0.5, now)
	if err != nil || id == "" {
		t.Fatal(id, err)
	}
	// A copy with 40 % of its minima changed matches; an unrelated one not.
	m, err := st.Lookup(bg, &Entry{Sig: near(r, base, 25), HasSig: true}, 0.5, now)
	if err != nil || m.Campaign == nil || m.Campaign.ID != id || !m.Campaign.Known(0) {
		t.Fatalf("near copy: %+v %v", m, err)
	}
	m, _ = st.Lookup(bg, &Entry{Sig: sig(r), HasSig: true}, 0.5, now)
	if m.Campaign != nil {
		t.Fatalf("unrelated matches %+v", m)
	}
	// The attachment alone finds it.
	m, _ = st.Lookup(bg, &Entry{Attach: []string{"ab12"}}, 0.5, now)
	if m.Campaign == nil || !m.ByAttach {
		t.Fatalf("attachment: %+v", m)
	}
	// Held copies list their scan ids.
	for _, s := range []string{"h1", "h2"} {
		if _, err := st.Record(bg, &Entry{Sig: near(r, base, 10), HasSig: true, ScanID: s}, Held, 0.5, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := st.Campaign(bg, id)
	if err != nil || c.Held != 2 || c.Spam != 1 || len(c.Scans) != 2 || !c.Last.Equal(now.Add(time.Minute)) || !c.First.Equal(now) {
		t.Fatalf("campaign %+v %v", c, err)
	}
	// Bulk counters: ten copies in the hour, none after.
	for i := 0; i < 10; i++ {
		if err := st.CountBulk(bg, &Entry{Sig: base, HasSig: true}, now); err != nil {
			t.Fatal(err)
		}
	}
	m, _ = st.Lookup(bg, &Entry{Sig: base, HasSig: true}, 0.5, now.Add(30*time.Minute))
	if m.Copies != 10 {
		t.Fatalf("copies %d", m.Copies)
	}
	m, _ = st.Lookup(bg, &Entry{Sig: base, HasSig: true}, 0.5, now.Add(70*time.Minute))
	if m.Copies != 0 {
		t.Fatalf("copies an hour later %d", m.Copies)
	}
	cs, err := st.Campaigns(bg, 10)
	if err != nil || len(cs) != 1 || cs[0].Size != 3 {
		t.Fatalf("list %+v %v", cs, err)
	}
	if err := st.Delete(bg, id); err != nil {
		t.Fatal(err)
	}
	m, _ = st.Lookup(bg, &Entry{Sig: base, HasSig: true}, 0.5, now)
	if m.Campaign != nil {
		t.Fatal("deleted campaign still matches")
	}
	if _, err := st.Campaign(bg, id); err != ErrNotFound {
		t.Fatal(err)
	}
}

func TestSQLite(t *testing.T) {
	st, err := OpenSQLite(filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, st)
}

func TestRedis(t *testing.T) {
	st, err := OpenRedis(bg, redistest.Start(t), "t:", time.Hour*24)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, st)
}
