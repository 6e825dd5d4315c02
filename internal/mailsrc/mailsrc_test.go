package mailsrc

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func collect(t *testing.T, paths ...string) []Item {
	t.Helper()
	var out []Item
	if err := Walk(paths, func(it Item) error { out = append(out, it); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

const mbox = "From alice@example.com Mon Jun 10 10:00:00 2024\n" +
	"From: alice@example.com\nSubject: one\n\nbody one\n>From the start of a line\n>>From twice quoted\n\n" +
	"From bob@example.com Mon Jun 10 10:01:00 2024\n" +
	"From: bob@example.com\nSubject: two\n\nhi\nFrom here is not a separator (no blank line before)\n\nFrom here neither (no date)\n\n" +
	"From carol@example.com Mon Jun 10 10:02:00 2024\r\n" +
	"From: carol@example.com\r\nSubject: three\r\n\r\nbody three\r\n"

func TestMbox(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "inbox.mbox")
	if err := os.WriteFile(p, []byte(mbox), 0o600); err != nil {
		t.Fatal(err)
	}
	items := collect(t, p)
	if len(items) != 3 {
		t.Fatalf("%d messages", len(items))
	}
	want := []string{
		"From: alice@example.com\nSubject: one\n\nbody one\nFrom the start of a line\n>From twice quoted\n",
		"From: bob@example.com\nSubject: two\n\nhi\nFrom here is not a separator (no blank line before)\n\nFrom here neither (no date)\n",
		"From: carol@example.com\r\nSubject: three\r\n\r\nbody three\r\n",
	}
	for i, it := range items {
		if string(it.Raw) != want[i] {
			t.Errorf("message %d:\n%q\nwant\n%q", i+1, it.Raw, want[i])
		}
		if it.Name != p+":"+string(rune('1'+i)) {
			t.Errorf("name %q", it.Name)
		}
	}
	if n := Count([]string{p}); n != 3 {
		t.Errorf("Count = %d", n)
	}
	// A file without the .mbox suffix is an mbox when a second separator follows a blank line.
	p2 := filepath.Join(dir, "archive")
	os.WriteFile(p2, []byte(mbox), 0o600)
	if n := len(collect(t, p2)); n != 3 {
		t.Errorf("unsuffixed mbox: %d", n)
	}
	// A single stored message that kept its "From " line is one message.
	p3 := filepath.Join(dir, "one.eml")
	os.WriteFile(p3, []byte("From x@y Mon Jun 10 10:00:00 2024\nFrom: x@y\n\nhello\n"), 0o600)
	if items := collect(t, p3); len(items) != 1 {
		t.Errorf("single message: %d", len(items))
	}
}

func TestMboxLongLines(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := "From a Mon Jun 10 10:00:00 2024\nSubject: a\n\n" + long + "\nFrom b is mid-line text\n\nFrom b Mon Jun 10 10:00:00 2024\nSubject: b\n\n>From quoted\n"
	var got []Item
	if err := SplitMbox("s", strings.NewReader(in), func(it Item) error { got = append(got, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages", len(got))
	}
	if !bytes.Contains(got[0].Raw, []byte(long)) || !bytes.HasSuffix(got[1].Raw, []byte("\nFrom quoted\n")) {
		t.Errorf("content: %d %q", len(got[0].Raw), got[1].Raw)
	}
}

func TestMaildirAndDirectory(t *testing.T) {
	root := t.TempDir()
	md := filepath.Join(root, "Maildir")
	for _, d := range []string{"cur", "new", "tmp", ".Junk/cur", ".Junk/new", ".Junk/tmp"} {
		os.MkdirAll(filepath.Join(md, d), 0o700)
	}
	write := func(rel, s string) {
		if err := os.WriteFile(filepath.Join(md, rel), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("cur/1700000000.1.host:2,S", "Subject: cur\n\nx")
	write("new/1700000001.2.host", "Subject: new\n\nx")
	write("tmp/1700000002.3.host", "Subject: tmp (being written)\n\nx")
	write(".Junk/cur/1700000003.4.host:2,", "Subject: junk\n\nx")
	write("dovecot-uidlist", "3 V1 N4")
	write("dovecot.index.log", "x")
	write("maildirfolder", "")
	items := collect(t, md)
	var subjects []string
	for _, it := range items {
		subjects = append(subjects, strings.TrimPrefix(strings.SplitN(string(it.Raw), "\n", 2)[0], "Subject: "))
	}
	if !reflect.DeepEqual(subjects, []string{"junk", "cur", "new"}) {
		t.Errorf("subjects %q", subjects)
	}
	if n := Count([]string{md}); n != 3 {
		t.Errorf("Count = %d", n)
	}
	// A missing path is an error.
	if err := Walk([]string{filepath.Join(root, "nope")}, func(Item) error { return nil }); err == nil {
		t.Error("no error for a missing path")
	}
	// ErrStop ends the walk quietly.
	n := 0
	if err := Walk([]string{md}, func(Item) error { n++; return ErrStop }); err != nil || n != 1 {
		t.Errorf("ErrStop: %v %d", err, n)
	}
}

func TestStdin(t *testing.T) {
	old := stdin
	defer func() { stdin = old }()
	stdin = strings.NewReader(mbox)
	if items := collect(t, "-"); len(items) != 3 || items[0].Name != "-:1" {
		t.Errorf("stdin mbox: %d", len(items))
	}
	stdin = strings.NewReader("Subject: x\n\nbody\n")
	if items := collect(t, "-"); len(items) != 1 || items[0].Name != "-" {
		t.Errorf("stdin message: %+v", items)
	}
}

// FuzzMbox: splitting never panics, never loses bytes beyond separators
// and quoting, and yields no more messages than separators.
func FuzzMbox(f *testing.F) {
	f.Add([]byte(mbox))
	f.Add([]byte("From \n\nFrom \n>From \n>>From x\r\nFrom"))
	f.Add([]byte("no separator at all\n\nFrom x\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, total := 0, 0
		err := SplitMbox("f", bytes.NewReader(b), func(it Item) error {
			n++
			total += len(it.Raw)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seps := bytes.Count(b, []byte("From ")); n > seps+1 {
			t.Fatalf("%d messages from %d separators", n, seps)
		}
		if total > len(b) {
			t.Fatalf("output %d bytes > input %d", total, len(b))
		}
	})
}
