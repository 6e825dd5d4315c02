package office

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// Excel 4.0 (XLM) macro sheets in the binary workbook formats:
//
//   - BIFF5 (Excel 5/95, "Book" stream) and BIFF8 (Excel 97-2003,
//     "Workbook" stream), [MS-XLS]: BOUNDSHEET records list the sheets
//     (dt 1 = macro sheet, hsState 1/2 = hidden/very hidden); each sheet's
//     substream starts with a BOF record (dt 0x0040 = macro sheet) and its
//     cells' formulas are FORMULA records (2.4.127) holding parsed
//     expressions (Rgce, 2.5.198.103).
//   - BIFF12 (.xlsb), [MS-XLSB]: xl/workbook.bin holds BrtBundleSh
//     (2.4.304: hsState, relationship id, name) and BrtName records;
//     macro sheets are parts under xl/macrosheets/ whose formula cells
//     (BrtFmlaString/Num/Bool/Error, 2.4.648-651) hold the same kind of
//     parsed expressions with wider operands.
//
// The formulas are walked for calls to the functions droppers use (EXEC,
// CALL, REGISTER, FOPEN/FWRITE, ...) and for string constants naming
// Windows APIs or programs (URLDownloadToFileA, kernel32, powershell).

// xlmFuncs names the Ftab entries ([MS-XLS] 2.5.198.17) worth reporting.
var xlmFuncs = map[uint16]string{
	0x0036: "HALT", 0x0058: "SET.NAME", 0x006C: "SET.VALUE", 0x006E: "EXEC", 0x0084: "FOPEN",
	0x0089: "FWRITELN", 0x008A: "FWRITE", 0x0095: "REGISTER", 0x0096: "CALL", 0x00AF: "INITIATE",
	0x00B2: "EXECUTE", 0x00BA: "GET.WORKSPACE", 0x0101: "EVALUATE", 0x010B: "REGISTER.ID",
}

// xlmDangerStrings are string constants in macro formulas that name what a
// dropper calls through REGISTER/CALL or runs through EXEC.
var xlmDangerStrings = []string{"urldownloadtofile", "kernel32", "shell32", "shellexecute", "createthread",
	"virtualalloc", "writeprocessmemory", "rtlmovememory", "winexec", "urlmon", "powershell", "cmd.exe", "cmd /c",
	"mshta", "rundll32", "regsvr32", "certutil", "wscript", "http://", "https://"}

// ptg operand sizes differ between BIFF5, BIFF8 and BIFF12 for the tokens
// below; index 0 = BIFF5, 1 = BIFF8, 2 = BIFF12. -1: stop walking.
var ptgSizes = map[byte][3]int{
	0x01: {4, 4, 4},    // PtgExp
	0x02: {4, 4, 4},    // PtgTbl
	0x1C: {1, 1, 1},    // PtgErr
	0x1D: {1, 1, 1},    // PtgBool
	0x1E: {2, 2, 2},    // PtgInt
	0x1F: {8, 8, 8},    // PtgNum
	0x21: {2, 2, 2},    // PtgFunc
	0x22: {3, 3, 3},    // PtgFuncVar
	0x23: {14, 4, 4},   // PtgName
	0x24: {3, 4, 6},    // PtgRef
	0x25: {6, 8, 12},   // PtgArea
	0x26: {6, 6, 6},    // PtgMemArea
	0x27: {6, 6, 6},    // PtgMemErr
	0x28: {6, 6, 6},    // PtgMemNoMem
	0x29: {2, 2, 2},    // PtgMemFunc
	0x2A: {3, 4, 6},    // PtgRefErr
	0x2B: {6, 8, 12},   // PtgAreaErr
	0x2C: {3, 4, 6},    // PtgRefN
	0x2D: {6, 8, 12},   // PtgAreaN
	0x39: {24, 6, 6},   // PtgNameX
	0x3A: {17, 6, 8},   // PtgRef3d
	0x3B: {20, 10, 14}, // PtgArea3d
	0x3C: {17, 6, 8},   // PtgRefErr3d
	0x3D: {20, 10, 14}, // PtgAreaErr3d
	0x20: {-1, -1, -1}, // PtgArray: stop (its data follows the formula)
	0x18: {-1, -1, -1}, // PtgExtend/PtgElf...: stop
	0x00: {-1, -1, -1}, // unknown
	0xFF: {-1, -1, -1}, // unknown
}

