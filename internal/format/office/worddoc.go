package office

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Field codes in a Word 97-2003 binary document ([MS-DOC] 2.8.25 PlcFld):
// a field is a field-begin character (0x13), its instruction, an optional
// separator (0x14) and result, and a field-end character (0x15). Fields
// nest: the instruction Word runs is the outer instruction with each
// nested field's result put in its place, so "DD{QUOTE …}EAUTO" with an
// empty result runs DDEAUTO.
//
// The text is read twice. In document order through the piece table
// ([MS-DOC] 2.4.1: the FIB's fcClx/lcbClx point at the Clx in the 0Table
// or 1Table stream; its PlcPcd maps character positions to pieces of the
// WordDocument stream, each 8-bit CP-1252 "compressed" or UTF-16LE, in
// any order), so an instruction split over pieces stored apart is joined
// again; and straight from the WordDocument stream, as 8-bit and UTF-16LE
// characters, for documents whose piece table is missing or damaged.

var reFieldDDE = regexp.MustCompile(`(?i)^\s*(DDEAUTO|DDE)\s`)

const (
	maxWordText  = 4 << 20 // characters read through the piece table
	maxFieldScan = 5000    // fields looked at per text
)

// wordDoc records DDE and DDEAUTO field instructions of a WordDocument
// stream; tables are its directory's 0Table and 1Table streams (either
// may be nil).
func (r *Report) wordDoc(wd, table0, table1 []byte) {
	if text, ok := wordText(wd, table0, table1); ok {
		r.fields(text)
	}
	r.wordFields(wd)
}

// wordText is the document's text in character order, through the piece
// table.
func wordText(wd, table0, table1 []byte) (string, bool) {
	if len(wd) < 34 {
		return "", false
	}
	table := table0
	if binary.LittleEndian.Uint16(wd[10:])&0x0200 != 0 { // fWhichTblStm
		table = table1
	}
	// FibBase (32 bytes), csw + FibRgW, cslw + FibRgLw, cbRgFcLcb + FibRgFcLcb.
	off := 32
	csw := int(binary.LittleEndian.Uint16(wd[off:]))
	off += 2 + 2*csw
	if off+2 > len(wd) {
		return "", false
	}
	cslw := int(binary.LittleEndian.Uint16(wd[off:]))
	off += 2 + 4*cslw
	if off+2 > len(wd) {
		return "", false
	}
	cb := int(binary.LittleEndian.Uint16(wd[off:]))
	off += 2
	const iClx = 33 // fcClx/lcbClx in FibRgFcLcb97
	if cb <= iClx || off+8*(iClx+1) > len(wd) {
		return "", false
	}
	fc := int64(binary.LittleEndian.Uint32(wd[off+8*iClx:]))
	lcb := int64(binary.LittleEndian.Uint32(wd[off+8*iClx+4:]))
	if lcb == 0 || fc+lcb > int64(len(table)) {
		return "", false
	}
	clx := table[fc : fc+lcb]
	// skip the Prc (property modifiers) before the Pcdt
	for len(clx) >= 3 && clx[0] == 0x01 {
		n := int(int16(binary.LittleEndian.Uint16(clx[1:])))
		if n < 0 || 3+n > len(clx) {
			return "", false
		}
		clx = clx[3+n:]
	}
	if len(clx) < 5 || clx[0] != 0x02 {
		return "", false
	}
	plc := clx[5:]
	if n := int(binary.LittleEndian.Uint32(clx[1:])); n < len(plc) {
		plc = plc[:n]
	}
	n := (len(plc) - 4) / 12
	if n <= 0 {
		return "", false
	}
	var sb strings.Builder
	chars := 0
	for i := 0; i < n && chars < maxWordText; i++ {
		cp0 := binary.LittleEndian.Uint32(plc[4*i:])
		cp1 := binary.LittleEndian.Uint32(plc[4*(i+1):])
		if cp1 <= cp0 {
			continue
		}
		cnt := int(min(cp1-cp0, uint32(maxWordText-chars)))
		pcd := plc[4*(n+1)+8*i:]
		fcc := binary.LittleEndian.Uint32(pcd[2:])
		start := int64(fcc & 0x3fffffff)
		if fcc&0x40000000 != 0 { // compressed: 8-bit at fc/2
			start /= 2
			end := min(start+int64(cnt), int64(len(wd)))
			if start >= end {
				continue
			}
			for _, c := range wd[start:end] {
				sb.WriteRune(rune(c))
			}
			chars += int(end - start)
			continue
		}
		end := min(start+2*int64(cnt), int64(len(wd)))
		if start >= end {
			continue
		}
		u := make([]uint16, 0, (end-start)/2)
		for k := start; k+1 < end; k += 2 {
			u = append(u, binary.LittleEndian.Uint16(wd[k:]))
		}
		sb.WriteString(string(utf16.Decode(u)))
		chars += len(u)
	}
	return sb.String(), chars > 0
}

