package spamd

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

// spamdServer is a spamd front end on loopback with an engine of one
// trivial analyzer; it returns the address and a stop function.
func spamdServer(tb testing.TB) (string, func()) {
	cfg := config.Default()
	cfg.General.DataDir = tb.TempDir()
	s := &Server{P: &action.Processor{Engine: enginetest.Only(tb, cfg, phish{}), Config: cfg, Log: slog.New(slog.DiscardHandler)},
		Settings: cfg.Serve.Spamd}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go s.Serve(ln)
	return ln.Addr().String(), func() { ln.Close() }
}

// exchange sends req on a new connection and reads the reply to the close.
func exchange(tb testing.TB, addr string, req []byte, buf []byte) []byte {
	return testutil.Exchange(tb, addr, req, buf)
}

func spamcRequest(tb testing.TB, method string, extra string) []byte {
	raw, err := os.ReadFile("../../store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(method + " SPAMC/1.5\r\nUser: joe\r\n" + extra + "Content-length: " + strconv.Itoa(len(raw)) + "\r\n\r\n" + string(raw))
}

// TestConnRepliesStable: the replies over a connection, for each method,
// are the same on a second and later request on the pooled reader as on
// the first (nothing of one request leaks into the next).
func TestConnRepliesStable(t *testing.T) {
	addr, stop := spamdServer(t)
	defer stop()
	for _, m := range []string{"CHECK", "SYMBOLS", "REPORT", "REPORT_IFSPAM", "PROCESS", "HEADERS"} {
		req := spamcRequest(t, m, "")
		first := exchange(t, addr, req, make([]byte, 4096))
		if !bytes.HasPrefix(first, []byte("SPAMD/1.1 0 EX_OK\r\n")) || !bytes.Contains(first, []byte("Spam: True ; ")) {
			t.Fatalf("%s: %q", m, first)
		}
		for range 3 {
			if again := exchange(t, addr, req, make([]byte, 4096)); m != "REPORT" && m != "REPORT_IFSPAM" && m != "PROCESS" && m != "HEADERS" && !bytes.Equal(again, first) {
				t.Fatalf("%s: reply changed:\n%q\n%q", m, first, again)
			}
		}
	}
	if got := exchange(t, addr, []byte("PING SPAMC/1.5\r\n\r\n"), make([]byte, 64)); string(got) != "SPAMD/1.5 0 PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
	if got := exchange(t, addr, []byte("CHECK SPAMC/1.5\r\nContent-length: x\r\n\r\n"), make([]byte, 64)); string(got) != "SPAMD/1.0 76 bad Content-length\r\n" {
		t.Fatalf("bad length: %q", got)
	}
}

// BenchmarkConn is one spamc CHECK request over its own connection (as
// spamc sends them) from a raw client: the front end, the action step
// and the reply besides a trivial analyzer.
func BenchmarkConn(b *testing.B) {
	addr, stop := spamdServer(b)
	defer stop()
	req := spamcRequest(b, "SYMBOLS", "")
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		if out := exchange(b, addr, req, buf); !bytes.HasPrefix(out, []byte("SPAMD/1.1 0 EX_OK\r\n")) {
			b.Fatalf("%q", out)
		}
	}
}
