package testutil

// PostgreSQL for store tests: a real server on a loopback port.

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func pgBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(m) > 0 {
		return m[len(m)-1]
	}
	return ""
}

// Postgres starts a throw-away PostgreSQL server on a free loopback port
// and returns its DSN. When running as root the server runs as the
// "postgres" user. It skips (or fails with SEKISHO_REQUIRE_PEERS=1) when
// PostgreSQL is not installed.
func Postgres(t testing.TB) string {
	t.Helper()
	initdb, pgctl := pgBin("initdb"), pgBin("pg_ctl")
	if initdb == "" || pgctl == "" {
		NoPeer(t, "PostgreSQL (initdb, pg_ctl) not installed")
		return ""
	}
	base, err := os.MkdirTemp("", "sekisho-pg-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755)
	data := filepath.Join(base, "data")
	sock := filepath.Join(base, "sock")
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(base)
			NoPeer(t, "running as root and no postgres user: %v", err)
			return ""
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{base, data, sock} {
			_ = os.Chown(d, uid, gid)
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Dir = base
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", filepath.Base(name), err, out)
		}
		return nil
	}
	if err := run(initdb, "-D", data, "-U", "sekisho", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"); err != nil {
		os.RemoveAll(base)
		t.Fatal(err)
	}
	port := FreePort(t)
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, sock)
	if err := run(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(base, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(base, "log"))
		os.RemoveAll(base)
		t.Fatalf("%v\n%s", err, log)
	}
	t.Cleanup(func() {
		_ = run(pgctl, "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(base)
	})
	return fmt.Sprintf("postgres://sekisho@127.0.0.1:%d/postgres?sslmode=disable", port)
}
