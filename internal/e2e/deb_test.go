package e2e

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestDebianPackage builds the package with scripts/build-deb.sh and
// installs it with dpkg -i into a fresh Debian root (debootstrap
// --variant=minbase of bookworm from the configured apt mirror, cached
// between runs, a new overlay for each run: see rootfs_test.go). There it
// checks what the package put where (binary, unit, default
// configuration, system user, data directory) and runs `sekisho version`,
// `config check` and `user list` as the package's user. Then it starts
// the daemon without systemd the way the installed unit says (ExecStart,
// User/Group, capabilities, no new privileges, umask, environment) in a
// network namespace with the SMTP gateway on port 25 of its own address,
// mails through it from the host over a veth pair (Rspamd protocol and
// SMTP, relayed to a sink on the host side), reloads it as ExecReload
// does and mails again, stops it, and removes the package (dpkg --purge).
//
// Needs root, debootstrap, nsenter and ip (CI runs as root on Debian);
// the host's own system is not touched.
func TestDebianPackage(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.NoPeer(t, "the package test installs into a chroot and a network namespace: needs root")
		return
	}
	needPeer(t, "dpkg-deb", "nsenter")
	root := freshDebianRoot(t)
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	out := t.TempDir()
	// Static as the script builds it (CGO_ENABLED=0), without -trimpath:
	// the build cache serves it. The rest of the script (layout, control
	// file, maintainer scripts) is what it runs.
	bin := staticBinary(t, "0.1.0+e2e")
	build := exec.Command("bash", filepath.Join(repo, "scripts", "build-deb.sh"), out)
	build.Dir = repo
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

	// In the root: chroot with a plain system PATH.
	sysEnv := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive"}
	inRoot := func(args ...string) string {
		t.Helper()
		c := exec.Command("chroot", append([]string{root}, args...)...)
		c.Env = sysEnv
		b, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("in the root: %v: %v\n%s", args, err, b)
		}
		return string(b)
	}
	if err := copyFile(deb, filepath.Join(root, "tmp", filepath.Base(deb)), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	inRoot("dpkg", "-i", "/tmp/"+filepath.Base(deb))
	t.Logf("dpkg -i in a fresh %s root: %v", debianSuite, time.Since(start).Round(time.Millisecond))
	at := func(p string) string { return filepath.Join(root, p) }

	// Files, modes, owners.
	for path, mode := range map[string]os.FileMode{
		"/usr/bin/sekisho": 0o755, "/lib/systemd/system/sekisho.service": 0o644, "/etc/sekisho/sekisho.toml": 0o640,
		"/usr/share/doc/sekisho/deploy.md": 0o644, "/usr/share/doc/sekisho/deploy.ja.md": 0o644,
		"/usr/share/doc/sekisho/sekisho-dashboard.json": 0o644,
	} {
		st, err := os.Stat(at(path))
		if err != nil {
			t.Errorf("not installed: %s", path)
			continue
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
	uid, gid, ok := lookupUser(at("/etc/passwd"), "sekisho")
	if !ok {
		t.Fatal("postinst did not create the sekisho user")
	}
	if uid >= 1000 || uid == 0 {
		t.Errorf("sekisho user uid %d: not a system user", uid)
	}
	if st, err := os.Stat(at("/var/lib/sekisho")); err != nil || st.Sys().(*syscall.Stat_t).Uid != uint32(uid) || st.Mode().Perm() != 0o750 {
		t.Fatalf("/var/lib/sekisho: %v %v", err, st)
	}
	if st, err := os.Stat(at("/etc/sekisho/sekisho.toml")); err == nil && st.Sys().(*syscall.Stat_t).Gid != uint32(gid) {
		t.Errorf("/etc/sekisho/sekisho.toml: group %d, want sekisho (%d)", st.Sys().(*syscall.Stat_t).Gid, gid)
	}
	unitText, _ := os.ReadFile(at("/lib/systemd/system/sekisho.service"))
	for _, want := range []string{"User=sekisho", "ProtectSystem=strict", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "ExecReload=", "NoNewPrivileges=yes"} {
		if !strings.Contains(string(unitText), want) {
			t.Errorf("unit lacks %s", want)
		}
	}
	if a, err := exec.Command("systemd-analyze", "verify", at("/lib/systemd/system/sekisho.service")).CombinedOutput(); err == nil {
		t.Logf("systemd-analyze verify: ok %s", a)
	}

	asUser := func(args ...string) string {
		t.Helper()
		return inRoot(append([]string{"runuser", "-u", "sekisho", "--", "/usr/bin/sekisho"}, args...)...)
	}
	if v := asUser("version"); !strings.Contains(v, "0.1.0+e2e") {
		t.Errorf("version: %s", v)
	}
	if c := asUser("config", "check", "/etc/sekisho/sekisho.toml"); !strings.Contains(c, "ok") {
		t.Errorf("config check: %s", c)
	}
	// The installed configuration names the data directory: commands run
	// by hand as sekisho use /var/lib/sekisho, not ~/.local/share.
	asUser("--config", "/etc/sekisho/sekisho.toml", "user", "list")
	if _, err := os.Stat(at("/var/lib/sekisho/.local")); err == nil {
		t.Error("a command run as sekisho wrote under ~/.local: data_dir not set in the installed configuration")
	}
	if _, err := os.Stat(at("/var/lib/sekisho/quarantine.db")); err != nil {
		t.Errorf("user list did not open /var/lib/sekisho/quarantine.db: %v", err)
	}

	// The administrator's edit of the conffile: the front ends on the
	// namespace's address, the SMTP gateway on port 25 (the unit's
	// CAP_NET_BIND_SERVICE), the next hop a sink on the host side.
	ns := newNetns(t)
	sk := testutil.SMTPSinkAt(t, ns.Host+":0")
	cfgPath := at("/etc/sekisho/sekisho.toml")
	cfgText, _ := os.ReadFile(cfgPath)
	text := string(cfgText)
	for old, addr := range map[string]string{"127.0.0.1:11332": ns.Inside + ":11332", "127.0.0.1:10025": ns.Inside + ":25",
		"127.0.0.1:11333": ns.Inside + ":11333", "127.0.0.1:11334": ns.Inside + ":11334", "127.0.0.1:11783": ns.Inside + ":11783",
		"127.0.0.1:10026": sk.Addr} {
		if !strings.Contains(text, `"`+old+`"`) {
			t.Fatalf("installed configuration lacks %s", old)
		}
		text = strings.ReplaceAll(text, `"`+old+`"`, `"`+addr+`"`)
	}
	if err := os.WriteFile(cfgPath, []byte(text), 0o640); err != nil {
		t.Fatal(err)
	}
	mountRuntime(t, root)
	env, wrap, argv := unitExec(t, root, string(unitText))
	t.Logf("started as the unit says: %s %s", strings.Join(wrap, " "), strings.Join(argv, " "))
	start = time.Now()
	d := startIn(t, ns, root, "/", env, nil, append(wrap, argv...))
	for _, port := range []string{"25", "11333", "11334"} {
		waitAddr(t, ns.Inside+":"+port, startTimeout, d.Log)
	}
	t.Logf("listening %v after start", time.Since(start).Round(time.Millisecond))
	hc := &http.Client{Timeout: time.Minute}
	resp, err := hc.Post("http://"+ns.Inside+":11333/checkv2", "message/rfc822", bytes.NewReader(hamMsg("deb-rspamd")))
	if err != nil {
		t.Fatalf("checkv2 from the host: %v\n%s", err, d.Log())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"action"`) {
		t.Fatalf("checkv2: %d %s", resp.StatusCode, body)
	}
	if err := sendMail(ns.Inside+":25", "sender@example.net", "rcpt@example.jp", hamMsg("deb-smtp")); err != nil {
		t.Fatalf("mail through the installed gateway: %v\n%s", err, d.Log())
	}
	if m := sk.WaitFor(t, "deb-smtp", startTimeout); !strings.Contains(string(m.Data), "X-Sekisho") {
		t.Errorf("relayed message lacks sekisho's headers: %.600s", m.Data)
	}
	if b, err := os.ReadFile(at("/var/lib/sekisho/sekisho.pid")); err != nil || len(b) == 0 {
		t.Errorf("serve did not use /var/lib/sekisho (no pid file): %v", err)
	}
	// ExecReload=/bin/kill -HUP $MAINPID: the process started is sekisho
	// itself (every wrapper execs).
	if !strings.Contains(string(unitText), "ExecReload=/bin/kill -HUP $MAINPID") {
		t.Errorf("unit's ExecReload is not kill -HUP")
	}
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(strings.ToLower(d.Log()), "reload") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := sendMail(ns.Inside+":25", "sender@example.net", "rcpt@example.jp", hamMsg("deb-after-reload")); err != nil {
		t.Fatalf("mail after the reload: %v\n%s", err, d.Log())
	}
	sk.WaitFor(t, "deb-after-reload", startTimeout)
	d.stop()
	if st, err := os.Stat(at("/var/lib/sekisho/quarantine.db")); err != nil || st.Sys().(*syscall.Stat_t).Uid != uint32(uid) {
		t.Errorf("quarantine.db not the sekisho user's: %v", err)
	}

	inRoot("dpkg", "--purge", "sekisho")
	for _, f := range []string{"/usr/bin/sekisho", "/lib/systemd/system/sekisho.service", "/etc/sekisho/sekisho.toml"} {
		if _, err := os.Stat(at(f)); err == nil {
			t.Errorf("%s left after dpkg --purge", f)
		}
	}
}

// unitExec turns a systemd unit's [Service] into what starts the daemon
// without systemd: the environment (Environment=, EnvironmentFile=, the
// user's HOME, USER, LOGNAME), a wrapper run inside the root (a shell
// for UMask=, then setpriv for User=, Group=, AmbientCapabilities=,
// CapabilityBoundingSet= and NoNewPrivileges=) and ExecStart's argv.
func unitExec(t *testing.T, root, unit string) (env, wrap, argv []string) {
	t.Helper()
	var user, group, umask string
	var caps, bounding []string
	nnp := false
	env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if l[0] == '[' {
			section = l
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || section != "[Service]" {
			continue
		}
		switch k {
		case "ExecStart":
			argv = strings.Fields(strings.TrimLeft(v, "-@:+!"))
		case "User":
			user = v
		case "Group":
			group = v
		case "UMask":
			umask = v
		case "NoNewPrivileges":
			nnp = v == "yes" || v == "true"
		case "AmbientCapabilities":
			for _, c := range strings.Fields(v) {
				caps = append(caps, "+"+strings.ToLower(strings.TrimPrefix(c, "CAP_")))
			}
		case "CapabilityBoundingSet":
			for _, c := range strings.Fields(v) {
				bounding = append(bounding, "+"+strings.ToLower(strings.TrimPrefix(c, "CAP_")))
			}
		case "Environment":
			for _, kv := range strings.Fields(v) {
				env = append(env, strings.Trim(kv, `"`))
			}
		case "EnvironmentFile":
			optional := strings.HasPrefix(v, "-")
			b, err := os.ReadFile(filepath.Join(root, strings.TrimPrefix(v, "-")))
			if err != nil {
				if !optional {
					t.Fatalf("EnvironmentFile %s: %v", v, err)
				}
				continue
			}
			for _, el := range strings.Split(string(b), "\n") {
				if el = strings.TrimSpace(el); el != "" && el[0] != '#' && strings.Contains(el, "=") {
					env = append(env, el)
				}
			}
		}
	}
	if len(argv) == 0 || user == "" {
		t.Fatalf("unit without ExecStart or User:\n%s", unit)
	}
	if group == "" {
		group = user
	}
	home := "/"
	if b, err := os.ReadFile(filepath.Join(root, "etc", "passwd")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Split(l, ":"); len(f) > 5 && f[0] == user {
				home = f[5]
			}
		}
	}
	env = append(env, "HOME="+home, "USER="+user, "LOGNAME="+user)
	if umask != "" {
		wrap = append(wrap, "/bin/sh", "-c", `umask "$0" && exec "$@"`, umask)
	}
	wrap = append(wrap, "/usr/bin/setpriv", "--reuid="+user, "--regid="+group, "--init-groups")
	if len(caps) > 0 {
		wrap = append(wrap, "--inh-caps="+strings.Join(caps, ","), "--ambient-caps="+strings.Join(caps, ","))
	}
	if len(bounding) > 0 {
		wrap = append(wrap, "--bounding-set=-all,"+strings.Join(bounding, ","))
	}
	if nnp {
		wrap = append(wrap, "--no-new-privs")
	}
	return env, append(wrap, "--"), argv
}

// copyFile copies a file with the given mode.
func copyFile(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}

// lookupUser returns the uid and gid of a user from a passwd file.
func lookupUser(passwd, name string) (int, int, bool) {
	b, err := os.ReadFile(passwd)
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
