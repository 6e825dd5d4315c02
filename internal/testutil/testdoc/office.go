package testdoc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Builders for binary Office samples: BIFF5/BIFF8 workbooks with Excel 4.0
// macro sheets, .xlsb packages (BIFF12), Word binary documents with field
// codes, OLE Package (Ole10Native) objects and RTF \objdata groups. Every
// formula and command they hold is plain data, never run.

// Sheet is one sheet of a built workbook.
type Sheet struct {
	Name     string
	Macro    bool     // an Excel 4.0 macro sheet
	State    byte     // 0 visible, 1 hidden, 2 very hidden
	Formulas [][]byte // parsed expressions (rgce), one per cell in column A
}

// BIFFRecord builds one BIFF5/BIFF8 record.
func BIFFRecord(typ uint16, d []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(d)))
	return append(b, d...)
}

// PtgStr is a string constant token for BIFF version ver (5, 8 or 12).
func PtgStr(ver int, s string) []byte {
	b := []byte{0x17}
	switch ver {
	case 12:
		u := utf16.Encode([]rune(s))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(u)))
		for _, c := range u {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
	case 8:
		b = append(b, byte(len(s)), 0)
		b = append(b, s...)
	default:
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

// PtgFunc calls a fixed-argument function of the function table (value class).
func PtgFunc(iftab uint16) []byte { return binary.LittleEndian.AppendUint16([]byte{0x41}, iftab) }

// PtgFuncVar calls a function with n arguments (value class).
func PtgFuncVar(n byte, tab uint16) []byte {
	return binary.LittleEndian.AppendUint16([]byte{0x42, n}, tab)
}

// Ftab indices ([MS-XLS] 2.5.198.17) used by tests.
const (
	FtabSum      = 0x0004
	FtabHalt     = 0x0036
	FtabExec     = 0x006E
	FtabRegister = 0x0095
	FtabCall     = 0x0096
)

// XLS builds a BIFF8 (ver 8, "Workbook" stream) or BIFF5 (ver 5, "Book"
// stream) workbook in a compound file. autoOpen defines Auto_Open (the
// built-in name in BIFF8, a user name "Auto_Open" in BIFF5).
func XLS(ver int, sheets []Sheet, autoOpen bool) []byte {
	stream := "Workbook"
	if ver == 5 {
		stream = "Book"
	}
	return CFB(map[string][]byte{stream: xlsStream(ver, sheets, autoOpen, nil)})
}

// xlsStream builds the Workbook (Book) stream; extra records follow the
// globals' BOF (FILEPASS goes there).
func xlsStream(ver int, sheets []Sheet, autoOpen bool, extra []byte) []byte {
	vers := uint16(0x0600)
	if ver == 5 {
		vers = 0x0500
	}
	bof := func(dt uint16) []byte {
		d := binary.LittleEndian.AppendUint16(nil, vers)
		d = binary.LittleEndian.AppendUint16(d, dt)
		return BIFFRecord(0x0809, append(d, make([]byte, 12)...))
	}
	eof := BIFFRecord(0x000a, nil)
	// sheet substreams
	var subs [][]byte
	for _, s := range sheets {
		dt := uint16(0x0010)
		if s.Macro {
			dt = 0x0040
		}
		sub := bof(dt)
		for i, f := range s.Formulas {
			d := binary.LittleEndian.AppendUint16(nil, uint16(i)) // rw
			d = append(d, 0, 0, 0x0f, 0)                          // col, ixfe
			d = append(d, make([]byte, 8)...)                     // num
			d = append(d, 0, 0, 0, 0, 0, 0)                       // grbit, chn
			d = binary.LittleEndian.AppendUint16(d, uint16(len(f)))
			sub = append(sub, BIFFRecord(0x0006, append(d, f...))...)
		}
		subs = append(subs, append(sub, eof...))
	}
	bsRec := func(s Sheet, pos uint32) []byte {
		d := binary.LittleEndian.AppendUint32(nil, pos)
		dt := byte(0)
		if s.Macro {
			dt = 1
		}
		d = append(d, s.State, dt, byte(len(s.Name)))
		if ver == 8 {
			d = append(d, 0)
		}
		return BIFFRecord(0x0085, append(d, s.Name...))
	}
	var name []byte
	if autoOpen {
		d := make([]byte, 14)
		if ver == 8 {
			d[0] = 0x20 // fBuiltin
			d[3] = 1
			d = append(d, 0, 0x01) // flags, built-in Auto_Open
		} else {
			d[3] = byte(len("Auto_Open"))
			d = append(d, "Auto_Open"...)
		}
		name = BIFFRecord(0x0018, d)
	}
	globalsLen := len(bof(5)) + len(extra) + len(name) + len(eof)
	for _, s := range sheets {
		globalsLen += len(bsRec(s, 0))
	}
	globals := append(bof(5), extra...)
	pos := uint32(globalsLen)
	for i, s := range sheets {
		globals = append(globals, bsRec(s, pos)...)
		pos += uint32(len(subs[i]))
	}
	globals = append(append(globals, name...), eof...)
	wb := globals
	for _, s := range subs {
		wb = append(wb, s...)
	}
	return wb
}

// biff12Rec builds a BIFF12 record (7-bit variable-length type and size).
func biff12Rec(typ int, d []byte) []byte {
	var b []byte
	if typ < 0x80 {
		b = append(b, byte(typ))
	} else {
		b = append(b, byte(typ&0x7f|0x80), byte(typ>>7))
	}
	n := len(d)
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			b = append(b, c|0x80)
			continue
		}
		b = append(b, c)
		break
	}
	return append(b, d...)
}

