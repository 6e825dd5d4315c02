// Command gen-ham writes the hand-written ham corpus under testdata/ham:
// Japanese business and transactional mail (testdata/ham/ja) and European
// and English mail (testdata/ham/eu) that sekisho must deliver untouched.
//
// Every message is specified in ja.go and eu.go as plain Unicode text; this
// file turns the specifications into real wire bytes: ISO-2022-JP,
// Shift_JIS (CP932), EUC-JP and Latin charsets are encoded with
// golang.org/x/text, headers become RFC 2047 encoded words, bodies are
// 7bit, 8bit, quoted-printable or base64, and lines end in CRLF. The output
// is deterministic, so re-running the command reproduces the committed
// files byte for byte.
//
//	go run ./scripts/gen-ham            # writes testdata/ham/{ja,eu}
//	go run ./scripts/gen-ham -out DIR   # writes elsewhere
//
// The senders are either fictional organisations on the reserved example
// domains (example.co.jp, example.com, ...) or real companies sending their
// own mail from their own domains and linking to their own sites; no
// personal data of real people appears.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// part is one leaf of a MIME tree.
type part struct {
	ctype   string // "text/plain", "application/pdf", "text/calendar; method=REQUEST", ...
	cs      string // charset of a text part; "" for binary
	cte     string // 7bit, 8bit, quoted-printable, base64
	body    string // Unicode text, or raw bytes for binary parts
	name    string // attachment file name (Unicode)
	rfc2231 bool   // name as RFC 2231 filename*= instead of an encoded word
	extra   string // extra header lines (CRLF-terminated) for the part
}

// msg specifies one message.
type msg struct {
	file    string // base name without .eml
	from    string // "Display Name <addr>" in Unicode, or a bare address
	to      string
	cc      string
	replyTo string
	subject string
	date    string // "2025-06-03 10:15" JST (+0900) unless tz is set
	tz      string // "+0100", "+0200", "-0300", "+0000"; default +0900
	cs      string // charset of headers and text parts
	cte     string // transfer encoding of text parts
	text    string
	html    string
	hcte    string // transfer encoding of the HTML part when it differs
	hdr     []string
	att     []part
	// root replaces the generated body: a full multipart built by hand
	// (bounces, calendar invitations). It returns the Content-Type value
	// and the body.
	root     func(boundary string) (ctype, body string)
	hops     []string // outbound relays of the sender, oldest first
	mx       string   // receiving MX; default derived from the recipient
	mailer   string   // X-Mailer / User-Agent line, optional
	inReply  string   // In-Reply-To message id (without <>)
	msgidDom string   // Message-ID domain when it is not the From domain
}

func main() {
	out := flag.String("out", "testdata/ham", "output directory")
	flag.Parse()
	write := func(sub string, ms []msg) {
		dir := filepath.Join(*out, sub)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		seen := map[string]bool{}
		for i, m := range ms {
			name := fmt.Sprintf("%03d-%s.eml", i+1, m.file)
			if seen[m.file] {
				log.Fatalf("duplicate file %s", m.file)
			}
			seen[m.file] = true
			if err := os.WriteFile(filepath.Join(dir, name), build(m), 0o644); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("%s: %d messages\n", dir, len(ms))
	}
	write("ja", jaMessages())
	write("eu", euMessages())
}

// ---- charsets ----

func encoder(cs string) encoding.Encoding {
	switch strings.ToLower(cs) {
	case "iso-2022-jp":
		return japanese.ISO2022JP
	case "shift_jis", "cp932", "windows-31j":
		return japanese.ShiftJIS
	case "euc-jp":
		return japanese.EUCJP
	case "iso-8859-1":
		return charmap.ISO8859_1
	case "iso-8859-15":
		return charmap.ISO8859_15
	case "windows-1252":
		return charmap.Windows1252
	case "utf-8", "us-ascii", "":
		return nil
	}
	log.Fatalf("unknown charset %q", cs)
	return nil
}

// carrierEmoji matches the placeholders for Japanese mobile carrier emoji,
// which no Unicode charset encoder produces: {{S:F89F}} is a Shift_JIS
// code (docomo, au, SoftBank), {{J:7541}} a JIS X 0208 pair as au writes
// its emoji in ISO-2022-JP mail.
var carrierEmoji = regexp.MustCompile(`\{\{([SJ]):([0-9A-F]{4})\}\}`)

// enc encodes s into cs; characters the charset cannot hold are a
// specification error.
func enc(cs, s string) []byte {
	b := enc0(cs, s)
	return carrierEmoji.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := carrierEmoji.FindSubmatch(m)
		var hi, lo byte
		fmt.Sscanf(string(sub[2]), "%02X%02X", &hi, &lo)
		if string(sub[1]) == "J" {
			return []byte{0x1B, '$', 'B', hi, lo, 0x1B, '(', 'B'}
		}
		return []byte{hi, lo}
	})
}

