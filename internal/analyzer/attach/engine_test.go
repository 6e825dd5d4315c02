package attach_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/attach"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

func newEngine(t *testing.T, cfg *config.Config) *engine.Engine {
	t.Helper()
	cfg.General.DataDir = t.TempDir()
	return enginetest.New(t, cfg)
}

// TestEmotetEngine: the Emotet-like mail through the whole engine with the
// default configuration is malware.
func TestEmotetEngine(t *testing.T) {
	e := newEngine(t, config.Default())
	res := e.Scan(context.Background(), testdoc.EmotetMail(false, testdoc.EmotetBody), pipeline.Envelope{})
	v := res.Verdict
	if v.Category != pipeline.CategoryMalware || v.Action.Rank() < pipeline.ActionQuarantine.Rank() {
		t.Fatalf("category %s action %s score %.1f symbols %+v", v.Category, v.Action, v.Score, v.Symbols)
	}
	if !v.Has(attach.SymVBAAutoExecSuspicious) || !v.Has(attach.SymArchivePasswordText) {
		t.Fatalf("symbols %+v", v.Symbols)
	}
	if len(v.Attachments) < 2 || !v.Attachments[0].Encrypted {
		t.Fatalf("attachments %+v", v.Attachments)
	}
}

func clamConfig(t *testing.T, addr, failsafe string) *config.Config {
	cfg := config.Default()
	cfg.ClamAV.Enabled = true
	cfg.ClamAV.Address = addr
	cfg.ClamAV.FailSafe = failsafe
	cfg.ClamAV.Timeout = config.Duration{Duration: 10 * time.Second}
	return cfg
}

// TestClamAVEngine uses a real clamd: a virus in an attachment, a virus
// only visible once sekisho opened a password zip, and the fail-safes.
func TestClamAVEngine(t *testing.T) {
	d := testdoc.StartClamd(t, "")
	e := newEngine(t, clamConfig(t, "unix:"+d.Socket, "tempfail"))
	ctx := context.Background()

	eicar := []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)
	res := e.Scan(ctx, testdoc.Mail("hello", "see attached", testdoc.Attachment{Name: "eicar.com", Data: eicar}), pipeline.Envelope{})
	if !res.Verdict.Has(attach.SymAVVirus) || res.Verdict.Action != pipeline.ActionReject || res.Verdict.Category != pipeline.CategoryMalware {
		t.Fatalf("eicar: %s %s %+v", res.Verdict.Action, res.Verdict.Category, res.Verdict.Symbols)
	}

	// clamd cannot open a password zip; sekisho sends what it decrypted.
	z := testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "notes.txt", Data: []byte("... SEKISHO-TEST-PATTERN ...")}}, "k9k9", true)
	raw := testdoc.Mail("docs", "PW: k9k9", testdoc.Attachment{Name: "docs.zip", Data: z})
	res = e.Scan(ctx, raw, pipeline.Envelope{})
	if !res.Verdict.Has(attach.SymAVVirus) {
		t.Fatalf("decrypted: %+v", res.Verdict.Symbols)
	}

	clean := testdoc.Mail("hi", "hello", testdoc.Attachment{Name: "a.txt", Type: "text/plain", Data: []byte("hello world")})
	res = e.Scan(ctx, clean, pipeline.Envelope{})
	if res.Verdict.Has(attach.SymAVVirus) || res.Verdict.Action == pipeline.ActionTempfail {
		t.Fatalf("clean: %s %+v", res.Verdict.Action, res.Verdict.Symbols)
	}

	// Every clamav-testfiles container, attached to a mail, through the engine.
	if ents, err := os.ReadDir("/usr/share/clamav-testfiles"); err == nil {
		for _, ent := range ents {
			if !strings.HasPrefix(ent.Name(), "clam.") || strings.Contains(ent.Name(), "mbox") || ent.Name() == "clam.mail" {
				continue
			}
			b, _ := os.ReadFile(filepath.Join("/usr/share/clamav-testfiles", ent.Name()))
			res := e.Scan(ctx, testdoc.Mail("x", "x", testdoc.Attachment{Name: ent.Name(), Data: b}), pipeline.Envelope{})
			if !res.Verdict.Has(attach.SymAVVirus) {
				t.Errorf("%s: not found through clamd: %+v", ent.Name(), res.Verdict.Symbols)
			}
		}
	}

	// clamd down: tempfail, or pass with AV_UNAVAILABLE.
	gone := filepath.Join(t.TempDir(), "gone.sock")
	e2 := newEngine(t, clamConfig(t, gone, "tempfail"))
	res = e2.Scan(ctx, clean, pipeline.Envelope{})
	if res.Verdict.Action != pipeline.ActionTempfail {
		t.Fatalf("tempfail: %s %+v", res.Verdict.Action, res.Verdict.Symbols)
	}
	e3 := newEngine(t, clamConfig(t, gone, "pass"))
	res = e3.Scan(ctx, clean, pipeline.Envelope{})
	if res.Verdict.Action == pipeline.ActionTempfail || !res.Verdict.Has(attach.SymAVUnavailable) {
		t.Fatalf("pass: %s %+v", res.Verdict.Action, res.Verdict.Symbols)
	}
	_ = mail.URL{}
}

