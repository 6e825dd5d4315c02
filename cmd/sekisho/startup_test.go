package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
// password hash alone takes 64 MiB): each stays under a resident-memory
// bound, which a loaded host does not change as it changes time.
func TestOneShotCheap(t *testing.T) {
	eml, err := filepath.Glob(filepath.Join("..", "..", "testdata", "ham", "*", "*.eml"))
	if err != nil || len(eml) == 0 {
		t.Fatalf("no ham fixture: %v", err)
	}
	const limit = 80 << 20
	for _, args := range [][]string{
		{"version"},
		{"symbols"},
		{"config", "check", filepath.Join("..", "..", "docs", "sekisho.example.toml")},
		{"scan", eml[0]},
	} {
		cmd := exec.Command(sekishoBin(t), append([]string{"--data-dir", t.TempDir()}, args...)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("%v: %v\n%s", args, err, errb.String())
			}
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			t.Skip("no rusage on this platform")
		}
		rss := int64(ru.Maxrss) << 10 // KiB on Linux
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("%v: peak RSS %d MiB, CPU %s", args, rss>>20, cpu)
		if rss > limit {
			t.Errorf("%v: peak RSS %d MiB (limit %d MiB)", args, rss>>20, limit>>20)
		}
	}
}
