package sender

import "testing"

// FuzzIsReplySubject holds the colon precheck to the plain regexp.
func FuzzIsReplySubject(f *testing.F) {
	for _, s := range []string{"Re: x", "RE[2]: x", "[list] Aw : x", "返信：x", "回复: x", "Re x", "", "re\xef\xbc\x9a", "\xe3\xef\xbc\x9a", "Fwd: re: x", " sv:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isReplySubject(s), replySubject.MatchString(s); got != want {
			t.Fatalf("isReplySubject(%q) = %v, want %v", s, got, want)
		}
	})
}
