package namestat

import (
	"math"
	"testing"
)

// FuzzNames: the name statistics take attacker host names, local parts
// and display names.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"xkqjzvbw.example.com", "paypal.com", "日本.jp", "a.b.c.d.e.f.g.co.jp", "Amazon 8f3k2j", "wp-admin/.well-known/x.php?id=1", "", ".", "..", "xn--80ak6aa92e.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r := Randomness(s); math.IsNaN(r) || math.IsInf(r, 0) {
			t.Fatalf("Randomness(%q) = %v", s, r)
		}
		reg := Registrable(s)
		_ = SuffixOf(s)
		_ = RandomLabel(s, reg)
		_ = RandomLocal(s)
		if KitPath(s) != kitPath.Regexp().MatchString(s) {
			t.Fatalf("KitPath(%q) disagrees with its regex", s)
		}
		_ = RandomTail(s)
		_ = NameWithRandomTail(s, s)
		_ = RandomToken(s)
	})
}

// FuzzKitPathSplit: KitPath (the gated alternatives) answers as the whole
// regex does.
func FuzzKitPathSplit(f *testing.F) {
	for _, s := range []string{
		"/wp-content/plugins/x/LOGIN.html", "/.well-known/acme/verify", "/.WELL-\u212aNOWN/bank",
		"/owa/auth/logon.php", "/OWA/x.htm", "/\u017fharepoint/a.html", "/webmail/index.php?x",
		"/secure-update.php", "/log-inX.php", "/Sign-In_now.php?a", "/verify.phpx", "/recover.php",
		"/login/index.php", "/auth/aspx", "/webscr/login.html", "/account/auth.asp", "/log-in/php",
		"/img/logo.png", "/index.php?id=1", "/signon/x/index.php", "/Login.PHP", "/unlock\u212a.php",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := KitPath(s), kitPath.Regexp().MatchString(s); got != want {
			t.Fatalf("KitPath(%q) = %v, regex says %v", s, got, want)
		}
	})
}
