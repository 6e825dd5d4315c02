package attach

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/testdoc"
)

// one scans a mail with one attachment.
func one(t *testing.T, name string, data []byte) *pipeline.Task {
	t.Helper()
	return scan(t, testdoc.Mail("files", "see attached", testdoc.Attachment{Name: name, Data: data}), nil)
}

func TestEICAR(t *testing.T) {
	want(t, one(t, "readme.txt", []byte(eicar+"\r\n")), SymTestSignature)
	want(t, one(t, "test.zip", testdoc.Zip(map[string][]byte{"eicar.com": []byte(eicar)})), SymTestSignature)
	// benign twin: text that talks about EICAR without the string
	notWant(t, one(t, "readme.txt", []byte("Send the EICAR-STANDARD-ANTIVIRUS-TEST-FILE to test your scanner.\n")), SymTestSignature)
}

func TestHTMLSmuggling(t *testing.T) {
	pe := append([]byte("MZ"), make([]byte, 200)...)
	b64 := base64.StdEncoding.EncodeToString(testdoc.Zip(map[string][]byte{"invoice.exe": pe}))
	page := `<html><body><script>var b=atob("` + b64 + `");var a=new Uint8Array(b.length);` +
		`var blob=new Blob([a],{type:"application/octet-stream"});</script></body></html>`
	task := one(t, "invoice.html", []byte(page))
	want(t, task, SymHTMLSmuggling, SymExecutableInArchive)
	task = one(t, "doc.html", []byte(`<html><a download="x.exe" href="data:application/octet-stream;base64,`+base64.StdEncoding.EncodeToString(pe)+`">get</a></html>`))
	want(t, task, SymHTMLSmuggling, SymExecutableInArchive)
	// benign twin: a newsletter with an inline image and a long text token
	img := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100))
	task = one(t, "news.html", []byte(`<html><img src="data:image/png;base64,`+img+`"><script>var t="`+base64.StdEncoding.EncodeToString([]byte(strings.Repeat("hello world ", 40)))+`";var s=atob(t);</script></html>`))
	notWant(t, task, SymHTMLSmuggling, SymExecutable, SymExecutableInArchive)
}

func tgz(name string, data []byte) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))})
	tw.Write(data)
	tw.Close()
	var gb bytes.Buffer
	gw := gzip.NewWriter(&gb)
	gw.Write(tb.Bytes())
	gw.Close()
	return gb.Bytes()
}

// tgz2 is a tgz holding two files.
func tgz2(n1 string, d1 []byte, n2 string, d2 []byte) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range []struct {
		n string
		d []byte
	}{{n1, d1}, {n2, d2}} {
		tw.WriteHeader(&tar.Header{Name: f.n, Mode: 0o644, Size: int64(len(f.d))})
		tw.Write(f.d)
	}
	tw.Close()
	var gb bytes.Buffer
	gw := gzip.NewWriter(&gb)
	gw.Write(tb.Bytes())
	gw.Close()
	return gb.Bytes()
}

// TestDeepTGZ: past max_depth a chain of one-file archives is followed
// (clamav-testfiles' clam_cache_emax.tgz: clam.exe 18 levels down), up to
// max_chain_depth; an archive with two files past max_depth, or a chain
// longer than max_chain_depth, is ARCHIVE_TOO_DEEP (unscannable).
func TestDeepTGZ(t *testing.T) {
	chain := func(levels int, z []byte) []byte {
		for i := 0; i < levels; i++ {
			z = tgz("level.tgz", z)
		}
		return z
	}
	// 9 tgz = 18 archive levels, one file each: followed, found.
	task := one(t, "deep.tgz", chain(8, tgz("clam.exe", []byte(eicar))))
	want(t, task, SymTestSignature)
	notWant(t, task, SymArchiveTooDeep)
	// a branch past the depth limit: not followed, unscannable
	task = one(t, "branch.tgz", chain(5, tgz2("readme.txt", []byte("hello"), "next.tgz", tgz("clam.exe", []byte(eicar)))))
	want(t, task, SymArchiveTooDeep)
	notWant(t, task, SymTestSignature)
	// a chain past max_chain_depth (32): unscannable
	task = one(t, "deeper.tgz", chain(20, tgz("clam.exe", []byte(eicar))))
	want(t, task, SymArchiveTooDeep)
	// max_chain_depth = max_depth turns the chain rule off
	task = scan(t, testdoc.Mail("files", "see attached", testdoc.Attachment{Name: "deep.tgz", Data: chain(8, tgz("clam.exe", []byte(eicar)))}),
		func(c *config.Attach) { c.MaxChainDepth = c.MaxDepth })
	want(t, task, SymArchiveTooDeep)
	if d, _ := pipeline.Lookup(SymArchiveTooDeep); !d.Unscannable {
		t.Error("ARCHIVE_TOO_DEEP is not flagged Unscannable")
	}
	for _, s := range []string{SymArchiveEncrypted, SymArchiveBomb, SymArchiveTooMany, SymArchiveUnsupported, SymOfficeEncrypted} {
		if d, _ := pipeline.Lookup(s); !d.Unscannable {
			t.Errorf("%s is not flagged Unscannable", s)
		}
	}
	// shallow twin: found
	want(t, one(t, "ok.tgz", tgz("a.txt", []byte(eicar))), SymTestSignature)
}

