package textgate

import (
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Only the Kelvin sign and the long s fold to ASCII letters: Lower's
// premise.
func TestNonASCIIFoldsToASCII(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf && r != '\u212a' && r != '\u017f' {
				t.Errorf("%U folds to %q", r, f)
			}
		}
	}
}

func TestFactorOf(t *testing.T) {
	for _, c := range []struct {
		pattern   string
		in, notIn string
	}{
		{`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`, "us$ 1,500,000", "usd 1500000"},
		{`\d+([.,]\d+)? ?(million|billion)`, "5 million", "5 trillion"},
		{`a\d+b`, "a12b", "a b1"},
	} {
		f := FactorOf(c.pattern)
		if f.Len() == 0 || !f.In(c.in) || f.In(c.notIn) {
			t.Errorf("%q: factor of %d bytes: In(%q)=%v In(%q)=%v", c.pattern, f.Len(), c.in, f.In(c.in), c.notIn, f.In(c.notIn))
		}
	}
	if f := FactorOf(`.*`); f.Len() != 0 || !f.In("") {
		t.Errorf(".*: factor of %d bytes", f.Len())
	}
}

func TestRegexpGate(t *testing.T) {
	g := MustCompile(`(?i)/(?:wp-(?:content|admin))/.*(?:log-?in|verif)|(?:verify|secure)[\w-]*\.php\b`)
	if g.Literals() == nil {
		t.Fatal("no literals")
	}
	for s, want := range map[string]bool{
		"/WP-ADMIN/x/Login": true, "/secure-x.PHP": true, "/index.html": false, "/ſecure.php": true, "": false,
	} {
		if got := g.MatchString(s); got != want || got != g.Regexp().MatchString(s) {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

var fuzzSeeds = [][2]string{
	{`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`, "us$ 1,500,000"},
	{`(?i)(?:log-?in|sign-?in|verify)[\w-]*\.php\b`, "/SIGNIN-x.Php"},
	{`(?i)\b(?:irs|hmrc|ministère|polícia)\b`, "MINISTÈRE"},
	{`(?i)kk\d{2}x+`, "\u212ak12XX"},
	{`x{2,3}(ab|cd)+\b`, "xxabcd "},
	{`(?i)\b(?:court|ministère)\b|国税庁|税務署`, "MINISTÈRE 国税庁"},
	// U+FFFD in a pattern matches any invalid byte of the text.
	{"a\uFFFDb", "a\xffb"},
	{"(?i)é\uFFFDx", "É\xffx"},
	{"xyz\uFFFD", "xyz\xc3"},
}

// FuzzFactor: a regex matches no text without its factor.
func FuzzFactor(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		if !re.MatchString(text) {
			return
		}
		for _, f := range FactorsOf(pattern) {
			if !f.In(text) {
				t.Fatalf("%q matches %q without its factor", pattern, text)
			}
		}
	})
}

// FuzzRegexp: the gated regex answers as the regex does.
func FuzzRegexp(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		g := MustCompile(pattern)
		if got, want := g.FindString(text), re.FindString(text); got != want {
			t.Fatalf("%q on %q: %q, want %q (literals %q)", pattern, text, got, want, g.Literals())
		}
	})
}
