package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-milter"

	"github.com/sekisho/sekisho/internal/action"
)

// milterRound is one pass of the corpus through the daemon's milter front
// end: per message the latency an MTA sees, from connecting to the final
// reply after the end of the body.
type milterRound struct {
	msgs, errs int
	wall       time.Duration
	cpuMS      float64
	lat        []time.Duration // sorted
	peakRSS    int64
}

// pct is the q-quantile of the latencies (nearest rank).
func (r milterRound) pct(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.999999) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func (r milterRound) String() string {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return fmt.Sprintf("milter   %5d msgs %4d errors %7.2fs %8.1f msgs/s %7.3f CPU ms/msg  latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f  %6.1f MB peak RSS",
		r.msgs, r.errs, r.wall.Seconds(), float64(r.msgs)/r.wall.Seconds(), r.cpuMS/float64(max(r.msgs, 1)),
		ms(r.pct(0.50)), ms(r.pct(0.95)), ms(r.pct(0.99)), ms(r.pct(1)), float64(r.peakRSS)/(1<<20))
}

// milterRound sends every message through the milter at addr from clients
// concurrent MTA connections, one message per connection.
func (d *benchDaemon) milterRound(ctx context.Context, addr string, msgs [][]byte, clients int) (milterRound, error) {
	r := milterRound{msgs: len(msgs)}
	cpu0, err := procTreeCPU(d.pid)
	if err != nil {
		return r, err
	}
	lat := make([]time.Duration, len(msgs))
	start := time.Now()
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := milterMessage(addr, msgs[i]); err != nil {
					errs.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	cpu1, err := procTreeCPU(d.pid)
	if err != nil {
		return r, err
	}
	r.cpuMS = cpu1 - cpu0
	r.errs = int(errs.Load())
	r.lat = lat
	slices.Sort(r.lat)
	r.peakRSS = procTreeHWM(d.pid)
	return r, nil
}

// milterMessage plays Postfix for one message: connect, HELO, MAIL, RCPT,
// the header fields, the body and end of message, then the reply.
func milterMessage(addr string, raw []byte) error {
	cl := milter.NewClientWithOptions("tcp", addr, milter.ClientOptions{ReadTimeout: time.Minute, WriteTimeout: 10 * time.Second,
		ActionMask: milter.OptAddHeader | milter.OptChangeHeader | milter.OptChangeBody | milter.OptQuarantine})
	s, err := cl.Session()
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Conn("client.example", milter.FamilyInet, 25000, "192.0.2.10"); err != nil {
		return err
	}
	if _, err := s.Helo("client.example"); err != nil {
		return err
	}
	if _, err := s.Mail("<sender@client.example>", nil); err != nil {
		return err
	}
	if _, err := s.Rcpt("<user@example.org>", nil); err != nil {
		return err
	}
	hdr, body := action.SplitMessage(raw)
	for _, f := range action.ParseFields(hdr, 1000) {
		if _, err := s.HeaderField(f.Name, f.Value); err != nil {
			return err
		}
	}
	if _, err := s.HeaderEnd(); err != nil {
		return err
	}
	_, act, err := s.BodyReadFrom(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if act.Code == milter.ActTempFail {
		return fmt.Errorf("milter: tempfail")
	}
	return nil
}
