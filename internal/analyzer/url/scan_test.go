package url

import (
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var scanSamples = []string{
	"", "<input type=password>", "<INPUT name=x TYPE = 'PASSWORD'>", "<input type=\"pa\u017fsword\">", "<input >type=password",
	"<input" + strings.Repeat("x", 400) + "type=password", "<input" + strings.Repeat("x", 401) + "type=password",
	"<input" + strings.Repeat("é", 400) + "type=password", "<inpu\xfft type=password", "<input\xfftype=password",
	"Please log in to your account now", "Your ACCOUNT HAS BEEN SUSPENDED.", "xlog in to your", "log in to your" + strings.Repeat("a", 10),
	"verify your identity", "UN\u212aLOCK YOUR card", "reſtore your access", "パスワードの変更をお願いします", "アカウントの確認",
	"ログインしてください", "_sign in to the", "sign-on now to continue_", "a confirm your e-mail b", "é" + "update your password",
	"account is\nsuspended", "re-activate your", "password will expire" + strings.Repeat(" login", 50),
	"blog on to the", "LOG-ON WITH your", "signon and keep", "catalog in now verify", "password expired", "PASSWORD EXPIRES",
	"account will be limited", "account has been on hold", "account locked", "account is active", "your accounts suspended",
	"x account deactivated", "Enter your Password", "sign in\tto your", "log  in to your", "こちらからログインを", "アカウントのロック",
}

func TestPasswordInputScan(t *testing.T) {
	for _, s := range scanSamples {
		if got, want := hasPasswordInput(s), rePasswordInput.MatchString(s); got != want {
			t.Errorf("hasPasswordInput(%q) = %v, regexp %v", s, got, want)
		}
	}
}

func TestFindLogin(t *testing.T) {
	for _, s := range scanSamples {
		if got, want := findLogin(s), loginRe.FindString(s); got != want {
			t.Errorf("findLogin(%q) = %q, regexp %q", s, got, want)
		}
	}
}

func FuzzPasswordInput(f *testing.F) {
	for _, s := range scanSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasPasswordInput(s), rePasswordInput.MatchString(s); got != want {
			t.Fatalf("hasPasswordInput(%q) = %v, regexp %v", s, got, want)
		}
	})
}

func FuzzFindLogin(f *testing.F) {
	for _, s := range scanSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := findLogin(s), loginRe.FindString(s); got != want {
			t.Fatalf("findLogin(%q) = %q, regexp %q", s, got, want)
		}
	})
}

// TestLoginWindow: no loginRe match is longer than loginWindow bytes, and
// (?i) folds no ASCII letter of it to another byte length but k and s.
func TestLoginWindow(t *testing.T) {
	re, err := syntax.Parse(loginRe.String(), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	var maxLen func(re *syntax.Regexp) int
	maxLen = func(re *syntax.Regexp) int {
		switch re.Op {
		case syntax.OpLiteral:
			n := 0
			for _, r := range re.Rune {
				w := utf8.RuneLen(r)
				if re.Flags&syntax.FoldCase != 0 {
					for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
						w = max(w, utf8.RuneLen(f))
					}
				}
				n += w
			}
			return n
		case syntax.OpCharClass:
			return 4
		case syntax.OpEmptyMatch, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
			return 0
		case syntax.OpCapture, syntax.OpQuest:
			return maxLen(re.Sub[0])
		case syntax.OpRepeat:
			if re.Max < 0 {
				t.Fatalf("unbounded %v", re)
			}
			return re.Max * maxLen(re.Sub[0])
		case syntax.OpConcat:
			n := 0
			for _, s := range re.Sub {
				n += maxLen(s)
			}
			return n
		case syntax.OpAlternate:
			n := 0
			for _, s := range re.Sub {
				n = max(n, maxLen(s))
			}
			return n
		}
		t.Fatalf("op %v in %v", re.Op, re)
		return 0
	}
	if n := maxLen(re); n > loginWindow {
		t.Errorf("a loginRe match may be %d bytes, loginWindow is %d", n, loginWindow)
	} else {
		t.Logf("longest match %d bytes", n)
	}
	for c := 'a'; c <= 'z'; c++ {
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf && c != 'k' && c != 's' {
				t.Errorf("%c folds to %U", c, f)
			}
		}
	}
}

// FuzzHTMLPrefilters: a text without the literals matches none of the
// attachment regexps.
func FuzzHTMLPrefilters(f *testing.F) {
	for _, s := range []string{"new Blob(", "window.location=", "http-equiv=refresh content='0;url=x'", "https://x.example/", "ATOB(", "Location.replace("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		low := asciiLower(s)
		if !containsAny(low, blobLits...) && reBlob.MatchString(s) {
			t.Fatalf("%q: reBlob matches without a literal", s)
		}
		if !containsAny(low, redirectLits...) && reRedirect.MatchString(s) {
			t.Fatalf("%q: reRedirect matches without a literal", s)
		}
		if hasBase64Run(s, 2000) != reBase64Blob.MatchString(s) {
			t.Fatalf("%q: hasBase64Run differs", s)
		}
		if !strings.Contains(s, "://") && reAttURL.MatchString(s) {
			t.Fatalf("%q: reAttURL matches without ://", s)
		}
	})
}

func TestBase64Run(t *testing.T) {
	b := strings.Repeat("QUJD", 500)
	for _, s := range []string{"", b, b[:1999], "x" + b[:1999] + "é" + b, b[:1000] + "\n" + b[:1000], "é" + b + "é"} {
		if got, want := hasBase64Run(s, 2000), reBase64Blob.MatchString(s); got != want {
			t.Errorf("hasBase64Run(%d bytes) = %v, regexp %v", len(s), got, want)
		}
	}
}

// FuzzLoginPrefilter: loginRe matches no text in which loginAnchors find
// nothing (mayBeLogin, findLogin's precheck), also with s and k written
// as the runes (?i) folds to them, where findLogin takes the other path.
func FuzzLoginPrefilter(f *testing.F) {
	for _, s := range scanSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []string{s, strings.ReplaceAll(s, "s", "ſ"), strings.ReplaceAll(strings.ReplaceAll(s, "k", "\u212a"), "S", "ſ")} {
			if loginRe.MatchString(v) && !mayBeLogin(v) {
				t.Fatalf("%q: loginRe matches, mayBeLogin says no", v)
			}
			if got, want := findLogin(v), loginRe.FindString(v); got != want {
				t.Fatalf("findLogin(%q) = %q, regexp %q", v, got, want)
			}
		}
	})
}
