package attach

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/sekisho/sekisho/internal/format/container"
	"github.com/sekisho/sekisho/internal/format/filetype"
	"github.com/sekisho/sekisho/internal/mail"
)

// HTML smuggling: a page that carries a file and hands it to the browser
// (a data: URI in a link or download attribute, or script that builds a
// Blob from a base64 string with atob). The payloads are decoded and
// analysed as the page's inner files.

const maxSmuggled = 20

type smuggled struct {
	name string
	data []byte
	how  string
}

// htmlPayloads decodes the files an HTML page carries. The page is
// scanned in linear time without regular expressions (they ran at a few
// MB/s on large pages, and every HTML body passes here).
func htmlPayloads(b []byte, maxBytes int64) []smuggled {
	if len(b) > 16<<20 {
		b = b[:16<<20]
	}
	if !mayCarryPayload(b) {
		return nil // most bodies: no lower-cased copy
	}
	var out []smuggled
	low := asciiLower(b) // same length as b: offsets carry over
	for _, u := range dataURIs(low, 1000) {
		if len(out) >= maxSmuggled {
			break
		}
		ct := u.ctype
		if strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "font/") || strings.HasPrefix(ct, "application/font") || ct == "text/css" {
			continue
		}
		if d := decodeB64(b[u.start:u.end], maxBytes); len(d) > 0 {
			out = append(out, smuggled{name: fmt.Sprintf("data-uri-%d", len(out)+1), data: d, how: "data: URI (" + orDefault(ct, "no type") + ")"})
		}
	}
	if !bytes.Contains(low, []byte("atob")) && !bytes.Contains(low, []byte("blob")) && !bytes.Contains(low, []byte("base64")) {
		return out
	}
	for _, lit := range base64Literals(b, 1000) {
		if len(out) >= maxSmuggled {
			break
		}
		d := decodeB64(bytes.ReplaceAll(lit, []byte(`\n`), nil), maxBytes)
		if len(d) == 0 {
			continue
		}
		// Only payloads that are files, not encoded text or images.
		det := filetype.Detect(d)
		if det == filetype.Unknown || det == filetype.Text {
			if !looksScript(d) && testSignature(d, [32]byte{}) == "" {
				continue
			}
		}
		out = append(out, smuggled{name: fmt.Sprintf("script-payload-%d", len(out)+1), data: d, how: "base64 string in script"})
	}
	return out
}

// payloadLits are the words, one of which a page that htmlPayloads finds
// anything in holds (ASCII case aside): a data: URI, or the base64 string
// of a script with atob, blob or base64 in it.
var payloadLits = []string{"data:", "base64", "atob", "blob"}

// mayCarryPayload reports whether b holds one of payloadLits in any ASCII
// case, without a lower-cased copy of b. "atob" and "blob" end in the
// same letter: one pass over its occurrences looks for both (most pages
// hold none of the words, and each search reads the whole page).
func mayCarryPayload(b []byte) bool {
	return containsFoldASCII(b, "data:") || containsFoldASCII(b, "base64") || containsAtobBlob(b)
}

