// Package testdoc builds test documents and containers for the attach
// tests: a minimal OLE2 (CFB v3) writer, an MS-OVBA compressor, a VBA
// project, an xlsm, encrypted zips, a stored RAR 4 archive and MIME mail.
// It is only imported by tests; nothing here is malware — the "macros"
// are plain text that is never run.
package testdoc

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/sekisho/sekisho/internal/format/archive"
)

// ---- MS-OVBA compression (2.4.1.3.7, greedy matcher) ----

// Compress builds an MS-OVBA compressed container.
func Compress(in []byte) []byte {
	out := []byte{0x01}
	for start := 0; start < len(in) || (start == 0 && len(in) == 0); start += 4096 {
		chunk := in[start:min(start+4096, len(in))]
		var body []byte
		for d := 0; d < len(chunk); {
			flagPos := len(body)
			body = append(body, 0)
			for bit := 0; bit < 8 && d < len(chunk); bit++ {
				bc := 4
				for (1 << bc) < d {
					bc++
				}
				maxLen := int(0xffff>>bc) + 3
				bestLen, bestOff := 0, 0
				for off := 1; off <= d && off <= 1<<bc; off++ {
					l := 0
					for l < maxLen && d+l < len(chunk) && chunk[d+l-off] == chunk[d+l] {
						l++
					}
					if l > bestLen {
						bestLen, bestOff = l, off
					}
				}
				if bestLen >= 3 {
					tok := uint16(bestOff-1)<<(16-bc) | uint16(bestLen-3)
					body = binary.LittleEndian.AppendUint16(body, tok)
					body[flagPos] |= 1 << bit
					d += bestLen
				} else {
					body = append(body, chunk[d])
					d++
				}
			}
		}
		hdr := uint16(len(body)+2-3) | 0x3000 | 0x8000
		out = binary.LittleEndian.AppendUint16(out, hdr)
		out = append(out, body...)
		if len(in) == 0 {
			break
		}
	}
	return out
}

// ---- CFB writer ----

type cfbNode struct {
	name     string
	data     []byte
	isDir    bool
	children map[string]*cfbNode
	id       int
	start    uint32
}

