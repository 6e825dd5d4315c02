// Package filetype finds a file's true type from its first bytes (magic
// numbers; github.com/gabriel-vasile/mimetype as a fallback hint) and
// judges file names: dangerous extensions, double extensions, Unicode
// direction overrides and long runs of spaces that hide the real extension.
package filetype

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// Type names returned by Detect (short, stable, lower-case).
const (
	Unknown  = ""
	PE       = "exe" // Windows PE (exe, dll, scr, ...)
	DLL      = "dll"
	MSDOS    = "com" // MZ without a PE header
	ELF      = "elf"
	MachO    = "macho"
	Zip      = "zip"
	Rar      = "rar"
	SevenZip = "7z"
	Gzip     = "gzip"
	Bzip2    = "bzip2"
	XZ       = "xz"
	Tar      = "tar"
	Cab      = "cab"
	ISO      = "iso"
	UDF      = "udf"
	VHD      = "vhd"
	VHDX     = "vhdx"
	IMG      = "img" // raw disk image (FAT boot sector / MBR)
	OLE2     = "ole2"
	MSI      = "msi"
	PDF      = "pdf"
	RTF      = "rtf"
	LNK      = "lnk"
	CHM      = "chm"
	OneNote  = "one"
	Class    = "class"
	HTML     = "html"
	Script   = "script" // shebang or recognisable script text
	Text     = "text"
)

// Detect returns the type of data from its first bytes. Types that need
// opening to confirm (zip → jar/ooxml) are refined by the caller.
func Detect(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 'M' && b[1] == 'Z':
		return detectMZ(b)
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return ELF
	case hasAnyPrefix(b, "\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe"):
		return MachO
	case bytes.HasPrefix(b, []byte("\xca\xfe\xba\xbe")) && len(b) >= 8 && binary.BigEndian.Uint32(b[4:8]) > 40:
		return Class
	case hasAnyPrefix(b, "PK\x03\x04", "PK\x05\x06", "PK\x07\x08"):
		return Zip
	case bytes.HasPrefix(b, []byte("Rar!\x1a\x07")):
		return Rar
	case bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")):
		return SevenZip
	case bytes.HasPrefix(b, []byte("\x1f\x8b")):
		return Gzip
	case bytes.HasPrefix(b, []byte("BZh")) && len(b) > 3 && b[3] >= '1' && b[3] <= '9':
		return Bzip2
	case bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")):
		return XZ
	case bytes.HasPrefix(b, []byte("MSCF\x00\x00\x00\x00")):
		return Cab
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return OLE2
	case bytes.HasPrefix(b, []byte("%PDF")) || (len(b) > 8 && bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-"))):
		return PDF
	case bytes.HasPrefix(b, []byte("{\\rt")):
		return RTF
	case len(b) >= 20 && bytes.HasPrefix(b, []byte("\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46")):
		return LNK
	case bytes.HasPrefix(b, []byte("ITSF\x03\x00\x00\x00")):
		return CHM
	case bytes.HasPrefix(b, []byte("\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3")):
		return OneNote
	case bytes.HasPrefix(b, []byte("vhdxfile")):
		return VHDX
	case bytes.HasPrefix(b, []byte("conectix")):
		return VHD
	case bytes.HasPrefix(b, []byte("#!")):
		return Script
	}
	if isISO(b) {
		return ISO
	}
	if len(b) >= 512 && isTar(b[:512]) {
		return Tar
	}
	if len(b) >= 512 && b[510] == 0x55 && b[511] == 0xaa && (bytes.Contains(b[:512], []byte("FAT")) || bytes.Contains(b[:512], []byte("NTFS"))) {
		return IMG
	}
	return Unknown
}

// Hint returns mimetype's guess (a MIME type), for types Detect leaves open.
func Hint(b []byte) string {
	h := mimetype.Detect(b).String()
	if i := strings.IndexByte(h, ';'); i >= 0 {
		h = h[:i]
	}
	return h
}

