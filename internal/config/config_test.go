package config

import (
	"errors"
	"strings"
	"testing"
)

func TestExampleParsesStrictly(t *testing.T) {
	c, err := Parse(Example())
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	d, _ := Parse("")
	if c.Policy.TagScore != d.Policy.TagScore || c.Limits.ScanTimeout != d.Limits.ScanTimeout {
		t.Fatal("example differs from defaults")
	}
}

func TestUnknownKeysRefused(t *testing.T) {
	_, err := Parse("[policy]\ntag_scor = 3\n[nosuch]\nx=1\n")
	if !errors.Is(err, ErrUnknownKeys) {
		t.Fatalf("got %v", err)
	}
	for _, k := range []string{"policy.tag_scor", "nosuch"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
}

func TestBadValues(t *testing.T) {
	for _, in := range []string{
		"[policy]\ntag_score = 20\n",
		"[policy.category_actions]\nmalware = \"explode\"\n",
		"[general]\nlog_level = \"loud\"\n",
		"[limits]\nscan_timeout = \"soon\"\n",
		"[policy\n",
		"[policy]\nreject_score = inf\n",
		"[policy]\nrewrite_subject_score = nan\n",
		"[policy.weights]\nHDR_MISSING_DATE = -inf\n",
		"[policy.weights]\nHDR_MISSING_DATE = nan\n",
	} {
		if _, err := Parse(in); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
}

func TestDurations(t *testing.T) {
	c, err := Parse("[limits]\nscan_timeout = \"5s\"\n")
	if err != nil || c.Limits.ScanTimeout.Seconds() != 5 {
		t.Fatalf("%v %v", c, err)
	}
}
