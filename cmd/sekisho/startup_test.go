package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestOneShotCheap: one-shot commands do no heavy set-up (an argon2id
// password hash alone takes 64 MiB): the Go heap of each stays under a
// bound, read from the runtime's GC trace (a loaded host changes time,
// not bytes; the child's rusage peak RSS is no use, as it starts from the
// test process's own at exec).
func TestOneShotCheap(t *testing.T) {
	eml, err := filepath.Glob(filepath.Join("..", "..", "testdata", "ham", "*", "*.eml"))
	if err != nil || len(eml) == 0 {
		t.Fatalf("no ham fixture: %v", err)
	}
	const limitMB = 48
	for _, args := range [][]string{
		{"version"},
		{"symbols"},
		{"config", "check", filepath.Join("..", "..", "docs", "sekisho.example.toml")},
		{"scan", eml[0]},
	} {
		cmd := exec.Command(sekishoBin(t), append([]string{"--data-dir", t.TempDir()}, args...)...)
		cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("%v: %v\n%s", args, err, errb.String())
			}
		}
		peak := 0
		sc := bufio.NewScanner(&errb)
		for sc.Scan() {
			// gc N @T s P%: ... A->B->C MB, D MB goal, ...
			l := sc.Text()
			if !strings.HasPrefix(l, "gc ") {
				continue
			}
			for _, f := range strings.Fields(l) {
				if !strings.Contains(f, "->") {
					continue
				}
				for _, n := range strings.Split(f, "->") {
					if v, err := strconv.Atoi(n); err == nil && v > peak {
						peak = v
					}
				}
			}
		}
		t.Logf("%v: peak heap %d MB (0: never collected), %s", args, peak, time.Since(start).Round(time.Millisecond))
		if peak > limitMB {
			t.Errorf("%v: heap reached %d MB (limit %d MB)", args, peak, limitMB)
		}
	}
}
