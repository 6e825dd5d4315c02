// Package pdf is a tolerant PDF scanner (ISO 32000-1): it does not build
// the object graph; it tokenises names, strings and streams, inflates
// FlateDecode/ASCIIHex/ASCII85 streams (bounded) and rescans them, so
// names hidden in object streams (§7.5.7) or spelled with #xx escapes
// (§7.3.5, "/J#61vaScript") are seen. It reports active content
// (JavaScript, OpenAction/AA, Launch, embedded files, URI actions) and
// encryption.
package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"io"
	"regexp"
	"strings"
)

// Report is what a PDF holds.
type Report struct {
	JavaScript      bool
	JSSnippets      []string // first bytes of each script found
	JSSuspicious    []string // eval, unescape, util.printf, ...
	OpenAction      bool
	AA              bool // additional actions (page/field triggers)
	AutoAction      bool // OpenAction/AA together with JavaScript or Launch
	Launch          bool
	LaunchTarget    []string
	EmbeddedFile    bool
	Embedded        []Embedded
	URIs            []string
	Encrypted       bool
	ObfuscatedNames []string // names written with #xx escapes of letters
	XFA             bool
	SubmitForm      bool
	GoToR           bool
	Streams         int // streams seen
	Inflated        int // streams decompressed
	ObjStms         int
	Truncated       bool // a bound stopped the scan
}

// Embedded is an attached file.
type Embedded struct {
	Name string
	Data []byte
}

// Limits bound the scan.
type Limits struct {
	MaxStream  int64 // most bytes inflated from one stream. Default 4 MiB.
	MaxTotal   int64 // most bytes inflated per document. Default 32 MiB.
	MaxStreams int   // most streams inflated. Default 2000.
	// Mem, when set, holds the inflated bytes in the bound of all scans
	// together ([attach] max_bytes_all_scans): a stream it refuses is not
	// inflated (Report.Truncated).
	Mem Memory
}

// Memory is a byte reservation (archive.Budget's Reserve and GiveBack).
type Memory interface {
	Reserve(n int64) bool
	GiveBack(n int64)
}

var jsSuspicious = regexp.MustCompile(`(?i)\b(eval|unescape|String\.fromCharCode|util\.printf|getAnnots|Collab\.(collectEmailInfo|getIcon)|media\.newPlayer|spell\.customDictionaryOpen|app\.launchURL|exportDataObject|this\.submitForm|getURL|app\.openDoc|SOAP\.request|xfa\.resolveNode|spray|%u[0-9a-f]{4})`)

// Scan inspects a PDF.
func Scan(b []byte, lim Limits) *Report {
	if lim.MaxStream <= 0 {
		lim.MaxStream = 4 << 20
	}
	if lim.MaxTotal <= 0 {
		lim.MaxTotal = 32 << 20
	}
	if lim.MaxStreams <= 0 {
		lim.MaxStreams = 2000
	}
	s := &scanner{r: &Report{}, lim: lim, seenURI: map[string]bool{}}
	s.scan(b, 0)
	return s.r
}

type scanner struct {
	r        *Report
	lim      Limits
	total    int64
	seenURI  map[string]bool
	fileName []string // /F or /UF names of filespecs, in order
	efData   [][]byte
}

func (s *scanner) scan(b []byte, depth int) {
	s.names(b)
	s.strings(b)
	if depth > 1 {
		return
	}
	// Streams: "stream" EOL ... "endstream".
	for off := 0; off < len(b); {
		i := bytes.Index(b[off:], []byte("stream"))
		if i < 0 {
			break
		}
		i += off
		// must not be "endstream"
		if i >= 3 && string(b[i-3:i]) == "end" {
			off = i + 6
			continue
		}
		start := i + 6
		if start < len(b) && b[start] == '\r' {
			start++
		}
		if start < len(b) && b[start] == '\n' {
			start++
		}
		end := bytes.Index(b[start:], []byte("endstream"))
		if end < 0 {
			end = len(b) - start
		}
		data := b[start : start+end]
		dict := b[max(0, lastIndex(b[:i], []byte("obj"), 4096)):i]
		data = trimStream(dict, data)
		off = start + end
		s.r.Streams++
		s.stream(dict, data, depth)
	}
	s.pairEmbedded()
}

