package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/attach"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestClamAVTestFiles mails each file of Debian's clamav-testfiles as an
// attachment through the real `sekisho scan --json`, with clamd off, and
// requires category malware for every file (each holds clam.exe, packed
// or not, in some container). Files are attached under a neutral name
// ("file.bin"), so the verdict comes from the content, not the extension.
// The table it logs says how each was found: the built-in test signature
// on clam.exe itself, "program" for packed copies and installers (not
// unpacked), "dangerous type" for the CHM (LZX-compressed, not expanded).
func TestClamAVTestFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := testutil.NeedFile(t, "/usr/share/clamav-testfiles", "Debian package clamav-testfiles")
	bin := testutil.Binary(t)
	tmp := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ kind, file, cat, how string }
	var rows []row
	files := map[string][]byte{}
	os.Mkdir(filepath.Join(tmp, "mail"), 0o755)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "From: tester@example.com\r\nTo: admin@example.org\r\nSubject: test file\r\nDate: Sat, 5 Dec 2026 10:00:00 +0000\r\n"+
			"Message-ID: <%s@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"+
			"--b1\r\nContent-Type: text/plain\r\n\r\nSee the attached file.\r\n--b1\r\nContent-Type: application/octet-stream; name=\"file.bin\"\r\n"+
			"Content-Disposition: attachment; filename=\"file.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", e.Name())
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n--b1--\r\n")
		os.WriteFile(filepath.Join(tmp, "mail", e.Name()+".eml"), b.Bytes(), 0o644)
		files[e.Name()] = data
	}
	// One run of the binary scans the whole directory (one JSON object per message).
	cmd := exec.Command(bin, "scan", "--json", filepath.Join(tmp, "mail"))
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+tmp, "HOME="+tmp)
	out, _ := cmd.Output() // the exit status may encode the action
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var v struct {
			File     string                  `json:"file"`
			Category string                  `json:"category"`
			Symbols  []struct{ Name string } `json:"symbols"`
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("json: %v\n%s", err, out)
		}
		name := strings.TrimSuffix(filepath.Base(v.File), ".eml")
		data, ok := files[name]
		if !ok {
			t.Fatalf("unexpected file %q", v.File)
		}
		delete(files, name)
		names := map[string]bool{}
		unscannable := false
		for _, s := range v.Symbols {
			names[s.Name] = true
			if d, ok := pipeline.Lookup(s.Name); ok && d.Unscannable {
				unscannable = true
			}
		}
		how := ""
		switch {
		case names[attach.SymTestSignature]:
			how = "test signature"
		case names[attach.SymExecutable] || names[attach.SymExecutableInArchive]:
			how = "program"
		case unscannable:
			how = "unscannable"
		case names[attach.SymDangerousType]:
			how = "dangerous type"
		default:
			how = "nothing"
		}
		rows = append(rows, row{kind: kindOf(name), file: name, cat: v.Category, how: how})
		if v.Category != "malware" {
			t.Errorf("%s: category %q (%s), symbols %v", name, v.Category, how, names)
		}
		// Opened by sekisho's own readers down to clam.exe: every
		// container but the packers, installers and CHM (ARJ method 1, zip
		// Deflate64 and implode, the tgz chain nested 18 levels deep).
		if k := kindOf(name); k != "packed/installer" && k != "chm" && !names[attach.SymTestSignature] {
			t.Errorf("%s: clam.exe not found inside (%s), symbols %v", name, how, names)
		}
		// Every file holding the unpacked clam.exe is named by the test signature.
		if kindOf(name) != "packed/installer" && bytes.Contains(data, []byte("CLAMessageBoxA")) && !names[attach.SymTestSignature] {
			t.Errorf("%s: holds clam.exe in the clear but no %s", name, attach.SymTestSignature)
		}
	}
	if len(files) > 0 {
		t.Errorf("not scanned: %d files", len(files))
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].kind < rows[j].kind || rows[i].kind == rows[j].kind && rows[i].file < rows[j].file
	})
	var tb strings.Builder
	fmt.Fprintf(&tb, "\n%-16s %-22s %-8s %s\n", "container", "file", "category", "found by")
	for _, r := range rows {
		fmt.Fprintf(&tb, "%-16s %-22s %-8s %s\n", r.kind, r.file, r.cat, r.how)
	}
	t.Log(tb.String())
}

func kindOf(name string) string {
	n := strings.TrimPrefix(name, "clam")
	switch {
	case strings.HasPrefix(n, "-") || strings.HasPrefix(n, "_IS") || strings.HasPrefix(n, ".ea0"):
		return "packed/installer"
	case strings.HasSuffix(n, ".cpio"):
		return "cpio"
	case strings.HasSuffix(n, ".tgz") || strings.HasSuffix(n, ".tar.gz"):
		return "tar.gz"
	case n == ".exe":
		return "plain PE"
	}
	return strings.TrimPrefix(filepath.Ext(n), ".")
}
