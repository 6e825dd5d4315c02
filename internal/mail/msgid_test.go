package mail

import (
	"reflect"
	"strings"
	"testing"
)

// refMsgIDs is msgIDs as it was before its list was given room up front
// (written with strings.Cut).
func refMsgIDs(s string) []string {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return nil
	}
	var out []string
	for len(out) < 200 {
		_, after, ok := strings.Cut(rest, "<")
		if !ok {
			break
		}
		id, tail, ok := strings.Cut(after, ">")
		if !ok {
			break
		}
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
		rest = tail
	}
	if out != nil {
		return out
	}
	for f := range strings.FieldsSeq(rest) {
		if strings.Contains(f, "@") {
			out = append(out, strings.Trim(f, "<>,"))
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