func enc0(cs, s string) []byte {
	e := encoder(cs)
	if e == nil {
		return []byte(s)
	}
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		for _, r := range s {
			if _, err1 := e.NewEncoder().String(string(r)); err1 != nil {
				log.Fatalf("encode %q in %s: %U %q: %v", firstRunes(s, 40), cs, r, r, err)
			}
		}
		log.Fatalf("encode %q in %s: %v", firstRunes(s, 40), cs, err)
	}
	return b
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ---- headers ----

// word encodes s as RFC 2047 encoded words in cs, split so that every word
// stays under 75 characters and (for ISO-2022-JP) each returns to ASCII.
func words(cs, s string) []string {
	label := strings.ToUpper(cs)
	if label == "SHIFT_JIS" || label == "CP932" {
		label = "Shift_JIS"
	}
	q := isLatin(cs)
	var out []string
	runes := []rune(s)
	for len(runes) > 0 {
		n := len(runes)
		for {
			chunk := string(runes[:n])
			var w string
			if q {
				w = "=?" + label + "?Q?" + qword(enc(cs, chunk)) + "?="
			} else {
				w = "=?" + label + "?B?" + base64.StdEncoding.EncodeToString(enc(cs, chunk)) + "?="
			}
			if len(w) <= 74 || n == 1 {
				out = append(out, w)
				runes = runes[n:]
				break
			}
			n--
		}
	}
	return out
}

func isLatin(cs string) bool {
	switch strings.ToLower(cs) {
	case "iso-8859-1", "iso-8859-15", "windows-1252":
		return true
	}
	return false
}

func qword(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == ' ':
			sb.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '!', c == '/':
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, "=%02X", c)
		}
	}
	return sb.String()
}

// htext encodes an unstructured header value (Subject): ASCII stays as it
// is, anything else becomes encoded words folded onto continuation lines.
func htext(cs, s string) string {
	if isASCII(s) {
		return s
	}
	if cs == "" || cs == "us-ascii" {
		cs = "utf-8"
	}
	// Keep a leading ASCII "Re: " / "Fwd: " outside the words, as MUAs do.
	prefix := ""
	for _, p := range []string{"Re: ", "RE: ", "Fwd: ", "FW: ", "AW: ", "WG: "} {
		if strings.HasPrefix(s, p) {
			prefix, s = p, s[len(p):]
			break
		}
	}
	return prefix + strings.Join(words(cs, s), "\r\n ")
}

// addr encodes `Name <addr>` with an encoded display name when needed.
func addr(cs, a string) string {
	if a == "" {
		return ""
	}
	var parts []string
	for _, one := range strings.Split(a, ", ") {
		i := strings.LastIndex(one, " <")
		if i < 0 {
			parts = append(parts, one)
			continue
		}
		name, rest := one[:i], one[i:]
		if isASCII(name) {
			if strings.ContainsAny(name, ",.:;@()") {
				name = `"` + name + `"`
			}
			parts = append(parts, name+rest)
			continue
		}
		if cs == "" || cs == "us-ascii" {
			cs = "utf-8"
		}
		parts = append(parts, strings.Join(words(cs, name), " ")+rest)
	}
	return strings.Join(parts, ",\r\n ")
}

func addrSpec(a string) string {
	if i := strings.LastIndex(a, "<"); i >= 0 {
		return strings.TrimSuffix(a[i+1:], ">")
	}
	return a
}

func domainOf(a string) string {
	s := addrSpec(a)
	return strings.ToLower(s[strings.LastIndex(s, "@")+1:])
}

// ---- bodies ----

// crlf normalises a text to CRLF line ends with a final line end.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimLeft(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func b64lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	sb.WriteString(s + "\r\n")
	return sb.String()
}

func qp(b []byte) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	out := buf.String()
	if !strings.HasSuffix(out, "\r\n") {
		out += "\r\n"
	}
	return out
}

