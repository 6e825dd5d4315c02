package e2e

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestDebianPackage builds the package with scripts/build-deb.sh, installs
// it with dpkg -i on this machine, checks what it put where (binary, unit,
// default configuration, system user, data directory), runs `sekisho
// version` and `config check` on the installed files, starts the installed
// binary without systemd as the package's user, mails through it, and
// removes the package again (dpkg --purge, and the user and data
// directory when the test created them).
//
// Needs root and dpkg (CI runs as root on Debian); it will not touch a
// machine where sekisho is already installed.
func TestDebianPackage(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.NoPeer(t, "the package test installs with dpkg -i: needs root")
		return
	}
	needPeer(t, "dpkg-deb", "dpkg", "adduser", "runuser")
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "sekisho").CombinedOutput(); err == nil && strings.Contains(string(out), "installed") {
		t.Skip("sekisho is installed on this machine: the package test leaves it alone")
	}
	if _, err := os.Stat("/usr/bin/sekisho"); err == nil {
		t.Skip("/usr/bin/sekisho exists: the package test leaves it alone")
	}
	_, _, userExisted := lookupUser("sekisho")
	if ents, err := os.ReadDir("/var/lib/sekisho"); err == nil && len(ents) > 0 {
		t.Skip("/var/lib/sekisho holds files: the package test would change their owner")
	}
	_, dataExisted := os.Stat("/var/lib/sekisho")
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	out := t.TempDir()
	// The script's own build (-trimpath, static) recompiles everything,
	// minutes on a loaded host: the test packages a binary built with the
	// build cache instead, and compresses quickly. The rest of the script
	// (layout, control file, maintainer scripts) is what it runs.
	bin := filepath.Join(out, "sekisho")
	gb := exec.Command("go", "build", "-ldflags", "-X main.version=0.1.0+e2e", "-o", bin, "./cmd/sekisho")
	gb.Dir = root
	if b, err := gb.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	build := exec.Command("bash", filepath.Join(root, "scripts", "build-deb.sh"), out)
	build.Dir = root
	build.Env = append(os.Environ(), "SEKISHO_VERSION=0.1.0+e2e", "SEKISHO_BIN="+bin, "DEB_COMPRESSOR=gzip")
	b, err := build.CombinedOutput()
	if err != nil {
		t.Fatalf("build-deb.sh: %v\n%s", err, b)
	}
	deb := strings.TrimSpace(string(b[strings.LastIndexByte(strings.TrimSpace(string(b)), '\n')+1:]))
	if !strings.HasSuffix(deb, "_0.1.0+e2e_"+runtime.GOARCH+".deb") {
		t.Fatalf("package name %q", deb)
	}
	info, _ := exec.Command("dpkg-deb", "--info", deb).CombinedOutput()
	for _, want := range []string{"Package: sekisho", "Version: 0.1.0+e2e", "Depends: adduser", "conffiles"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", want, info)
		}
	}
	dpkg := func(args ...string) {
		t.Helper()
		var b []byte
		var err error
		// Another dpkg or apt may hold the lock for a moment.
		for i := 0; i < 30; i++ {
			b, err = exec.Command("dpkg", args...).CombinedOutput()
			if err == nil || !strings.Contains(string(b), "lock") {
				break
			}
			time.Sleep(2 * time.Second)
		}
		if err != nil {
			t.Fatalf("dpkg %v: %v\n%s", args, err, b)
		}
	}
	dpkg("-i", deb)
	t.Cleanup(func() {
		dpkg("--purge", "sekisho")
		if !userExisted {
			exec.Command("deluser", "--system", "--quiet", "sekisho").Run()
			exec.Command("delgroup", "--system", "--quiet", "sekisho").Run()
		}
		if dataExisted != nil {
			os.RemoveAll("/var/lib/sekisho")
		}
		for _, f := range []string{"/usr/bin/sekisho", "/lib/systemd/system/sekisho.service"} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s left after dpkg --purge", f)
			}
		}
	})

	// Files, modes, owners.
	for path, mode := range map[string]os.FileMode{
		"/usr/bin/sekisho": 0o755, "/lib/systemd/system/sekisho.service": 0o644, "/etc/sekisho/sekisho.toml": 0o640,
		"/usr/share/doc/sekisho/deploy.md": 0o644, "/usr/share/doc/sekisho/deploy.ja.md": 0o644,
		"/usr/share/doc/sekisho/sekisho-dashboard.json": 0o644,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Errorf("not installed: %s", path)
			continue
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
	uid, gid, ok := lookupUser("sekisho")
	if !ok {
		t.Fatal("postinst did not create the sekisho user")
	}
	if st, err := os.Stat("/var/lib/sekisho"); err != nil || st.Sys().(*syscall.Stat_t).Uid != uint32(uid) || st.Mode().Perm() != 0o750 {
		t.Fatalf("/var/lib/sekisho: %v %v", err, st)
	}
	unit, _ := os.ReadFile("/lib/systemd/system/sekisho.service")
	for _, want := range []string{"User=sekisho", "ProtectSystem=strict", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "ExecReload=", "NoNewPrivileges=yes"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %s", want)
		}
	}
	if a, err := exec.Command("systemd-analyze", "verify", "/lib/systemd/system/sekisho.service").CombinedOutput(); err == nil {
		t.Logf("systemd-analyze verify: ok %s", a)
	}

	run := func(args ...string) string {
		t.Helper()
		b, err := exec.Command("runuser", append([]string{"-u", "sekisho", "--", "/usr/bin/sekisho"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("sekisho %v as user sekisho: %v\n%s", args, err, b)
		}
		return string(b)
	}
	if v := run("version"); !strings.Contains(v, "0.1.0+e2e") {
		t.Errorf("version: %s", v)
	}
	if c := run("config", "check", "/etc/sekisho/sekisho.toml"); !strings.Contains(c, "ok") {
		t.Errorf("config check: %s", c)
	}
	// The installed configuration names the data directory: commands run
	// by hand as sekisho use /var/lib/sekisho, not ~/.local/share.
	run("--config", "/etc/sekisho/sekisho.toml", "user", "list")
	if _, err := os.Stat("/var/lib/sekisho/.local"); err == nil {
		t.Error("a command run as sekisho wrote under ~/.local: data_dir not set in the installed configuration")
	}
	if _, err := os.Stat("/var/lib/sekisho/quarantine.db"); err != nil {
		t.Errorf("user list did not open /var/lib/sekisho/quarantine.db: %v", err)
	}

	// Start as systemd would (user sekisho, the installed configuration,
	// /var/lib/sekisho), on free ports, and mail through it.
	sk := startSink(t)
	cfgText, _ := os.ReadFile("/etc/sekisho/sekisho.toml")
	p := ports{milter: freePort(t), smtp: freePort(t), rspamd: freePort(t), console: freePort(t), spamd: freePort(t)}
	text := string(cfgText)
	for old, port := range map[string]int{"127.0.0.1:11332": p.milter, "127.0.0.1:10025": p.smtp, "127.0.0.1:11333": p.rspamd,
		"127.0.0.1:11334": p.console, "127.0.0.1:11783": p.spamd, "127.0.0.1:10026": sk.port} {
		if !strings.Contains(text, `"`+old+`"`) {
			t.Fatalf("installed configuration lacks %s", old)
		}
		text = strings.ReplaceAll(text, `"`+old+`"`, fmt.Sprintf(`"127.0.0.1:%d"`, port))
	}
	// Readable by the sekisho user: not under t.TempDir's 0700 parent.
	dir, err := os.MkdirTemp("", "sekisho-deb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	cfg := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfg, []byte(text), 0o644)
	s := &sekisho{log: &bytes.Buffer{}, mu: &sync.Mutex{}, p: p, done: make(chan error, 1), cfg: cfg}
	s.cmd = exec.Command("/usr/bin/sekisho", "--config", cfg, "serve")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	s.cmd.Stdout, s.cmd.Stderr = syncBuf{s.mu, s.log}, syncBuf{s.mu, s.log}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("installed sekisho did not stop cleanly: %v\n%s", err, s.Log())
			}
		case <-time.After(60 * time.Second):
			s.cmd.Process.Kill()
			t.Errorf("installed sekisho did not stop in time")
		}
	}
	t.Cleanup(stop) // before the purge (cleanups run last first)
	for _, port := range []int{p.smtp, p.rspamd, p.console} {
		s.waitPort(t, port)
	}
	if code, body := httpPost(t, p.rspamd, "/checkv2", hamMsg("deb-rspamd")); code != 200 || !strings.Contains(body, `"action"`) {
		t.Fatalf("checkv2: %d %s", code, body)
	}
	if err := sendMail(fmt.Sprintf("127.0.0.1:%d", p.smtp), "sender@example.net", "rcpt@example.jp", hamMsg("deb-smtp")); err != nil {
		t.Fatalf("mail through the installed gateway: %v\n%s", err, s.Log())
	}
	m := sk.waitFor(t, "deb-smtp", startTimeout)
	if !strings.Contains(string(m.Data), "X-Sekisho") && !strings.Contains(string(m.Data), "deb-smtp") {
		t.Errorf("relayed message: %s", m.Data)
	}
	if b, err := os.ReadFile("/var/lib/sekisho/sekisho.pid"); err != nil || len(b) == 0 {
		t.Errorf("serve did not use /var/lib/sekisho (no pid file): %v", err)
	}
	stop()
}

// lookupUser returns the uid and gid of a user from /etc/passwd.
func lookupUser(name string) (int, int, bool) {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return 0, 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) > 3 && f[0] == name {
			var uid, gid int
			fmt.Sscan(f[2], &uid)
			fmt.Sscan(f[3], &gid)
			return uid, gid, true
		}
	}
	return 0, 0, false
}

// sendMail sends one message with STARTTLS (the gateway's own certificate
// is self-signed: not verified here).
func sendMail(addr, from, to string, msg []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example.net"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