// CFB builds a compound file from stream paths ("VBA/dir" → stream "dir"
// in storage "VBA"). Streams under 4096 bytes live in the mini stream.
func CFB(streams map[string][]byte) []byte {
	root := &cfbNode{name: "Root Entry", isDir: true, children: map[string]*cfbNode{}}
	keys := make([]string, 0, len(streams))
	for k := range streams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := strings.Split(k, "/")
		n := root
		for _, p := range parts[:len(parts)-1] {
			c, ok := n.children[p]
			if !ok {
				c = &cfbNode{name: p, isDir: true, children: map[string]*cfbNode{}}
				n.children[p] = c
			}
			n = c
		}
		n.children[parts[len(parts)-1]] = &cfbNode{name: parts[len(parts)-1], data: streams[k]}
	}
	// Number entries depth-first.
	var nodes []*cfbNode
	var number func(n *cfbNode)
	number = func(n *cfbNode) {
		n.id = len(nodes)
		nodes = append(nodes, n)
		for _, c := range sortedChildren(n) {
			number(c)
		}
	}
	number(root)
	// Mini stream and big streams.
	var mini []byte
	var miniFAT []uint32
	var big [][]byte
	var bigNodes []*cfbNode
	for _, n := range nodes[1:] {
		if n.isDir {
			continue
		}
		if len(n.data) < 4096 {
			if len(n.data) == 0 {
				n.start = 0xfffffffe
				continue
			}
			n.start = uint32(len(mini) / 64)
			cnt := (len(n.data) + 63) / 64
			for i := 0; i < cnt; i++ {
				if i == cnt-1 {
					miniFAT = append(miniFAT, 0xfffffffe)
				} else {
					miniFAT = append(miniFAT, uint32(len(miniFAT)+1))
				}
			}
			mini = append(mini, n.data...)
			for len(mini)%64 != 0 {
				mini = append(mini, 0)
			}
		} else {
			big = append(big, n.data)
			bigNodes = append(bigNodes, n)
		}
	}
	secs := func(n int) int { return (n + 511) / 512 }
	nDir := secs(len(nodes) * 128)
	nMiniFAT := secs(len(miniFAT) * 4)
	nMini := secs(len(mini))
	nBig := 0
	for _, b := range big {
		nBig += secs(len(b))
	}
	other := nDir + nMiniFAT + nMini + nBig
	nFAT := 1
	for nFAT*128 < other+nFAT {
		nFAT++
	}
	fat := make([]uint32, nFAT*128)
	for i := range fat {
		fat[i] = 0xffffffff
	}
	for i := 0; i < nFAT; i++ {
		fat[i] = 0xfffffffd
	}
	next := nFAT
	chain := func(n int) uint32 {
		if n == 0 {
			return 0xfffffffe
		}
		s := next
		for i := 0; i < n; i++ {
			if i == n-1 {
				fat[next] = 0xfffffffe
			} else {
				fat[next] = uint32(next + 1)
			}
			next++
		}
		return uint32(s)
	}
	dirStart := chain(nDir)
	miniFATStart := chain(nMiniFAT)
	miniStart := chain(nMini)
	for i, b := range big {
		bigNodes[i].start = chain(secs(len(b)))
	}
	root.start = miniStart
	if nMini == 0 {
		root.start = 0xfffffffe
	}
	// Header.
	h := make([]byte, 512)
	copy(h, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	binary.LittleEndian.PutUint16(h[24:], 0x3e)
	binary.LittleEndian.PutUint16(h[26:], 3)
	binary.LittleEndian.PutUint16(h[28:], 0xfffe)
	binary.LittleEndian.PutUint16(h[30:], 9)
	binary.LittleEndian.PutUint16(h[32:], 6)
	binary.LittleEndian.PutUint32(h[44:], uint32(nFAT))
	binary.LittleEndian.PutUint32(h[48:], dirStart)
	binary.LittleEndian.PutUint32(h[56:], 4096)
	binary.LittleEndian.PutUint32(h[60:], miniFATStart)
	binary.LittleEndian.PutUint32(h[64:], uint32(nMiniFAT))
	binary.LittleEndian.PutUint32(h[68:], 0xfffffffe)
	for i := 0; i < 109; i++ {
		v := uint32(0xffffffff)
		if i < nFAT {
			v = uint32(i)
		}
		binary.LittleEndian.PutUint32(h[76+4*i:], v)
	}
	var out bytes.Buffer
	out.Write(h)
	for _, v := range fat {
		binary.Write(&out, binary.LittleEndian, v)
	}
	// Directory.
	var dir bytes.Buffer
	for _, n := range nodes {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(n.name))
		for i, c := range u {
			binary.LittleEndian.PutUint16(e[2*i:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		switch {
		case n == root:
			e[66] = 5
		case n.isDir:
			e[66] = 1
		default:
			e[66] = 2
		}
		e[67] = 1
		binary.LittleEndian.PutUint32(e[68:], 0xffffffff)
		binary.LittleEndian.PutUint32(e[72:], 0xffffffff)
		binary.LittleEndian.PutUint32(e[76:], 0xffffffff)
		if n.isDir {
			cs := sortedChildren(n)
			if len(cs) > 0 {
				binary.LittleEndian.PutUint32(e[76:], uint32(cs[0].id))
			}
		}
		binary.LittleEndian.PutUint32(e[116:], n.start)
		switch {
		case n == root:
			binary.LittleEndian.PutUint64(e[120:], uint64(len(mini)))
		case !n.isDir:
			binary.LittleEndian.PutUint64(e[120:], uint64(len(n.data)))
		}
		dir.Write(e)
	}
	// Right-sibling chains among each storage's children.
	db := dir.Bytes()
	for _, n := range nodes {
		cs := sortedChildren(n)
		for i := 0; i+1 < len(cs); i++ {
			binary.LittleEndian.PutUint32(db[cs[i].id*128+72:], uint32(cs[i+1].id))
		}
	}
	writePadded(&out, db)
	mf := make([]byte, 0, len(miniFAT)*4)
	for _, v := range miniFAT {
		mf = binary.LittleEndian.AppendUint32(mf, v)
	}
	writePadded(&out, mf)
	writePadded(&out, mini)
	for _, b := range big {
		writePadded(&out, b)
	}
	return out.Bytes()
}

func writePadded(w *bytes.Buffer, b []byte) {
	w.Write(b)
	if r := len(b) % 512; r != 0 {
		w.Write(make([]byte, 512-r))
	}
}

func sortedChildren(n *cfbNode) []*cfbNode {
	var cs []*cfbNode
	for _, c := range n.children {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	return cs
}

// ---- VBA project ----

func rec(id uint16, data []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, id)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func u16s(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// VBAProjectStreams returns the streams of a VBA storage ("VBA/dir",
// "VBA/<module>", "VBA/_VBA_PROJECT", "PROJECT") under prefix (e.g.
// "" for vbaProject.bin, "Macros/" for Word, "_VBA_PROJECT_CUR/" for Excel).
func VBAProjectStreams(prefix string, modules map[string]string) map[string][]byte {
	var d []byte
	d = append(d, rec(0x0001, []byte{1, 0, 0, 0})...)   // PROJECTSYSKIND win32
	d = append(d, rec(0x0002, []byte{9, 4, 0, 0})...)   // LCID
	d = append(d, rec(0x0014, []byte{9, 4, 0, 0})...)   // LCIDINVOKE
	d = append(d, rec(0x0003, []byte{0xe4, 0x04})...)   // CODEPAGE 1252
	d = append(d, rec(0x0004, []byte("VBAProject"))...) // NAME
	d = append(d, rec(0x0005, nil)...)                  // DOCSTRING
	d = append(d, rec(0x0040, nil)...)
	d = append(d, rec(0x0006, nil)...) // HELPFILEPATH
	d = append(d, rec(0x003d, nil)...)
	d = append(d, rec(0x0007, []byte{0, 0, 0, 0})...) // HELPCONTEXT
	d = append(d, rec(0x0008, []byte{0, 0, 0, 0})...) // LIBFLAGS
	// PROJECTVERSION: Reserved=4 then 6 bytes
	d = append(d, 0x09, 0x00, 0x04, 0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00)
	d = append(d, rec(0x000c, nil)...) // CONSTANTS
	d = append(d, rec(0x003c, nil)...)
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	d = append(d, rec(0x000f, binary.LittleEndian.AppendUint16(nil, uint16(len(names))))...)
	d = append(d, rec(0x0013, []byte{0xff, 0xff})...)
	streams := map[string][]byte{}
	for _, n := range names {
		d = append(d, rec(0x0019, []byte(n))...)
		d = append(d, rec(0x0047, u16s(n))...)
		d = append(d, rec(0x001a, []byte(n))...)
		d = append(d, rec(0x0032, u16s(n))...)
		d = append(d, rec(0x001c, nil)...)
		d = append(d, rec(0x0048, nil)...)
		cache := bytes.Repeat([]byte{0xcc}, 37) // performance cache before the source
		d = append(d, rec(0x0031, binary.LittleEndian.AppendUint32(nil, uint32(len(cache))))...)
		d = append(d, rec(0x001e, []byte{0, 0, 0, 0})...)
		d = append(d, rec(0x002c, []byte{0xff, 0xff})...)
		d = append(d, rec(0x0022, nil)...)
		d = append(d, rec(0x002b, nil)...)
		src := "Attribute VB_Name = \"" + n + "\"\r\n" + modules[n]
		streams[prefix+"VBA/"+n] = append(cache, Compress([]byte(src))...)
	}
	d = append(d, rec(0x0010, nil)...)
	streams[prefix+"VBA/dir"] = Compress(d)
	streams[prefix+"VBA/_VBA_PROJECT"] = []byte{0xcc, 0x61, 0xff, 0xff, 0x00, 0x00, 0x00}
	streams[prefix+"PROJECT"] = []byte("ID=\"{00000000-0000-0000-0000-000000000000}\"\r\nDocument=ThisWorkbook/&H00000000\r\nName=\"VBAProject\"\r\n")
	return streams
}

// VBAProject builds a vbaProject.bin.
func VBAProject(modules map[string]string) []byte {
	return CFB(VBAProjectStreams("", modules))
}

// EmotetMacro is a harmless stand-in for a dropper macro: text only.
const EmotetMacro = "Private Sub Workbook_Open()\r\n" +
	"    Dim s As String\r\n" +
	"    s = \"powershell -w hidden -c echo test\"\r\n" +
	"    Shell s, 0\r\n" +
	"End Sub\r\n"

// Zip builds a plain zip.
func Zip(files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write(files[n])
	}
	zw.Close()
	return buf.Bytes()
}

// XLSM builds a macro-enabled workbook package carrying vbaProject.bin.
func XLSM(vba []byte) []byte {
	return Zip(map[string][]byte{
		"[Content_Types].xml":        []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>`),
		"_rels/.rels":                []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		"xl/workbook.xml":            []byte(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>`),
		"xl/worksheets/sheet1.xml":   []byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`),
		"xl/vbaProject.bin":          vba,
	})
}

// ZipEntry is one file of an encrypted zip.
type ZipEntry struct {
	Name string
	Data []byte
}

// EncryptedZip builds a zip whose entries are stored with ZipCrypto
// (aes=false) or WinZip AES-256 AE-2 (aes=true), deflated.
func EncryptedZip(entries []ZipEntry, password string, aes bool) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, e := range entries {
		deflated := deflate(e.Data)
		crc := crc32.ChecksumIEEE(e.Data)
		fh := &zip.FileHeader{Name: e.Name, UncompressedSize64: uint64(len(e.Data))}
		var raw []byte
		if aes {
			salt := bytes.Repeat([]byte{byte(0x40 + i)}, 16)
			raw = archive.WinZipAESEncrypt(deflated, []byte(password), salt, 3)
			fh.Method = 99
			fh.Flags = 1
			fh.Extra = []byte{0x01, 0x99, 7, 0, 2, 0, 'A', 'E', 3, 8, 0}
			fh.CRC32 = 0
		} else {
			var hdr [11]byte
			for k := range hdr {
				hdr[k] = byte(17*k + i)
			}
			raw = archive.ZipCryptoEncrypt(deflated, []byte(password), byte(crc>>24), hdr)
			fh.Method = zip.Deflate
			fh.Flags = 1
			fh.CRC32 = crc
		}
		fh.CompressedSize64 = uint64(len(raw))
		w, err := zw.CreateRaw(fh)
		if err != nil {
			panic(err)
		}
		w.Write(raw)
	}
	zw.Close()
	return buf.Bytes()
}

// StoredRAR builds a RAR 1.5–4.x archive with stored (method 0x30) files.
func StoredRAR(entries []ZipEntry) []byte {
	out := []byte("Rar!\x1a\x07\x00")
	hdr := func(b []byte) []byte {
		crc := crc32.ChecksumIEEE(b)
		return append(binary.LittleEndian.AppendUint16(nil, uint16(crc)), b...)
	}
	main := []byte{0x73, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0}
	out = append(out, hdr(main)...)
	for _, e := range entries {
		h := []byte{0x74}
		h = binary.LittleEndian.AppendUint16(h, 0x8000)
		h = binary.LittleEndian.AppendUint16(h, uint16(32+len(e.Name)))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(e.Data)))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(e.Data)))
		h = append(h, 2)
		h = binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(e.Data))
		h = binary.LittleEndian.AppendUint32(h, 0x5a000000)
		h = append(h, 20, 0x30)
		h = binary.LittleEndian.AppendUint16(h, uint16(len(e.Name)))
		h = binary.LittleEndian.AppendUint32(h, 0x20)
		h = append(h, e.Name...)
		out = append(out, hdr(h)...)
		out = append(out, e.Data...)
	}
	end := []byte{0x7b, 0x00, 0x40, 0x07, 0x00}
	return append(out, hdr(end)...)
}

// Attachment for Mail.
type Attachment struct {
	Name, Type string
	Data       []byte
}

// Mail builds a multipart message with a UTF-8 text body and attachments.
func Mail(subject, body string, atts ...Attachment) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Sender <sender@example.net>\r\nTo: user@example.jp\r\nSubject: %s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <test-%d@example.net>\r\nMIME-Version: 1.0\r\n", mimeWord(subject), len(body)+len(atts))
	b.WriteString("Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n--=_b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(wrap64([]byte(body)))
	for _, a := range atts {
		ct := a.Type
		if ct == "" {
			ct = "application/octet-stream"
		}
		fmt.Fprintf(&b, "--=_b\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", ct, mimeWord(a.Name), mimeWord(a.Name))
		b.WriteString(wrap64(a.Data))
	}
	b.WriteString("--=_b--\r\n")
	return []byte(b.String())
}

func mimeWord(s string) string {
	for _, r := range s {
		if r > 126 || r < 32 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

func wrap64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	sb.WriteString(s + "\r\n")
	return sb.String()
}

// EmotetBody is the seed-000 style body with the password.
const EmotetBody = "いつもお世話になっております。\r\n請求書を添付いたします。\r\n\r\nパスワード: abc123\r\n\r\nよろしくお願いいたします。\r\n"

// EmotetMail builds the seed-000 pattern: a password zip (ZipCrypto, or
// AES when aes is true) holding an xlsm whose Workbook_Open calls Shell,
// the password ("abc123") in the Japanese body.
func EmotetMail(aes bool, body string) []byte {
	xlsm := XLSM(VBAProject(map[string]string{"ThisWorkbook": EmotetMacro}))
	z := EncryptedZip([]ZipEntry{{Name: "請求書_2026.xlsm", Data: xlsm}}, "abc123", aes)
	return Mail("Re: ご請求書の件", body, Attachment{Name: "請求書.zip", Type: "application/zip", Data: z})
}

// LNK builds a shell link ([MS-SHLLINK]) whose LinkInfo names target as
// its local base path, with Unicode arguments and working directory;
// showCmd is the window state (1 normal, 7 minimised).
func LNK(target, args, workDir string, showCmd uint32) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	flags := uint32(1<<1 | 1<<4 | 1<<5 | 1<<7) // LinkInfo, WorkingDir, Arguments, Unicode
	le(uint32(0x4C))
	b.Write([]byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46})
	le(flags)
	le(uint32(0x20))          // FILE_ATTRIBUTE_ARCHIVE
	b.Write(make([]byte, 24)) // times
	le(uint32(0))             // file size
	le(uint32(0))             // icon index
	le(showCmd)
	b.Write(make([]byte, 12)) // hot key, reserved
	// LinkInfo: 28-byte header, VolumeID (minimal), base path, suffix.
	vol := []byte{16, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0}
	base := append([]byte(target), 0)
	hdr := 28
	volOff := hdr
	baseOff := volOff + len(vol)
	sufOff := baseOff + len(base)
	size := sufOff + 1
	le(uint32(size))
	le(uint32(hdr))
	le(uint32(1)) // VolumeIDAndLocalBasePath
	le(uint32(volOff))
	le(uint32(baseOff))
	le(uint32(0)) // no network link
	le(uint32(sufOff))
	b.Write(vol)
	b.Write(base)
	b.WriteByte(0)
	for _, s := range []string{workDir, args} {
		u := utf16.Encode([]rune(s))
		le(uint16(len(u)))
		for _, c := range u {
			le(c)
		}
	}
	le(uint32(0)) // terminal block
	return b.Bytes()
}

// OneNote builds a minimal OneNote section holding files as
// FileDataStoreObjects ([MS-ONESTORE]).
func OneNote(files ...[]byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3})
	b.Write(make([]byte, 1024-16)) // the rest of the header, unread
	for _, f := range files {
		b.Write([]byte{0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC})
		binary.Write(&b, binary.LittleEndian, uint64(len(f)))
		b.Write(make([]byte, 12))
		b.Write(f)
		b.Write([]byte{0x22, 0xA7, 0xFB, 0x71, 0x79, 0x0F, 0x0B, 0x4A, 0xBB, 0x13, 0x89, 0x92, 0x56, 0x42, 0x6B, 0x24})
		b.Write(make([]byte, (8-len(f)%8)%8))
	}
	return b.Bytes()
}

// TNEF builds a winmail.dat ([MS-OXTNEF]) carrying files (name → data)
// after a message-level attribute, as Outlook writes them.
func TNEF(files []ZipEntry) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	attr := func(level byte, id uint32, data []byte) {
		b.WriteByte(level)
		le(id)
		le(uint32(len(data)))
		b.Write(data)
		sum := uint16(0)
		for _, c := range data {
			sum += uint16(c)
		}
		le(sum)
	}
	le(uint32(0x223E9F78))
	le(uint16(0x0001))
	attr(0x01, 0x00089006, []byte{0x00, 0x01, 0x00, 0x00}) // attTnefVersion
	attr(0x01, 0x00018004, []byte("Invoice\x00"))          // attSubject
	for _, f := range files {
		attr(0x02, 0x00069002, make([]byte, 14)) // attAttachRendData
		attr(0x02, 0x00018010, append([]byte(f.Name), 0))
		attr(0x02, 0x0006800F, f.Data)
	}
	return b.Bytes()
}