func hasAnyPrefix(b []byte, ps ...string) bool {
	for _, p := range ps {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// detectMZ confirms a PE header and tells DLLs apart.
func detectMZ(b []byte) string {
	if len(b) < 0x40 {
		return MSDOS
	}
	off := int(binary.LittleEndian.Uint32(b[0x3c:0x40]))
	if off <= 0 || off+24 > len(b) || !bytes.Equal(b[off:off+4], []byte("PE\x00\x00")) {
		return MSDOS
	}
	chars := binary.LittleEndian.Uint16(b[off+22 : off+24])
	if chars&0x2000 != 0 {
		return DLL
	}
	return PE
}

// isISO looks for the ISO 9660 ("CD001") or UDF ("BEA01"/"NSR0") volume
// descriptors at sector 16 and beyond.
func isISO(b []byte) bool {
	for _, off := range []int{0x8001, 0x8801, 0x9001} {
		if len(b) >= off+5 {
			s := string(b[off : off+5])
			if s == "CD001" || s == "BEA01" || s == "NSR02" || s == "NSR03" {
				return true
			}
		}
	}
	return false
}

// isTar checks a ustar header's magic or, for old tars, its checksum.
func isTar(h []byte) bool {
	if bytes.Equal(h[257:262], []byte("ustar")) {
		return true
	}
	// v7 tar: checksum field must match the header's byte sum.
	cs := strings.TrimRight(strings.TrimSpace(string(bytes.Trim(h[148:156], "\x00 "))), "\x00")
	if cs == "" {
		return false
	}
	var want int64
	for _, c := range cs {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var sum int64
	for i, c := range h {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	return sum == want && h[0] != 0
}

// IsArchive reports types that the archive walker opens.
func IsArchive(t string) bool {
	switch t {
	case Zip, Rar, SevenZip, Gzip, Bzip2, XZ, Tar, Cab, ISO:
		return true
	}
	return false
}

// IsExecutable reports native executable code.
func IsExecutable(t string) bool {
	switch t {
	case PE, DLL, MSDOS, ELF, MachO:
		return true
	}
	return false
}

// IsDiskImage reports container images that Windows mounts with a click
// (used to slip past Mark-of-the-Web).
func IsDiskImage(t string) bool {
	switch t {
	case ISO, UDF, VHD, VHDX, IMG:
		return true
	}
	return false
}

// dangerousExt lists extensions that run code when opened on Windows (or
// that mount or install something).
var dangerousExt = map[string]string{
	"exe": "executable", "scr": "executable", "com": "executable", "pif": "executable", "dll": "executable",
	"cpl": "executable", "ocx": "executable", "sys": "executable", "drv": "executable", "msc": "executable",
	"bat": "script", "cmd": "script", "ps1": "script", "psm1": "script", "psd1": "script", "ps1xml": "script",
	"js": "script", "jse": "script", "vbs": "script", "vbe": "script", "wsf": "script", "wsh": "script",
	"wsc": "script", "sct": "script", "hta": "script", "vb": "script", "mst": "installer",
	"lnk": "shortcut", "url": "shortcut", "scf": "shortcut", "library-ms": "shortcut", "settingcontent-ms": "shortcut",
	"iso": "disk image", "img": "disk image", "vhd": "disk image", "vhdx": "disk image",
	"msi": "installer", "msp": "installer", "appx": "installer", "msix": "installer", "appxbundle": "installer",
	"msixbundle": "installer", "appref-ms": "installer", "application": "installer", "reg": "registry",
	"jar": "java", "jnlp": "java", "chm": "help file", "hlp": "help file", "one": "onenote", "onepkg": "onenote",
	"inf": "script", "xll": "excel add-in", "wll": "word add-in", "ppam": "office add-in", "xlam": "office add-in",
	"gadget": "executable", "application-x-ms": "executable", "xbap": "executable", "iqy": "excel query",
	"slk": "excel symbolic link", "svg": "", "ace": "archive", "arj": "archive",
}

// DangerousExt returns why an extension (without dot, any case) is
// dangerous, or "" when it is not.
func DangerousExt(ext string) string {
	return dangerousExt[strings.ToLower(ext)]
}

// docExt are extensions of harmless-looking documents that lure clicks
// (first half of a double extension such as "invoice.pdf.exe").
var docExt = map[string]bool{
	"pdf": true, "doc": true, "docx": true, "xls": true, "xlsx": true, "ppt": true, "pptx": true, "txt": true,
	"jpg": true, "jpeg": true, "png": true, "gif": true, "bmp": true, "rtf": true, "csv": true, "htm": true,
	"html": true, "mp3": true, "mp4": true, "avi": true, "wav": true, "zip": true, "rar": true, "odt": true,
	"xml": true, "docm": true, "xlsm": true, "tif": true, "tiff": true,
}

// Ext returns a name's last extension, lower-case, without the dot.
func Ext(name string) string {
	name = CleanName(name)
	e := path.Ext(name)
	return strings.ToLower(strings.TrimPrefix(e, "."))
}

// CleanName strips direction controls and trailing dots/spaces (which
// Windows ignores) from a file name.
func CleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if isBidiControl(r) || r == 0 {
			return -1
		}
		return r
	}, name)
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimRight(name, ". \t")
}

func isBidiControl(r rune) bool {
	switch r {
	case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c':
		return true
	}
	return false
}

// NameTricks are the deceptions found in a file name.
type NameTricks struct {
	RLO        bool   // a right-to-left override or other direction control
	LongSpace  bool   // a long run of spaces (or fillers) before the extension
	DoubleExt  bool   // a document extension followed by a dangerous one
	ShownAs    string // for RLO: what the reader sees, approximately
	InnerExt   string // for double extensions: the decoy extension
	Dangerous  string // the real extension's danger class, if any
	RealExt    string
	FillerRuns int
}

// Tricks inspects a file name.
func Tricks(name string) NameTricks {
	var t NameTricks
	for _, r := range name {
		if isBidiControl(r) && r != '\u200e' && r != '\u200f' {
			t.RLO = true
		}
	}
	clean := CleanName(name)
	t.RealExt = Ext(clean)
	t.Dangerous = DangerousExt(t.RealExt)
	if t.RLO {
		t.ShownAs = shownRLO(name)
	}
	// Long space: 5+ spaces (ASCII, ideographic, NBSP, en/em) or underscores before the last dot.
	base := strings.TrimSuffix(clean, path.Ext(clean))
	run, best := 0, 0
	for _, r := range base {
		if r == ' ' || r == '\u3000' || r == '\u00a0' || (r >= '\u2000' && r <= '\u200b') || r == '_' || r == '\u2800' || r == '\u3164' {
			run++
			if run > best {
				best = run
			}
		} else {
			run = 0
		}
	}
	t.FillerRuns = best
	if best >= 8 || (best >= 4 && strings.IndexFunc(base, func(r rune) bool { return r == '\u3000' || r == '\u2800' || r == '\u3164' }) >= 0) {
		t.LongSpace = true
	}
	if inner := Ext(strings.TrimRight(base, " _\u3000\u00a0")); inner != "" && docExt[inner] && t.RealExt != inner {
		if t.Dangerous != "" || t.RealExt == "exe" {
			t.DoubleExt = true
			t.InnerExt = inner
		}
	}
	return t
}

// shownRLO renders roughly what a left-to-right reader sees: the text after
// U+202E reversed.
func shownRLO(name string) string {
	i := strings.IndexRune(name, '\u202e')
	if i < 0 {
		return CleanName(name)
	}
	tail := []rune(name[i+len("\u202e"):])
	for a, b := 0, len(tail)-1; a < b; a, b = a+1, b-1 {
		tail[a], tail[b] = tail[b], tail[a]
	}
	return name[:i] + string(tail)
}

// LooksText reports whether b is mostly printable text (for scripts).
func LooksText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if len(b) > 4096 {
		b = b[:4096]
	}
	bad := 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r == utf8.RuneError && n == 1 {
			bad++
			continue
		}
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			bad++
		}
	}
	return bad < 16
}

