package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestInitCheap: no package initialiser does heavy work every command
// pays (an argon2id hash at init cost 64 MiB and about a second of CPU,
// even for `sekisho version`). Measured in bytes allocated, which a
// loaded host does not change, through Go's inittrace.
func TestInitCheap(t *testing.T) {
	cmd := exec.Command(sekishoBin(t), "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("version: %v\n%s", err, errb.String())
	}
	const limit = 32 << 20
	n := 0
	sc := bufio.NewScanner(&errb)
	for sc.Scan() {
		// init PKG @T ms, D ms clock, BYTES bytes, N allocs
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n++
		b, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q", sc.Text())
		}
		if b > limit {
			t.Errorf("init of %s allocates %d bytes (limit %d)", f[1], b, limit)
		}
	}
	if n == 0 {
		t.Fatal("no inittrace output")
	}
}

// TestConfigCheckMissingFile: one clear line, not the usage text.
func TestConfigCheckMissingFile(t *testing.T) {
	_, stderr, err := runBin(t, nil, "config", "check", "/nonexistent/sekisho.toml")
	if err == nil {
		t.Fatal("config check of a missing file succeeded")
	}
	s := string(stderr)
	if !strings.Contains(s, "/nonexistent/sekisho.toml: no such file") || strings.Contains(s, "Usage:") || strings.Count(s, "\n") > 2 {
		t.Errorf("stderr: %q", s)
	}
}
