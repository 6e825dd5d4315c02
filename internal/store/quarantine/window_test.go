package quarantine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// windowStore opens a store of pooledConfig changed by set (nil: as it
// is) whose writer's batch window is window (the package's restored when
// the test ends), with pooledScans' messages and results to record.
func windowStore(t *testing.T, window time.Duration, set func(*config.Config)) (*Store, [][]byte, []*pipeline.Result) {
	t.Helper()
	w := batchWindow
	batchWindow = window
	t.Cleanup(func() { batchWindow = w })
	raws, rs := pooledScans(t)
	cfg := pooledConfig(t)
	if set != nil {
		set(cfg)
	}
	st, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, raws, rs
}

// A history_queue below batchMax: during the window the writer no longer
// takes entries into its batch, and len(q)+batched never reaches batchMax,
// so nothing kicks it. Entries beyond the queue's size are dropped, and a
// Flush blocks on the full queue until the window ends.
func TestWindowSmallQueue(t *testing.T) {
	st, raws, rs := windowStore(t, 2*time.Second, func(cfg *config.Config) { cfg.Quarantine.HistoryQueue = 50 })
	defer st.Close()
	ctx := context.Background()
	for i := range 150 {
		r := *rs[i%len(rs)]
		r.ID = fmt.Sprint("s", i)
		_ = st.Record(ctx, raws[i%len(raws)], &r)
		time.Sleep(200 * time.Microsecond) // a steady, modest rate (5,000/s)
	}
	ws := st.WriterStats()
	t.Logf("after 150 Records: %+v", ws)
	t0 := time.Now()
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := st.Flush(fctx)
	t.Logf("Flush took %v, err %v; %+v", time.Since(t0), err, st.WriterStats())
	if ws.Dropped != 0 {
		t.Errorf("dropped %d of 150 with a queue of 50 and a writer that keeps up", ws.Dropped)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Flush waited %v (the window)", d)
	}
}

// Many concurrent Records, Flushes and a Close: every Flush returns, and
// written+dropped accounts for every Record.
func TestWindowRecordFlushCloseStress(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		for _, qn := range []int{7, 150, 250, 10000} {
			t.Run(fmt.Sprint(driver, qn), func(t *testing.T) {
				st, raws, rs := windowStore(t, 30*time.Millisecond, func(cfg *config.Config) {
					if driver == "postgres" {
						cfg.Quarantine.Driver, cfg.Quarantine.DSN = "postgres", testutil.Postgres(t)
					}
					cfg.Quarantine.HistoryQueue = qn
				})
				var recorded, flushErr atomic.Int64
				var maxFlush atomic.Int64
				var wg sync.WaitGroup
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for k := range 400 {
							r := *rs[(g+k)%len(rs)]
							r.ID = fmt.Sprint(driver, qn, "-", g, "-", k)
							r.Time = time.Now()
							if !st.closed.Load() {
								recorded.Add(1)
							}
							_ = st.Record(context.Background(), raws[(g+k)%len(raws)], &r)
							if k%97 == 0 {
								time.Sleep(time.Millisecond)
							}
						}
					}()
				}
				for range 3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 20 {
							ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
							t0 := time.Now()
							if err := st.Flush(ctx); err != nil {
								flushErr.Add(1)
							}
							d := int64(time.Since(t0))
							for {
								m := maxFlush.Load()
								if d <= m || maxFlush.CompareAndSwap(m, d) {
									break
								}
							}
							cancel()
							time.Sleep(2 * time.Millisecond)
						}
					}()
				}
				wg.Wait()
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				ws := st.WriterStats()
				t.Logf("%+v flushErr=%d maxFlush=%v recorded~%d", ws, flushErr.Load(), time.Duration(maxFlush.Load()), recorded.Load())
				if flushErr.Load() != 0 {
					t.Errorf("%d Flushes timed out", flushErr.Load())
				}
				if ws.Queued != 0 || ws.Written+ws.Dropped != 1600 {
					t.Errorf("written+dropped %d, want 1600", ws.Written+ws.Dropped)
				}
			})
		}
	}
}

// Close during an hour-long window writes what is batched and queued at once.
func TestWindowCloseDuringWindow(t *testing.T) {
	st, raws, rs := windowStore(t, time.Hour, nil)
	for i := range 150 {
		r := *rs[i%len(rs)]
		r.ID = fmt.Sprint("c", i)
		_ = st.Record(context.Background(), raws[i%len(raws)], &r)
	}
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Fatalf("Close took %v", d)
	}
	if ws := st.WriterStats(); ws.Written != 150 || ws.Queued != 0 {
		t.Fatalf("%+v", ws)
	}
}

// A kick sent while the writer writes a batch (stale, consumed at once
// by the next window) must not cost a later Flush or a later full batch
// their wake-up.
func TestWindowKickWhileBusy(t *testing.T) {
	st, raws, rs := windowStore(t, time.Hour, nil)
	defer st.Close()
	var slow atomic.Bool
	slow.Store(true)
	batchChunkHook = func() {
		if slow.Load() {
			time.Sleep(20 * time.Millisecond)
		}
	}
	defer func() { batchChunkHook = nil }()
	rec := func(n int, p string) {
		for i := range n {
			r := *rs[i%len(rs)]
			r.ID = fmt.Sprint(p, i)
			if err := st.Record(context.Background(), raws[i%len(raws)], &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec(1, "a") // starts the window
	time.Sleep(20 * time.Millisecond)
	rec(250, "b") // a full batch: kicked, written slowly; Records meanwhile kick again
	deadline := time.Now().Add(20 * time.Second)
	for st.WriterStats().Written < 200 {
		if time.Now().After(deadline) {
			t.Fatalf("full batch not written: %+v", st.WriterStats())
		}
		time.Sleep(time.Millisecond)
	}
	slow.Store(false)
	time.Sleep(50 * time.Millisecond) // the rest (51) batched, window armed, stale kick consumed
	t.Logf("%+v batched=%d", st.WriterStats(), st.batched.Load())
	rec(200-51, "c") // reaches a batch's worth exactly
	for st.WriterStats().Written < 400 {
		if time.Now().After(deadline) {
			t.Fatalf("second full batch not written: %+v batched=%d", st.WriterStats(), st.batched.Load())
		}
		time.Sleep(time.Millisecond)
	}
	rec(3, "d")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if ws := st.WriterStats(); ws.Written != 403 || ws.Dropped != 0 || ws.Queued != 0 {
		t.Fatalf("%+v", ws)
	}
}
