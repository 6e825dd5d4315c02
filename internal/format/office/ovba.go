// Package office looks inside Office documents: OLE2 compound files
// (doc, xls, ppt, msi, embedded objects), OOXML packages (docx/xlsm/...,
// recognised by content, not name) and RTF. It extracts and classifies VBA
// macros (MS-OVBA), Excel 4.0 (XLM) macro sheets, DDE fields, remote
// templates, embedded OLE Package objects and encryption (MS-OFFCRYPTO),
// including Excel's default "VelvetSweatshop" password.
package office

import (
	"bytes"
	"encoding/binary"
	"errors"
	"regexp"
	"sort"
	"strings"
)

// ErrCompressed is returned for a malformed MS-OVBA compressed container.
var ErrCompressed = errors.New("office: bad MS-OVBA compressed container")

// Decompress expands an MS-OVBA compressed container (MS-OVBA 2.4.1),
// writing at most max bytes. It returns what it decoded so far with an
// error when the input is malformed.
func Decompress(in []byte, max int) ([]byte, error) {
	if len(in) == 0 || in[0] != 0x01 {
		return nil, ErrCompressed
	}
	out := make([]byte, 0, min(len(in)*3, max))
	p := 1
	for p+2 <= len(in) {
		hdr := binary.LittleEndian.Uint16(in[p:])
		size := int(hdr&0x0fff) + 3 // chunk size including the header
		compressed := hdr&0x8000 != 0
		end := min(p+size, len(in))
		data := in[p+2 : end]
		p = end
		chunkStart := len(out)
		if !compressed {
			// Raw chunk: 4096 literal bytes (2.4.1.3.3).
			n := min(len(data), 4096)
			if len(out)+n > max {
				return append(out, data[:max-len(out)]...), nil
			}
			out = append(out, data[:n]...)
			continue
		}
		for i := 0; i < len(data); {
			flags := data[i]
			i++
			for bit := 0; bit < 8 && i < len(data); bit++ {
				if flags&(1<<bit) == 0 {
					if len(out) >= max {
						return out, nil
					}
					out = append(out, data[i])
					i++
					continue
				}
				if i+2 > len(data) {
					return out, ErrCompressed
				}
				tok := binary.LittleEndian.Uint16(data[i:])
				i += 2
				diff := len(out) - chunkStart
				bc := 4
				for (1 << bc) < diff {
					bc++
				}
				if bc > 12 {
					bc = 12
				}
				lenMask := uint16(0xffff) >> bc
				length := int(tok&lenMask) + 3
				offset := int(tok>>(16-bc)) + 1
				if offset > diff {
					return out, ErrCompressed
				}
				src := len(out) - offset
				for k := 0; k < length; k++ {
					if len(out) >= max {
						return out, nil
					}
					out = append(out, out[src+k])
				}
			}
		}
	}
	return out, nil
}

// Module is one VBA module found through the dir stream.
type Module struct {
	Name   string
	Stream string
	Offset uint32
	Code   string
}

// ParseDir reads the decompressed dir stream (MS-OVBA 2.3.4.2) for the
// modules' stream names and source offsets. It tolerates unknown records.
func ParseDir(d []byte) []Module {
	var mods []Module
	var cur *Module
	for p := 0; p+6 <= len(d) && len(mods) < 1000; {
		id := binary.LittleEndian.Uint16(d[p:])
		size := int(binary.LittleEndian.Uint32(d[p+2:]))
		p += 6
		if id == 0x0009 { // PROJECTVERSION: Size is Reserved (4) but 6 bytes follow
			p += 6
			continue
		}
		if size < 0 || p+size > len(d) {
			break
		}
		v := d[p : p+size]
		p += size
		switch id {
		case 0x0019: // MODULENAME
			mods = append(mods, Module{Name: string(v)})
			cur = &mods[len(mods)-1]
		case 0x001a: // MODULESTREAMNAME (followed by 0x0032 unicode form)
			if cur != nil {
				cur.Stream = string(v)
			}
		case 0x0031: // MODULEOFFSET
			if cur != nil && len(v) >= 4 {
				cur.Offset = binary.LittleEndian.Uint32(v)
			}
		case 0x002b: // module terminator
			cur = nil
		}
	}
	return mods
}

// FindSource looks for compressed VBA source in a stream without a usable
// dir stream: a container starting "Attribut" (the first line of every
// module is "Attribute VB_Name").
func FindSource(stream []byte, max int) string {
	i := bytes.Index(stream, []byte("\x00Attribut"))
	if i < 3 || stream[i-3] != 0x01 {
		return ""
	}
	out, _ := Decompress(stream[i-3:], max)
	return string(out)
}

