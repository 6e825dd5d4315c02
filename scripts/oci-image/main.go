// Command oci-image assembles sekisho's container image without a
// container engine: an OCI image layout (directory, and the same as an
// oci-archive tar) whose configuration — ENTRYPOINT, CMD, USER, EXPOSE,
// VOLUME, ENV, WORKDIR, LABEL — is read from the final stage of
// packaging/container/Containerfile, and whose two layers are
//
//   - a distroless-like base: /etc/passwd and /etc/group with root,
//     nobody and nonroot (65532), /etc/nsswitch.conf, /tmp (1777), and
//     the build host's CA bundle and time zone data when present (both
//     from Debian's ca-certificates and tzdata packages);
//   - the files given with -add and -dir (the static binary, the
//     configuration, the data directory owned by nonroot).
//
// Output is reproducible: entries sorted, times SOURCE_DATE_EPOCH (or 0),
// owners numeric. Load it with `podman load -i FILE.tar`, `skopeo copy
// oci-archive:FILE.tar docker://REGISTRY/sekisho:TAG`, or unpack the
// layout with umoci. Used by scripts/build-image.sh (docs/deploy.md).
//
// It imports nothing of sekisho.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// The base's accounts (as distroless's).
var accounts = map[string][2]int{"root": {0, 0}, "nobody": {65534, 65534}, "nonroot": {65532, 65532}}

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group  = "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"
)

func main() {
	var adds, dirs listFlag
	containerfile := flag.String("containerfile", "packaging/container/Containerfile", "Containerfile whose final stage gives the image configuration")
	out := flag.String("out", "", "OCI image layout directory to write (required); DIR.tar is the same as an oci-archive")
	tag := flag.String("tag", "sekisho:latest", "reference name in the layout's index")
	arch := flag.String("arch", runtime.GOARCH, "image architecture (GOARCH)")
	flag.Var(&adds, "add", "SRC=DST[:MODE[:UID:GID]]: a file of the application layer (mode octal, default 0644)")
	flag.Var(&dirs, "dir", "DST[:MODE[:UID:GID]]: a directory of the application layer (default 0755)")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*containerfile, *out, *tag, *arch, adds, dirs); err != nil {
		fmt.Fprintln(os.Stderr, "oci-image:", err)
		os.Exit(1)
	}
}

// imageConfig is the OCI image configuration's "config" object.
type imageConfig struct {
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
}

// parseContainerfile reads the final stage's configuration instructions
// (RUN, COPY and FROM are the build's, not the image's, and are skipped).
func parseContainerfile(file string) (imageConfig, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return imageConfig{}, err
	}
	// Join continuation lines.
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	var c imageConfig
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		ins, arg, _ := strings.Cut(l, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToUpper(ins) {
		case "FROM":
			c = imageConfig{} // a new stage: only the last one counts
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(arg), &v); err != nil {
				return c, fmt.Errorf("%s: %s needs the JSON (exec) form: %v", file, ins, err)
			}
			if strings.ToUpper(ins) == "ENTRYPOINT" {
				c.Entrypoint = v
			} else {
				c.Cmd = v
			}
		case "USER":
			c.User = arg
		case "WORKDIR":
			c.WorkingDir = arg
		case "STOPSIGNAL":
			c.StopSignal = arg
		case "EXPOSE":
			if c.ExposedPorts == nil {
				c.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range strings.Fields(arg) {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				c.ExposedPorts[p] = struct{}{}
			}
		case "VOLUME":
			if c.Volumes == nil {
				c.Volumes = map[string]struct{}{}
			}
			var v []string
			if json.Unmarshal([]byte(arg), &v) != nil {
				v = strings.Fields(arg)
			}
			for _, p := range v {
				c.Volumes[p] = struct{}{}
			}
		case "ENV":
			k, v, ok := strings.Cut(arg, "=")
			if !ok {
				k, v, _ = strings.Cut(arg, " ")
			}
			c.Env = append(c.Env, strings.TrimSpace(k)+"="+strings.Trim(strings.TrimSpace(v), `"`))
		case "LABEL":
			k, v, _ := strings.Cut(arg, "=")
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			c.Labels[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	if len(c.Entrypoint) == 0 {
		return c, fmt.Errorf("%s: no ENTRYPOINT in the final stage", file)
	}
	// USER by name: the base's numeric ids (a runtime needs no passwd
	// lookup, and Kubernetes' runAsNonRoot can check it).
	if id, ok := accounts[c.User]; ok {
		c.User = fmt.Sprintf("%d:%d", id[0], id[1])
	}
	if !hasEnv(c.Env, "PATH") {
		c.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, c.Env...)
	}
	if c.WorkingDir == "" {
		c.WorkingDir = "/"
	}
	return c, nil
}

func hasEnv(env []string, k string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, k+"=") {
			return true
		}
	}
	return false
}

// entry is one file or directory of a layer.
type entry struct {
	name     string // without leading slash
	dir      bool
	mode     int64
	uid, gid int
	data     []byte
	link     string // symlink target
}