// encodeBody returns the transfer-encoded bytes of Unicode text.
func encodeBody(cs, cte, text string) string {
	raw := enc(cs, crlf(text))
	switch cte {
	case "base64":
		return b64lines(raw)
	case "quoted-printable":
		return qp(raw)
	case "7bit", "8bit", "":
		for _, l := range bytes.Split(raw, []byte("\r\n")) {
			if len(l) > 998 {
				log.Fatalf("line over 998 octets in %s body", cte)
			}
		}
		if cte == "7bit" {
			for _, c := range raw {
				if c >= 0x80 {
					log.Fatalf("8-bit byte in a 7bit body (%s)", cs)
				}
			}
		}
		return string(raw)
	}
	log.Fatalf("unknown cte %q", cte)
	return ""
}

func csLabel(cs string) string {
	switch strings.ToLower(cs) {
	case "shift_jis", "cp932":
		return "Shift_JIS"
	case "windows-31j":
		return "Windows-31J"
	case "":
		return "us-ascii"
	}
	return strings.ToUpper(cs)
}

// leaf renders one part with its headers.
func leaf(p part) string {
	var sb strings.Builder
	ct := p.ctype
	if p.cs != "" {
		ct += "; charset=" + csLabel(p.cs)
	}
	if p.name != "" {
		if isASCII(p.name) {
			ct += `; name="` + p.name + `"`
		} else if !p.rfc2231 {
			ct += ";\r\n name=\"" + strings.Join(words(p.cs0(), p.name), "\r\n ") + `"`
		}
	}
	sb.WriteString("Content-Type: " + ct + "\r\n")
	cte := p.cte
	binary := p.cs == "" && !strings.HasPrefix(p.ctype, "text/") && !strings.HasPrefix(p.ctype, "message/")
	switch {
	case binary:
		cte = "base64"
	case cte == "":
		cte = "7bit"
	}
	sb.WriteString("Content-Transfer-Encoding: " + cte + "\r\n")
	if p.name != "" {
		switch {
		case isASCII(p.name):
			sb.WriteString(`Content-Disposition: attachment; filename="` + p.name + "\"\r\n")
		case p.rfc2231:
			sb.WriteString("Content-Disposition: attachment;\r\n filename*=UTF-8''" + pctEncode(p.name) + "\r\n")
		default:
			sb.WriteString("Content-Disposition: attachment;\r\n filename=\"" + strings.Join(words(p.cs0(), p.name), "\r\n ") + "\"\r\n")
		}
	}
	sb.WriteString(p.extra)
	sb.WriteString("\r\n")
	if binary {
		sb.WriteString(b64lines([]byte(p.body)))
	} else {
		sb.WriteString(encodeBody(p.cs, cte, p.body))
	}
	return sb.String()
}

// cs0 is the charset used for a part's encoded file name.
func (p part) cs0() string {
	if p.cs != "" && !isLatin(p.cs) {
		return p.cs
	}
	return "iso-2022-jp"
}

func pctEncode(s string) string {
	var sb strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}

func multipart(sub, boundary string, parts ...string) (string, string) {
	var sb strings.Builder
	for _, p := range parts {
		sb.WriteString("--" + boundary + "\r\n" + p)
	}
	sb.WriteString("--" + boundary + "--\r\n")
	return "multipart/" + sub + ";\r\n boundary=\"" + boundary + "\"", sb.String()
}

// ---- the message ----

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func parseDate(m msg) time.Time {
	tz := m.tz
	if tz == "" {
		tz = "+0900"
	}
	t, err := time.Parse("2006-01-02 15:04 -0700", m.date+" "+tz)
	if err != nil {
		log.Fatalf("%s: date %q: %v", m.file, m.date, err)
	}
	if t.Year() < 2025 || t.Year() > 2026 {
		log.Fatalf("%s: date outside 2025-2026", m.file)
	}
	return t
}

const rfc5322 = "Mon, 2 Jan 2006 15:04:05 -0700"

// ip returns a stable documentation address (RFC 5737) for a host.
func ip(host string) string {
	h := hash(host)
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	var a, b byte
	fmt.Sscanf(h[:4], "%02x%02x", &a, &b)
	return nets[int(a)%3] + fmt.Sprint(int(b)%250+2)
}

