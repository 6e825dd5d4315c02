package mail

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func TestMIMETree(t *testing.T) {
	jis, _ := japanese.ISO2022JP.NewEncoder().Bytes([]byte("転送された件名"))
	raw := "From: Boss <ceo@corp.example>\r\nTo: a@corp.example\r\nSubject: Fwd: test\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\npreamble\r\n" +
		"--outer\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain version\r\n" +
		"--alt\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n" +
		"--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html <b>version</b><img src=\"cid:logo@x\"></p>\r\n" +
		"--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--rel--\r\n--alt--\r\n" +
		"--outer\r\nContent-Type: application/zip; name=\"invoice.zip\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n" +
		"--outer\r\nContent-Type: message/rfc822\r\n\r\n" +
		"From: Orig <orig@other.example>\r\nSubject: =?ISO-2022-JP?B?" + b64(jis) + "?=\r\nMessage-ID: <id1@other.example>\r\n\r\ninner body http://inner.example/x\r\n" +
		"--outer\r\nContent-Type: multipart/digest; boundary=dig\r\n\r\n--dig\r\n\r\nSubject: digest item\r\n\r\nitem text\r\n--dig--\r\n" +
		"--outer--\r\nepilogue\r\n"
	m := Parse([]byte(raw), Limits{})
	if len(m.Anomalies) != 0 {
		t.Errorf("anomalies: %v", m.Anomalies)
	}
	if !strings.Contains(m.Text, "html version") || strings.Contains(m.Text, "plain version") {
		t.Errorf("text shows the wrong alternative: %q", m.Text)
	}
	if !strings.Contains(m.Text, "inner body") || !strings.Contains(m.Text, "item text") {
		t.Errorf("embedded text missing: %q", m.Text)
	}
	var emb *Message
	var png, zip, digest *Part
	for _, p := range m.Parts {
		switch {
		case p.Embedded != nil && p.ContentType == "message/rfc822" && p.Parent.ContentType == "multipart/mixed":
			emb = p.Embedded
		case p.ContentType == "image/png":
			png = p
		case p.ContentType == "application/zip":
			zip = p
		case p.Parent != nil && p.Parent.ContentType == "multipart/digest":
			digest = p
		}
	}
	if emb == nil || emb.Subject != "転送された件名" || emb.MessageID != "id1@other.example" || len(emb.From) != 1 || emb.From[0].Domain != "other.example" {
		t.Fatalf("embedded: %+v", emb)
	}
	if !strings.Contains(emb.Text, "inner body") || len(emb.Parts) != 1 {
		t.Errorf("embedded views: %q %d", emb.Text, len(emb.Parts))
	}
	if png == nil || !png.IsInline || !png.IsAttachment || !bytes.HasPrefix(png.Body, []byte("\x89PNG")) {
		t.Errorf("inline image: %+v", png)
	}
	if zip == nil || zip.Filename != "invoice.zip" || !zip.IsAttachment || string(zip.Body) != "PK\x03\x04" || zip.Path != "1.2" {
		t.Errorf("zip: %+v", zip)
	}
	if digest == nil || digest.ContentType != "message/rfc822" || digest.Embedded == nil || digest.Embedded.Subject != "digest item" {
		t.Errorf("digest default type: %+v", digest)
	}
	var hosts []string
	for _, u := range m.URLs {
		hosts = append(hosts, u.Host)
	}
	if !strings.Contains(strings.Join(hosts, ","), "inner.example") {
		t.Errorf("urls %v", hosts)
	}
	if len(m.Attachments) < 2 {
		t.Errorf("attachments %d", len(m.Attachments))
	}
}

func TestTransferEncodings(t *testing.T) {
	cases := []struct {
		name, cte, body, want string
		bad                   bool
	}{
		{"qp", "quoted-printable", "caf=C3=A9 soft=\r\nbreak  \r\nnext", "café softbreak\r\nnext", false},
		{"qp-junk", "quoted-printable", "a=ZZb=\nc =3d", "a=ZZbc =", true},
		{"qp-lower", "Quoted-Printable", "=e3=81=82", "あ", false},
		{"b64-lines", "base64", "5pel5pys\r\n6Kqe\r\n", "日本語", false},
		{"b64-junk", "base64", "5pel*5pys!6Kqe", "日本語", true},
		{"b64-after-pad", "base64", "YQ==\r\nGARBAGE", "a", true},
		{"unknown", "x-foo", "plain", "plain", true},
	}
	for _, c := range cases {
		m := Parse(msgWithBody("text/plain; charset=utf-8", c.cte, []byte(c.body)), Limits{})
		if string(m.Root.Body) != c.want {
			t.Errorf("%s: body %q, want %q", c.name, m.Root.Body, c.want)
		}
		if m.HasAnomaly(AnomalyBadEncoding) != c.bad {
			t.Errorf("%s: bad encoding anomaly = %v", c.name, !c.bad)
		}
	}
}

