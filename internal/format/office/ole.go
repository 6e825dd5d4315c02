package office

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/richardlehane/mscfb"
)

type oleStream struct {
	path string // "Macros/VBA/dir"
	data []byte
}

// readOLE lists an OLE2 compound file's streams (bounded).
func readOLE(data []byte, lim Limits) (streams []oleStream, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("office: OLE2 reader panicked: %v", r)
		}
	}()
	rd, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("office: OLE2: %w", err)
	}
	total := 0
	for f, ferr := rd.Next(); ferr == nil && len(streams) < 4096; f, ferr = rd.Next() {
		if f.Size <= 0 && len(f.Path) == 0 && f.Name == "Root Entry" {
			continue
		}
		p := strings.Join(append(append([]string{}, f.Path...), f.Name), "/")
		if f.FileInfo().IsDir() {
			streams = append(streams, oleStream{path: p + "/"})
			continue
		}
		// No stream can be larger than the file holding it: a corrupt size
		// with a cyclic sector chain would otherwise read MaxStream bytes.
		n := min(f.Size, int64(lim.MaxStream), int64(len(data)))
		if total+int(n) > min(4*lim.MaxStream, 2*len(data)+(1<<20)) {
			break
		}
		b := make([]byte, n)
		k, _ := io.ReadFull(f, b)
		b = b[:k]
		total += len(b)
		streams = append(streams, oleStream{path: p, data: b})
	}
	return streams, nil
}

// AnalyzeOLE inspects an OLE2 compound file.
func AnalyzeOLE(data []byte, lim Limits) *Report {
	lim.fill()
	r := &Report{Kind: "ole2"}
	streams, err := readOLE(data, lim)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return r
	}
	r.analyzeStreams(streams, lim)
	return r
}

func (r *Report) analyzeStreams(streams []oleStream, lim Limits) {
	byPath := map[string][]byte{}
	var words []oleStream
	for _, s := range streams {
		byPath[strings.ToLower(s.path)] = s.data
		base := path.Base(s.path)
		switch {
		case base == "WordDocument":
			r.Kind = "doc"
			if len(s.data) >= 12 && binary.LittleEndian.Uint16(s.data[10:])&0x0100 != 0 {
				r.Encrypted, r.EncryptionType = true, "word-fib"
			} else {
				words = append(words, s)
			}
		case base == "Workbook" || base == "Book":
			r.Kind = "xls"
			r.biff(s.data)
		case base == "PowerPoint Document":
			r.Kind = "ppt"
			r.ppt(s.data, lim)
		case base == "EncryptionInfo":
			r.Kind = "encrypted-ooxml"
			r.Encrypted = true
			r.ooxmlEncryption(s.data)
		case base == "\x01Ole10Native" || base == "Ole10Native":
			r.ole10Native(s.data, lim)
		case base == "Package" && len(path.Dir(s.path)) >= 0 && looksOOXML(s.data):
			r.embed("package.zip", s.data, lim.MaxStream)
		case base == "CONTENTS" && bytes.HasPrefix(s.data, []byte("%PDF")):
			r.embed("contents.pdf", s.data, lim.MaxStream)
		}
		if rs := []rune(base); len(rs) > 0 && rs[0] == 0x4840 {
			r.Kind = "msi"
		}
	}
	// Word text: through the piece table in the 0Table/1Table stream beside it.
	for _, w := range words {
		dir := strings.ToLower(path.Dir(w.path))
		if dir == "." {
			dir = ""
		} else {
			dir += "/"
		}
		r.wordDoc(w.data, byPath[dir+"0table"], byPath[dir+"1table"])
	}
	// Encrypted OOXML that opens with the default password: decrypt and
	// hand the package back for analysis.
	if r.DefaultPassword {
		info, pkg := byPath["encryptioninfo"], byPath["encryptedpackage"]
		if plain, err := DecryptPackage(info, pkg, DefaultExcelPassword, lim.MaxStream); err == nil && looksOOXML(plain) {
			r.embed("decrypted.xlsx", plain, lim.MaxStream)
		}
	}
	// VBA projects: every storage holding a "dir" stream.
	for _, s := range streams {
		if path.Base(s.path) != "dir" {
			continue
		}
		dir := path.Dir(s.path)
		d, _ := Decompress(s.data, 1<<20)
		mods := ParseDir(d)
		r.VBA = true
		var all strings.Builder
		found := false
		for _, m := range mods {
			st, ok := byPath[strings.ToLower(dir+"/"+m.Stream)]
			if !ok || int(m.Offset) > len(st) {
				continue
			}
			src, _ := Decompress(st[m.Offset:], lim.MaxSource)
			m.Code = string(src)
			r.Modules = append(r.Modules, m)
			all.WriteString(m.Code)
			all.WriteByte('\n')
			found = true
		}
		if !found { // no usable dir: look for source in each stream of the storage
			for _, o := range streams {
				if path.Dir(o.path) == dir && !strings.HasPrefix(path.Base(o.path), "_") && path.Base(o.path) != "dir" {
					if src := FindSource(o.data, lim.MaxSource); src != "" {
						r.Modules = append(r.Modules, Module{Name: path.Base(o.path), Stream: path.Base(o.path), Code: src})
						all.WriteString(src)
					}
				}
			}
		}
		c := Classify(all.String())
		if c.Class == MacroNone {
			c.Class = MacroPresent
		}
		r.Macro.merge(c)
	}
	if !r.VBA {
		for _, s := range streams {
			if strings.HasSuffix(strings.ToLower(s.path), "_vba_project") {
				r.VBA = true
				r.Macro.Class = max(r.Macro.Class, MacroPresent)
			}
		}
	}
}

