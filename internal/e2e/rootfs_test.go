package e2e

// A fresh Debian root and a network namespace for the deployment tests
// (TestDebianPackage, TestContainerImage): the package is installed, and
// the image unpacked, into a system that has never seen sekisho, and the
// daemon is started there without systemd and reached from the host over
// a veth pair.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
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

// debianSuite is the release of the fresh root.
const debianSuite = "bookworm"

// rootfsCache is where the debootstrapped root is kept between runs:
// SEKISHO_ROOTFS_CACHE, else the user's cache directory.
func rootfsCache() string {
	if d := os.Getenv("SEKISHO_ROOTFS_CACHE"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "sekisho", "rootfs")
}

// aptMirror returns the Debian mirror this machine's apt uses
// (SEKISHO_DEBIAN_MIRROR overrides it): the first URI of a deb822
// .sources file or a "deb" line of sources.list that is not the security
// archive.
func aptMirror() string {
	if m := os.Getenv("SEKISHO_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "URIs:"); ok {
				for _, u := range strings.Fields(v) {
					if !strings.Contains(u, "security") && strings.HasPrefix(u, "http") {
						return u
					}
				}
			}
		}
	}
	lists, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	for _, f := range append([]string{"/etc/apt/sources.list"}, lists...) {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 3 || fs[0] != "deb" {
				continue
			}
			i := 1
			if strings.HasPrefix(fs[i], "[") {
				for i < len(fs) && !strings.HasSuffix(fs[i], "]") {
					i++
				}
				i++
			}
			if i < len(fs) && strings.HasPrefix(fs[i], "http") && !strings.Contains(fs[i], "security") {
				fh.Close()
				return fs[i]
			}
		}
		fh.Close()
	}
	return "http://deb.debian.org/debian"
}

var rootfsMu sync.Mutex

// cachedDebianRoot returns a Debian root made by `debootstrap
// --variant=minbase` from the configured mirror, building it on first
// use (about a minute and a half, 210 MB) and keeping it under
// rootfsCache() for later runs. Callers never write into it: see
// freshDebianRoot.
func cachedDebianRoot(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		testutil.NoPeer(t, "a Debian root for the deployment tests needs root (chroot, mount, network namespaces)")
	}
	needPeer(t, "debootstrap", "chroot", "ip", "setpriv", "unshare")
	rootfsMu.Lock()
	defer rootfsMu.Unlock()
	cache := rootfsCache()
	dir := filepath.Join(cache, debianSuite+"-minbase-"+runtime.GOARCH)
	if _, err := os.Stat(filepath.Join(dir, "usr", "bin", "dpkg")); err == nil {
		return dir
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	// Another test process may be building it: one at a time.
	lock, err := os.OpenFile(filepath.Join(cache, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "usr", "bin", "dpkg")); err == nil {
		return dir
	}
	tmp := dir + ".partial"
	os.RemoveAll(tmp)
	mirror := aptMirror()
	start := time.Now()
	cmd := exec.Command("debootstrap", "--variant=minbase", "--include=adduser", debianSuite, tmp, mirror)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		testutil.NoPeer(t, "debootstrap %s from %s failed (no mirror?): %v\n%s", debianSuite, mirror, err, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("debootstrap --variant=minbase %s from %s: %v (cached in %s)", debianSuite, mirror, time.Since(start).Round(time.Second), dir)
	return dir
}

// freshDebianRoot returns a writable copy of the cached root for this
// test alone: an overlay mount on the cache (a copy where overlayfs is
// refused), removed when the test ends.
func freshDebianRoot(t *testing.T) string {
	t.Helper()
	lower := cachedDebianRoot(t)
	base := t.TempDir()
	os.Chmod(base, 0o755) // the root's users must reach their files
	up, work, merged := filepath.Join(base, "up"), filepath.Join(base, "work"), filepath.Join(base, "root")
	for _, d := range []string{up, work, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, up, work)
	if err := syscall.Mount("overlay", merged, "overlay", 0, opts); err == nil {
		t.Cleanup(func() {
			if err := syscall.Unmount(merged, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", merged, err)
			}
		})
		return merged
	}
	if out, err := exec.Command("cp", "-a", lower+"/.", merged).CombinedOutput(); err != nil {
		t.Fatalf("copy the Debian root: %v\n%s", err, out)
	}
	return merged
}

// netns is a network namespace joined to the host by a veth pair: the
// host side has Host, the namespace side Inside (a /30).
type netns struct {
	Name         string
	Host, Inside string
}

// newNetns creates a network namespace with loopback up and a veth pair
// to the host; it is deleted when the test ends.
func newNetns(t *testing.T) *netns {
	t.Helper()
	var rb [3]byte
	rand.Read(rb[:])
	tag := hex.EncodeToString(rb[:])
	n := &netns{Name: "sekisho-e2e-" + tag}
	// 10.213.X.Y/30 from the random tag: tests running at once do not
	// share a subnet (a collision fails on "address in use" and is
	// retried by the next run).
	x, y := int(rb[0]), int(rb[1]&0xfc)
	n.Host, n.Inside = fmt.Sprintf("10.213.%d.%d", x, y+1), fmt.Sprintf("10.213.%d.%d", x, y+2)
	hv, cv := "skh"+tag, "skc"+tag
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", n.Name)
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", hv).Run()
		if out, err := exec.Command("ip", "netns", "del", n.Name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v %s", n.Name, err, out)
		}
	})
	ip("link", "add", hv, "type", "veth", "peer", "name", cv)
	ip("link", "set", cv, "netns", n.Name)
	ip("addr", "add", n.Host+"/30", "dev", hv)
	ip("link", "set", hv, "up")
	ip("netns", "exec", n.Name, "ip", "link", "set", "lo", "up")
	ip("netns", "exec", n.Name, "ip", "addr", "add", n.Inside+"/30", "dev", cv)
	ip("netns", "exec", n.Name, "ip", "link", "set", cv, "up")
	// The link takes a moment to come up.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, _ := exec.Command("ip", "-br", "link", "show", hv).Output(); strings.Contains(string(out), "UP") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

