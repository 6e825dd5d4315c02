package mail

import (
	"reflect"
	"strings"
	"testing"
)

// refMsgIDs is msgIDs as it was before its list was given room up front.
func refMsgIDs(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var out []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		id := strings.TrimSpace(s[i+1 : i+j])
		if id != "" {
			out = append(out, id)
		}
		s = s[i+j+1:]
		if len(out) >= 200 {
			break
		}
	}
	if out == nil {
		for _, f := range strings.Fields(s) {
			if strings.Contains(f, "@") {
				out = append(out, strings.Trim(f, "<>,"))
			}
		}
	}
	return out
}

// refFirstID is firstID as it was: the first of refMsgIDs.
func refFirstID(s string) string {
	if ids := refMsgIDs(s); len(ids) > 0 {
		return ids[0]
	}
	return strings.TrimSpace(s)
}

// FuzzMsgIDs: msgIDs (nil where it was nil) and firstID as the reference.
func FuzzMsgIDs(f *testing.F) {
	for _, s := range []string{"", " ", "<a@b>", "<a@b> <c@d>", "<> <a@b>", "<>", "< >x@y", "<> x@y <", "a@b c@d",
		"<x> <y> <z>", "<<a>>", "<a", "a>", "<>,x@y,", " <a@b>\r\n <c@d>", strings.Repeat("<a>", 300), "x@y <>", "<> <>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := msgIDs(s), refMsgIDs(s)
		if !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("msgIDs(%q) = %#v, want %#v", s, got, want)
		}
		if got, want := firstID(s), refFirstID(s); got != want {
			t.Fatalf("firstID(%q) = %q, want %q", s, got, want)
		}
	})
}