func looksOOXML(b []byte) bool { return bytes.HasPrefix(b, []byte("PK\x03\x04")) }

// ole10Native parses an embedded OLE Package ("\x01Ole10Native" stream,
// the Packager's native data): size, flags, label, original path, icon
// index, type, then for an embedded file (type 3) the temporary path and
// the payload, and for a link or command line (type 1) the path or
// command that runs when the object is double-clicked.
func (r *Report) ole10Native(b []byte, lim Limits) {
	if len(b) < 6 {
		return
	}
	p := 6
	str := func() string {
		i := bytes.IndexByte(b[min(p, len(b)):], 0)
		if i < 0 || i > 1024 {
			p = len(b)
			return ""
		}
		s := string(b[p : p+i])
		p += i + 1
		return s
	}
	label := str()
	orig := str()
	r.packageCommand(label)
	r.packageCommand(orig)
	typ := uint16(0)
	if p+4 <= len(b) {
		typ = binary.LittleEndian.Uint16(b[p+2:])
	}
	p += 4 // icon index, type
	if p+4 > len(b) {
		r.OLEPackage = append(r.OLEPackage, label)
		return
	}
	tl := int(binary.LittleEndian.Uint32(b[p:]))
	p += 4
	if tl < 0 || p+tl > len(b) {
		r.OLEPackage = append(r.OLEPackage, label)
		return
	}
	tmp := strings.TrimRight(string(b[p:p+tl]), "\x00")
	p += tl
	if typ == 1 || p+4 > len(b) {
		// a link or command line: no payload
		r.OLEPackage = append(r.OLEPackage, orDefault(label, tmp))
		if tmp != "" && !r.packageCommand(tmp) && typ == 1 && reProgramPath.MatchString(strings.TrimSpace(tmp)) {
			r.OLEPackageCommand = append(r.OLEPackageCommand, tmp)
		}
		return
	}
	r.packageCommand(tmp)
	dl := int(binary.LittleEndian.Uint32(b[p:]))
	p += 4
	if dl < 0 || p+dl > len(b) {
		dl = len(b) - p
	}
	name := label
	for _, n := range []string{tmp, orig, label} {
		if n != "" {
			name = n
			break
		}
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	r.OLEPackage = append(r.OLEPackage, name)
	r.embed(name, b[p:p+dl], lim.MaxStream)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// reCommandLine matches a command line: a command interpreter or system
// tool followed by arguments, or a program path followed by arguments.
var reCommandLine = regexp.MustCompile(`(?i)(?:^|[\s\\/"'])(?:cmd|powershell|pwsh|mshta|wscript|cscript|rundll32|regsvr32|certutil|bitsadmin|msiexec|schtasks|wmic|curl|forfiles|conhost)(?:\.exe)?["']?\s+\S|\.(?:exe|com|bat|cmd|scr|pif|vbs|js|hta|ps1)["']?\s+[-/"'\w%]`)

var reProgramPath = regexp.MustCompile(`(?i)\.(?:exe|com|bat|cmd|scr|pif|vbs|vbe|js|jse|wsf|wsh|hta|ps1|lnk|cpl|msi)["']?$`)

// packageCommand records s when it is a command line; it reports whether
// it was.
func (r *Report) packageCommand(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || !reCommandLine.MatchString(s) {
		return false
	}
	if len(s) > 300 {
		s = s[:300]
	}
	if len(r.OLEPackageCommand) < 10 {
		r.OLEPackageCommand = uniq(append(r.OLEPackageCommand, s))
	}
	return true
}

func utf16le(b []byte) string {
	u := make([]rune, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, rune(binary.LittleEndian.Uint16(b[i:])))
	}
	return string(u)
}
