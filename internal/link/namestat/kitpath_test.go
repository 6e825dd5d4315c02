package namestat

import (
	"math/rand"
	"strings"
	"testing"
)

// TestKitPathSplitSame builds paths from the pieces the expression names
// (in mixed case, with the Kelvin sign and the long s) and compares KitPath
// with the whole regex.
func TestKitPathSplitSame(t *testing.T) {
	pieces := []string{"/", ".", "-", "_", "?", "=", "x", "9", " ", "wp-", "content", "includes", "admin", ".well-known",
		"log", "in", "sign", "on", "verif", "y", "validate", "secure", "update", "unlock", "wallet", "recover", "account",
		"auth", "webmail", "owa", "office", "outlook", "365", "o365", "sharepoint", "onedrive", "docusign", "adobe", "dropbox",
		"webscr", "index.", "login.", "php", "htm", "html", "asp", "aspx", "bank", "paypal", "dhl", "ups", "fedex",
		"\u212a", "\u017f", "é"}
	rng := rand.New(rand.NewSource(17))
	n := 0
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for k := 1 + rng.Intn(8); k > 0; k-- {
			p := pieces[rng.Intn(len(pieces))]
			if rng.Intn(3) == 0 {
				p = strings.ToUpper(p)
			}
			if rng.Intn(3) == 0 {
				b.WriteByte('/')
			}
			b.WriteString(p)
		}
		s := b.String()
		got, want := KitPath(s), kitPath.Regexp().MatchString(s)
		if got != want {
			t.Fatalf("KitPath(%q) = %v, regex says %v", s, got, want)
		}
		if want {
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d matching paths generated", n)
	}
}
