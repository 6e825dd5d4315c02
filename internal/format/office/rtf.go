package office

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// exploitClasses are OLE classes with well-known memory-corruption
// exploits delivered through RTF (Equation Editor CVE-2017-11882 and
// CVE-2018-0802, and friends).
var exploitClasses = []string{"equation.3", "equation", "msxml2.saxxmlreader", "otkloadr.wrassembly", "htmlfile", "scriptlet", "word.document.8", "ole2link", "mscomctllib.listviewctrl", "mscomctllib.treectrl", "mscomctl.listviewctrl"}

// AnalyzeRTF looks for embedded objects (\object, \objdata, \objclass),
// decodes their hex data (OLE1 ObjectHeader, MS-OLEDS 2.2) and hands OLE2
// and Package payloads back for analysis.
func AnalyzeRTF(b []byte, lim Limits) *Report {
	lim.fill()
	r := &Report{Kind: "rtf"}
	for p, n := 0, 0; n < 100 && p < len(b); n++ {
		i := indexCW(b[p:], "objdata")
		j := indexCW(b[p:], "object")
		if i < 0 && j < 0 {
			break
		}
		if j >= 0 && (i < 0 || j < i) {
			p += j + 7
			cls := objclass(b[p:min(len(b), p+4096)])
			r.RTFObjects = append(r.RTFObjects, cls)
			r.classCheck(cls)
			continue
		}
		p = min(p+i+8, len(b))
		data, next := hexRun(b[p:], lim.MaxStream)
		p = min(p+next, len(b))
		if len(r.RTFObjects) == 0 {
			r.RTFObjects = append(r.RTFObjects, "objdata")
		}
		r.ole1(data, lim)
	}
	// Class names or CLSIDs spelled elsewhere in the document (obfuscated
	// \objclass groups) count only where there is an object at all: a
	// text that merely mentions "Equation.3" is not an exploit.
	if len(r.RTFObjects) > 0 && !r.RTFExploitable {
		low := bytes.ToLower(b[:min(len(b), 16<<20)])
		if bytes.Contains(low, []byte("equation.3")) {
			r.RTFExploitable = true
			r.RTFExploitClass = "Equation.3"
		}
		for _, c := range exploitCLSIDs {
			if bytes.Contains(low, []byte(c.id)) {
				r.RTFExploitable = true
				r.RTFExploitClass = c.name
			}
		}
	}
	return r
}

// exploitCLSIDs are COM classes behind well-known document exploits.
var exploitCLSIDs = []struct{ id, name string }{
	{"0002ce02-0000-0000-c000-000000000046", "Equation Editor 3.0 (CVE-2017-11882, CVE-2018-0802)"},
	{"00000300-0000-0000-c000-000000000046", "OLE2Link (CVE-2017-0199)"},
	{"25336920-03f9-11cf-8fd0-00aa00686f13", "htmlfile (CVE-2017-0199)"},
	{"3050f4d8-98b5-11cf-bb82-00aa00bdce0b", "HTML Application (mshta)"},
	{"06290bd3-48aa-11d2-8432-006008c3fbfc", "Script Moniker (CVE-2017-8570)"},
	{"bdd1f04b-858b-11d1-b16a-00c0f0283628", "MSComctlLib.ListViewCtrl (CVE-2012-0158)"},
	{"c74190b6-8589-11d1-b16a-00c0f0283628", "MSComctlLib.TreeCtrl (CVE-2012-0158)"},
}

// guidBytes is the binary (mixed-endian) form of a textual CLSID.
func guidBytes(s string) []byte {
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return nil
	}
	raw := make([]byte, 16)
	for i := range raw {
		raw[i] = unhex(h[2*i])<<4 | unhex(h[2*i+1])
	}
	return []byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
		raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]}
}

// cfbRootCLSID reads the root storage's CLSID of a compound file
// ([MS-CFB] 2.2 header, 2.6 directory entry: CLSID at offset 0x50).
func cfbRootCLSID(b []byte) []byte {
	if len(b) < 512 || !bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) {
		return nil
	}
	shift := binary.LittleEndian.Uint16(b[0x1e:])
	if shift != 9 && shift != 12 {
		return nil
	}
	ss := 1 << shift
	dir := int64(binary.LittleEndian.Uint32(b[0x30:])+1) * int64(ss)
	if dir < 0 || dir+0x60 > int64(len(b)) {
		return nil
	}
	return b[dir+0x50 : dir+0x60]
}