func TestUUEncodeInText(t *testing.T) {
	body := "Here is the file:\n\nbegin 644 hello.txt\n&:&5L;&\\*\n`\nend\n\nbye\n"
	m := Parse(msgWithBody("text/plain", "", []byte(body)), Limits{})
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments: %d %+v", len(m.Attachments), m.Parts)
	}
	a := m.Attachments[0]
	if a.Filename != "hello.txt" || string(a.Body) != "hello\n" {
		t.Errorf("uu: %q %q", a.Filename, a.Body)
	}
}

func TestLimits(t *testing.T) {
	// Parts.
	var sb strings.Builder
	sb.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < 50; i++ {
		sb.WriteString("--b\r\nContent-Type: text/plain\r\n\r\npart\r\n")
	}
	sb.WriteString("--b--\r\n")
	// Past the soft limit only parts that can carry an attachment or a
	// link are kept (salvage.go): plain filler is not.
	m := Parse([]byte(sb.String()), Limits{MaxParts: 10})
	if len(m.Parts) > 10 || !m.HasAnomaly(AnomalyTooManyParts) {
		t.Errorf("parts: %d %v", len(m.Parts), m.Anomalies)
	}
	// Depth.
	sb.Reset()
	sb.WriteString("From: a@b.c\r\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&sb, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	sb.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
	m = Parse([]byte(sb.String()), Limits{MaxDepth: 5})
	if !m.HasAnomaly(AnomalyTooDeep) {
		t.Errorf("depth: %v", m.Anomalies)
	}
	for _, p := range m.Parts {
		if p.Depth > 6 {
			t.Errorf("part at depth %d", p.Depth)
		}
	}
	// Nested message/rfc822.
	inner := "From: x@y.z\r\n\r\ncore\r\n"
	for i := 0; i < 30; i++ {
		inner = "From: x@y.z\r\nContent-Type: message/rfc822\r\n\r\n" + inner
	}
	m = Parse([]byte(inner), Limits{MaxDepth: 5})
	if !m.HasAnomaly(AnomalyTooDeep) {
		t.Errorf("rfc822 depth: %v", m.Anomalies)
	}
	// Headers: count and bytes.
	sb.Reset()
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "X-H%d: v\r\n", i)
	}
	m = Parse([]byte(sb.String()+"\r\nbody"), Limits{MaxHeaders: 20})
	if len(m.Headers) != 20 || !m.HasAnomaly(AnomalyTooManyHeaders) {
		t.Errorf("headers: %d %v", len(m.Headers), m.Anomalies)
	}
	m = Parse([]byte("Subject: "+strings.Repeat("x", 5000)+"\r\n\r\nbody"), Limits{MaxHeaderBytes: 1000})
	if !m.HasAnomaly(AnomalyHeaderTooLong) {
		t.Errorf("header bytes: %v", m.Anomalies)
	}
	// Size.
	m = Parse([]byte("From: a@b.c\r\n\r\n"+strings.Repeat("y", 5000)), Limits{MaxSize: 1000})
	if !m.HasAnomaly(AnomalyTruncated) || len(m.Raw) != 1000 || m.Size != 5015 {
		t.Errorf("size: %v %d", m.Anomalies, len(m.Raw))
	}
	// Text.
	m = Parse([]byte("From: a@b.c\r\n\r\n"+strings.Repeat("y", 5000)), Limits{MaxTextBytes: 100})
	if !m.HasAnomaly(AnomalyTextTruncated) || len(m.Text) > 100 {
		t.Errorf("text: %v %d", m.Anomalies, len(m.Text))
	}
}

