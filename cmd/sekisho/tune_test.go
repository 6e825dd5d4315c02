package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
)

// TestTune fits weights on the golden messages through the real binary,
// writes a weights file, and loads it back through [policy] weights_file.
func TestTune(t *testing.T) {
	g := filepath.Join("..", "..", "testdata", "golden")
	ham := filepath.Join(g, "ham-ja-business-eucjp.eml") + "," + filepath.Join(g, "ja-unlabelled-sjis-headers.eml")
	var spam []string
	for _, n := range []string{"seed003-office365-phish.eml", "seed003-sextortion-btc.eml", "seed003-fbi-advance-fee.eml",
		"seed003-bec-cfo-webmail.eml", "seed003-amazon-shipping-sjis.eml"} {
		spam = append(spam, filepath.Join(g, n))
	}
	dir := t.TempDir()
	wf := filepath.Join(dir, "weights.toml")
	out, stderr, err := runBin(t, nil, "tune", "--json", "-j", "2", "--min-hits", "1", "--l2", "0.1",
		"--ham", ham, "--spam", strings.Join(spam, ","),
		"--test-ham", filepath.Join(g, "ham-ja-business-eucjp.eml"), "--test-spam", filepath.Join(g, "seed004-kagoya-phish-iso2022jp.eml"),
		"--freeze", "URL_*", "-o", wf)
	if err != nil {
		t.Fatalf("tune: %v\n%s", err, stderr)
	}
	var r TuneJSON
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Fit.Ham != 2 || r.Fit.Spam != 5 || r.Test == nil || r.Test.Ham != 1 || r.Test.Spam != 1 {
		t.Fatalf("set sizes: %+v %+v", r.Fit, r.Test)
	}
	if !r.Converged || r.Loss > r.Loss0 || len(r.Changes) == 0 || r.Fit.After.Recall < r.Fit.Before.Recall {
		t.Fatalf("fit: converged %v, loss %v -> %v, %d changes, recall %v -> %v", r.Converged, r.Loss0, r.Loss, len(r.Changes), r.Fit.Before.Recall, r.Fit.After.Recall)
	}
	status := map[string]TuneSymbolJSON{}
	for _, s := range r.Symbols {
		status[s.Name] = s
		if strings.HasPrefix(s.Name, "URL_") && (s.Status != "frozen" || s.Pattern != "URL_*") {
			t.Errorf("--freeze URL_*: %+v", s)
		}
	}
	for name, w := range r.Changes {
		if s := status[name]; s.Status != "fitted" || s.Weight != w || s.Weight == s.Default {
			t.Errorf("change %s = %v: %+v", name, w, s)
		}
	}

	// The file carries its provenance and loads as weights_file.
	b, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Symbol weights fitted by 'sekisho tune'", "# Command: sekisho ", "Fitted on 2 ham and 5 spam", "[weights]\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("file lacks %q:\n%s", want, b)
		}
	}
	fw, err := config.ParseWeights(string(b), wf)
	if err != nil || len(fw) != len(r.Changes) {
		t.Fatalf("file: %v %v", fw, err)
	}
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[policy]\nweights_file = \""+wf+"\"\n"), 0o644)
	if _, stderr, err := runBin(t, nil, "--config", cfg, "config", "check", cfg); err != nil {
		t.Fatalf("config check with the fitted file: %v %s", err, stderr)
	}
	// Scanning with it gives the fitted scores the table measured.
	scan, stderr, err := runBin(t, nil, "--config", cfg, "scan", "--json", spam[0])
	if err != nil {
		t.Fatalf("scan: %v %s", err, stderr)
	}
	var s ScanJSON
	if err := json.Unmarshal(scan, &s); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, sym := range s.Symbols {
		if w, ok := fw[sym.Name]; ok && sym.Score == w {
			checked++
		}
	}
	if checked == 0 {
		t.Errorf("no fitted weight shows in the scan: %+v, file %v", s.Symbols, fw)
	}
	// Running it again, one scan at a time, through a cache and from it,
	// gives the same weights.
	cache := filepath.Join(dir, "cache.jsonl")
	for i := 0; i < 2; i++ {
		out2, stderr, err := runBin(t, nil, "tune", "--json", "-j", "1", "--min-hits", "1", "--l2", "0.1",
			"--ham", ham, "--spam", strings.Join(spam, ","), "--freeze", "URL_*", "--cache", cache)
		if err != nil {
			t.Fatalf("run %d: %v %s", i, err, stderr)
		}
		var r2 TuneJSON
		json.Unmarshal(out2, &r2)
		if len(r2.Changes) != len(r.Changes) {
			t.Fatalf("run %d: %v vs %v", i, r2.Changes, r.Changes)
		}
		for n, w := range r.Changes {
			if r2.Changes[n] != w {
				t.Errorf("run %d: %s %v vs %v", i, n, r2.Changes[n], w)
			}
		}
	}
	if b, err := os.ReadFile(cache); err != nil || strings.Count(string(b), "\n") != 1+7 {
		t.Errorf("cache: %v, %d lines", err, strings.Count(string(b), "\n"))
	}
}

func TestTuneHumanAndErrors(t *testing.T) {
	g := filepath.Join("..", "..", "testdata", "golden")
	out, stderr, err := runBin(t, nil, "tune", "--ham", filepath.Join(g, "ham-ja-business-eucjp.eml"), "--spam", filepath.Join(g, "seed003-office365-phish.eml"), "--min-hits", "1")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	for _, w := range []string{"fit set        ham 1, spam 1", "recall@0FP", "fit      before", "fit      after", "weight changes"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	for name, args := range map[string][]string{
		"test ham alone": {"--test-ham", g},
		"fp cost":        {"--fp-cost", "0"},
		"pattern":        {"--fit", "[A-"},
		"target fp":      {"--target-fp", "1.5"},
		"no spam read":   {"--spam", filepath.Join(g, "no-such-dir")},
	} {
		a := append([]string{"tune", "--ham", filepath.Join(g, "ham-ja-business-eucjp.eml"), "--spam", filepath.Join(g, "seed003-office365-phish.eml")}, args...)
		if name == "no spam read" {
			a = []string{"tune", "--ham", filepath.Join(g, "ham-ja-business-eucjp.eml"), "--spam", filepath.Join(t.TempDir())}
		}
		if _, _, err := runBin(t, nil, a...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestWeightsFileErrors: a weights file naming an unknown symbol, or a
// missing one, stops config check (and so serve) with a clear message.
func TestWeightsFileErrors(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "w.toml")
	os.WriteFile(wf, []byte("[weights]\nNO_SUCH_SYMBOL = 1.0\n"), 0o644)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[policy]\nweights_file = \""+wf+"\"\n"), 0o644)
	if _, stderr, err := runBin(t, nil, "config", "check", cfg); err == nil || !strings.Contains(string(stderr), "NO_SUCH_SYMBOL") || !strings.Contains(string(stderr), "w.toml") {
		t.Errorf("unknown symbol: %v %s", err, stderr)
	}
	os.WriteFile(cfg, []byte("[policy]\nweights_file = \""+filepath.Join(dir, "missing.toml")+"\"\n"), 0o644)
	if _, stderr, err := runBin(t, nil, "config", "check", cfg); err == nil || !strings.Contains(string(stderr), "policy.weights_file") || !strings.Contains(string(stderr), "missing.toml") {
		t.Errorf("missing file: %v %s", err, stderr)
	}
}