// containsAtobBlob is containsFoldASCII(b, "atob") ||
// containsFoldASCII(b, "blob").
func containsAtobBlob(b []byte) bool {
	for _, c := range [2]byte{'b', 'B'} {
		for off := 3; off < len(b); {
			i := bytes.IndexByte(b[off:], c)
			if i < 0 {
				break
			}
			i += off
			if w := b[i-3 : i]; foldEqualASCII(w, "ato") || foldEqualASCII(w, "blo") {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// containsFoldASCII is bytes.Contains(asciiLower(b), lit) for a lit in
// lower case: it looks for lit's last byte in both cases and compares
// what comes before it.
func containsFoldASCII(b []byte, lit string) bool {
	n := len(lit)
	if n == 0 {
		return true
	}
	last := lit[n-1]
	for _, c := range []byte{last, last - 'a' + 'A'} {
		if c == last-'a'+'A' && !(last >= 'a' && last <= 'z') {
			break // no other case
		}
		for off := n - 1; off < len(b); {
			i := bytes.IndexByte(b[off:], c)
			if i < 0 {
				break
			}
			i += off
			if foldEqualASCII(b[i-n+1:i], lit[:n-1]) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// foldEqualASCII: b is lit (lower case) with some ASCII letters upper.
func foldEqualASCII(b []byte, lit string) bool {
	for i := range len(lit) {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return true
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

type dataURI struct {
	ctype      string
	start, end int // the base64 text
}

func isMediaByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '/' || c == '-' || c == ';' || c == '=' || c == '_'
}

func isB64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// dataURIs finds "data:<type>[;param...];base64,<at least 32 base64
// characters>" in a lower-cased page (the offsets index the original).
func dataURIs(low []byte, max int) []dataURI {
	var out []dataURI
	for off := 0; off < len(low) && len(out) < max; {
		i := bytes.Index(low[off:], []byte("data:"))
		if i < 0 {
			break
		}
		s := off + i + 5
		j := s
		for j < len(low) && j-s < 256 && isMediaByte(low[j]) {
			j++
		}
		off = s
		meta := low[s:j]
		if j >= len(low) || low[j] != ',' || !bytes.HasSuffix(meta, []byte(";base64")) {
			continue
		}
		meta = meta[:len(meta)-len(";base64")]
		ct, _, _ := bytes.Cut(meta, []byte(";"))
		k := j + 1
		for k < len(low) && (isB64Byte(low[k]) || isSpace(low[k])) {
			k++
		}
		if k-(j+1) >= 32 {
			out = append(out, dataURI{ctype: string(ct), start: j + 1, end: k})
		}
		off = k
	}
	return out
}

// base64Literals finds quoted string literals (", ' or `) of at least 80
// base64 characters (whitespace and backslash escapes allowed, "=" only
// at the end).
func base64Literals(b []byte, max int) [][]byte {
	var out [][]byte
	for i := 0; i < len(b) && len(out) < max; i++ {
		if c := b[i]; c != '"' && c != '\'' && c != '`' {
			continue
		}
		k := i + 1
		for k < len(b) && (isB64Byte(b[k]) && b[k] != '=' || isSpace(b[k]) || b[k] == '\\') {
			k++
		}
		n := k - (i + 1)
		pad := 0
		for k < len(b) && b[k] == '=' && pad < 2 {
			k++
			pad++
		}
		if n >= 80 && k < len(b) && (b[k] == '"' || b[k] == '\'' || b[k] == '`') {
			out = append(out, b[i+1:k])
			i = k
			continue
		}
		if n > 0 {
			i = k - 1 // a run that is no literal: skip it (its end may open the next)
		}
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func decodeB64(s []byte, maxBytes int64) []byte {
	s = bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '\\' {
			return -1
		}
		return r
	}, s)
	if int64(len(s)) > maxBytes*4/3+4 {
		s = s[:maxBytes*4/3/4*4]
	}
	if u, err := url.PathUnescape(string(s)); err == nil {
		s = []byte(u)
	}
	d, err := base64.StdEncoding.DecodeString(strings.TrimRight(string(s), "="))
	if err != nil {
		d, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(string(s), "="))
		if err != nil {
			return nil
		}
	}
	return d
}

// smuggling analyses an HTML file's payloads as its inner files.
func (r *run) smuggling(it item) {
	ps := htmlPayloads(it.data, r.a.cfg.MaxFileBytes)
	if len(ps) == 0 {
		return
	}
	if it.depth >= r.a.cfg.MaxDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	for _, p := range ps {
		det := filetype.Detect(p.data)
		if filetype.IsExecutable(det) || filetype.IsArchive(det) || filetype.IsDiskImage(det) || det == filetype.LNK ||
			det == filetype.OLE2 || det == filetype.Script || looksScript(p.data) {
			r.t.Add(SymHTMLSmuggling, fmt.Sprintf("%s: %s carries %s", it.path, p.how, scriptKind(det, p.data)))
		}
		r.child(it, p.name, p.data, false)
	}
}

// msgFields are the header field names looksMessage counts, lower case,
// each after a newline.
var msgFields = func() [][]byte {
	var out [][]byte
	for _, h := range []string{"from:", "to:", "subject:", "content-type:", "mime-version:", "message-id:", "date:", "received:", "return-path:"} {
		out = append(out, []byte("\n"+h))
	}
	return out
}()

// looksMessage reports an e-mail message or mbox saved as a file.
func looksMessage(b []byte) bool {
	head := b[:min(len(b), 4096)]
	if bytes.HasPrefix(head, []byte("From ")) {
		return bytes.Contains(head, []byte("\nFrom:")) || bytes.Contains(head, []byte("\nContent-Type:"))
	}
	// The first colon's test first: most files fail it, and then need
	// no lower-cased copy.
	first := bytes.IndexByte(head, ':')
	if !(first > 0 && first < 40 && !bytes.ContainsAny(head[:first], " \t<")) {
		return false
	}
	n := 0
	low := bytes.ToLower(head) // once, not twice per field name
	for _, h := range msgFields {
		if bytes.HasPrefix(low, h[1:]) || bytes.Contains(low, h) {
			if n++; n >= 2 {
				return true
			}
		}
	}
	return false
}

// message opens a mail saved as a file (.eml, mbox, message/rfc822
// sent as a file): its attachments are analysed as inner files.
func (r *run) message(it item) {
	if it.depth >= r.a.cfg.MaxDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	data := it.data
	if bytes.HasPrefix(data, []byte("From ")) {
		if i := bytes.IndexByte(data, '\n'); i > 0 {
			data = data[i+1:]
		}
	}
	lim := mail.DefaultLimits()
	m := mail.Parse(data, lim)
	n := 0
	for _, p := range m.Attachments {
		if p.IsMultipart() || p.Embedded != nil || len(p.Body) == 0 {
			continue
		}
		n++
		name := p.Filename
		if name == "" {
			name = fmt.Sprintf("part-%d", n)
		}
		body := p.Body
		if bytes.HasPrefix(body, []byte("begin ")) {
			// a uuencoded file the mail parser left alone (no "end" line)
			if d := uudecodeLenient(body, r.a.cfg.MaxFileBytes); len(d) > 0 {
				body = d
			}
		}
		r.child(it, name, body, false)
	}
	if n == 0 {
		// a uuencoded file inline in the text, with no "end" line
		if loc := reUUBegin.FindSubmatchIndex(data); loc != nil {
			if d := uudecodeLenient(data[loc[0]:], r.a.cfg.MaxFileBytes); len(d) > 0 {
				r.child(it, string(data[loc[2]:loc[3]]), d, false)
			}
		}
	}
}

var reUUBegin = regexp.MustCompile(`(?m)^begin [0-7]{3,4} ([^\r\n/\\]{1,200})\r?$`)

// containers opens cpio, BinHex, SZDD and SIS; ARJ goes to the archive
// walker (budgets shared with zip, rar, 7z...).
func (r *run) container(it item, kind string) {
	if kind == container.ARJ {
		r.archive(it, "arj")
		return
	}
	if it.depth >= r.a.cfg.MaxDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	if it.inArchive {
		r.t.Add(SymArchiveNested, it.path)
	}
	files, err := container.Open(kind, it.data, container.Limits{MaxFiles: r.a.cfg.MaxFiles, MaxBytes: min(r.a.cfg.MaxFileBytes, r.budget.Left), Mem: r.budget})
	if errors.Is(err, container.ErrUnsupported) {
		r.t.Add(SymArchiveUnsupported, it.path+": "+kind+" is not opened")
		return
	}
	if err != nil && len(files) == 0 {
		r.t.Add(SymArchiveCorrupt, it.path+": "+kind)
		return
	}
	if err != nil {
		r.t.Add(SymArchiveCorrupt, it.path+": "+kind+" read in part")
	}
	for i, f := range files {
		name := f.Name
		if name == "" {
			name = archive0(it.name, kind, i)
		}
		// The expanded bytes (BinHex runs, SZDD) count in the bound of
		// all scans while the inner files are analysed (cpio entries are
		// slices of the input; SIS streams were held as they were
		// inflated).
		if kind != container.CPIO && kind != container.SIS && !r.budget.Reserve(int64(len(f.Data))) {
			return // all scans at their bound: Analyze tempfails
		}
		r.budget.Left -= int64(len(f.Data))
		r.budget.Used += int64(len(f.Data))
		r.child(it, name, f.Data, false)
	}
}

// archive0 names an unnamed inner file: an SZDD file's name is its own
// with the last letter lost ("clam.ex_").
func archive0(outer, kind string, i int) string {
	if kind == container.SZDD && strings.HasSuffix(outer, "_") {
		return strings.TrimSuffix(outer, "_")
	}
	return fmt.Sprintf("%s-%d", kind, i+1)
}

func looksHTML(b []byte) bool {
	low := bytes.ToLower(b[:min(len(b), 4096)])
	return bytes.Contains(low, []byte("<html")) || bytes.Contains(low, []byte("<a ")) || bytes.Contains(low, []byte("<script"))
}

// uudecodeLenient decodes a uuencoded file from its "begin" line to its
// "end" line, the first line that is not uuencoded, or the end of b.
func uudecodeLenient(b []byte, maxBytes int64) []byte {
	var out []byte
	lines := bytes.Split(b, []byte("\n"))
	for _, line := range lines[1:] {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		if string(line) == "end" || int64(len(out)) >= maxBytes {
			break
		}
		cnt := int((line[0] - ' ') & 63)
		if cnt == 0 {
			continue
		}
		if (len(line)-1)*3/4 < cnt-2 {
			break
		}
		body := line[1:]
		got := 0
		for k := 0; k < len(body) && got < cnt; k += 4 {
			var q [4]byte
			for m := 0; m < 4 && k+m < len(body); m++ {
				q[m] = (body[k+m] - ' ') & 63
			}
			tri := [3]byte{q[0]<<2 | q[1]>>4, q[1]<<4 | q[2]>>2, q[2]<<6 | q[3]}
			for m := 0; m < 3 && got < cnt; m++ {
				out = append(out, tri[m])
				got++
			}
		}
	}
	return out
}