func TestStructuralAnomalies(t *testing.T) {
	cases := []struct{ name, raw, code string }{
		{"no-boundary", "From: a@b.c\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\ntext", AnomalyNoBoundary},
		{"missing-boundary", "From: a@b.c\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\ntext only", AnomalyMissingBoundary},
		{"no-close", "From: a@b.c\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\r\ntext", AnomalyNoCloseBoundary},
		{"bad-ct", "From: a@b.c\r\nMIME-Version: 1.0\r\nContent-Type: ;;;\r\n\r\ntext", AnomalyBadContentType},
		{"no-mime-version", "From: a@b.c\r\nContent-Type: text/html\r\n\r\ntext", AnomalyNoMIMEVersion},
		{"empty-body", "From: a@b.c\r\n\r\n", AnomalyEmptyBody},
		{"nul", "From: a@b.c\r\n\r\na\x00b", AnomalyNULByte},
		{"empty-multipart", "From: a@b.c\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz--\r\n", AnomalyEmptyMultipart},
	}
	for _, c := range cases {
		m := Parse([]byte(c.raw), Limits{})
		if !m.HasAnomaly(c.code) {
			t.Errorf("%s: no %s in %v", c.name, c.code, m.Anomalies)
		}
	}
}

// checkInvariants is shared by the fuzz targets and the corpus test.
func checkInvariants(t testing.TB, m *Message, lim Limits) {
	t.Helper()
	lim = lim.withDefaults()
	if len(m.Parts) > lim.MaxParts+1+maxSalvageParts {
		t.Fatalf("%d parts > limit %d", len(m.Parts), lim.MaxParts)
	}
	if len(m.URLs) > lim.MaxURLs {
		t.Fatalf("%d urls > limit", len(m.URLs))
	}
	check := func(what, s string) {
		if !utf8.ValidString(s) {
			t.Fatalf("%s not valid UTF-8: %q", what, s)
		}
	}
	check("Subject", m.Subject)
	check("Text", m.Text)
	check("HiddenText", m.HiddenText)
	for _, h := range m.Headers {
		check("header "+h.Name, h.Value)
		check("header name", h.Name)
	}
	for _, a := range append(append(append([]Address(nil), m.From...), m.To...), m.ReplyTo...) {
		check("address", a.Name+a.Addr)
	}
	for _, p := range m.Parts {
		check("part text", p.Text)
		check("part html", p.HTML)
		check("filename", p.Filename)
		check("hidden", p.HiddenText)
		if p.Depth > lim.MaxDepth+1 {
			t.Fatalf("depth %d", p.Depth)
		}
		if p.Embedded != nil {
			check("embedded subject", p.Embedded.Subject)
		}
	}
	for _, u := range m.URLs {
		check("url", u.Raw+u.Host+u.Anchor)
	}
	for _, a := range m.Anomalies {
		check("anomaly", a.Detail)
	}
}

// TestHostileLinear parses inputs that are quadratic or worse for naive
// code (each would take hours then); linear code does them in
// milliseconds. No timing is asserted: a regression shows as a test timeout.
func TestHostileLinear(t *testing.T) {
	const n = 1 << 19
	cases := map[string]string{
		"encoded-word-starts": "Subject: " + strings.Repeat("=?a?q?", n/6) + "\r\n\r\nx",
		"url-close-parens":    "From: a@b.c\r\n\r\nhttp://x.example/" + strings.Repeat(")", n),
		"url-long-run":        "From: a@b.c\r\n\r\n" + strings.Repeat("a.b", n/3),
		"uu-begins":           "From: a@b.c\r\n\r\n" + strings.Repeat("begin 644 x\nM"+strings.Repeat("!", 60)+"\n", n/80),
		"css-media":           "Content-Type: text/html\r\n\r\n<style>" + strings.Repeat("@media x{", n/9) + "</style>x",
		"boundary-prefixes":   "Content-Type: multipart/mixed; boundary=ab\r\n\r\n" + strings.Repeat("--abc\r\n", n/7),
		"html-deep":           "Content-Type: text/html\r\n\r\n" + strings.Repeat("<div><span style='color:red'>", n/30),
		"header-folds":        "Subject: x\r\n" + strings.Repeat(" y\r\n", n/4) + "\r\nbody",
		"many-params":         "Content-Type: text/plain; " + strings.Repeat("a*1*=b; ", n/8) + "\r\n\r\nx",
		"addresses":           "To: " + strings.Repeat("a@b, ", n/5) + "\r\n\r\nx",
		"msgids":              "References: " + strings.Repeat("<", n) + "\r\n\r\nx",
	}
	for name, raw := range cases {
		m := Parse([]byte(raw), Limits{})
		checkInvariants(t, m, Limits{})
		_ = name
	}
}