// fields records the DDE instructions of text (in character order),
// nested fields replaced by their results.
func (r *Report) fields(text string) {
	for off, n := 0, 0; off < len(text) && n < maxFieldScan && len(r.DDE) < 10; n++ {
		i := strings.IndexByte(text[off:], 0x13)
		if i < 0 {
			return
		}
		off += i + 1
		instr := fieldInstr(text[off:])
		if reFieldDDE.MatchString(instr+" ") && !slicesContain(r.DDE, strings.TrimSpace(instr)) {
			r.DDE = append(r.DDE, strings.TrimSpace(strings.ToValidUTF8(instr, "?")))
		}
	}
}

// fieldInstr is the instruction of the field whose begin mark precedes t:
// its text up to the separator or end mark, nested fields replaced by
// their results (at most 512 bytes of instruction, 8 levels, 64 KiB read).
func fieldInstr(t string) string {
	var sb strings.Builder
	depth := 0
	inResult := []bool{} // per open nested field: past its separator
	for k, c := range t {
		if sb.Len() >= 512 || k >= 64<<10 {
			break
		}
		switch c {
		case 0x13:
			if depth >= 8 {
				return sb.String()
			}
			depth++
			inResult = append(inResult, false)
			continue
		case 0x14:
			if depth == 0 {
				return sb.String()
			}
			inResult[depth-1] = true
			continue
		case 0x15:
			if depth == 0 {
				return sb.String()
			}
			depth--
			inResult = inResult[:depth]
			continue
		}
		if depth == 0 || allResults(inResult) {
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

// allResults: every open nested field is past its separator (the text is
// a result all the way up).
func allResults(in []bool) bool {
	for _, b := range in {
		if !b {
			return false
		}
	}
	return true
}

func slicesContain(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// wordFields scans the WordDocument stream itself for field
// instructions, 8-bit or UTF-16LE.
func (r *Report) wordFields(b []byte) {
	for off, n := 0, 0; off < len(b) && n < maxFieldScan && len(r.DDE) < 10; n++ {
		i := bytes.IndexByte(b[off:], 0x13)
		if i < 0 {
			return
		}
		off += i + 1
		var instr string
		if off < len(b) && b[off] == 0 { // UTF-16LE
			var sb strings.Builder
			for k := off + 1; k+1 < len(b) && sb.Len() < 512; k += 2 {
				c := rune(b[k]) | rune(b[k+1])<<8
				if c == 0x13 || c == 0x14 || c == 0x15 {
					break
				}
				sb.WriteRune(c)
			}
			instr = sb.String()
		} else {
			end := off
			for end < len(b) && end-off < 512 && b[end] != 0x13 && b[end] != 0x14 && b[end] != 0x15 {
				end++
			}
			instr = string(b[off:end])
		}
		if reFieldDDE.MatchString(instr+" ") && !slicesContain(r.DDE, strings.TrimSpace(strings.ToValidUTF8(instr, "?"))) {
			r.DDE = append(r.DDE, strings.TrimSpace(strings.ToValidUTF8(instr, "?")))
		}
	}
}