// exploitObject checks an embedded object's bytes (an OLE2 file from
// \objdata) for the classes above: the root CLSID, or an Equation
// Editor's "Equation Native" stream.
func (r *Report) exploitObject(native []byte) {
	if root := cfbRootCLSID(native); root != nil {
		for _, c := range exploitCLSIDs {
			if bytes.Equal(root, guidBytes(c.id)) {
				r.RTFExploitable = true
				r.RTFExploitClass = c.name
				return
			}
		}
	}
	if bytes.Contains(native, []byte("E\x00q\x00u\x00a\x00t\x00i\x00o\x00n\x00 \x00N\x00a\x00t\x00i\x00v\x00e\x00")) {
		r.RTFExploitable = true
		r.RTFExploitClass = "Equation Editor 3.0 (CVE-2017-11882, CVE-2018-0802)"
	}
}

// indexCW finds control word \name not followed by a letter.
func indexCW(b []byte, name string) int {
	pat := []byte("\\" + name)
	for off := 0; ; {
		i := bytes.Index(b[off:], pat)
		if i < 0 {
			return -1
		}
		k := off + i + len(pat)
		if k >= len(b) || !(b[k] >= 'a' && b[k] <= 'z') {
			return off + i
		}
		off = k
	}
}

func objclass(b []byte) string {
	i := indexCW(b, "objclass")
	if i < 0 {
		return "object"
	}
	s := b[i+9:]
	end := bytes.IndexAny(s, "}\\")
	if end < 0 {
		end = min(len(s), 64)
	}
	return strings.TrimSpace(string(s[:min(end, 64)]))
}

func (r *Report) classCheck(cls string) {
	lc := strings.ToLower(strings.TrimSpace(cls))
	for _, c := range exploitClasses {
		if strings.HasPrefix(lc, c) {
			r.RTFExploitable = true
			r.RTFExploitClass = cls
		}
	}
}

// hexRun decodes hex digits, skipping whitespace, nested control words
// and groups, until the enclosing group closes.
func hexRun(b []byte, max int) ([]byte, int) {
	out := make([]byte, 0, min(len(b)/2, max))
	var hi byte
	half := false
	depth := 0
	i := 0
	for ; i < len(b) && len(out) < max; i++ {
		c := b[i]
		switch {
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return out, i
			}
			depth--
		case c == '\\':
			// skip control word and its numeric parameter
			i++
			for i < len(b) && (b[i] >= 'a' && b[i] <= 'z') {
				i++
			}
			for i < len(b) && (b[i] == '-' || b[i] >= '0' && b[i] <= '9') {
				i++
			}
			if i < len(b) && b[i] != ' ' {
				i--
			}
		case isHex(c):
			v := unhex(c)
			if half {
				out = append(out, hi<<4|v)
			} else {
				hi = v
			}
			half = !half
		}
	}
	return out, min(i, len(b))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// ole1 parses an OLE1 ObjectHeader + EmbeddedObject: version, format id,
// class name, topic, item, native data size, native data.
func (r *Report) ole1(d []byte, lim Limits) {
	if len(d) < 12 {
		return
	}
	p := 8
	lstr := func() string {
		if p+4 > len(d) {
			p = len(d)
			return ""
		}
		n := int(binary.LittleEndian.Uint32(d[p:]))
		p += 4
		if n < 0 || n > 1024 || p+n > len(d) {
			p = len(d)
			return ""
		}
		s := strings.TrimRight(string(d[p:p+n]), "\x00")
		p += n
		return s
	}
	cls := lstr()
	lstr() // topic
	lstr() // item
	if cls != "" {
		r.RTFObjects = append(r.RTFObjects, cls)
		r.classCheck(cls)
	}
	if p+4 > len(d) {
		return
	}
	n := int(binary.LittleEndian.Uint32(d[p:]))
	p += 4
	if n < 0 || p+n > len(d) {
		n = len(d) - p
	}
	native := d[p : p+n]
	if strings.EqualFold(cls, "Package") {
		r.ole10Native(append([]byte{0, 0, 0, 0}, native...), lim)
		return
	}
	if bytes.HasPrefix(native, []byte("\xd0\xcf\x11\xe0")) {
		r.exploitObject(native)
		r.embed("object.ole", native, lim.MaxStream)
	}
}