// layer writes entries (with their parent directories) as a sorted,
// reproducible tar; it returns the gzip blob and the tar's digest.
func layer(es []entry, mtime time.Time) (gz []byte, diffID string, err error) {
	seen := map[string]bool{}
	var all []entry
	for _, e := range es {
		seen[e.name] = true
	}
	for _, e := range es {
		for d := path.Dir(e.name); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			all = append(all, entry{name: d, dir: true, mode: 0o755})
		}
		all = append(all, e)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, e := range all {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: mtime, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Name = tar.TypeDir, e.name+"/"
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, "", err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, "", err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(raw.Bytes())
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.ModTime = mtime
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return z.Bytes(), "sha256:" + hex.EncodeToString(sum[:]), nil
}

// baseLayer is the distroless-like base.
func baseLayer() []entry {
	es := []entry{
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("passwd: files\ngroup: files\nhosts: files dns\n")},
		{name: "tmp", dir: true, mode: 0o1777},
		{name: "home/nonroot", dir: true, mode: 0o700, uid: 65532, gid: 65532},
		{name: "root", dir: true, mode: 0o700},
	}
	// Trust anchors and time zones from the build host's Debian
	// packages (ca-certificates, tzdata), as distroless ships them.
	if b, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		es = append(es, entry{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: b})
	} else {
		fmt.Fprintln(os.Stderr, "oci-image: no /etc/ssl/certs/ca-certificates.crt (Debian package ca-certificates): the image has no CA bundle")
	}
	const zi = "/usr/share/zoneinfo"
	_ = filepath.WalkDir(zi, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := strings.TrimPrefix(p, "/")
		switch {
		case d.IsDir():
			if p != zi {
				es = append(es, entry{name: rel, dir: true, mode: 0o755})
			}
		case d.Type()&fs.ModeSymlink != 0:
			if t, err := os.Readlink(p); err == nil {
				es = append(es, entry{name: rel, link: t, mode: 0o777})
			}
		case d.Type().IsRegular():
			if b, err := os.ReadFile(p); err == nil {
				es = append(es, entry{name: rel, mode: 0o644, data: b})
			}
		}
		return nil
	})
	return es
}

// parseOwner reads "MODE[:UID:GID]" with a default mode.
func parseOwner(spec string, defMode int64) (mode int64, uid, gid int, err error) {
	mode = defMode
	if spec == "" {
		return
	}
	f := strings.Split(spec, ":")
	if f[0] != "" {
		if mode, err = strconv.ParseInt(f[0], 8, 32); err != nil {
			return
		}
	}
	if len(f) == 3 {
		if uid, err = strconv.Atoi(f[1]); err != nil {
			return
		}
		gid, err = strconv.Atoi(f[2])
	} else if len(f) != 1 {
		err = fmt.Errorf("%q: want MODE or MODE:UID:GID", spec)
	}
	return
}

func appLayer(adds, dirs []string) ([]entry, error) {
	var es []entry
	for _, a := range adds {
		src, rest, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("-add %q: want SRC=DST[:MODE[:UID:GID]]", a)
		}
		dst, spec, _ := strings.Cut(rest, ":")
		mode, uid, gid, err := parseOwner(spec, 0o644)
		if err != nil {
			return nil, fmt.Errorf("-add %q: %v", a, err)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		es = append(es, entry{name: strings.TrimPrefix(path.Clean(dst), "/"), mode: mode, uid: uid, gid: gid, data: b})
	}
	for _, d := range dirs {
		dst, spec, _ := strings.Cut(d, ":")
		mode, uid, gid, err := parseOwner(spec, 0o755)
		if err != nil {
			return nil, fmt.Errorf("-dir %q: %v", d, err)
		}
		es = append(es, entry{name: strings.TrimPrefix(path.Clean(dst), "/"), dir: true, mode: mode, uid: uid, gid: gid})
	}
	return es, nil
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *platform         `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

func run(containerfile, out, tag, arch string, adds, dirs []string) error {
	cfg, err := parseContainerfile(containerfile)
	if err != nil {
		return err
	}
	mtime := time.Unix(0, 0).UTC()
	if v, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		mtime = time.Unix(v, 0).UTC()
	}
	app, err := appLayer(adds, dirs)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	blobs := filepath.Join(out, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	put := func(b []byte) (string, error) {
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		return "sha256:" + h, os.WriteFile(filepath.Join(blobs, h), b, 0o644)
	}
	var layers []descriptor
	var diffIDs []string
	for _, es := range [][]entry{baseLayer(), app} {
		gz, diffID, err := layer(es, mtime)
		if err != nil {
			return err
		}
		d, err := put(gz)
		if err != nil {
			return err
		}
		layers = append(layers, descriptor{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: d, Size: int64(len(gz))})
		diffIDs = append(diffIDs, diffID)
	}
	created := mtime.Format(time.RFC3339)
	config := map[string]any{
		"created":      created,
		"architecture": arch,
		"os":           "linux",
		"config":       cfg,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": []map[string]string{
			{"created": created, "created_by": "oci-image: distroless-like base (passwd, group, CA bundle, zoneinfo)"},
			{"created": created, "created_by": "oci-image: application layer, configuration from " + filepath.Base(containerfile)},
		},
	}
	cb, err := json.Marshal(config)
	if err != nil {
		return err
	}
	cd, err := put(cb)
	if err != nil {
		return err
	}
	manifest := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: cd, Size: int64(len(cb))},
		"layers":        layers,
	}
	mb, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	md, err := put(mb)
	if err != nil {
		return err
	}
	index := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests": []descriptor{{MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: md, Size: int64(len(mb)),
			Annotations: map[string]string{"org.opencontainers.image.ref.name": tag}, Platform: &platform{arch, "linux"}}},
	}
	ib, err := json.Marshal(index)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "index.json"), ib, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		return err
	}
	if err := archive(out, out+".tar", mtime); err != nil {
		return err
	}
	fmt.Printf("%s\n%s.tar\n%s\n", out, out, md)
	return nil
}

// archive writes the layout directory as a tar (an oci-archive).
func archive(dir, file string, mtime time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, p := range names {
		rel, _ := filepath.Rel(dir, p)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: mtime, Format: tar.FormatPAX}
		if st.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(b))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}
