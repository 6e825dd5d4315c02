// Package cases is the one corpus of named test messages and its one
// expectation format.
//
// The corpus is testdata/golden at the module root: <name>.eml, one
// message per named case (the seed lures, their variants and the ham they
// must not catch). What a suite expects of a case is a Want, written as
// indented JSON beside it: <name>.golden for the default view (the built
// binary's `scan --json` with the default configuration, TestGoldenScan)
// and <name>.<view>.golden for a suite that scans the corpus its own way
// (the sender analyzer's engine with a correspondence history: "sender";
// the whole engine with the URL analyzer's test brand list: "url"). Every
// suite scans every case.
//
// `go test ... -update` (the flag Update, the one update flag of the
// tests) rewrites the expectations from the current output: review the
// diff before committing.
package cases

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Update is the -update flag: rewrite expectation files (these and the
// other generated files of the package under test) instead of comparing.
var Update = flag.Bool("update", false, "rewrite the expectation files (testdata/golden/*.golden, generated docs) from the current output; review the diff")

// Case is one named message of the corpus.
type Case struct {
	Name string // file name without .eml: "seed004-kagoya-phish-iso2022jp"
	Path string // absolute path of the .eml file
}

// Raw reads the message.
func (c Case) Raw(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Want is what a suite expects of a case: the fields a view does not
// check stay empty.
type Want struct {
	Subject  string   `json:"subject,omitempty"`
	From     string   `json:"from,omitempty"`
	Action   string   `json:"action"`
	Category string   `json:"category"`
	Symbols  []string `json:"symbols"`
}

// Dir is the corpus directory, testdata/golden at the module root.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "golden")
}

// All returns every case of the corpus, by name.
func All(t testing.TB) []Case {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(), "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s: %v", Dir(), err)
	}
	sort.Strings(files)
	out := make([]Case, 0, len(files))
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		out = append(out, Case{Name: strings.TrimSuffix(filepath.Base(f), ".eml"), Path: abs})
	}
	return out
}

// Get returns the case called name; the test fails when there is none.
func Get(t testing.TB, name string) Case {
	t.Helper()
	p := filepath.Join(Dir(), name+".eml")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no case %s: %v", name, err)
	}
	abs, _ := filepath.Abs(p)
	return Case{Name: name, Path: abs}
}

// File is the expectation file of c in view ("" for the default view).
func (c Case) File(view string) string {
	if view == "" {
		return strings.TrimSuffix(c.Path, ".eml") + ".golden"
	}
	return strings.TrimSuffix(c.Path, ".eml") + "." + view + ".golden"
}

// Check compares got with c's expectation in view, or rewrites the
// expectation under -update. Symbols are compared sorted.
func Check(t testing.TB, c Case, view string, got Want) {
	t.Helper()
	got.Symbols = append([]string(nil), got.Symbols...)
	sort.Strings(got.Symbols)
	gb, _ := json.MarshalIndent(got, "", "  ")
	file := c.File(view)
	if *Update {
		if err := os.WriteFile(file, append(gb, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no expectation for %s (run with -update and review): %v\ngot %s", c.Name, err, gb)
	}
	var want Want
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	sort.Strings(want.Symbols)
	wb, _ := json.MarshalIndent(want, "", "  ")
	if !bytes.Equal(gb, wb) {
		t.Errorf("%s differs from %s:\n got %s\nwant %s", c.Name, filepath.Base(file), gb, wb)
	}
}
