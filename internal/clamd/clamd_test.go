package clamd_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/sekisho/sekisho/internal/clamd"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

func TestReplyParsing(t *testing.T) {
	for raw, want := range map[string]string{"stream: OK": "", "stream: Eicar-Test-Signature FOUND": "Eicar-Test-Signature"} {
		r, err := Reply(raw)
		if err != nil || r.Virus != want || r.Infected != (want != "") {
			t.Errorf("%q: %+v %v", raw, r, err)
		}
	}
	if _, err := Reply("INSTREAM size limit exceeded. ERROR"); !errors.Is(err, ErrSizeLimit) {
		t.Errorf("size limit: %v", err)
	}
	// AlertExceedsMax: clamd's own limits are a part not scanned, not a virus.
	if r, err := Reply("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND"); !errors.Is(err, ErrSizeLimit) || r.Infected {
		t.Errorf("limits exceeded: %+v %v", r, err)
	}
	if _, err := Reply("stream: Can't allocate memory ERROR"); !errors.Is(err, ErrScan) {
		t.Errorf("error: %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	c := New("unix:"+filepath.Join(t.TempDir(), "none.sock"), time.Second, 0, 0)
	if _, err := c.Scan(context.Background(), []byte("x")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("%v", err)
	}
	// A server that accepts and never answers: the timeout ends it.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c = New("tcp:"+l.Addr().String(), 300*time.Millisecond, 0, 0)
	start := time.Now()
	if _, err := c.Scan(context.Background(), []byte("x")); err == nil {
		t.Fatal("no error from a silent server")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("timeout not applied")
	}
}

// TestRealClamd talks to a clamd started from Debian's packages with the
// local test database, over the unix socket and loopback TCP.
func TestRealClamd(t *testing.T) {
	d := testdoc.StartClamd(t, "")
	for _, addr := range []string{"unix:" + d.Socket, d.Socket, "tcp:" + d.TCPAddr, d.TCPAddr} {
		c := New(addr, 20*time.Second, 1024, 10<<20)
		ctx := context.Background()
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("%s: ping: %v", addr, err)
		}
		v, err := c.Version(ctx)
		if err != nil || !strings.HasPrefix(v, "ClamAV") {
			t.Fatalf("version %q %v", v, err)
		}
		r, err := c.Scan(ctx, []byte(eicar))
		if err != nil || !r.Infected || r.Virus != "Eicar-Test-Signature.UNOFFICIAL" && r.Virus != "Eicar-Test-Signature" {
			t.Fatalf("%s eicar: %+v %v", addr, r, err)
		}
		r, err = c.Scan(ctx, bytes.Repeat([]byte("clean text "), 5000))
		if err != nil || r.Infected {
			t.Fatalf("clean: %+v %v", r, err)
		}
		r, err = c.Scan(ctx, []byte("junk SEKISHO-TEST-PATTERN junk"))
		if err != nil || !r.Infected {
			t.Fatalf("pattern: %+v %v", r, err)
		}
	}
	// Beyond clamd's StreamMaxLength (10M here) with the client limit
	// lifted: clamd answers a size-limit error.
	c := New(d.Socket, 20*time.Second, 1<<20, 0)
	_, err := c.Scan(context.Background(), make([]byte, 11<<20))
	if err == nil {
		t.Fatal("no error beyond StreamMaxLength")
	}
	t.Logf("oversize: %v", err)
}

// TestClamAVTestfiles sends every Debian clamav-testfiles case to clamd.
func TestClamAVTestfiles(t *testing.T) {
	dir := "/usr/share/clamav-testfiles"
	ents, err := os.ReadDir(dir)
	if err != nil {
		testutil.NoPeer(t, "clamav-testfiles not installed")
	}
	d := testdoc.StartClamd(t, "")
	c := New(d.Socket, 30*time.Second, 0, 25<<20)
	found, total := 0, 0
	var missed []string
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		r, err := c.Scan(context.Background(), b)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		total++
		if r.Infected {
			found++
		} else {
			missed = append(missed, e.Name())
		}
	}
	t.Logf("clamd found %d of %d testfiles; not found: %v", found, total, missed)
	for _, must := range []string{"clam.zip", "clam.7z", "clam.cab", "clam.tar.gz", "clam.exe.bz2", "clam.bz2.zip", "clam.ole.doc", "clam.ppt", "clam.pdf", "clam.exe.rtf", "clam.chm", "clam.exe", "clam.arj", "clam.mail", "clam.tnef", "clam.exe.szdd"} {
		for _, m := range missed {
			if m == must {
				t.Errorf("%s not found through clamd", must)
			}
		}
	}
}
