package quarantine

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestWALPagesPerHold reports which B-trees the WAL frames of a hold
// belong to (SEKISHO_WALFRAMES set): 3,000 holds of the phishing fixture
// (each body another, one of 1,000 recipients), then 50 more whose
// frames are counted, by the page's owner in dbstat.
func TestWALPagesPerHold(t *testing.T) {
	if os.Getenv("SEKISHO_WALFRAMES") == "" {
		t.Skip("SEKISHO_WALFRAMES not set")
	}
	defer func(c, r int) { walCheckpointPages, walRestartPages = c, r }(walCheckpointPages, walRestartPages)
	walCheckpointPages, walRestartPages = 1<<30, 1<<30
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Quarantine.HistoryMaxMessages = 1 << 30
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, _ := os.ReadFile(filepath.Join("testdata", "phish-o365.eml"))
	r := benchResult(0)
	r.Env.Rcpts = nil
	r.Verdict.Action = pipeline.ActionQuarantine
	r.Env.ClientIP = netip.MustParseAddr("198.51.100.23")
	hold := func(i int) {
		rr := *r
		rr.ID = fmt.Sprintf("%08x", i)
		rr.Time = time.Now()
		m := fmt.Appendf(raw[:len(raw):len(raw)], "%d\n", i)
		rr.Msg = mail.Parse(m, mail.DefaultLimits())
		rr.Env.Rcpts = []string{fmt.Sprintf("u%d@example.jp", (i*7919)%1000)}
		if _, err := st.Hold(context.Background(), m, &rr); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3000 {
		hold(i)
	}
	if _, err := st.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		hold(3000 + i)
	}
	w, err := os.ReadFile(st.dbPath + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.BigEndian.Uint32(w[8:]))
	pages := map[uint32]int{}
	frames := 0
	for off := 32; off+24+ps <= len(w); off += 24 + ps {
		pages[binary.BigEndian.Uint32(w[off:])]++
		frames++
	}
	rows, err := st.db.Query(`SELECT name, pageno, pagetype FROM dbstat`)
	if err != nil {
		t.Fatal(err)
	}
	owner := map[uint32]string{}
	for rows.Next() {
		var name, typ string
		var p uint32
		_ = rows.Scan(&name, &p, &typ)
		owner[p] = name + "/" + typ
	}
	rows.Close()
	by := map[string]int{}
	for p, c := range pages {
		o := owner[p]
		if p == 1 {
			o = "page1:" + o
		}
		if o == "" {
			o = "?"
		}
		by[o] += c
	}
	var ks []string
	for k := range by {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return by[ks[i]] > by[ks[j]] })
	t.Logf("%d holds: %.2f frames per hold", n, float64(frames)/n)
	for _, k := range ks {
		t.Logf("%6.2f %s", float64(by[k])/n, k)
	}
}
