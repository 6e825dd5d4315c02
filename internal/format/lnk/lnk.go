// Package lnk reads Windows shortcut files (.lnk, the Shell Link Binary
// File Format, [MS-SHLLINK]) far enough to tell what they run: the target
// path, the command-line arguments, the working directory and the window
// state. Shortcuts that start cmd.exe or PowerShell with a download
// command are a common way to deliver malware in mail (alone, in a zip or
// in a disk image).
//
// The input is hostile: every offset and count is checked against the
// data, strings are bounded, and a damaged shortcut gives what could be
// read with Truncated set.
package lnk

import (
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf16"
)

// Link is what a shortcut runs.
type Link struct {
	Target       string // target path (LinkInfo, environment block or ID list)
	Arguments    string // command-line arguments
	WorkingDir   string
	RelativePath string
	IconLocation string
	Name         string // the description
	ShowCommand  uint32 // 1 normal, 3 maximised, 7 minimised without focus
	Truncated    bool   // a later section was damaged; what came before is kept
}

// ErrNotLink means the data is not a shell link.
var ErrNotLink = errors.New("lnk: not a shell link")

// MaxString bounds every string read (characters).
const MaxString = 32 << 10

var clsid = []byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// Link flags.
const (
	hasIDList       = 1 << 0
	hasLinkInfo     = 1 << 1
	hasName         = 1 << 2
	hasRelativePath = 1 << 3
	hasWorkingDir   = 1 << 4
	hasArguments    = 1 << 5
	hasIconLocation = 1 << 6
	isUnicode       = 1 << 7
)

// IsLink reports whether b starts with a shell link header.
func IsLink(b []byte) bool {
	return len(b) >= 76 && binary.LittleEndian.Uint32(b) == 0x4C && string(b[4:20]) == string(clsid)
}

// Parse reads a shortcut.
func Parse(b []byte) (*Link, error) {
	if !IsLink(b) {
		return nil, ErrNotLink
	}
	l := &Link{}
	flags := binary.LittleEndian.Uint32(b[20:])
	l.ShowCommand = binary.LittleEndian.Uint32(b[60:])
	off := 76
	var idPath string
	if flags&hasIDList != 0 {
		if off+2 > len(b) {
			l.Truncated = true
			return l, nil
		}
		n := int(binary.LittleEndian.Uint16(b[off:]))
		off += 2
		if off+n > len(b) {
			l.Truncated = true
			return l, nil
		}
		idPath = idListPath(b[off : off+n])
		off += n
	}
	if flags&hasLinkInfo != 0 {
		if off+4 > len(b) {
			l.Truncated = true
			l.Target = idPath
			return l, nil
		}
		n := int(binary.LittleEndian.Uint32(b[off:]))
		if n < 4 || off+n > len(b) {
			l.Truncated = true
			l.Target = idPath
			return l, nil
		}
		l.Target = linkInfoPath(b[off : off+n])
		off += n
	}
	unicode := flags&isUnicode != 0
	for _, f := range []struct {
		bit uint32
		dst *string
	}{{hasName, &l.Name}, {hasRelativePath, &l.RelativePath}, {hasWorkingDir, &l.WorkingDir},
		{hasArguments, &l.Arguments}, {hasIconLocation, &l.IconLocation}} {
		if flags&f.bit == 0 {
			continue
		}
		s, n, ok := countedString(b[off:], unicode)
		if !ok {
			l.Truncated = true
			break
		}
		*f.dst = s
		off += n
	}
	// Extra data: the environment-variable block names the target when
	// the path uses %VARIABLES% (a favourite of malicious shortcuts).
	if !l.Truncated {
		if env := envTarget(b[off:]); env != "" && (l.Target == "" || strings.Contains(env, "%")) {
			l.Target = env
		}
	}
	if l.Target == "" {
		l.Target = idPath
	}
	if l.Target == "" && l.RelativePath != "" {
		l.Target = l.RelativePath
	}
	return l, nil
}

// countedString reads a StringData entry: a 16-bit character count, then
// the characters (UTF-16LE or the system code page, read as Latin-1).
func countedString(b []byte, unicode bool) (string, int, bool) {
	if len(b) < 2 {
		return "", 0, false
	}
	n := int(binary.LittleEndian.Uint16(b))
	size := n
	if unicode {
		size = 2 * n
	}
	if 2+size > len(b) {
		return "", 0, false
	}
	raw := b[2 : 2+size]
	if unicode {
		return utf16String(raw), 2 + size, true
	}
	return latin1(raw), 2 + size, true
}

