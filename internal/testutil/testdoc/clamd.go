package testdoc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// ClamdSignatures is the local test database: an MD5 signature for Debian's
// clamav-testfiles clam.exe (ClamAV's own test signature name), EICAR, and
// a body pattern ("SEKISHO-TEST-PATTERN"). No download, no freshclam.
const (
	ClamHDB = "aa15bcf478d165efd2065190eb473bcb:544:ClamAV-Test-File\n" +
		"44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
	ClamNDB = "Sekisho-Test-Pattern:0:*:53454b4953484f2d544553542d5041545445524e\n"
)

// Clamd is a running clamd started for a test.
type Clamd struct {
	Socket  string // unix socket path
	TCPAddr string // 127.0.0.1:port
	cmd     *exec.Cmd
}

// StartClamd starts Debian's clamd on a temp unix socket and a loopback
// port with the local database; it is stopped when the test ends. It
// skips (or fails under SEKISHO_REQUIRE_PEERS=1) when clamd is missing.
func StartClamd(t testing.TB, extraConf string) *Clamd {
	t.Helper()
	bin, err := exec.LookPath("clamd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/clamd", "/usr/local/sbin/clamd"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		testutil.NoPeer(t, "clamd (clamav-daemon) not installed")
	}
	dir, err := os.MkdirTemp("", "sekisho-clamd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "db")
	os.MkdirAll(db, 0o755)
	os.WriteFile(filepath.Join(db, "sekisho-test.hdb"), []byte(ClamHDB), 0o644)
	os.WriteFile(filepath.Join(db, "sekisho-test.ndb"), []byte(ClamNDB), 0o644)
	port := testutil.FreePort(t)
	c := &Clamd{Socket: filepath.Join(dir, "clamd.sock"), TCPAddr: fmt.Sprintf("127.0.0.1:%d", port)}
	conf := fmt.Sprintf("LocalSocket %s\nDatabaseDirectory %s\nForeground yes\nLogFile %s\nTCPSocket %d\nTCPAddr 127.0.0.1\n"+
		"StreamMaxLength 10M\nMaxThreads 2\nSelfCheck 0\n%s", c.Socket, db, filepath.Join(dir, "clamd.log"), port, extraConf)
	cf := filepath.Join(dir, "clamd.conf")
	os.WriteFile(cf, []byte(conf), 0o644)
	c.cmd = exec.Command(bin, "-c", cf)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if conn, err := net.Dial("unix", c.Socket); err == nil {
			conn.Close()
			if conn, err := net.Dial("tcp", c.TCPAddr); err == nil {
				conn.Close()
				return c
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
	t.Fatalf("clamd did not start: %s", log)
	return nil
}