func build(m msg) []byte {
	t := parseDate(m)
	h := hash(m.file + m.subject)
	fromDom := domainOf(m.from)
	idDom := m.msgidDom
	if idDom == "" {
		idDom = fromDom
	}
	var sb strings.Builder
	// Received, newest first: recipient MX, then the sender's relays.
	mx := m.mx
	if mx == "" {
		mx = "mx1." + domainOf(m.to)
	}
	hops := m.hops
	if len(hops) == 0 {
		hops = []string{"mail." + fromDom}
		if strings.HasPrefix(fromDom, "mail.") {
			hops = []string{fromDom}
		}
	}
	chain := append(append([]string{}, hops...), mx)
	var rec []string
	sec := 0
	for i := 0; i+1 < len(chain); i++ {
		from, by := chain[i], chain[i+1]
		sec += 1 + int(h[i]%5)
		at := t.Add(time.Duration(sec) * time.Second)
		id := strings.ToUpper(h[10+i*6 : 20+i*6])
		with := "ESMTPS"
		if i+2 < len(chain) {
			with = "ESMTP"
		}
		var r string
		if microsoftHost(by) {
			// Exchange writes its own Received form.
			r = fmt.Sprintf("Received: from %s (%s) by %s\r\n (%s) with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8511.12; %s\r\n",
				from, ip(from), by, ip(by), at.Format(rfc5322))
		} else {
			r = fmt.Sprintf("Received: from %s (%s [%s])\r\n\tby %s (Postfix) with %s id %s\r\n\tfor <%s>; %s\r\n",
				from, from, ip(from), by, with, id, addrSpec(firstAddr(m.to)), at.Format(rfc5322))
		}
		rec = append([]string{r}, rec...)
	}
	for _, r := range rec {
		sb.WriteString(r)
	}
	sb.WriteString("Date: " + t.Format(rfc5322) + "\r\n")
	sb.WriteString("From: " + addr(m.cs, m.from) + "\r\n")
	sb.WriteString("To: " + addr(m.cs, m.to) + "\r\n")
	if m.cc != "" {
		sb.WriteString("Cc: " + addr(m.cs, m.cc) + "\r\n")
	}
	if m.replyTo != "" {
		sb.WriteString("Reply-To: " + addr(m.cs, m.replyTo) + "\r\n")
	}
	sb.WriteString("Subject: " + htext(m.cs, m.subject) + "\r\n")
	sb.WriteString(fmt.Sprintf("Message-ID: <%s.%s@%s>\r\n", t.UTC().Format("20060102150405"), h[:16], idDom))
	if m.inReply != "" {
		sb.WriteString("In-Reply-To: <" + m.inReply + ">\r\nReferences: <" + m.inReply + ">\r\n")
	}
	if m.mailer != "" {
		sb.WriteString(m.mailer + "\r\n")
	}
	for _, x := range m.hdr {
		sb.WriteString(x + "\r\n")
	}
	sb.WriteString("MIME-Version: 1.0\r\n")

	boundary := func(n int) string { return fmt.Sprintf("----=_Part_%d_%s", n, h[20:32]) }
	var ct, body string
	switch {
	case m.root != nil:
		ct, body = m.root(boundary(0))
	default:
		cte := m.cte
		if cte == "" {
			cte = "7bit"
		}
		hcte := m.hcte
		if hcte == "" {
			hcte = cte
		}
		var content string // rendered leaf or alternative, with headers
		switch {
		case m.html != "" && m.text != "":
			act, ab := multipart("alternative", boundary(1),
				leaf(part{ctype: "text/plain", cs: m.cs, cte: cte, body: m.text}),
				leaf(part{ctype: "text/html", cs: m.cs, cte: hcte, body: m.html}))
			content = "Content-Type: " + act + "\r\n\r\n" + ab
		case m.html != "":
			content = leaf(part{ctype: "text/html", cs: m.cs, cte: hcte, body: m.html})
		default:
			content = leaf(part{ctype: "text/plain", cs: m.cs, cte: cte, body: m.text})
		}
		if len(m.att) == 0 {
			i := strings.Index(content, "\r\n\r\n")
			head, rest := content[:i+2], content[i+4:]
			// Lift the leaf's headers into the message header.
			for _, l := range strings.SplitAfter(head, "\r\n") {
				if strings.HasPrefix(l, "Content-Type: ") {
					ct = strings.TrimSuffix(strings.TrimPrefix(l, "Content-Type: "), "\r\n")
				} else if l != "" && !strings.HasPrefix(l, "Content-Type") {
					if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
						ct += "\r\n" + strings.TrimSuffix(l, "\r\n")
					} else {
						sb.WriteString(l)
					}
				}
			}
			body = rest
		} else {
			parts := []string{content}
			for _, a := range m.att {
				parts = append(parts, leaf(a))
			}
			ct, body = multipart("mixed", boundary(0), parts...)
		}
	}
	sb.WriteString("Content-Type: " + ct + "\r\n\r\n")
	if strings.HasPrefix(ct, "multipart/") {
		sb.WriteString("This is a multi-part message in MIME format.\r\n\r\n")
	}
	sb.WriteString(body)
	return []byte(sb.String())
}