func utf16String(b []byte) string {
	n := len(b) / 2
	if n > MaxString {
		n = MaxString
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u))
}

func latin1(b []byte) string {
	if len(b) > MaxString {
		b = b[:MaxString]
	}
	r := make([]rune, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		r = append(r, rune(c))
	}
	return string(r)
}

// cString reads a NUL-terminated single-byte string at off.
func cString(b []byte, off int) string {
	if off < 0 || off >= len(b) {
		return ""
	}
	end := off
	for end < len(b) && b[end] != 0 && end-off < MaxString {
		end++
	}
	return latin1(b[off:end])
}

// cString16 reads a NUL-terminated UTF-16LE string at off.
func cString16(b []byte, off int) string {
	if off < 0 || off >= len(b) {
		return ""
	}
	end := off
	for end+1 < len(b) && (b[end] != 0 || b[end+1] != 0) && (end-off)/2 < MaxString {
		end += 2
	}
	return utf16String(b[off:end])
}

// linkInfoPath joins the LinkInfo's local base path (or network share
// name) with its common path suffix.
func linkInfoPath(li []byte) string {
	if len(li) < 28 {
		return ""
	}
	hdr := int(binary.LittleEndian.Uint32(li[4:]))
	flags := binary.LittleEndian.Uint32(li[8:])
	base := ""
	if flags&1 != 0 {
		if hdr >= 0x24 && len(li) >= 0x24 {
			base = cString16(li, int(binary.LittleEndian.Uint32(li[28:])))
		}
		if base == "" {
			base = cString(li, int(binary.LittleEndian.Uint32(li[16:])))
		}
	}
	if flags&2 != 0 && base == "" {
		// CommonNetworkRelativeLink: its NetName.
		cn := int(binary.LittleEndian.Uint32(li[20:]))
		if cn >= 0 && cn+12 <= len(li) {
			base = cString(li, cn+int(binary.LittleEndian.Uint32(li[cn+8:])))
		}
	}
	suffix := ""
	if hdr >= 0x24 && len(li) >= 0x24 {
		suffix = cString16(li, int(binary.LittleEndian.Uint32(li[32:])))
	}
	if suffix == "" {
		suffix = cString(li, int(binary.LittleEndian.Uint32(li[24:])))
	}
	if suffix != "" && base != "" && !strings.HasSuffix(base, `\`) {
		base += `\`
	}
	return base + suffix
}

// envTarget finds the EnvironmentVariableDataBlock (0xA0000001) among the
// extra data blocks and returns its target.
func envTarget(b []byte) string {
	for n := 0; n < 64 && len(b) >= 8; n++ {
		size := int(binary.LittleEndian.Uint32(b))
		if size < 8 || size > len(b) {
			return ""
		}
		if binary.LittleEndian.Uint32(b[4:]) == 0xA0000001 && size >= 8+260+520 {
			if s := cString16(b[8+260:8+260+520], 0); s != "" {
				return s
			}
			return cString(b[8:8+260], 0)
		}
		b = b[size:]
	}
	return ""
}

// idListPath rebuilds a path from the shell item IDs: the drive item,
// then the file and folder items' names.
func idListPath(b []byte) string {
	var parts []string
	for n := 0; n < 64 && len(b) >= 2; n++ {
		size := int(binary.LittleEndian.Uint16(b))
		if size == 0 {
			break
		}
		if size < 3 || size > len(b) {
			break
		}
		item := b[:size]
		switch t := item[2]; {
		case t&0x70 == 0x20 && size > 3: // volume: "C:\"
			parts = append(parts, strings.TrimRight(cString(item, 3), `\`))
		case t&0x70 == 0x30 && size > 14: // file or folder entry
			name := cString(item, 14)
			// The long (Unicode) name is in the extension block; the
			// primary name is the short 8.3 one, good enough here.
			if name != "" {
				parts = append(parts, name)
			}
		}
		b = b[size:]
	}
	return strings.Join(parts, `\`)
}