var lengthRe = regexp.MustCompile(`/Length\s+(\d{1,10})(\s+\d+\s+R)?`)

// trimStream cuts the data to a direct /Length when it fits, else drops
// the end-of-line before "endstream".
func trimStream(dict, data []byte) []byte {
	if m := lengthRe.FindSubmatch(dict); m != nil && len(m[2]) == 0 {
		n := 0
		for _, c := range m[1] {
			n = n*10 + int(c-'0')
		}
		if n >= 0 && n <= len(data) && len(bytes.TrimSpace(data[n:])) == 0 {
			return data[:n]
		}
	}
	if bytes.HasSuffix(data, []byte("\r\n")) {
		return data[:len(data)-2]
	}
	if bytes.HasSuffix(data, []byte("\n")) || bytes.HasSuffix(data, []byte("\r")) {
		return data[:len(data)-1]
	}
	return data
}

func lastIndex(b, sep []byte, window int) int {
	lo := max(0, len(b)-window)
	j := bytes.LastIndex(b[lo:], sep)
	if j < 0 {
		return lo
	}
	return lo + j
}

func (s *scanner) stream(dict, data []byte, depth int) {
	nd := normNames(dict)
	if s.r.Inflated >= s.lim.MaxStreams || s.total >= s.lim.MaxTotal {
		s.r.Truncated = true
		return
	}
	out, ok := s.decode(nd, data)
	if !ok {
		return
	}
	s.r.Inflated++
	if bytes.Contains(nd, []byte("/ObjStm")) {
		s.r.ObjStms++
	}
	if bytes.Contains(nd, []byte("/EmbeddedFile")) {
		s.efData = append(s.efData, out)
		return
	}
	if bytes.Contains(nd, []byte("/JS")) || bytes.Contains(nd, []byte("/JavaScript")) || s.isJSStream(out) {
		s.js(out)
	}
	// Content streams are large and rarely hide objects: rescan only
	// object streams, XFA and streams that look like PDF syntax.
	if bytes.Contains(nd, []byte("/ObjStm")) || bytes.Contains(out[:min(len(out), 256)], []byte("<<")) || bytes.Contains(out[:min(len(out), 512)], []byte("<xdp")) {
		s.scan(out, depth+1)
	}
}

func (s *scanner) isJSStream(b []byte) bool {
	h := b[:min(len(b), 512)]
	return bytes.Contains(h, []byte("function")) && bytes.Contains(h, []byte("var "))
}

// decode applies the stream's filters (Flate, ASCIIHex, ASCII85; others
// leave the stream as is). ok=false when nothing usable came out.
func (s *scanner) decode(dict, data []byte) ([]byte, bool) {
	fi := bytes.Index(dict, []byte("/Filter"))
	if fi < 0 {
		return data, true
	}
	f := dict[fi+7:]
	if e := bytes.IndexAny(f, "/>"); e >= 0 {
		if f[e] == '/' {
			// value is a name or an array of names
			end := bytes.IndexAny(f[e:], "]>\n\r")
			if bytes.HasPrefix(bytes.TrimSpace(f), []byte("[")) {
				end = bytes.IndexByte(f, ']')
				if end < 0 {
					end = len(f)
				}
				f = f[:end]
			} else if end >= 0 {
				f = f[:e+end]
			}
		}
	}
	var filters []string
	for _, m := range nameRe.FindAll(f, 8) {
		filters = append(filters, string(m[1:]))
	}
	limit := min(s.lim.MaxStream, s.lim.MaxTotal-s.total)
	out := data
	changed := false
	for _, fl := range filters {
		var r io.Reader
		switch fl {
		case "FlateDecode", "Fl":
			if zr, err := zlib.NewReader(bytes.NewReader(out)); err == nil {
				r = zr
			} else {
				r = flate.NewReader(bytes.NewReader(out))
			}
		case "ASCIIHexDecode", "AHx":
			h := bytes.Map(func(r rune) rune {
				if isHexRune(r) {
					return r
				}
				return -1
			}, bytes.SplitN(out, []byte(">"), 2)[0])
			if len(h)%2 == 1 {
				h = append(h, '0')
			}
			d := make([]byte, len(h)/2)
			hex.Decode(d, h)
			r = bytes.NewReader(d)
		case "ASCII85Decode", "A85":
			in := bytes.TrimPrefix(bytes.TrimSpace(out), []byte("<~"))
			if k := bytes.Index(in, []byte("~>")); k >= 0 {
				in = in[:k]
			}
			r = ascii85.NewDecoder(bytes.NewReader(in))
		default: // image and other filters: nothing to read
			return out, changed
		}
		if s.lim.Mem != nil && !s.lim.Mem.Reserve(limit+1) {
			s.r.Truncated = true
			return out, changed
		}
		var buf bytes.Buffer
		n, _ := io.Copy(&buf, io.LimitReader(r, limit+1))
		if s.lim.Mem != nil {
			s.lim.Mem.GiveBack(limit + 1 - int64(buf.Cap()))
		}
		if n > limit {
			s.r.Truncated = true
		}
		s.total += int64(buf.Len())
		if buf.Len() == 0 {
			return nil, false
		}
		out = buf.Bytes()
		changed = true
	}
	return out, true
}

func isHexRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

var nameRe = regexp.MustCompile(`/[^\s/<>\[\]\(\)\{\}%]+`)

// normNames rewrites #xx escapes in names (for keyword matching).
func normNames(b []byte) []byte {
	if bytes.IndexByte(b, '#') < 0 {
		return b
	}
	return nameRe.ReplaceAllFunc(b, func(n []byte) []byte { return []byte(unescapeName(string(n))) })
}

func unescapeName(n string) string {
	if !strings.Contains(n, "#") {
		return n
	}
	var sb strings.Builder
	for i := 0; i < len(n); i++ {
		if n[i] == '#' && i+2 < len(n) && isHexRune(rune(n[i+1])) && isHexRune(rune(n[i+2])) {
			v, _ := hex.DecodeString(n[i+1 : i+3])
			sb.WriteByte(v[0])
			i += 2
			continue
		}
		sb.WriteByte(n[i])
	}
	return sb.String()
}

var keyNames = map[string]bool{"/JavaScript": true, "/JS": true, "/OpenAction": true, "/AA": true, "/Launch": true,
	"/EmbeddedFile": true, "/EmbeddedFiles": true, "/URI": true, "/Encrypt": true, "/XFA": true, "/SubmitForm": true,
	"/GoToR": true, "/RichMedia": true, "/AcroForm": true, "/ObjStm": true, "/FlateDecode": true, "/Filespec": true}

// names records the interesting names (after #xx decoding).
func (s *scanner) names(b []byte) {
	r := s.r
	for _, m := range nameRe.FindAll(b, -1) {
		raw := string(m)
		n := unescapeName(raw)
		if n != raw && keyNames[n] {
			// an escaped letter in a keyword name is obfuscation
			if len(r.ObfuscatedNames) < 20 {
				r.ObfuscatedNames = append(r.ObfuscatedNames, raw)
			}
		}
		switch n {
		case "/JavaScript", "/JS":
			r.JavaScript = true
		case "/OpenAction":
			r.OpenAction = true
		case "/AA":
			r.AA = true
		case "/Launch":
			r.Launch = true
		case "/EmbeddedFile", "/EmbeddedFiles":
			r.EmbeddedFile = true
		case "/Encrypt":
			r.Encrypted = true
		case "/XFA":
			r.XFA = true
		case "/SubmitForm":
			r.SubmitForm = true
		case "/GoToR":
			r.GoToR = true
		}
	}
	r.AutoAction = (r.OpenAction || r.AA) && (r.JavaScript || r.Launch)
}

var (
	uriRe    = regexp.MustCompile(`/URI\s*(\(|<)`)
	jsRe     = regexp.MustCompile(`/JS\s*(\(|<)`)
	launchRe = regexp.MustCompile(`/(F|Win)\s*(<<\s*/F\s*)?\(`)
	fileRe   = regexp.MustCompile(`/(UF|F)\s*\(`)
)