// TestARJAttachment: clam.exe inside an ARJ archive (clamav-testfiles'
// clam.arj, method 1) is found; a damaged one is reported.
func TestARJAttachment(t *testing.T) {
	b, err := os.ReadFile("/usr/share/clamav-testfiles/clam.arj")
	if err != nil {
		testutil.PeerMissing(t, "clamav-testfiles not installed")
		return
	}
	task := one(t, "file.bin", b)
	want(t, task, SymTestSignature, SymExecutableInArchive)
	notWant(t, task, SymArchiveUnsupported, SymArchiveCorrupt)
	bad := bytes.Clone(b)
	bad[0x90] ^= 0x40
	task = one(t, "file.bin", bad)
	notWant(t, task, SymTestSignature)
	// an ARJ bomb: 8 MiB of zeros packed by Debian's arj (ratio far past max_ratio)
	arj, err := exec.LookPath("arj")
	if err != nil {
		testutil.PeerMissing(t, "arj not installed")
		return
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "zeros.bin"), make([]byte, 8<<20), 0o644)
	cmd := exec.Command(arj, "a", "-m1", "-y", "z.arj", "zeros.bin")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("arj: %v %s", err, out)
	}
	z, _ := os.ReadFile(filepath.Join(dir, "z.arj"))
	want(t, one(t, "z.arj", z), SymArchiveBomb)
}

func TestMailAsAttachment(t *testing.T) {
	pe := append([]byte("MZ"), make([]byte, 200)...)
	inner := testdoc.Mail("fwd", "inner", testdoc.Attachment{Name: "setup.exe", Data: pe})
	task := one(t, "forwarded.eml", inner)
	want(t, task, SymExecutableInArchive)
	uu := "From someone@example.com Thu Jul 31 13:51:21 2008\nFrom: someone@example.com\nSubject: x\n\nbegin 644 e.txt\n" +
		uuLines([]byte(eicar)) + "`\n"
	want(t, one(t, "mbox", []byte(uu)), SymTestSignature)
	notWant(t, one(t, "notes.txt", []byte("From: the desk of the editor\nThanks for the note.\n")), SymExecutableInArchive)
}

func uuLines(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		n := min(45, len(b))
		chunk := b[:n]
		b = b[n:]
		sb.WriteByte(byte(32 + n))
		for i := 0; i < len(chunk); i += 3 {
			var c [3]byte
			copy(c[:], chunk[i:])
			q := []byte{c[0] >> 2, (c[0]&3)<<4 | c[1]>>4, (c[1]&15)<<2 | c[2]>>6, c[2] & 63}
			for _, x := range q {
				if x == 0 {
					sb.WriteByte('`')
				} else {
					sb.WriteByte(32 + x)
				}
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func TestTextOfficeDDE(t *testing.T) {
	cases := []struct {
		name, pos, neg string
		sym            string
	}{
		{"orders.csv", "id,name,total\n1,alice,=cmd|' /c calc'!A1\n", "id,name,total\n1,alice,=SUM(B1:B3)\n2,bob,-5\n", SymDDE},
		{"orders.csv", "a,b\n1,\"=DDE(\"\"cmd\"\";\"\"/c calc\"\";\"\"x\"\")\"\n", "a,b\n1,\"see cmd | pipe usage!\"\n", SymDDE},
		{"report.xml", `<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe" </w:instrText></w:r></w:p></w:body></w:wordDocument>`,
			`<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body><w:p><w:r><w:instrText> PAGE </w:instrText></w:r></w:p></w:body></w:wordDocument>`, SymDDE},
		{"book.xml", `<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table><Row><Cell ss:Formula="=cmd|&apos; /c calc&apos;!A1"><Data ss:Type="Number">0</Data></Cell></Row></Table></Worksheet></Workbook>`,
			`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table><Row><Cell ss:Formula="=SUM(R1C1:R2C1)"><Data ss:Type="Number">3</Data></Cell></Row></Table></Worksheet></Workbook>`, SymDDE},
		{"data.slk", "ID;P\nC;X1;Y1;K0;EEXEC(\"calc.exe\")\nC;X1;Y2;K0;EHALT()\nE\n", "ID;P\nC;X1;Y1;K1\nC;X1;Y2;K2;ESUM(R1C1)\nE\n", SymXLM},
	}
	for _, c := range cases {
		want(t, one(t, c.name, []byte(c.pos)), c.sym)
		notWant(t, one(t, c.name, []byte(c.neg)), c.sym)
	}
}
