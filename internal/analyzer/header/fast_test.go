package header

import (
	"slices"
	"testing"
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