// strings pulls URI targets, inline scripts and filespec names.
func (s *scanner) strings(b []byte) {
	nb := normNames(b)
	for _, loc := range uriRe.FindAllIndex(nb, 500) {
		u := readString(nb[loc[1]-1:])
		u = strings.TrimSpace(u)
		if u != "" && !s.seenURI[u] && len(s.r.URIs) < 500 {
			s.seenURI[u] = true
			s.r.URIs = append(s.r.URIs, u)
		}
	}
	for _, loc := range jsRe.FindAllIndex(nb, 200) {
		s.js([]byte(readString(nb[loc[1]-1:])))
	}
	if s.r.Launch {
		for _, loc := range regexp.MustCompile(`/Launch`).FindAllIndex(nb, 20) {
			win := nb[loc[1]:min(len(nb), loc[1]+600)]
			if m := launchRe.FindIndex(win); m != nil {
				t := readString(win[m[1]-1:])
				if t != "" && len(s.r.LaunchTarget) < 10 {
					s.r.LaunchTarget = append(s.r.LaunchTarget, t)
				}
			}
		}
	}
	if bytes.Contains(nb, []byte("/Filespec")) || bytes.Contains(nb, []byte("/EF")) {
		for _, loc := range fileRe.FindAllIndex(nb, 200) {
			// only names inside an object that is a file specification
			lo := lastIndex(nb[:loc[0]], []byte(" obj"), 2048)
			hi := bytes.Index(nb[loc[0]:], []byte("endobj"))
			if hi < 0 || hi > 2048 {
				hi = min(len(nb)-loc[0], 2048)
			}
			obj := nb[lo : loc[0]+hi]
			if !bytes.Contains(obj, []byte("/EF")) && !bytes.Contains(obj, []byte("/Filespec")) {
				continue
			}
			if n := readString(nb[loc[1]-1:]); n != "" && len(s.fileName) < 100 {
				s.fileName = append(s.fileName, n)
			}
		}
	}
}

func (s *scanner) js(code []byte) {
	s.r.JavaScript = true
	if len(s.r.JSSnippets) < 5 {
		sn := string(code[:min(len(code), 120)])
		s.r.JSSnippets = append(s.r.JSSnippets, sn)
	}
	for _, m := range jsSuspicious.FindAllString(string(code[:min(len(code), 1<<20)]), 50) {
		if len(s.r.JSSuspicious) < 20 && !contains(s.r.JSSuspicious, m) {
			s.r.JSSuspicious = append(s.r.JSSuspicious, m)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (s *scanner) pairEmbedded() {
	for i, d := range s.efData {
		name := ""
		// Filespecs usually list /F then /UF with the same name: use unique names in order.
		var uniqNames []string
		for _, n := range s.fileName {
			if !contains(uniqNames, n) {
				uniqNames = append(uniqNames, n)
			}
		}
		if i < len(uniqNames) {
			name = uniqNames[i]
		}
		if len(s.r.Embedded) < 50 {
			s.r.Embedded = append(s.r.Embedded, Embedded{Name: name, Data: d})
		}
	}
	s.efData = nil
}

// readString reads a PDF literal "(...)" (§7.3.4.2) or hex "<...>" string.
func readString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if b[0] == '<' {
		end := bytes.IndexByte(b, '>')
		if end < 0 {
			end = min(len(b), 4096)
		}
		h := bytes.Map(func(r rune) rune {
			if isHexRune(r) {
				return r
			}
			return -1
		}, b[1:end])
		if len(h)%2 == 1 {
			h = append(h, '0')
		}
		d := make([]byte, len(h)/2)
		hex.Decode(d, h)
		return decodeText(d)
	}
	if b[0] != '(' {
		return ""
	}
	var out []byte
	depth := 0
	for i := 1; i < len(b) && len(out) < 64<<10; i++ {
		c := b[i]
		switch c {
		case '\\':
			i++
			if i >= len(b) {
				break
			}
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r', '\n':
			default:
				if e >= '0' && e <= '7' {
					v := 0
					k := 0
					for ; k < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7'; k++ {
						v = v*8 + int(b[i]-'0')
						i++
					}
					i--
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			if depth == 0 {
				return decodeText(out)
			}
			depth--
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return decodeText(out)
}

// decodeText handles UTF-16BE strings with a BOM.
func decodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		var rs []rune
		for i := 2; i+1 < len(b); i += 2 {
			rs = append(rs, rune(b[i])<<8|rune(b[i+1]))
		}
		return string(rs)
	}
	return string(b)
}
