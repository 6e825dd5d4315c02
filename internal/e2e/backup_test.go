package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestBackupWhileServing: `sekisho backup DIR` copies the data directory
// while serve keeps writing; the copy passes SQLite's integrity check,
// holds the recorded scans and the console account, and a sekisho pointed
// at it (the restore) reads it.
func TestBackupWhileServing(t *testing.T) {
	sek := startSekisho(t, freePort(t), "")
	const n = 20
	for i := 0; i < n; i++ {
		msg := hamMsg(fmt.Sprintf("backup-%d", i))
		if code, body := httpPost(t, sek.p.rspamd, "/checkv2", msg); code != 200 {
			t.Fatalf("checkv2: %d %s", code, body)
		}
	}
	data := filepath.Join(filepath.Dir(sek.cfg), "data")
	count := func(path string) int {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var c int
		if err := db.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	// History is written in batches: wait until every scan is on disk,
	// and for the first admin account.
	for deadline := time.Now().Add(startTimeout); count(filepath.Join(data, "quarantine.db")) < n || !strings.Contains(sek.Log(), "password"); {
		if time.Now().After(deadline) {
			t.Fatalf("scans not recorded:\n%s", sek.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Scans keep arriving during the backup.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			httpPost(t, sek.p.rspamd, "/checkv2", hamMsg(fmt.Sprintf("during-%d", i)))
		}
	}()
	dst := filepath.Join(t.TempDir(), "backup")
	out, err := exec.Command(sekishoBin(t), "--config", sek.cfg, "backup", dst).CombinedOutput()
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	if !strings.Contains(string(out), "quarantine.db (sqlite VACUUM INTO)") {
		t.Fatalf("quarantine database not in the backup:\n%s", out)
	}
	copyDB := filepath.Join(dst, "quarantine.db")
	if c := count(copyDB); c < n {
		t.Fatalf("backup holds %d scans, want at least %d", c, n)
	}
	db, _ := sql.Open("sqlite", "file:"+copyDB+"?mode=ro")
	var ok string
	db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	db.Close()
	if ok != "ok" {
		t.Fatalf("integrity_check: %s", ok)
	}
	for _, f := range []string{"sekisho.pid", "quarantine.db-wal"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err == nil {
			t.Errorf("%s copied", f)
		}
	}
	// Restore: a sekisho on the copy sees the account.
	out, err = exec.Command(sekishoBin(t), "--config", sek.cfg, "--data-dir", dst, "user", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "admin") {
		t.Fatalf("restored copy: %v\n%s", err, out)
	}
	// A second backup into the same directory is refused.
	if out, err := exec.Command(sekishoBin(t), "--config", sek.cfg, "backup", dst).CombinedOutput(); err == nil {
		t.Fatalf("backup over a non-empty directory:\n%s", out)
	}
}
