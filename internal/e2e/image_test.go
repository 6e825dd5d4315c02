package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// TestContainerImage builds the container image with
// scripts/build-image.sh (no container engine: an OCI image layout whose
// configuration comes from packaging/container/Containerfile), checks the
// image configuration against the Containerfile, unpacks it with umoci
// (an implementation of the OCI image specification that is not ours),
// and runs the runtime configuration umoci derives from it — argv, user,
// environment, working directory — in the unpacked root, in a network
// namespace, as a container runtime would. It mails through the image's
// SMTP gateway and Rspamd port from the host over a veth pair, checks the
// health endpoint and that the state lands in the volume, owned by the
// image's user, and stops it.
//
// Needs root, umoci, nsenter and ip (CI runs as root on Debian).
func TestContainerImage(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.NoPeer(t, "the image test unpacks and runs the image in a chroot and a network namespace: needs root")
		return
	}
	needPeer(t, "umoci", "nsenter", "ip")
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	out := t.TempDir()
	bin := staticBinary(t, "0.1.0+e2e")
	build := exec.Command("bash", filepath.Join(repo, "scripts", "build-image.sh"), out)
	build.Dir = repo
	build.Env = append(os.Environ(), "SEKISHO_VERSION=0.1.0+e2e", "SEKISHO_BIN="+bin)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build-image.sh: %v\n%s", err, b)
	}
	layout := filepath.Join(out, "sekisho-image")
	if _, err := os.Stat(layout + ".tar"); err != nil {
		t.Errorf("no oci-archive: %v", err)
	}

	// The image configuration says what the Containerfile says.
	var index struct {
		Manifests []struct{ Digest string }
	}
	readJSON(t, filepath.Join(layout, "index.json"), &index)
	if len(index.Manifests) != 1 {
		t.Fatalf("index: %+v", index)
	}
	var manifest struct {
		Config struct{ Digest string }
		Layers []struct{ Digest, MediaType string }
	}
	readJSON(t, blobPath(layout, index.Manifests[0].Digest), &manifest)
	var image struct {
		Architecture, OS string
		Config           struct {
			User         string
			Entrypoint   []string
			Cmd          []string
			ExposedPorts map[string]struct{}
			Volumes      map[string]struct{}
		}
	}
	readJSON(t, blobPath(layout, manifest.Config.Digest), &image)
	cf, err := os.ReadFile(filepath.Join(repo, "packaging", "container", "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := json.Marshal(image.Config.Entrypoint)
	cmd, _ := json.Marshal(image.Config.Cmd)
	for _, want := range []string{"ENTRYPOINT " + string(bytes.ReplaceAll(ep, []byte(`","`), []byte(`", "`))),
		"CMD " + string(bytes.ReplaceAll(cmd, []byte(`","`), []byte(`", "`)))} {
		if !strings.Contains(string(cf), want) {
			t.Errorf("image configuration %q not in the Containerfile", want)
		}
	}
	if image.Config.User != "65532:65532" || image.OS != "linux" {
		t.Errorf("image user %q os %q: want the Containerfile's nonroot (65532)", image.Config.User, image.OS)
	}
	for _, p := range []string{"11332/tcp", "11333/tcp", "11334/tcp", "11783/tcp", "10025/tcp"} {
		if _, ok := image.Config.ExposedPorts[p]; !ok {
			t.Errorf("port %s not exposed", p)
		}
	}
	if _, ok := image.Config.Volumes["/var/lib/sekisho"]; !ok {
		t.Errorf("no volume /var/lib/sekisho: %v", image.Config.Volumes)
	}

	// Unpacked by umoci, run as its runtime configuration says.
	bundle := filepath.Join(t.TempDir(), "bundle")
	if b, err := exec.Command("umoci", "unpack", "--image", layout+":sekisho:0.1.0+e2e", bundle).CombinedOutput(); err != nil {
		t.Fatalf("umoci unpack: %v\n%s", err, b)
	}
	os.Chmod(filepath.Dir(bundle), 0o755)
	var rt struct {
		Process struct {
			User struct{ UID, GID int }
			Args []string
			Env  []string
			Cwd  string
		}
		Root struct{ Path string }
	}
	readJSON(t, filepath.Join(bundle, "config.json"), &rt)
	if rt.Process.User.UID != 65532 || len(rt.Process.Args) == 0 || rt.Process.Args[0] != "/usr/bin/sekisho" || rt.Process.Args[len(rt.Process.Args)-1] != "serve" {
		t.Fatalf("runtime configuration: %+v", rt.Process)
	}
	rootfs := filepath.Join(bundle, rt.Root.Path)
	for _, f := range []string{"usr/bin/sekisho", "etc/passwd", "etc/ssl/certs/ca-certificates.crt"} {
		if _, err := os.Stat(filepath.Join(rootfs, f)); err != nil {
			t.Errorf("image lacks /%s", f)
		}
	}
	if st, err := os.Stat(filepath.Join(rootfs, "var/lib/sekisho")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
		t.Fatalf("volume /var/lib/sekisho not the image user's: %v", err)
	}

	// A runtime publishes the ports; here the host reaches the image's
	// 0.0.0.0 listeners over the veth pair. The configuration is the
	// image's own but for the next hop (a sink on the host side), as an
	// administrator's mounted file would say.
	ns := newNetns(t)
	sk := testutil.SMTPSinkAt(t, ns.Host+":0")
	cfgPath := filepath.Join(rootfs, "etc", "sekisho", "sekisho.toml")
	cfgText, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(cfgText)
	for _, want := range []string{`listen = "0.0.0.0:10025"`, `listen = "0.0.0.0:11333"`, `listen = "0.0.0.0:11334"`, `data_dir = "/var/lib/sekisho"`} {
		if !strings.Contains(text, want) {
			t.Errorf("image configuration lacks %s", want)
		}
	}
	text = strings.ReplaceAll(text, `"127.0.0.1:10026"`, fmt.Sprintf("%q", sk.Addr))
	if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	mountRuntime(t, rootfs)
	start := time.Now()
	d := startIn(t, ns, rootfs, rt.Process.Cwd, rt.Process.Env,
		[]string{fmt.Sprintf("--setuid=%d", rt.Process.User.UID), fmt.Sprintf("--setgid=%d", rt.Process.User.GID)}, rt.Process.Args)
	for _, port := range []string{"10025", "11333", "11334"} {
		waitAddr(t, ns.Inside+":"+port, startTimeout, d.Log)
	}
	t.Logf("image's sekisho listening %v after start", time.Since(start).Round(time.Millisecond))
	hc := &http.Client{Timeout: time.Minute}
	resp, err := hc.Get("http://" + ns.Inside + ":11334/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz: %v %v", err, resp)
	}
	if resp != nil {
		resp.Body.Close()
	}
	resp, err = hc.Post("http://"+ns.Inside+":11333/checkv2", "message/rfc822", bytes.NewReader(hamMsg("image-rspamd")))
	if err != nil {
		t.Fatalf("checkv2 from the host: %v\n%s", err, d.Log())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"action"`) {
		t.Fatalf("checkv2: %d %s", resp.StatusCode, body)
	}
	if err := sendMail(ns.Inside+":10025", "sender@example.net", "rcpt@example.jp", hamMsg("image-smtp")); err != nil {
		t.Fatalf("mail through the image's gateway: %v\n%s", err, d.Log())
	}
	if m := sk.WaitFor(t, "image-smtp", startTimeout); !strings.Contains(string(m.Data), "X-Sekisho") {
		t.Errorf("relayed message lacks sekisho's headers: %.600s", m.Data)
	}
	// podman kill -s HUP: reload, and mail still flows.
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := sendMail(ns.Inside+":10025", "sender@example.net", "rcpt@example.jp", hamMsg("image-after-hup")); err != nil {
		t.Fatalf("mail after SIGHUP: %v\n%s", err, d.Log())
	}
	sk.WaitFor(t, "image-after-hup", startTimeout)
	d.stop()
	if st, err := os.Stat(filepath.Join(rootfs, "var/lib/sekisho/quarantine.db")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
		t.Errorf("state not in the volume as the image's user: %v", err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func blobPath(layout, digest string) string {
	alg, hex, _ := strings.Cut(digest, ":")
	return filepath.Join(layout, "blobs", alg, hex)
}