// xlmFormula walks one parsed expression (rgce) and records dangerous
// function calls and string constants. ver is 5, 8 or 12.
func (r *Report) xlmFormula(rgce []byte, ver int) {
	vi := 1
	switch ver {
	case 5:
		vi = 0
	case 12:
		vi = 2
	}
	add := func(s string) {
		if len(r.XLMCalls) < 50 {
			r.XLMCalls = uniq(append(r.XLMCalls, s))
		}
	}
	for p, n := 0, 0; p < len(rgce) && n < 4096; n++ {
		t := rgce[p]
		p++
		switch {
		case t >= 0x03 && t <= 0x16: // operators, parentheses, missing argument
			continue
		case t == 0x17: // PtgStr
			var s string
			switch vi {
			case 2: // cch (2) + UTF-16
				if p+2 > len(rgce) {
					return
				}
				cch := int(binary.LittleEndian.Uint16(rgce[p:]))
				p += 2
				if p+2*cch > len(rgce) {
					return
				}
				s = utf16le(rgce[p : p+2*cch])
				p += 2 * cch
			case 1: // cch (1) + flags (1) + chars
				if p+2 > len(rgce) {
					return
				}
				cch, wide := int(rgce[p]), rgce[p+1]&1 != 0
				p += 2
				if wide {
					if p+2*cch > len(rgce) {
						return
					}
					s = utf16le(rgce[p : p+2*cch])
					p += 2 * cch
				} else {
					if p+cch > len(rgce) {
						return
					}
					s = string(rgce[p : p+cch])
					p += cch
				}
			default: // BIFF5: cch (1) + 8-bit chars
				if p+1 > len(rgce) {
					return
				}
				cch := int(rgce[p])
				p++
				if p+cch > len(rgce) {
					return
				}
				s = string(rgce[p : p+cch])
				p += cch
			}
			ls := strings.ToLower(s)
			for _, d := range xlmDangerStrings {
				if strings.Contains(ls, d) {
					add(strings.TrimSpace(s[:min(len(s), 80)]))
					break
				}
			}
			continue
		case t == 0x19: // PtgAttr: grbit (1) + data (2) [+ choose offsets]
			if p+3 > len(rgce) {
				return
			}
			grbit := rgce[p]
			c := int(binary.LittleEndian.Uint16(rgce[p+1:]))
			p += 3
			if grbit&0x04 != 0 { // tAttrChoose
				p += 2 * (c + 1)
			}
			continue
		}
		base := t
		if t >= 0x20 && t < 0x80 {
			base = t&0x1F | 0x20
		}
		sz, ok := ptgSizes[base]
		if !ok || sz[vi] < 0 || p+sz[vi] > len(rgce) {
			return
		}
		switch base {
		case 0x21:
			if f, ok := xlmFuncs[binary.LittleEndian.Uint16(rgce[p:])]; ok {
				add(f)
			}
		case 0x22:
			tab := binary.LittleEndian.Uint16(rgce[p+1:])
			if tab&0x8000 == 0 {
				if f, ok := xlmFuncs[tab&0x7FFF]; ok {
					add(f)
				}
			}
		}
		p += sz[vi]
	}
}

// biff walks a BIFF5/BIFF8 Workbook stream: BOUNDSHEET (macro sheets and
// their visibility), NAME (Auto_Open), FILEPASS (encryption), and the
// FORMULA records of macro-sheet substreams. A stream encrypted with RC4
// or RC4 CryptoAPI that opens with Excel's default password (what
// malware uses to hide its macro sheets: the file opens without a
// prompt) is decrypted and walked on; other encryption stops the walk.
func (r *Report) biff(b []byte) {
	ver := 8
	inMacro := false
	decrypted := false
	for p, n := 0, 0; p+4 <= len(b) && n < 1<<20; n++ {
		typ := binary.LittleEndian.Uint16(b[p:])
		sz := int(binary.LittleEndian.Uint16(b[p+2:]))
		p += 4
		if p+sz > len(b) {
			return
		}
		d := b[p : p+sz]
		p += sz
		switch typ {
		case 0x0809, 0x0409, 0x0209, 0x0009: // BOF (BIFF5-8, 4, 3, 2)
			if len(d) >= 4 {
				vers, dt := binary.LittleEndian.Uint16(d), binary.LittleEndian.Uint16(d[2:])
				if typ == 0x0809 && vers == 0x0500 {
					ver = 5
				}
				inMacro = dt == 0x0040
				if inMacro && typ != 0x0809 { // an Excel 4 macro sheet file
					r.XLM = true
				}
			}
		case 0x0085: // BOUNDSHEET
			if len(d) >= 7 {
				state, dt := d[4]&3, d[5]
				cch := int(d[6])
				name := ""
				switch {
				case ver == 5 && 7+cch <= len(d):
					name = string(d[7 : 7+cch])
				case ver == 8 && len(d) >= 8 && d[7]&1 == 0 && 8+cch <= len(d):
					name = string(d[8 : 8+cch])
				case ver == 8 && 8+2*cch <= len(d):
					name = utf16le(d[8 : 8+2*cch])
				}
				if dt == 0x01 {
					r.XLM = true
					if len(r.XLMSheets) < 50 {
						r.XLMSheets = append(r.XLMSheets, name)
					}
					if state != 0 {
						r.XLMHidden = true
					}
				}
			}
		case 0x0018: // NAME
			if len(d) >= 15 && autoOpenBIFFName(d, ver) {
				r.XLMAutoOpen = true
			}
		case 0x0006: // FORMULA: rw col ixfe num(8) grbit chn(4) cce rgce
			if inMacro && len(d) >= 22 {
				cce := int(binary.LittleEndian.Uint16(d[20:]))
				r.xlmFormula(d[22:min(len(d), 22+cce)], ver)
			}
		case 0x002f: // FILEPASS: the rest is encrypted
			r.Encrypted = true
			key := r.filepass(d)
			if key == nil || decrypted {
				return
			}
			// Opens with "VelvetSweatshop": read on in the clear.
			b, decrypted = DecryptBIFF(b, p, key), true
		}
	}
}

