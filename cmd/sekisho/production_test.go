package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Administrators read symbol descriptions in the console, headers and scan
// output: no developer notes (corpus seed numbers, sample hosts).
func TestSymbolTextsHaveNoInternalNotes(t *testing.T) {
	out, _, err := runBin(t, nil, "symbols", "--markdown")
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`(?i)\bseed ?\d+|beak\.host|\bTODO\b|\bFIXME\b|\bXXX\b|testdata/`)
	for _, line := range strings.Split(string(out), "\n") {
		if m := bad.FindString(line); m != "" {
			t.Errorf("internal note %q in: %s", m, line)
		}
	}
}

// Empty files and binary garbage are not mail: scan says so (a finding and
// a line on stderr), it does not report them silently as clean.
func TestScanNotMail(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.eml")
	garbage := filepath.Join(dir, "garbage.bin")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(garbage, []byte("\x00\x01\x02\x89PNG\r\n\x1a\n\xff\xfe binary"), 0o644)
	out, stderr, err := runBin(t, nil, "scan", "--json", empty, garbage)
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("want 2 results, got %s", out)
	}
	for _, l := range lines {
		var r ScanJSON
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		if r.Action == "accept" || r.Category == "clean" || len(r.Symbols) == 0 || r.Symbols[0].Name != "MIME_NOT_MAIL" {
			t.Errorf("%s: %s/%s %+v", r.File, r.Action, r.Category, r.Symbols)
		}
	}
	for _, f := range []string{empty, garbage} {
		if !strings.Contains(string(stderr), f+": not mail") {
			t.Errorf("stderr does not say %s is not mail: %s", f, stderr)
		}
	}
	// Real mail does not get the finding.
	out, _, err = runBin(t, nil, "scan", "--json", filepath.Join("..", "..", "testdata", "golden", "ham-ja-business-eucjp.eml"))
	if err != nil || bytes.Contains(out, []byte("MIME_NOT_MAIL")) {
		t.Fatalf("real mail: %v %s", err, out)
	}
}

// Without a terminal, train prints plain progress lines (and its help says so).
func TestTrainPlainProgress(t *testing.T) {
	ham := filepath.Join("..", "..", "testdata", "ham")
	golden := filepath.Join("..", "..", "testdata", "golden")
	_, stderr, err := runBin(t, nil, "train", "--progress-every", "1ns", "--ham", ham, "--spam", golden)
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	if !regexp.MustCompile(`(?m)^train: \d+/\d+ messages \(\d+%\), \d+ msg/s$`).Match(stderr) {
		t.Fatalf("no plain progress lines: %s", stderr)
	}
	if bytes.Contains(stderr, []byte("\r")) || bytes.Contains(stderr, []byte("\x1b[")) {
		t.Fatalf("terminal control characters in non-terminal output: %q", stderr)
	}
	out, _, _ := runBin(t, nil, "train", "--help")
	if !bytes.Contains(out, []byte("plain line")) {
		t.Fatalf("help does not describe non-terminal progress: %s", out)
	}
}
