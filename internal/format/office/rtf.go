package office

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// exploitClasses are OLE classes with well-known memory-corruption
// exploits delivered through RTF (Equation Editor CVE-2017-11882 and
// CVE-2018-0802, and friends).
var exploitClasses = []string{"equation.3", "equation", "msxml2.saxxmlreader", "otkloadr.wrassembly", "htmlfile", "scriptlet", "word.document.8", "ole2link"}

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
	// Obfuscated \objupdate or Equation class names spelled in the body.
	low := bytes.ToLower(b)
	if bytes.Contains(low, []byte("equation.3")) || bytes.Contains(low, []byte("0002ce02-0000-0000-c000-000000000046")) {
		r.RTFExploitable = true
	}
	return r
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
	lc := strings.ToLower(cls)
	for _, c := range exploitClasses {
		if strings.HasPrefix(lc, c) {
			r.RTFExploitable = true
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
		r.embed("object.ole", native, lim.MaxStream)
	}
}
