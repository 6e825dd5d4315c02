package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBrandsFiles(t *testing.T) {
	c, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Brands.Files) != 1 || c.Brands.Files[0] != "/etc/sekisho/brands.d/*.toml" {
		t.Errorf("default brands.files = %v", c.Brands.Files)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[[brand]]\nname = \"Sparkasse\"\ndomains = [\"sparkasse-koelnbonn.de\"]\n"), 0o644)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[brand]]\nname = \"Sparkasse\"\ndomain = [\"x.de\"]\n"), 0o644)
	for _, tc := range []struct {
		files, want string
	}{
		{`["` + good + `"]`, ""},
		{`["` + filepath.Join(dir, "none-*.toml") + `"]`, ""},
		{`["` + bad + `"]`, "config: brands.files: brands: catalogue: " + bad + ": unknown keys brand.domain"},
		{`["` + filepath.Join(dir, "missing.toml") + `"]`, "config: brands.files:"},
	} {
		_, err := Parse("[brands]\nfiles = " + tc.files + "\n")
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("files = %s: %v, want %q", tc.files, err, tc.want)
		}
	}
	if _, err := Parse("[brands]\nfile = []\n"); err == nil {
		t.Error("unknown key in [brands] accepted")
	}
}
