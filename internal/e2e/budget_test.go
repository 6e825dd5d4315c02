package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// scanJSON runs the real `sekisho scan --json` on raw with an optional
// configuration and returns the verdict's action, category and the whole
// output.
func scanJSON(t *testing.T, raw []byte, cfg string) (action, category, out string) {
	t.Helper()
	dir := t.TempDir()
	eml := filepath.Join(dir, "m.eml")
	if err := os.WriteFile(eml, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"scan", "--json", eml}
	if cfg != "" {
		cf := filepath.Join(dir, "sekisho.toml")
		cfg = fmt.Sprintf("[general]\ndata_dir = %q\n", filepath.Join(dir, "data")) + cfg
		if err := os.WriteFile(cf, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"--config", cf}, args...)
	}
	cmd := exec.Command(testutil.Binary(t), args...)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "HOME="+dir)
	b, _ := cmd.Output() // the exit status encodes the action
	var v struct{ Action, Category string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("json: %v\n%s", err, b)
	}
	return v.Action, v.Category, string(b)
}

// TestDecoyKeyBudgetBinary: with the derivation budget at one try, the
// 40-decoy trap cannot open the 7z decoys; whatever is left encrypted is a
// fail-closed finding, never clean (issue 14), and the scan ends long
// before any deadline.
func TestDecoyKeyBudgetBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	start := time.Now()
	act, cat, out := scanJSON(t, testdoc.EmotetBehind7zDecoys(40, 19), "[attach]\nmax_key_derivations = 1\n")
	t.Logf("scan took %v", time.Since(start))
	if act == "accept" || act == "tag" {
		t.Fatalf("delivered: %s/%s\n%.2000s", act, cat, out)
	}
	if !strings.Contains(out, "ARCHIVE_ENCRYPTED") || strings.Contains(out, "PIPELINE_ANALYZER_TIMEOUT") {
		t.Errorf("want ARCHIVE_ENCRYPTED and no time-out: %.2000s", out)
	}
}

// TestAVLimitFailsClosedBinary: a real clamd that stops at its own scan
// limits (AlertExceedsMax) makes AV_SIZE_LIMIT, an unscannable finding:
// an otherwise harmless mail with an attachment is held, not passed as
// virus-free.
func TestAVLimitFailsClosedBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	d := testdoc.StartClamd(t, "MaxScanSize 2K\nMaxFileSize 2K\nAlertExceedsMax yes\n")
	// clamd (1.4) passes a zip whose inner file is over its limits with
	// "OK" (sekisho opens archives itself); a plain file over them gets
	// Heuristics.Limits.Exceeded.
	big := []byte(strings.Repeat("quarterly figures, nothing to see here\n", 400))
	raw := testdoc.Mail("資料送付", "資料を添付します。\r\n", testdoc.Attachment{Name: "figures.csv", Type: "text/csv", Data: big})
	cfg := fmt.Sprintf("[clamav]\nenabled = true\naddress = \"unix:%s\"\n", d.Socket)
	act, cat, out := scanJSON(t, raw, cfg)
	if act != "quarantine" || cat != "unscannable" || !strings.Contains(out, "AV_SIZE_LIMIT") {
		t.Fatalf("got %s/%s, want quarantine/unscannable with AV_SIZE_LIMIT:\n%.2000s", act, cat, out)
	}
	// Below clamd's limits the same kind of mail passes the virus scan.
	raw = testdoc.Mail("資料送付", "資料を添付します。\r\n", testdoc.Attachment{Name: "figures.csv", Type: "text/csv", Data: []byte("small\n")})
	if act, cat, out = scanJSON(t, raw, cfg); strings.Contains(out, "AV_SIZE_LIMIT") || cat == "unscannable" {
		t.Fatalf("small attachment: %s/%s\n%.2000s", act, cat, out)
	}
}

// TestLimitsInContainersBinary (issue 14, "Done when": limits in
// archives and in TNEF): the Emotet workbook nested in zips past
// [attach] max_depth, and the lure's password zip inside a winmail.dat,
// are never delivered as clean.
func TestLimitsInContainersBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	xlsm := testdoc.XLSM(testdoc.VBAProject(map[string]string{"ThisWorkbook": testdoc.EmotetMacro}))
	nested := xlsm
	name := "請求書.xlsm"
	for i := 0; i < 7; i++ { // deeper than max_depth (5)
		nested = testdoc.Zip(map[string][]byte{name: nested})
		name = fmt.Sprintf("layer%d.zip", i)
	}
	pwZip := testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "請求書_2026.xlsm", Data: xlsm}}, "abc123", false)
	cases := []struct {
		name string
		raw  []byte
	}{
		{"zip-depth", testdoc.Mail("Re: ご請求書の件", testdoc.EmotetBody, testdoc.Attachment{Name: name, Type: "application/zip", Data: nested})},
		{"tnef", testdoc.Mail("Re: ご請求書の件", testdoc.EmotetBody, testdoc.Attachment{Name: "winmail.dat", Type: "application/ms-tnef",
			Data: testdoc.TNEF([]testdoc.ZipEntry{{Name: "請求書.zip", Data: pwZip}})})},
		{"rfc822-tnef", testdoc.EmotetInRFC822(testdoc.Mail("Re: ご請求書の件", testdoc.EmotetBody, testdoc.Attachment{Name: "winmail.dat", Type: "application/ms-tnef",
			Data: testdoc.TNEF([]testdoc.ZipEntry{{Name: "請求書.zip", Data: pwZip}})}))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			act, cat, out := scanJSON(t, c.raw, "")
			t.Logf("%s/%s", act, cat)
			if act == "accept" || act == "tag" {
				t.Fatalf("delivered: %s/%s\n%.2000s", act, cat, out)
			}
		})
	}
}
