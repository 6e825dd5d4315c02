package lists

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIndex(t *testing.T) {
	ix := NewIndex()
	for _, l := range []string{"evil.example", "=only.example.org", "https://Shared.Example.NET/phish/", "*.badcdn.example/*login*", `/^https?://[^/]+/wp-admin/.*\.zip$/`} {
		if err := ix.Add(l, "test"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		url, host string
		want      bool
	}{
		{"https://evil.example/", "evil.example", true},
		{"https://a.b.evil.example/x", "a.b.evil.example", true},
		{"https://notevil.example/", "notevil.example", false},
		{"https://only.example.org/", "only.example.org", true},
		{"https://sub.only.example.org/", "sub.only.example.org", false},
		{"https://shared.example.net/phish/a.html", "shared.example.net", true},
		{"https://shared.example.net/ok/a.html", "shared.example.net", false},
		{"https://x.badcdn.example/Account-LOGIN.php", "x.badcdn.example", true},
		{"https://x.badcdn.example/home", "x.badcdn.example", false},
		{"http://site.example/wp-admin/inc/invoice.zip", "site.example", true},
	}
	for _, c := range cases {
		_, got := ix.Match(Target{URL: c.url, Host: c.host})
		if got != c.want {
			t.Errorf("%s: %v want %v", c.url, got, c.want)
		}
	}
	for _, bad := range []string{"/(/", "a b", "[x*"} {
		if _, err := ParseEntry(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestEmbedded(t *testing.T) {
	if _, ok := Shorteners.MatchDomain("bit.ly"); !ok {
		t.Error("bit.ly")
	}
	if _, ok := DynDNS.MatchDomain("phish.duckdns.org"); !ok {
		t.Error("duckdns")
	}
	if _, ok := FreeHosting.MatchDomain("x.000webhostapp.com"); !ok {
		t.Error("000webhost")
	}
	if _, ok := Shorteners.MatchDomain("example.com"); ok {
		t.Error("example.com is no shortener")
	}
	if !CheapTLDs["top"] || CheapTLDs["com"] {
		t.Error("tlds")
	}
}

func TestFileListReload(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "block.txt")
	if err := os.WriteFile(f, []byte("# comment\nfirst.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs []error
	fl := NewFileList([]string{f, filepath.Join(dir, "missing.txt")}, 0, func(e error) { errs = append(errs, e) })
	if len(errs) != 1 {
		t.Errorf("want one error for the missing file, got %v", errs)
	}
	if _, ok := fl.Index().MatchDomain("first.example"); !ok {
		t.Fatal("first not loaded")
	}
	if err := os.WriteFile(f, []byte("second.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Make the mtime change visible whatever the file-system resolution.
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(f, later, later)
	ix := fl.Index()
	if _, ok := ix.MatchDomain("second.example"); !ok {
		t.Error("second not loaded after change")
	}
	if _, ok := ix.MatchDomain("first.example"); ok {
		t.Error("first still listed after change")
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbb", false}, {"*.x/*", "a.x/b/c", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
	}
	for _, c := range cases {
		if got := globMatch(c.p, c.s); got != c.want {
			t.Errorf("%q %q: %v", c.p, c.s, got)
		}
	}
}

func FuzzListLine(f *testing.F) {
	for _, s := range []string{"evil.example", "=a.b", "https://x/y", "*.a.*/b*", "/^x$/", "/(/"} {
		f.Add(s, "https://a.b/c")
	}
	f.Fuzz(func(t *testing.T, line, u string) {
		ix := NewIndex()
		_ = ix.Add(line, "fuzz")
		ix.Match(Target{URL: u, Host: u})
	})
}