// MacroClass grades a VBA project.
type MacroClass int

// Macro classes, in order of concern.
const (
	MacroNone MacroClass = iota
	MacroPresent
	MacroAutoExec
	MacroAutoExecSuspicious
)

func (c MacroClass) String() string {
	return [...]string{"none", "present", "auto-exec", "auto-exec+suspicious"}[c]
}

var autoExecRe = regexp.MustCompile(`(?i)\b(Auto_?Open|AutoExec|AutoClose|Auto_Close|AutoNew|AutoExit|Document_Open|Document_Close|Document_New|Document_BeforeClose|Document_ContentControlOnEnter|DocumentOpen|DocumentBeforeClose|Workbook_Open|Workbook_Activate|Workbook_Close|Workbook_BeforeClose|Workbook_Deactivate|Workbook_WindowActivate|Worksheet_Activate|Worksheet_Change|Worksheet_Calculate|Worksheet_FollowHyperlink|Auto_Activate|App_WorkbookOpen|\w+_(Layout|Painted|Painting|Resize|GotFocus|LostFocus|MouseHover|MouseMove|Change|Click|Initialize))\b`)

var suspiciousRe = regexp.MustCompile(`(?i)(\bShell\b|WScript\.Shell|Shell\.Application|\bShellExecute|\bCreateObject\b|\bGetObject\b|URLDownloadToFile|PowerShell|\bCallByName\b|\bEnviron\b|MSXML2\.(Server)?XMLHTTP|WinHttp\.WinHttpRequest|ADODB\.Stream|\.SaveToFile\b|\bCreateProcess|VirtualAlloc|RtlMoveMemory|WriteProcessMemory|CreateThread|\bLib\s+"kernel32|\bLib\s+"urlmon|ExecuteExcel4Macro|\bcmd(\.exe)?\s*/c\b|\bXMLHTTP\b|\bWinHttp|\.RegWrite\b|winmgmts|Win32_Process|mshta|regsvr32|rundll32|certutil|bitsadmin|Scripting\.FileSystemObject|\.Run\b|\.Exec\b|schtasks|\bMacScript\b|\bKill\b|\bOpen\s+\S+\s+For\s+(Binary|Output)\b)`)

var chrRe = regexp.MustCompile(`(?i)\bChr[BW]?\$?\s*\(`)

// Classification is the verdict on VBA source.
type Classification struct {
	Class       MacroClass
	AutoExec    []string
	Suspicious  []string
	Obfuscation []string
	// Capabilities is what the code can do, whatever event starts it:
	// "shell", "download", "wmi" (the strong ones: it can run a program),
	// "registry", "file-write", "create-object".
	Capabilities []string
	// Triggers are the event handlers that start code without a macro
	// being run by hand, including ordinary control events (Click,
	// Change) that AutoExec leaves out.
	Triggers []string
}

// RunsCode reports a capability that starts a program or fetches one
// (shell, download, WMI process creation).
func (c Classification) RunsCode() bool {
	for _, k := range c.Capabilities {
		if k == "shell" || k == "download" || k == "wmi" {
			return true
		}
	}
	return false
}

// capabilityRes classify what VBA can do (MS-VBAL names, COM ProgIDs).
var capabilityRes = []struct {
	name string
	re   *regexp.Regexp
}{
	{"shell", regexp.MustCompile(`(?i)(\bShell\$?(\s*\(|\s+["A-Za-z_])|WScript\.Shell|Shell\.Application|\bShellExecute|\bCreateProcess|\bWinExec\b|\bMacScript\b|PowerShell|\bcmd(\.exe)?\s*/[ck]\b|mshta|regsvr32|rundll32|\bwmic\b|\.Exec\s*\(|ExecuteExcel4Macro)`)},
	{"download", regexp.MustCompile(`(?i)(URLDownloadToFile|XMLHTTP|WinHttp\.WinHttpRequest|WinHttpRequest|Net\.WebClient|DownloadFile|DownloadString|InternetOpenUrl|InternetReadFile|bitsadmin|certutil(\.exe)?\s+-urlcache)`)},
	{"wmi", regexp.MustCompile(`(?i)(winmgmts|Win32_Process|Win32_ProcessStartup|WbemScripting\.SWbemLocator)`)},
	{"registry", regexp.MustCompile(`(?i)(\.RegWrite\b|\.RegDelete\b|\bRegSetValue|\bRegCreateKey|StdRegProv)`)},
	{"file-write", regexp.MustCompile(`(?i)(\.SaveToFile\b|ADODB\.Stream|\bOpen\s+\S+\s+For\s+(Binary|Output|Append)\b|\.CreateTextFile\b|\.CopyFile\b|\.MoveFile\b|\bFileCopy\b)`)},
	{"create-object", regexp.MustCompile(`(?i)(\bCreateObject\s*\(|\bGetObject\s*\()`)},
}

