package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	starts := make([]time.Time, len(msgs))
	start := time.Now()
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mc milterClient
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				starts[i] = t0
				if err := mc.message(addr, msgs[i]); err != nil {
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
	if f := os.Getenv("SEKISHO_BENCH_LATENCIES"); f != "" {
		var b strings.Builder
		for i, l := range lat {
			fmt.Fprintf(&b, "%d %.3f %d %d\n", i, float64(l.Microseconds())/1000, len(msgs[i]), starts[i].Sub(start).Microseconds())
		}
		_ = os.WriteFile(f, []byte(b.String()), 0o644)
	}
	r.lat = lat
	slices.Sort(r.lat)
	r.peakRSS = procTreeHWM(d.pid)
	return r, nil
}

// milterClient plays Postfix, one message per connection, with one
// buffer for what it sends and one reader for the replies, both kept from
// message to message. Like Postfix (milter_protocol = 6) it offers
// protocol version 6 with every SMFIP_* bit, reads no reply to the steps
// the milter asked not to answer (SMFIP_NR_*), and writes those commands
// together with the next one that wants a reply.
type milterClient struct {
	out []byte // commands not written yet
	buf []byte // the last reply's data
	br  *bufio.Reader
	nr  uint32  // protocol bits the milter asked for
	hdr [4]byte // here, not on the stack: io.ReadFull would move it to the heap
}

// Protocol bits (SMFIP_*) the client looks at.
const (
	mcNRHdr     = 1 << 7
	mcNoData    = 1 << 9
	mcNRConn    = 1 << 12
	mcNRHelo    = 1 << 13
	mcNRMail    = 1 << 14
	mcNRRcpt    = 1 << 15
	mcNRData    = 1 << 16
	mcNREOH     = 1 << 18
	mcNRBody    = 1 << 19
	mcOfferV6   = 0x1fffff // what Postfix offers with milter_protocol = 6
	mcOfferActs = 1<<0 | 1<<1 | 1<<4 | 1<<5
)

// Commands as Postfix sends them: connect, HELO, MAIL, RCPT, DATA, each
// header field, end of header, the body in chunks of at most 65535 bytes,
// end of message; then the modifications and the final reply are read.
func (mc *milterClient) message(addr string, raw []byte) error {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	if mc.br == nil {
		mc.br = bufio.NewReaderSize(c, 4096)
	} else {
		mc.br.Reset(c)
	}
	defer mc.br.Reset(nil)
	mc.out, mc.nr = mc.out[:0], 0
	// OPTNEG: version 6, add/change headers, change body, quarantine.
	at := mc.start('O')
	mc.out = binary.BigEndian.AppendUint32(mc.out, 6)
	mc.out = binary.BigEndian.AppendUint32(mc.out, mcOfferActs)
	mc.out = binary.BigEndian.AppendUint32(mc.out, mcOfferV6)
	if err := mc.send(c, at, 'O', 0); err != nil {
		return err
	}
	if len(mc.buf) < 12 {
		return fmt.Errorf("milter: short OPTNEG reply %q", mc.buf)
	}
	if v := binary.BigEndian.Uint32(mc.buf); v >= 6 {
		mc.nr = binary.BigEndian.Uint32(mc.buf[8:]) & mcOfferV6
	}
	at = mc.start('C')
	mc.out = append(mc.out, "client.example\x004\x61\xa8192.0.2.10\x00"...) // port 25000
	if err := mc.send(c, at, 'c', mcNRConn); err != nil {
		return err
	}
	for _, cmd := range [...]struct {
		s  string
		nr uint32
	}{{"Hclient.example\x00", mcNRHelo}, {"M<sender@client.example>\x00", mcNRMail}, {"R<user@example.org>\x00", mcNRRcpt}} {
		at = mc.start(cmd.s[0])
		mc.out = append(mc.out, cmd.s[1:]...)
		if err := mc.send(c, at, 'c', cmd.nr); err != nil {
			return err
		}
	}
	if mc.nr != 0 && mc.nr&mcNoData == 0 { // version 6: DATA unless the milter declined it
		if err := mc.send(c, mc.start('T'), 'c', mcNRData); err != nil {
			return err
		}
	}
	hdr, body := action.SplitMessage(raw)
	if err := mc.fields(c, hdr, 1000); err != nil {
		return err
	}
	if err := mc.send(c, mc.start('N'), 'c', mcNREOH); err != nil {
		return err
	}
	for len(body) > 0 {
		n := min(len(body), 65535)
		at = mc.start('B')
		mc.out = append(mc.out, body[:n]...)
		if err := mc.send(c, at, 'c', mcNRBody); err != nil {
			return err
		}
		body = body[n:]
	}
	mc.end(mc.start('E'))
	if err := mc.flush(c); err != nil {
		return err
	}
	for {
		code, err := mc.reply()
		if err != nil {
			return err
		}
		if code == 't' {
			return fmt.Errorf("milter: tempfail")
		}
		if !strings.ContainsRune("+-bhmiqep", rune(code)) { // not a modification or progress: the reply
			break
		}
	}
	// Abort and quit (as go-milter's client did when the bench used it).
	mc.end(mc.start('A'))
	mc.end(mc.start('Q'))
	mc.flush(c)
	return nil
}

