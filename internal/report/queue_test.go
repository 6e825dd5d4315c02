package report_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

type counts struct {
	mu                         sync.Mutex
	received, triaged, answers map[string]int
}

func newCounts() *counts {
	return &counts{received: map[string]int{}, triaged: map[string]int{}, answers: map[string]int{}}
}

func (c *counts) ReportReceived(s string) { c.mu.Lock(); c.received[s]++; c.mu.Unlock() }
func (c *counts) ReportTriaged(s string)  { c.mu.Lock(); c.triaged[s]++; c.mu.Unlock() }
func (c *counts) ReportAnswered(s string) { c.mu.Lock(); c.answers[s]++; c.mu.Unlock() }

const reported = "From: a@partner.example\r\nTo: carol@example.jp\r\nSubject: hello\r\nDate: Mon, 16 Nov 2026 10:00:00 +0900\r\nMessage-ID: <q1@partner.example>\r\n\r\nHello.\r\n"

// TestQueueSurvivesRestart: reports are stored before intake answers;
// past report.max_queue pending reports intake refuses (ErrQueueFull, no
// id: the front ends answer 451); reports taken by a service that never
// triaged them (stopped) are triaged by the next one that starts. On
// SQLite, and on PostgreSQL when it is installed.
func TestQueueSurvivesRestart(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			cfg := config.Default()
			cfg.General.DataDir = t.TempDir()
			cfg.General.Hostname = "gw.example.jp"
			cfg.General.Domains = []string{"example.jp"}
			cfg.Report.Address = "phish-report@example.jp"
			cfg.Report.Answer = false
			cfg.Report.Learn = false
			cfg.Report.MaxQueue = 2
			if driver == "postgres" {
				cfg.Quarantine.Driver = "postgres"
				cfg.Quarantine.DSN = testutil.Postgres(t)
			}
			ctx := context.Background()
			st, err := quarantine.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			eng := enginetest.New(t, cfg)
			env := pipeline.Envelope{MailFrom: "carol@example.jp", Rcpts: []string{"phish-report@example.jp"}}

			first, err := report.New(ctx, cfg, eng, st, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c1 := newCounts()
			first.Observe(c1)
			var ids []string
			for i := 0; i < 2; i++ {
				id, err := first.Intake(ctx, []byte(reported), env)
				if err != nil || id == "" {
					t.Fatalf("intake %d: %q %v", i, id, err)
				}
				ids = append(ids, id)
			}
			if id, err := first.Intake(ctx, []byte(reported), env); !errors.Is(err, report.ErrQueueFull) || id != "" {
				t.Fatalf("intake past max_queue: %q %v", id, err)
			}
			if c1.received["mail"] != 2 {
				t.Fatalf("received %v", c1.received)
			}
			// "Stopped" before triage: a second service on the same store.
			second, err := report.New(ctx, cfg, eng, st, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c2 := newCounts()
			second.Observe(c2)
			second.Start()
			defer second.Close()
			deadline := time.Now().Add(30 * time.Second)
			for _, id := range ids {
				for {
					r, err := second.Get(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if r.Triage != report.TriagePending {
						if r.Triage != report.TriageSafe || r.Answer != report.AnswerSkipped {
							t.Errorf("report %s: %+v", id, r)
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("report %s still pending", id)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			c2.mu.Lock()
			if c2.triaged["safe"] != 2 || c2.answers["skipped"] != 2 {
				t.Errorf("triaged %v, answers %v", c2.triaged, c2.answers)
			}
			c2.mu.Unlock()
			// The queue has room again.
			if id, err := second.Intake(ctx, []byte(reported), env); err != nil || id == "" {
				t.Fatalf("intake after the triage: %q %v", id, err)
			}
		})
	}
}

// TestQueueSharedByInstances: instances on one database (PostgreSQL, as in
// a scale-out) share the queue; each report is triaged once.
func TestQueueSharedByInstances(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.General.Hostname = "gw.example.jp"
	cfg.General.Domains = []string{"example.jp"}
	cfg.Report.Answer = false
	cfg.Report.Learn = false
	cfg.Report.MaxQueue = 100
	cfg.Quarantine.Driver = "postgres"
	cfg.Quarantine.DSN = testutil.Postgres(t)
	ctx := context.Background()
	eng := enginetest.New(t, cfg)
	env := pipeline.Envelope{MailFrom: "carol@example.jp", Rcpts: []string{"phish-report@example.jp"}}
	var svcs []*report.Service
	var cs []*counts
	for i := 0; i < 3; i++ {
		st, err := quarantine.Open(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		s, err := report.New(ctx, cfg, eng, st, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := newCounts()
		s.Observe(c)
		svcs, cs = append(svcs, s), append(cs, c)
	}
	const n = 30
	for i := 0; i < n; i++ {
		if _, err := svcs[0].Intake(ctx, []byte(reported), env); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range svcs {
		s.Start()
		defer s.Close()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		rs, err := svcs[0].List(ctx, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, r := range rs {
			if r.Triage == report.TriagePending {
				pending++
			}
		}
		if pending == 0 && len(rs) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d still pending", pending, len(rs))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	total := 0
	var per []int
	for _, c := range cs {
		c.mu.Lock()
		total += c.triaged["safe"]
		per = append(per, c.triaged["safe"])
		c.mu.Unlock()
	}
	if total != n {
		t.Errorf("%d triages of %d reports (per instance %v)", total, n, per)
	}
	t.Logf("triaged per instance: %v", per)
}