// autoOpenBIFFName reports a NAME record (BIFF5/8) defining Auto_Open:
// the built-in name 0x01, or a user name starting "Auto_Open" (Excel runs
// those too).
func autoOpenBIFFName(d []byte, ver int) bool {
	builtin := d[0]&0x20 != 0
	cch := int(d[3])
	var name []byte
	switch {
	case ver == 5:
		name = d[14:min(len(d), 14+cch)]
	case d[14]&1 == 0:
		name = d[15:min(len(d), 15+cch)]
	default:
		name = []byte(utf16le(d[15:min(len(d), 15+2*cch)]))
	}
	if builtin {
		return len(name) > 0 && name[0] == 0x01
	}
	return bytes.HasPrefix(bytes.ToLower(name), []byte("auto_open"))
}

// biff12Records walks BIFF12 records ([MS-XLSB] 2.1.4: a 1-2 byte record
// type and a 1-4 byte size, 7 bits per byte).
func biff12Records(b []byte, fn func(typ int, d []byte)) {
	for p, n := 0, 0; p < len(b) && n < 1<<20; n++ {
		typ := int(b[p] & 0x7f)
		if b[p]&0x80 != 0 {
			p++
			if p >= len(b) {
				return
			}
			typ |= int(b[p]&0x7f) << 7
		}
		p++
		size := 0
		for i := 0; ; i++ {
			if p >= len(b) || i == 4 {
				return
			}
			c := b[p]
			p++
			size |= int(c&0x7f) << (7 * i)
			if c&0x80 == 0 {
				break
			}
		}
		if size > len(b)-p {
			return
		}
		fn(typ, b[p:p+size])
		p += size
	}
}

// wideString reads an XLWideString (cch uint32 + UTF-16LE) at d[p:].
func wideString(d []byte, p int) (string, int, bool) {
	if p+4 > len(d) {
		return "", p, false
	}
	cch := binary.LittleEndian.Uint32(d[p:])
	p += 4
	if cch == 0xFFFFFFFF {
		return "", p, true
	}
	if cch > uint32(len(d)-p)/2 {
		return "", p, false
	}
	return utf16le(d[p : p+2*int(cch)]), p + 2*int(cch), true
}

type xlsbSheet struct {
	state uint32 // 0 visible, 1 hidden, 2 very hidden
	relID string
	name  string
}

// xlsbWorkbook reads xl/workbook.bin: the sheets (BrtBundleSh) and whether
// a defined name (BrtName) is Auto_Open.
func xlsbWorkbook(b []byte) (sheets []xlsbSheet, autoOpen bool) {
	biff12Records(b, func(typ int, d []byte) {
		switch typ {
		case 0x9C: // BrtBundleSh: hsState, iTabID, strRelID, strName
			if len(d) < 8 || len(sheets) >= 1000 {
				return
			}
			s := xlsbSheet{state: binary.LittleEndian.Uint32(d)}
			p := 8
			var ok bool
			if s.relID, p, ok = wideString(d, p); ok {
				s.name, _, _ = wideString(d, p)
			}
			sheets = append(sheets, s)
		case 0x27: // BrtName: flags (4), chKey (1), name (XLNameWideString)
			if len(d) < 9 {
				return
			}
			name, _, _ := wideString(d, 5)
			ln := strings.TrimPrefix(strings.ToLower(name), "_xlnm.")
			if strings.HasPrefix(ln, "auto_open") {
				autoOpen = true
			}
		}
	})
	return sheets, autoOpen
}

// xlsbMacroSheet walks a BIFF12 macro sheet's formula cells.
func (r *Report) xlsbMacroSheet(b []byte) {
	biff12Records(b, func(typ int, d []byte) {
		p := 8 // Cell: column (4) + style and flags (4)
		switch typ {
		case 0x08: // BrtFmlaString: XLWideString value
			var ok bool
			if _, p, ok = wideString(d, p); !ok {
				return
			}
		case 0x09: // BrtFmlaNum: Xnum
			p += 8
		case 0x0A, 0x0B: // BrtFmlaBool, BrtFmlaError
			p++
		default:
			return
		}
		p += 2 // grbitFlags
		if p+4 > len(d) {
			return
		}
		cce := int(binary.LittleEndian.Uint32(d[p:]))
		p += 4
		if cce < 0 || cce > len(d)-p {
			cce = len(d) - p
		}
		r.xlmFormula(d[p:p+cce], 12)
	})
}
