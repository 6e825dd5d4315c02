package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/attach"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// TestLimitsFailClosedBinary runs the real `sekisho scan --json` on the
// Emotet lure hidden past each parser limit (issue 14): the attachment is
// still found and the mail rejected as malware, and the breach is named.
func TestLimitsFailClosedBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := testutil.Binary(t)
	cases := []struct {
		name, symbol string
		raw          []byte
	}{
		{"headers", "MIME_TOO_MANY_HEADERS", testdoc.EmotetAfterHeaders(1001)},
		{"header-bytes", "MIME_HEADER_TOO_LONG", testdoc.EmotetAfterHeaderBytes(1<<20 + 4096)},
		{"parts", "MIME_TOO_MANY_PARTS", testdoc.EmotetAfterParts(1000)},
		{"depth", "MIME_TOO_DEEP", testdoc.EmotetAtDepth(20)},
		{"rfc822-parts", "MIME_TOO_MANY_PARTS", testdoc.EmotetInRFC822(testdoc.EmotetAfterParts(1000))},
		{"rfc822-depth", "MIME_TOO_DEEP", testdoc.EmotetInRFC822(testdoc.EmotetAtDepth(20))},
		// 40 encrypted-header 7z decoys and 19 decoy passwords in front
		// of the lure: keys are derived once per password (and at most
		// [attach] max_key_derivations), so the lure is still reached
		// well inside the analyzer's deadline.
		{"7z-decoys", "ARCHIVE_PASSWORD_IN_TEXT", testdoc.EmotetBehind7zDecoys(40, 19)},
	}
	// The fail-closed rule alone: a harmless-looking mail with a link
	// whose header breaks a limit is held, category unscannable.
	var junk strings.Builder
	for i := 0; i < 1001; i++ {
		junk.WriteString("X-Junk: filler\r\n")
	}
	cases = append(cases, struct {
		name, symbol string
		raw          []byte
	}{"fail-closed-link", "", []byte(junk.String() + "From: a@example.net\r\nTo: b@example.jp\r\nSubject: hi\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <x1@example.net>\r\n\r\nsee https://files.example.org/doc\r\n")})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eml := filepath.Join(dir, c.name+".eml")
			if err := os.WriteFile(eml, c.raw, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "scan", "--json", eml)
			cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "HOME="+dir)
			out, _ := cmd.Output() // the exit status encodes the action
			var v struct {
				Category string                  `json:"category"`
				Action   string                  `json:"action"`
				Symbols  []struct{ Name string } `json:"symbols"`
			}
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if c.symbol == "" {
				if v.Action != "quarantine" || v.Category != "unscannable" {
					t.Errorf("got %s/%s, want quarantine/unscannable: %.1500s", v.Action, v.Category, out)
				}
				return
			}
			if v.Action != "reject" || v.Category != "malware" {
				t.Errorf("got %s/%s, want reject/malware", v.Action, v.Category)
			}
			if strings.Contains(string(out), "PIPELINE_") {
				t.Errorf("an analyzer or the scan ran out of time: %.2000s", out)
			}
			if !strings.Contains(string(out), c.symbol) || !strings.Contains(string(out), attach.SymVBAAutoExecSuspicious) {
				t.Errorf("want %s and %s on the verdict: %.2000s", c.symbol, attach.SymVBAAutoExecSuspicious, out)
			}
		})
	}
}
