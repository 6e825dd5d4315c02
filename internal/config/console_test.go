package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestConsoleSections: the example fragments give every key its default,
// and bad values are refused.
func TestConsoleSections(t *testing.T) {
	for _, f := range []string{"example/60-quarantine.toml", "example/61-web.toml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d := Default()
		if !reflect.DeepEqual(c.Quarantine, d.Quarantine) || !reflect.DeepEqual(c.Web, d.Web) {
			t.Errorf("%s differs from the defaults:\n%+v\n%+v", f, c.Quarantine, d.Quarantine)
		}
	}
	for _, bad := range []string{
		"[quarantine]\ndriver = \"mysql\"",
		"[quarantine]\ndriver = \"postgres\"",
		"[quarantine]\nrelease_starttls = \"maybe\"",
		"[quarantine]\nretention = \"0s\"",
		"[quarantine]\nhistory_queue = 0",
		"[web]\nsecure_cookies = \"yes\"",
		"[web]\ndefault_language = \"fr\"",
		"[web]\nlogin_attempts = 0",
		"[web]\nsession_lifetime = \"1s\"",
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", strings.ReplaceAll(bad, "\n", " "))
		}
	}
	if _, err := Parse("[quarantine]\ndriver = \"postgres\"\ndsn = \"postgres://x@127.0.0.1/db\""); err != nil {
		t.Fatal(err)
	}
}
