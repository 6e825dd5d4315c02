package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/attach"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// TestEmotetBinary runs the real `sekisho scan --json`.
func TestEmotetBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := testutil.Binary(t)
	eml := filepath.Join(dir, "emotet.eml")
	os.WriteFile(eml, testdoc.EmotetMail(false, testdoc.EmotetBody), 0o644)
	cmd := exec.Command(bin, "scan", "--json", eml)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "HOME="+dir)
	out, _ := cmd.Output() // the exit status may encode the action
	var v struct {
		Category    string                    `json:"category"`
		Action      string                    `json:"action"`
		Symbols     []struct{ Name string }   `json:"symbols"`
		Attachments []pipeline.AttachmentInfo `json:"attachments"`
		Verdict     *struct {
			Category string `json:"category"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	cat := v.Category
	if cat == "" && v.Verdict != nil {
		cat = v.Verdict.Category
	}
	if cat != "malware" || !strings.Contains(string(out), attach.SymVBAAutoExecSuspicious) {
		t.Fatalf("sekisho scan: %s", out)
	}
}