func microsoftHost(h string) bool {
	h = strings.ToLower(h)
	return strings.HasSuffix(h, ".outlook.com") || strings.HasSuffix(h, ".exchangelabs.com") || strings.HasPrefix(h, "ex0")
}

func firstAddr(a string) string {
	if i := strings.Index(a, ", "); i >= 0 {
		return a[:i]
	}
	return a
}

// ---- helpers for specifications ----

// pdf returns a small, valid one-page PDF whose page shows the given ASCII
// lines (xref offsets computed, so readers accept it).
func pdf(lines ...string) string {
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 56 780 Td 14 TL\n")
	for _, l := range lines {
		l = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		content.WriteString("(" + l + ") Tj T*\n")
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.String()
}

// unsub returns List-Unsubscribe headers (RFC 2369, RFC 8058).
func unsub(url, mailto string) []string {
	v := "<" + url + ">"
	if mailto != "" {
		v = "<mailto:" + mailto + ">, " + v
	}
	return []string{"List-Unsubscribe: " + v, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"}
}

// dsn builds a multipart/report (RFC 3464) bounce.
func dsn(human, humanCS, reportingMTA, rcpt, status, diag, arrival, origHeaders string) func(string) (string, string) {
	return func(b string) (string, string) {
		text := leaf(part{ctype: "text/plain", cs: humanCS, cte: pickCTE(humanCS), body: human})
		ds := "Content-Type: message/delivery-status\r\n\r\n" +
			"Reporting-MTA: dns; " + reportingMTA + "\r\n" +
			"Arrival-Date: " + arrival + "\r\n\r\n" +
			"Final-Recipient: rfc822; " + rcpt + "\r\n" +
			"Original-Recipient: rfc822;" + rcpt + "\r\n" +
			"Action: failed\r\n" +
			"Status: " + status + "\r\n" +
			"Diagnostic-Code: smtp; " + diag + "\r\n"
		oh := "Content-Type: text/rfc822-headers\r\n\r\n" + crlf(origHeaders)
		ct, body := multipart("report", b, text, ds, oh)
		return strings.Replace(ct, "multipart/report;", "multipart/report; report-type=delivery-status;", 1), body
	}
}

func pickCTE(cs string) string {
	switch strings.ToLower(cs) {
	case "iso-2022-jp", "us-ascii", "":
		return "7bit"
	}
	return "base64"
}

// alt builds multipart/alternative (text, html, optional extra parts such
// as text/calendar) as a root.
func alt(cs, cte, text, html string, extra ...part) func(string) (string, string) {
	return func(b string) (string, string) {
		ps := []string{leaf(part{ctype: "text/plain", cs: cs, cte: cte, body: text})}
		if html != "" {
			ps = append(ps, leaf(part{ctype: "text/html", cs: cs, cte: cte, body: html}))
		}
		for _, e := range extra {
			ps = append(ps, leaf(e))
		}
		return multipart("alternative", b, ps...)
	}
}

// ics returns a VCALENDAR invitation.
func ics(prodid, uid, org, attendee, summary, loc, start, end, stamp string) string {
	fold := func(s string) string {
		// RFC 5545 §3.1: fold at 75 octets, not inside a UTF-8 sequence.
		var out strings.Builder
		n := 0
		for _, r := range s {
			l := utf8.RuneLen(r)
			if n+l > 74 {
				out.WriteString("\r\n ")
				n = 1
			}
			out.WriteRune(r)
			n += l
		}
		return out.String()
	}
	lines := []string{
		"BEGIN:VCALENDAR", "PRODID:" + prodid, "VERSION:2.0", "METHOD:REQUEST",
		"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + stamp, "DTSTART:" + start, "DTEND:" + end,
		fold("SUMMARY:" + summary), fold("LOCATION:" + loc),
		"ORGANIZER;CN=" + org,
		"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + attendee,
		"SEQUENCE:0", "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR",
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}