// waitAddr waits until addr accepts TCP connections.
func waitAddr(t *testing.T, addr string, d time.Duration, log func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never opened\n%s", addr, log())
}

var (
	staticOnce sync.Once
	staticPath string
	staticErr  error
)

// staticBinary builds cmd/sekisho as the package and the image ship it
// (CGO_ENABLED=0: a static binary that needs nothing of the system it
// runs on), once per test process.
func staticBinary(t *testing.T, version string) string {
	t.Helper()
	staticOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sekisho-static-")
		if err != nil {
			staticErr = err
			return
		}
		staticPath = filepath.Join(dir, "sekisho")
		root, _ := filepath.Abs(filepath.Join("..", ".."))
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", staticPath, "./cmd/sekisho")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			staticErr = fmt.Errorf("go build (CGO_ENABLED=0): %v\n%s", err, out)
		}
	})
	if staticErr != nil {
		t.Fatal(staticErr)
	}
	return staticPath
}

// mountRuntime mounts what a service manager or container runtime gives
// a daemon (/proc, /dev) into root; unmounted when the test ends.
func mountRuntime(t *testing.T, root string) {
	t.Helper()
	for _, m := range []struct{ src, dir, fstype string }{{"proc", "proc", "proc"}, {"/dev", "dev", ""}} {
		dir := filepath.Join(root, m.dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var flags uintptr
		if m.fstype == "" {
			flags = syscall.MS_BIND
		}
		if err := syscall.Mount(m.src, dir, m.fstype, flags, ""); err != nil {
			t.Fatalf("mount %s on %s: %v", m.src, dir, err)
		}
		t.Cleanup(func() {
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
		})
	}
}

// daemon is a sekisho started in a root and a network namespace.
type daemon struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   sync.Mutex
	done chan error
	stop func()
}

func (d *daemon) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// startIn runs argv (its program a path inside root) in root and the
// namespace with env. nsenter enters the namespace, the root and the
// working directory (nsOpts: e.g. --setuid, --setgid), then execs argv;
// every wrapper execs, so the process is sekisho itself: SIGTERM reaches
// it. stop (also run when the test ends) sends SIGTERM and waits.
func startIn(t *testing.T, ns *netns, root, wd string, env, nsOpts, argv []string) *daemon {
	t.Helper()
	args := append([]string{"--net=/var/run/netns/" + ns.Name, "--root=" + root, "--wd=" + wd}, nsOpts...)
	args = append(append(args, "--"), argv...)
	d := &daemon{log: &bytes.Buffer{}, done: make(chan error, 1)}
	d.cmd = exec.Command("nsenter", args...)
	d.cmd.Env = env
	d.cmd.Stdout, d.cmd.Stderr = syncBuf{&d.mu, d.log}, syncBuf{&d.mu, d.log}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	stopped := false
	d.stop = func() {
		if stopped {
			return
		}
		stopped = true
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-d.done:
			if err != nil {
				t.Errorf("sekisho did not stop cleanly: %v\n%s", err, d.Log())
			}
		case <-time.After(60 * time.Second):
			d.cmd.Process.Kill()
			t.Errorf("sekisho did not stop in time\n%s", d.Log())
		}
	}
	t.Cleanup(d.stop)
	return d
}
