package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"strings"
	"testing"
)

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func streamObj(n int, dict string, data []byte) string {
	return fmt.Sprintf("%d 0 obj\n<< %s /Length %d >>\nstream\n%s\nendstream\nendobj\n", n, dict, len(data), data)
}

func TestPlainActions(t *testing.T) {
	doc := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>\nendobj\n" +
		"2 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\); eval\\(unescape\\('%u9090'\\)\\)) >>\nendobj\n" +
		"3 0 obj\n<< /Type /Annot /A << /S /URI /URI (https://evil.example/login?x=1) >> >>\nendobj\n" +
		"4 0 obj\n<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>\nendobj\n" +
		"6 0 obj\n<< /Type /Filespec /F (invoice.exe) /UF (invoice.exe) /EF << /F 7 0 R >> >>\nendobj\n" +
		streamObj(7, "/Type /EmbeddedFile /Filter /FlateDecode", zl([]byte("MZ embedded program"))) +
		"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
	r := Scan([]byte(doc), Limits{})
	if !r.JavaScript || !r.OpenAction || !r.AutoAction || !r.Launch || !r.EmbeddedFile {
		t.Fatalf("%+v", r)
	}
	if len(r.URIs) != 1 || r.URIs[0] != "https://evil.example/login?x=1" {
		t.Errorf("uris %v", r.URIs)
	}
	if len(r.JSSuspicious) == 0 {
		t.Errorf("js suspicious: %v", r.JSSnippets)
	}
	if len(r.LaunchTarget) == 0 || r.LaunchTarget[0] != "cmd.exe" {
		t.Errorf("launch %v", r.LaunchTarget)
	}
	if len(r.Embedded) != 1 || string(r.Embedded[0].Data) != "MZ embedded program" || r.Embedded[0].Name != "invoice.exe" {
		t.Errorf("embedded %+v", r.Embedded)
	}
	if r.Encrypted || len(r.ObfuscatedNames) != 0 {
		t.Errorf("false findings %+v", r)
	}
}

// TestHiddenInObjectStream hides the JavaScript action, with #xx-escaped
// names, inside a compressed object stream.
func TestHiddenInObjectStream(t *testing.T) {
	inner := "10 0 20 60\n<< /Type /Catalog /OpenAction 20 0 R >>\n<< /S /J#61vaScript /J#53 <6170702e616c657274283129> /Next << /S /URI /URI <68747470733a2f2f68696464656e2e6578616d706c652f> >> >>"
	doc := "%PDF-1.5\n" + streamObj(1, "/Type /ObjStm /N 2 /First 10 /Filter /FlateDecode", zl([]byte(inner))) +
		"trailer << /Root 10 0 R /Encrypt 9 0 R >>\n%%EOF"
	r := Scan([]byte(doc), Limits{})
	if !r.JavaScript || !r.AutoAction || r.ObjStms != 1 || len(r.ObfuscatedNames) == 0 || !r.Encrypted {
		t.Fatalf("%+v", r)
	}
	if len(r.URIs) != 1 || r.URIs[0] != "https://hidden.example/" {
		t.Fatalf("uris %v", r.URIs)
	}
	if len(r.JSSnippets) == 0 || !strings.Contains(strings.Join(r.JSSnippets, ""), "app.alert") {
		t.Fatalf("js %v", r.JSSnippets)
	}
}

func TestFilterChainsAndBounds(t *testing.T) {
	hexed := fmt.Sprintf("%x>", zl([]byte("<< /S /Launch /F (a.exe) >>")))
	doc := "%PDF-1.4\n" + streamObj(1, "/Filter [/ASCIIHexDecode /FlateDecode]", []byte(hexed))
	if r := Scan([]byte(doc), Limits{}); !r.Launch {
		t.Fatalf("chain: %+v", r)
	}
	bomb := zl(bytes.Repeat([]byte("A"), 20<<20))
	doc = "%PDF-1.4\n" + streamObj(1, "/Filter /FlateDecode", bomb)
	r := Scan([]byte(doc), Limits{MaxStream: 1 << 20})
	if !r.Truncated {
		t.Fatalf("bomb not bounded: %+v", r)
	}
}

func TestClamAVTestPDF(t *testing.T) {
	b, err := os.ReadFile("/usr/share/clamav-testfiles/clam.pdf")
	if err != nil {
		t.Skip("clamav-testfiles not installed")
	}
	r := Scan(b, Limits{})
	if r.Streams == 0 {
		t.Fatalf("%+v", r)
	}
	t.Logf("clam.pdf: %+v", *r)
}
