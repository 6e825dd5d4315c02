package mail

import (
	"strings"
	"testing"
)

// refAddressList is parseAddressList without fastAddressList.
func refAddressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if len(v) > 64<<10 {
		v = v[:64<<10]
	}
	if list, err := addrParser.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, makeAddress(a.Name, a.Address))
		}
		return out
	}
	return lenientAddresses(v)
}

func sameAddresses(t *testing.T, v string) bool {
	t.Helper()
	_, fast := fastAddressList(strings.TrimSpace(v))
	got, want := parseAddressList(v), refAddressList(v)
	if len(got) != len(want) {
		t.Fatalf("%q: %d addresses %+v, net/mail %d %+v", v, len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%q: %+v, net/mail %+v", v, got[i], want[i])
		}
	}
	return fast
}

var addressSeeds = []string{
	"a@b.example", "A@B.Example", "<a@b.example>", "Name <a@b.example>", "\"Name, Jr.\" <a@b.example>",
	"John Q. Public <jqp@x.example>, b@c.example,, ,<d@e.example>", "a.b+c@d.example (comment)",
	"\"\" <a@b>", "\" pad \" <a@b>", "=?utf-8?q?x?= <a@b>", "a@b <c@d>", "a @b", "a@ b", ".a@b", "a..b@c",
	"group: a@b, c@d;", "\"x\"@y.example", "A\"B\" <a@b>", "A\t B <a@b>", "<a@b>x", "a@[1.2.3.4]",
	"Ünicode <a@b>", "a@b,", ",a@b", "one two three four five six seven eight nine <a@b>",
}

func TestFastAddressList(t *testing.T) {
	fast := 0
	for _, s := range addressSeeds {
		if sameAddresses(t, s) {
			fast++
		}
	}
	if fast < 8 {
		t.Errorf("only %d seeds on the fast path", fast)
	}
}

// FuzzAddressList: the fast path gives what net/mail (and the lenient
// fallback) give.
func FuzzAddressList(f *testing.F) {
	for _, s := range addressSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAddresses(t, s)
	})
}
