package outbound

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestSharedCountersRedis: two trackers (two sekisho instances) on one
// Redis, then on a Redis Cluster, count one account together: the limit
// is met across them, and only one of them alerts per window.
func TestSharedCountersRedis(t *testing.T) {
	run := func(t *testing.T, redisCfg string) {
		var trs []*Tracker
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 2; i++ {
			cfg, err := config.Parse(fmt.Sprintf("[general]\ndata_dir = %q\nhostname = \"i%d\"\n", filepath.Join(t.TempDir(), "d"), i) +
				"[serve.outbound]\nmax_messages = 5\nmax_recipients = 8\nfreemail_min_recipients = 0\n" + redisCfg)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			tr.SetClock(func() time.Time { return now })
			t.Cleanup(func() { tr.Close() })
			trs = append(trs, tr)
		}
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			syms, _, _, err := trs[i%2].CheckContext(ctx, "User@Example.JP", []string{fmt.Sprintf("r%d@example.net", i%3)})
			if err != nil || len(syms) > 0 {
				t.Fatalf("message %d within limits: %v %v", i, syms, err)
			}
		}
		syms, reasons, a, err := trs[1].CheckContext(ctx, "user@example.jp", []string{"a@x.example", "b@x.example", "c@y.example", "d@y.example", "e@z.example", "f@gmail.com"})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(syms, ",") != SymRate+","+SymFanout || a.Messages != 6 || a.Recipients != 9 {
			t.Fatalf("over both limits across instances: %v %v %+v", syms, reasons, a)
		}
		if !trs[0].shouldAlert("user@example.jp") || trs[1].shouldAlert("user@example.jp") {
			t.Error("alert not once per window across instances")
		}
		// Another account is counted apart; the window expires.
		if syms, _, _, _ := trs[0].CheckContext(ctx, "other@example.jp", []string{"a@x.example"}); len(syms) > 0 {
			t.Errorf("other account: %v", syms)
		}
		now = now.Add(61 * time.Minute)
		if syms, _, a, _ := trs[0].CheckContext(ctx, "user@example.jp", []string{"a@x.example"}); len(syms) > 0 || a.Messages != 1 {
			t.Errorf("after the window: %v %+v", syms, a)
		}
	}
	t.Run("server", func(t *testing.T) {
		run(t, fmt.Sprintf("[redis]\nurl = %q\n", redistest.Start(t)))
	})
	t.Run("cluster", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts a Redis Cluster")
		}
		c := redistest.StartCluster(t, 3, 0)
		run(t, fmt.Sprintf("[redis]\naddrs = [%q, %q]\n", c.Addrs[0], c.Addrs[1]))
	})
}

// TestRedisDownTempfails: when the shared counters cannot be reached the
// authenticated message is tempfailed (its sender's volume is unknown),
// not passed unchecked.
func TestRedisDownTempfails(t *testing.T) {
	cfg, err := config.Parse(fmt.Sprintf("[general]\ndata_dir = %q\n[redis]\nurl = %q\ntimeout = \"200ms\"\n",
		filepath.Join(t.TempDir(), "d"), redistest.Start(t)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &Analyzer{T: tr}
	task := pipeline.NewTask("t1", nil, pipeline.Envelope{AuthUser: "u@example.jp", Rcpts: []string{"r@example.net"}}, nil)
	if err := a.Analyze(context.Background(), task); err != nil || len(task.TempfailReasons()) > 0 {
		t.Fatalf("redis up: %v %v", err, task.TempfailReasons())
	}
	tr.rdb.Close() // as if the server were gone
	task = pipeline.NewTask("t2", nil, pipeline.Envelope{AuthUser: "u@example.jp", Rcpts: []string{"r@example.net"}}, nil)
	err = a.Analyze(context.Background(), task)
	if !errors.Is(err, pipeline.ErrTemporary) || len(task.TempfailReasons()) != 1 {
		t.Fatalf("redis down: %v %v", err, task.TempfailReasons())
	}
}