func wide(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(u)))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// XLSB builds a .xlsb package: xl/workbook.bin with BrtBundleSh records
// (and a BrtName "Auto_Open" when autoOpen), its relationships, and one
// BIFF12 part per sheet (macro sheets under xl/macrosheets/) holding
// BrtFmlaNum cells with the given formulas.
func XLSB(sheets []Sheet, autoOpen bool) []byte {
	files := map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`),
		"_rels/.rels":         []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`),
	}
	var wb []byte
	wb = append(wb, biff12Rec(0x83, nil)...) // BrtBeginBook
	wb = append(wb, biff12Rec(0x8F, nil)...) // BrtBeginBundleShs
	var rels strings.Builder
	rels.WriteString(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range sheets {
		id := fmt.Sprintf("rId%d", i+1)
		d := binary.LittleEndian.AppendUint32(nil, uint32(s.State))
		d = binary.LittleEndian.AppendUint32(d, uint32(i+1))
		d = append(append(d, wide(id)...), wide(s.Name)...)
		wb = append(wb, biff12Rec(0x9C, d)...)
		dir, typ := "worksheets", "worksheet"
		if s.Macro {
			dir, typ = "macrosheets", "xlMacrosheet"
		}
		target := fmt.Sprintf("%s/sheet%d.bin", dir, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="%s" Type="http://schemas.microsoft.com/office/2006/relationships/%s" Target="%s"/>`, id, typ, target)
		var sh []byte
		sh = append(sh, biff12Rec(0x81, nil)...) // BrtBeginSheet
		sh = append(sh, biff12Rec(0x91, nil)...) // BrtBeginSheetData
		for r, f := range s.Formulas {
			sh = append(sh, biff12Rec(0x00, binary.LittleEndian.AppendUint32(nil, uint32(r)))...) // BrtRowHdr (short)
			c := make([]byte, 8)                                                                  // column 0, style 0
			c = append(c, make([]byte, 8)...)                                                     // Xnum value
			c = append(c, 0, 0)                                                                   // grbitFlags
			c = binary.LittleEndian.AppendUint32(c, uint32(len(f)))
			c = append(c, f...)
			c = binary.LittleEndian.AppendUint32(c, 0) // cb (no extra data)
			sh = append(sh, biff12Rec(0x09, c)...)     // BrtFmlaNum
		}
		sh = append(sh, biff12Rec(0x92, nil)...) // BrtEndSheetData
		sh = append(sh, biff12Rec(0x82, nil)...) // BrtEndSheet
		files["xl/"+target] = sh
	}
	rels.WriteString(`</Relationships>`)
	wb = append(wb, biff12Rec(0x90, nil)...) // BrtEndBundleShs
	if autoOpen {
		d := binary.LittleEndian.AppendUint32(nil, 0x20) // fBuiltin
		d = append(d, 0)                                 // chKey
		d = append(d, wide("Auto_Open")...)
		d = binary.LittleEndian.AppendUint32(d, 0) // empty formula
		wb = append(wb, biff12Rec(0x27, d)...)
	}
	wb = append(wb, biff12Rec(0x84, nil)...) // BrtEndBook
	files["xl/workbook.bin"] = wb
	files["xl/_rels/workbook.bin.rels"] = []byte(rels.String())
	return Zip(files)
}

// Ole10Native builds an OLE Package's native data ("\x01Ole10Native"
// stream): typ 3 embeds data under the temporary path; typ 1 is a link
// or command line (path is the command, no data).
func Ole10Native(label, orig string, typ uint16, path string, data []byte) []byte {
	b := []byte{0, 0, 0, 0, 2, 0}
	b = append(b, label+"\x00"...)
	b = append(b, orig+"\x00"...)
	b = append(b, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(path)+1))
	b = append(b, path+"\x00"...)
	if typ != 1 {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, data...)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// OLE1 builds an OLE1 embedded object (MS-OLEDS 2.2.4: version, format,
// class name, topic, item, native data) as RTF \objdata carries it.
func OLE1(class string, native []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x0501)
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(class)+1))
	b = append(b, class+"\x00"...)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(native)))
	return append(b, native...)
}

// RTFObject wraps an OLE1 object in an RTF document; class is written as
// \objclass unless empty.
func RTFObject(class string, ole1 []byte) []byte {
	var hx strings.Builder
	for i, c := range ole1 {
		fmt.Fprintf(&hx, "%02x", c)
		if i%40 == 39 {
			hx.WriteString("\r\n")
		}
	}
	cls := ""
	if class != "" {
		cls = `{\*\objclass ` + class + `}`
	}
	return []byte(`{\rtf1\ansi\deff0{\fonttbl{\f0 Times;}}\pard Please see below.\par{\object\objemb` + cls + `\objw2000\objh400{\*\objdata ` + hx.String() + `}}\par}`)
}

// WordDoc builds a Word binary document whose WordDocument stream holds a
// zeroed FIB followed by text (8-bit, or UTF-16LE when wide). Field codes
// are written with 0x13 (begin), 0x14 (separator) and 0x15 (end).
func WordDoc(text string, wide bool, extra map[string][]byte) []byte {
	ws := make([]byte, 0x200)
	if wide {
		for _, c := range utf16.Encode([]rune(text)) {
			ws = binary.LittleEndian.AppendUint16(ws, c)
		}
	} else {
		ws = append(ws, text...)
	}
	streams := map[string][]byte{"WordDocument": ws, "1Table": make([]byte, 64)}
	for k, v := range extra {
		streams[k] = v
	}
	return CFB(streams)
}

// SetRootCLSID writes a CLSID (16 bytes, binary form) into a compound
// file's root directory entry (found by its name "Root Entry").
func SetRootCLSID(cfb, clsid []byte) []byte {
	out := bytes.Clone(cfb)
	name := []byte("R\x00o\x00o\x00t\x00 \x00E\x00n\x00t\x00r\x00y\x00")
	if i := bytes.Index(out, name); i >= 0 && i+0x60 <= len(out) {
		copy(out[i+0x50:], clsid)
	}
	return out
}

// WordPiece is a run of document text stored as one piece: 8-bit
// ("compressed", ASCII here) or UTF-16LE when Wide.
type WordPiece struct {
	Text string
	Wide bool
}

// WordDocPieces builds a Word binary document whose text is given in
// pieces ([MS-DOC] 2.4.1). The pieces are stored in the WordDocument
// stream in reverse order with filler bytes between them; the piece table
// (a Clx in the 1Table stream, found through the FIB's fcClx/lcbClx) puts
// them back in document order, as Word does after edits.
func WordDocPieces(pieces []WordPiece) []byte {
	const csw, cslw, cb = 14, 22, 93 // Word 97 FIB
	ws := make([]byte, 0x400)
	binary.LittleEndian.PutUint16(ws[0:], 0xa5ec)  // wIdent
	binary.LittleEndian.PutUint16(ws[2:], 0x00c1)  // nFib
	binary.LittleEndian.PutUint16(ws[10:], 0x0200) // fWhichTblStm: 1Table
	off := 32
	binary.LittleEndian.PutUint16(ws[off:], csw)
	off += 2 + 2*csw
	binary.LittleEndian.PutUint16(ws[off:], cslw)
	off += 2 + 4*cslw
	binary.LittleEndian.PutUint16(ws[off:], cb)
	off += 2
	rgfc := off
	fcs := make([]uint32, len(pieces))
	lens := make([]uint32, len(pieces))
	for i := len(pieces) - 1; i >= 0; i-- {
		ws = append(ws, "<filler between pieces>"...)
		if len(ws)%2 == 1 {
			ws = append(ws, 0)
		}
		p := pieces[i]
		if p.Wide {
			fcs[i] = uint32(len(ws))
			u := utf16.Encode([]rune(p.Text))
			for _, c := range u {
				ws = binary.LittleEndian.AppendUint16(ws, c)
			}
			lens[i] = uint32(len(u))
		} else {
			fcs[i] = uint32(len(ws))*2 | 0x40000000
			ws = append(ws, p.Text...)
			lens[i] = uint32(len(p.Text))
		}
	}
	var plc []byte
	cp := uint32(0)
	for i := range pieces {
		plc = binary.LittleEndian.AppendUint32(plc, cp)
		cp += lens[i]
	}
	plc = binary.LittleEndian.AppendUint32(plc, cp)
	for i := range pieces {
		plc = append(plc, 0, 0)
		plc = binary.LittleEndian.AppendUint32(plc, fcs[i])
		plc = append(plc, 0, 0)
	}
	clx := binary.LittleEndian.AppendUint32([]byte{0x02}, uint32(len(plc)))
	clx = append(clx, plc...)
	table := append(make([]byte, 0x100), clx...)
	binary.LittleEndian.PutUint32(ws[rgfc+33*8:], 0x100)
	binary.LittleEndian.PutUint32(ws[rgfc+33*8+4:], uint32(len(clx)))
	return CFB(map[string][]byte{"WordDocument": ws, "1Table": table})
}