// triggerRe finds event handlers, control events included
// (CommandButton1_Click, ComboBox1_Change, UserForm_Activate, ...).
var triggerRe = regexp.MustCompile(`(?im)^\s*(?:Private\s+|Public\s+)?Sub\s+(\w+_(?:Click|DblClick|Change|Initialize|Activate|Deactivate|GotFocus|LostFocus|MouseMove|MouseDown|MouseUp|KeyPress|KeyDown|Layout|Painted|Resize|BeforeUpdate|AfterUpdate|Enter|Exit|Open|Close|BeforeClose|New|SelectionChange|Calculate|FollowHyperlink|ContentControlOnEnter))\b`)

// Classify grades VBA source code.
func Classify(code string) Classification {
	var c Classification
	if strings.TrimSpace(code) == "" {
		return c
	}
	c.Class = MacroPresent
	// Ignore comments and Attribute lines when matching.
	var sb strings.Builder
	longLines := 0
	for _, line := range strings.Split(code, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "'") || strings.HasPrefix(strings.ToLower(t), "rem ") || strings.HasPrefix(t, "Attribute ") {
			continue
		}
		if len(t) > 1000 {
			longLines++
		}
		sb.WriteString(t)
		sb.WriteByte('\n')
	}
	src := sb.String()
	c.AutoExec = uniq(autoExecRe.FindAllString(src, 50))
	// Event handlers of ordinary controls (Button1_Click) are not auto-exec.
	var ae []string
	for _, a := range c.AutoExec {
		la := strings.ToLower(a)
		if strings.HasSuffix(la, "_click") || strings.HasSuffix(la, "_change") && !strings.HasPrefix(la, "worksheet") || strings.HasSuffix(la, "_initialize") {
			continue
		}
		ae = append(ae, a)
	}
	c.AutoExec = ae
	c.Suspicious = uniq(suspiciousRe.FindAllString(src, 100))
	for _, k := range capabilityRes {
		if k.re.MatchString(src) {
			c.Capabilities = append(c.Capabilities, k.name)
		}
	}
	for _, m := range triggerRe.FindAllStringSubmatch(src, 50) {
		c.Triggers = append(c.Triggers, m[1])
	}
	c.Capabilities = uniq(c.Capabilities)
	c.Triggers = uniq(c.Triggers)
	if n := len(chrRe.FindAllStringIndex(src, -1)); n >= 20 {
		c.Obfuscation = append(c.Obfuscation, "Chr() chains")
	}
	if strings.Contains(strings.ToLower(src), "strreverse") {
		c.Obfuscation = append(c.Obfuscation, "StrReverse")
	}
	if strings.Count(src, "\" & \"")+strings.Count(src, "\"&\"")+strings.Count(src, "\" + \"") >= 40 {
		c.Obfuscation = append(c.Obfuscation, "long string concatenations")
	}
	if longLines > 0 {
		c.Obfuscation = append(c.Obfuscation, "very long lines")
	}
	if regexp.MustCompile(`[A-Za-z0-9+/]{300,}={0,2}`).MatchString(src) {
		c.Obfuscation = append(c.Obfuscation, "long base64 string")
	}
	if len(c.AutoExec) > 0 {
		c.Class = MacroAutoExec
		if len(c.Suspicious) > 0 {
			c.Class = MacroAutoExecSuspicious
		}
	}
	return c
}

// merge adds another module's classification to c.
func (c *Classification) merge(o Classification) {
	if o.Class > c.Class {
		c.Class = o.Class
	}
	c.AutoExec = uniq(append(c.AutoExec, o.AutoExec...))
	c.Suspicious = uniq(append(c.Suspicious, o.Suspicious...))
	c.Obfuscation = uniq(append(c.Obfuscation, o.Obfuscation...))
	c.Capabilities = uniq(append(c.Capabilities, o.Capabilities...))
	c.Triggers = uniq(append(c.Triggers, o.Triggers...))
}

func uniq(ss []string) []string {
	m := map[string]bool{}
	var out []string
	for _, s := range ss {
		k := strings.ToLower(s)
		if !m[k] {
			m[k] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