// ExtMatches reports whether a detected type is plausible for a name's
// extension (false means the content lies about its name). Unknown
// combinations count as matching: only clear lies are reported.
func ExtMatches(ext, detected string) bool {
	if detected == Unknown || ext == "" {
		return true
	}
	want, ok := extTypes[ext]
	if !ok {
		return true
	}
	for _, w := range want {
		if w == detected {
			return true
		}
	}
	return false
}

var extTypes = map[string][]string{
	"pdf": {PDF}, "doc": {OLE2, RTF, Zip, HTML}, "xls": {OLE2, Zip, HTML}, "ppt": {OLE2, Zip}, "docx": {Zip, OLE2}, "xlsx": {Zip, OLE2}, "pptx": {Zip, OLE2},
	"docm": {Zip, OLE2}, "xlsm": {Zip, OLE2}, "pptm": {Zip, OLE2}, "rtf": {RTF}, "zip": {Zip}, "rar": {Rar}, "7z": {SevenZip}, "gz": {Gzip},
	"tgz": {Gzip}, "bz2": {Bzip2}, "xz": {XZ}, "cab": {Cab}, "iso": {ISO, UDF}, "jpg": {}, "jpeg": {}, "png": {}, "gif": {},
	"txt": {Text, Script, HTML}, "exe": {PE, MSDOS}, "dll": {DLL, PE}, "lnk": {LNK}, "msi": {MSI, OLE2}, "one": {OneNote},
	"chm": {CHM}, "tar": {Tar}, "vhd": {VHD}, "vhdx": {VHDX}, "jar": {Zip},
}