// start begins a packet at the end of mc.out and returns where its length
// goes.
func (mc *milterClient) start(code byte) int {
	at := len(mc.out)
	mc.out = append(mc.out, 0, 0, 0, 0, code)
	return at
}

func (mc *milterClient) end(at int) {
	binary.BigEndian.PutUint32(mc.out[at:], uint32(len(mc.out)-at-4))
}

// flush writes the commands not written yet.
func (mc *milterClient) flush(c net.Conn) error {
	_, err := c.Write(mc.out)
	mc.out = mc.out[:0]
	return err
}

// send ends the packet started at at. If the milter asked for no reply to
// it (nr among the negotiated bits) it waits in mc.out for the next
// command that wants one (up to 64 KB); otherwise everything is written
// and the reply read, which must be want.
func (mc *milterClient) send(c net.Conn, at int, want byte, nr uint32) error {
	mc.end(at)
	if mc.nr&nr != 0 {
		if len(mc.out) >= 64<<10 {
			return mc.flush(c)
		}
		return nil
	}
	if err := mc.flush(c); err != nil {
		return err
	}
	code, err := mc.reply()
	if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("milter: reply %q, want %q", code, want)
	}
	return nil
}

// reply reads one packet; its data is left in mc.buf.
func (mc *milterClient) reply() (byte, error) {
	if _, err := io.ReadFull(mc.br, mc.hdr[:]); err != nil {
		return 0, err
	}
	n := binary.BigEndian.Uint32(mc.hdr[:])
	if n == 0 || n > 1<<24 {
		return 0, fmt.Errorf("milter: reply length %d", n)
	}
	mc.buf = slices.Grow(mc.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(mc.br, mc.buf); err != nil {
		return 0, err
	}
	code := mc.buf[0]
	mc.buf = append(mc.buf[:0], mc.buf[1:]...)
	return code, nil
}

// fields sends the header fields of hdr as action.ParseFields reads them
// (at most max; lines without a colon skipped; continuation lines joined
// with CRLF), without copying them out of hdr first.
func (mc *milterClient) fields(c net.Conn, hdr []byte, max int) error {
	open, n, at := false, 0, 0
	flush := func() error {
		if !open {
			return nil
		}
		open = false
		mc.out = append(mc.out, 0)
		return mc.send(c, at, 'c', mcNRHdr)
	}
	for len(hdr) > 0 {
		l := hdr
		if i := bytes.IndexByte(hdr, '\n'); i >= 0 {
			l, hdr = hdr[:i+1], hdr[i+1:]
		} else {
			hdr = nil
		}
		t := bytes.TrimRight(l, "\r\n")
		if len(t) == 0 {
			break
		}
		if (t[0] == ' ' || t[0] == '\t') && n > 0 {
			if open {
				mc.out = append(mc.out, '\r', '\n')
				mc.out = append(mc.out, t...)
			}
			continue
		}
		i := bytes.IndexByte(t, ':')
		if i <= 0 {
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if n >= max {
			return nil
		}
		n++
		open = true
		at = mc.start('L')
		mc.out = append(mc.out, bytes.TrimSpace(t[:i])...)
		mc.out = append(mc.out, 0)
		mc.out = append(mc.out, bytes.TrimLeft(t[i+1:], " \t")...)
	}
	return flush()
}
