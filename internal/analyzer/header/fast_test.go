package header

import (
	"github.com/sekisho/sekisho/internal/mail"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzFastMatch holds isMsgID and replyPrefix to the regexps they stand
// in for.
func FuzzFastMatch(f *testing.F) {
	for _, s := range []string{"<a@b>", "<@b>", "<a@>", "<a@b@c>", "<a b@c>", "<a@b>x", "<\xff@\xfe>", "<é@ü>", "<a@b\t>", "<a\v@b>",
		"Re: x", "FWD[2]: x", "[list] Aw : x", "転送：x", "x", "re\xef\xbc\x9a", "\u00a0re: x", "<<a@b>>", "<a@b\u2028>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isMsgID(s), reMsgID.MatchString(s); got != want {
			t.Fatalf("isMsgID(%q) = %v, want %v", s, got, want)
		}
		if got, want := replyPrefix(s), reSubject.FindStringSubmatch(s); !slices.Equal(got, want) {
			t.Fatalf("replyPrefix(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzMailerKind holds mailerKind to the two regexps it stands in for.
func FuzzMailerKind(f *testing.F) {
	for _, s := range []string{"Quick Sender 2.1", "QuickSender", "dynamic e-mail", "Dynamic Mail", "send-safe", "MASS E-MAILER",
		"bulkemail", "bulk e-mail", "direct e-mail blaster", "directemailsender", "PHPMailer 5.2", "php/7.4", "PHP/x", "x php mailer",
		"Microsoft CDO for Windows 2000", "Microsoft Outlook", "", "ma\u017f\u017f mail", "\u212aing", "mail\u212aing", "atomic\xffmail",
		"ultimate  bulk", "e-mailblaster", "emaiemail blaster", "Mozilla/5.0", "ph", "php/", "\u017fend blaster", "xphpmailer"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := 0
		switch {
		case reBulkMailer.MatchString(s):
			want = 1
		case reScriptMailer.MatchString(s):
			want = 2
		}
		if got := mailerKind(s); got != want {
			t.Fatalf("mailerKind(%q) = %d, want %d", s, got, want)
		}
	})
}

// lang enumerates the (finite) language of a regexp built from
// literals, concatenation, alternation, groups and "?".
func lang(t *testing.T, re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return lang(t, re.Sub[0])
	case syntax.OpQuest:
		return append([]string{""}, lang(t, re.Sub[0])...)
	case syntax.OpCharClass:
		var out []string
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, string(r))
			}
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			out = append(out, lang(t, s)...)
		}
		return out
	case syntax.OpConcat:
		acc := []string{""}
		for _, s := range re.Sub {
			var next []string
			for _, a := range acc {
				for _, b := range lang(t, s) {
					next = append(next, a+b)
				}
			}
			acc = next
		}
		return acc
	}
	t.Fatalf("op %v in %v", re.Op, re)
	return nil
}

// TestBulkLitsComplete: bulkLits is exactly reBulkMailer's language
// (without the case folding).
func TestBulkLitsComplete(t *testing.T) {
	re, err := syntax.Parse(strings.TrimPrefix(reBulkMailer.String(), "(?i)"), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	want := lang(t, re)
	got := slices.Clone(bulkLits)
	slices.Sort(want)
	slices.Sort(got)
	want, got = slices.Compact(want), slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Fatalf("bulkLits\n%q\nregexp language\n%q", got, want)
	}
	for _, l := range bulkLits {
		for _, s := range []string{l, strings.ToUpper(l), "x " + l + " 1.0"} {
			if mailerKind(s) != 1 || !reBulkMailer.MatchString(s) {
				t.Errorf("%q", s)
			}
		}
	}
}

// FuzzIndexFields holds indexFields to Headers.Has and Get.
func FuzzIndexFields(f *testing.F) {
	f.Add("Date\nfrom\nTO\nſubject\nMessage-Id\nuser-agent\nx-MAILER\ncC\nX-Mailer")
	f.Add("\u212a\nDATE\nmeſſage-id\nuſer-agent\nFrom\n")
	f.Fuzz(func(t *testing.T, names string) {
		var h mail.Headers
		for i, n := range strings.Split(names, "\n") {
			h = append(h, mail.Header{Name: n, Value: strconv.Itoa(i)})
		}
		x := indexFields(h)
		for id, n := range hdNames {
			if x.has(id) != h.Has(n) || x.get(h, id) != h.Get(n) {
				t.Fatalf("%q in %q: has %v get %q, want %v %q", n, names, x.has(id), x.get(h, id), h.Has(n), h.Get(n))
			}
		}
	})
}

// TestMailerFoldOrbits: of the ASCII letters, only k and s have a
// non-ASCII rune in their (?i) folding orbit (unicode.SimpleFold), and
// those runes (U+212A, U+017F) are the ones mailerKind leaves to the
// regexps; every other rune matches no letter of the literals.
func TestMailerFoldOrbits(t *testing.T) {
	for c := rune('A'); c <= 'z'; c++ {
		if !unicode.IsLetter(c) {
			continue
		}
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			if r < utf8.RuneSelf {
				continue
			}
			if _, ok := foldLower(string(r), nil); ok {
				t.Errorf("%q folds with %U, which mailerKind does not send to the regexps", c, r)
			}
		}
	}
}