// TestEncryptedNoPasswordUnscannable: a password zip whose password is not
// in the mail, and a password-protected Office document, are unscannable
// through the whole engine (default unscannable_action: quarantine); the
// same zip with its password in the body is opened and judged by content.
func TestEncryptedNoPasswordUnscannable(t *testing.T) {
	e := newEngine(t, config.Default())
	zip := testdoc.EncryptedZip([]testdoc.ZipEntry{{Name: "見積書.pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}}, "s3cr3t-Pw", true)
	info := append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, `<encryption/>`...)
	office := testdoc.CFB(map[string][]byte{"EncryptionInfo": info, "EncryptedPackage": make([]byte, 64)})
	for name, data := range map[string][]byte{"見積書.zip": zip, "見積書.xlsx": office} {
		res := e.Scan(context.Background(), testdoc.Mail("見積書の送付", "ご確認ください。", testdoc.Attachment{Name: name, Data: data}), pipeline.Envelope{})
		v := res.Verdict
		if v.Category != pipeline.CategoryUnscannable || v.Action.Rank() < pipeline.ActionQuarantine.Rank() {
			t.Errorf("%s: category %s action %s symbols %+v", name, v.Category, v.Action, v.Symbols)
		}
	}
	res := e.Scan(context.Background(), testdoc.Mail("見積書の送付", "パスワード: s3cr3t-Pw", testdoc.Attachment{Name: "見積書.zip", Data: zip}), pipeline.Envelope{})
	if v := res.Verdict; v.Category == pipeline.CategoryUnscannable || v.Has(attach.SymArchiveEncrypted) {
		t.Errorf("with password: category %s symbols %+v", v.Category, v.Symbols)
	}
}

// TestFormControlVBAEngine: a macro started by a button that runs a
// command is malware through the engine although nothing auto-executes.
func TestFormControlVBAEngine(t *testing.T) {
	e := newEngine(t, config.Default())
	x := testdoc.XLSM(testdoc.VBAProject(map[string]string{"Sheet1": "Private Sub CommandButton1_Click()\r\nShell \"cmd /c calc\", vbHide\r\nEnd Sub\r\n"}))
	v := e.Scan(context.Background(), testdoc.Mail("請求書", "ボタンを押して内容を表示してください。", testdoc.Attachment{Name: "請求書.xlsm", Data: x}), pipeline.Envelope{}).Verdict
	if v.Category != pipeline.CategoryMalware || v.Action == pipeline.ActionAccept || !v.Has(attach.SymVBAExecCapability) {
		t.Fatalf("category %s action %s score %.1f symbols %+v", v.Category, v.Action, v.Score, v.Symbols)
	}
	t.Logf("score %.1f action %s", v.Score, v.Action)
}
