package attach

import (
	"bytes"
	"testing"
)

// looksMessagePlain is looksMessage as it was: each field name looked
// for in a fresh lower-cased copy, twice per name, the colon test last.
func looksMessagePlain(b []byte) bool {
	head := b[:min(len(b), 4096)]
	if bytes.HasPrefix(head, []byte("From ")) {
		return bytes.Contains(head, []byte("\nFrom:")) || bytes.Contains(head, []byte("\nContent-Type:"))
	}
	n := 0
	for _, h := range []string{"from:", "to:", "subject:", "content-type:", "mime-version:", "message-id:", "date:", "received:", "return-path:"} {
		if bytes.HasPrefix(bytes.ToLower(head), []byte(h)) || bytes.Contains(bytes.ToLower(head), []byte("\n"+h)) {
			n++
		}
	}
	first := bytes.IndexByte(head, ':')
	return n >= 2 && first > 0 && first < 40 && !bytes.ContainsAny(head[:first], " \t<")
}

// FuzzLooksMessage compares looksMessage with the plain computation.
func FuzzLooksMessage(f *testing.F) {
	for _, s := range []string{
		"From: a@b\nSubject: x\n\nbody",
		"From a@b Mon Jan 1\nFrom: a\n",
		"Received: x\nDATE: y\n",
		"X-Foo: 1\nTo: a\nMessage-ID: <x>\n",
		"Subject with space: x\nto: y\n",
		"SUBJECT:x\nMİME-VERSION: 1\nReturn-Path: <>\n",
		"\xffSubject: x\nDate: y\n",
		strings4096(),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := looksMessage(b), looksMessagePlain(b); got != want {
			t.Fatalf("looksMessage(%q) = %v, plain %v", b, got, want)
		}
	})
}

func strings4096() string {
	return string(bytes.Repeat([]byte("a"), 4090)) + "\nFrom: x\nTo: y\n"
}
