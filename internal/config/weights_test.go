package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseWeights(t *testing.T) {
	cases := []struct {
		name, text string
		want       map[string]float64
		bad        string // part of the error, "" when the text is good
	}{
		{"empty", "# nothing fitted yet\n", map[string]float64{}, ""},
		{"empty table", "[weights]\n", map[string]float64{}, ""},
		{"floats and ints", "# made by tune\n[weights]\nHDR_MISSING_DATE = 0.5\nURL_SHORTENER = 2\nDMARC_PASS = -1.25\n",
			map[string]float64{"HDR_MISSING_DATE": 0.5, "URL_SHORTENER": 2, "DMARC_PASS": -1.25}, ""},
		{"other table", "[weights]\nHDR_X = 1\n[policy]\ntag_score = 3\n", nil, "policy.tag_score"},
		{"top-level key", "HDR_X = 1\n", nil, "HDR_X"},
		{"string value", "[weights]\nHDR_X = \"1\"\n", nil, "weights file"},
		{"lower-case name", "[weights]\nhdr_x = 1\n", nil, "not a symbol name"},
		{"infinite", "[weights]\nHDR_X = inf\n", nil, "not a usable weight"},
		{"nan", "[weights]\nHDR_X = nan\n", nil, "not a usable weight"},
		{"absurd", "[weights]\nHDR_X = 1e6\n", nil, "not a usable weight"},
		{"syntax", "[weights\n", nil, "weights file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseWeights(c.text, "w.toml")
			if c.bad != "" {
				if err == nil || !errors.Is(err, ErrWeightsFile) || !strings.Contains(err.Error(), c.bad) || !strings.Contains(err.Error(), "w.toml") {
					t.Fatalf("got %v, %v; want an error naming the file and %q", got, err, c.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestWeightsFileLoaded(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "weights.toml")
	if err := os.WriteFile(wf, []byte("[weights]\nURL_SHORTENER = 1.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Parse("[policy]\nweights_file = \"" + wf + "\"\nfitted_weights = false\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Policy.FileWeights["URL_SHORTENER"] != 1.5 || c.Policy.FittedWeights {
		t.Fatalf("got %+v", c.Policy)
	}
	d, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Policy.FittedWeights || d.Policy.WeightsFile != "" || d.Policy.FileWeights != nil {
		t.Fatalf("defaults: %+v", d.Policy)
	}
	// The key is not a place to smuggle weights through.
	if _, err := Parse("[policy]\nFileWeights = 1\n"); !errors.Is(err, ErrUnknownKeys) {
		t.Fatalf("FileWeights key: %v", err)
	}
}

func TestWeightsFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.toml")
	_, err := Parse("[policy]\nweights_file = \"" + missing + "\"\n")
	if err == nil || !strings.Contains(err.Error(), "policy.weights_file") || !strings.Contains(err.Error(), "nope.toml") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[weights]\nURL_SHORTENER = 1\ntag_score = 2\n"), 0o644)
	if _, err := Parse("[policy]\nweights_file = \"" + bad + "\"\n"); !errors.Is(err, ErrWeightsFile) || !strings.Contains(err.Error(), "bad.toml") {
		t.Fatalf("bad file: %v", err)
	}
}

func FuzzParseWeights(f *testing.F) {
	for _, s := range []string{"", "[weights]\nURL_X = 1.5\n", "# c\n[weights]\nHDR_A = -2\nHDR_B = 3\n", "[weights]\nX = inf\n", "[weights\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		w, err := ParseWeights(text, "fuzz.toml")
		if err != nil {
			if !errors.Is(err, ErrWeightsFile) {
				t.Fatalf("error without the sentinel: %v", err)
			}
			return
		}
		for name, v := range w {
			if !weightNameRe.MatchString(name) || v != v || v > maxFileWeight || v < -maxFileWeight {
				t.Fatalf("accepted %q = %v", name, v)
			}
		}
	})
}
