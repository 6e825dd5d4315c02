package office

import (
	"bytes"
	"regexp"
	"strings"
)

// Field codes in a Word 97-2003 binary document ([MS-DOC] 2.8.25 PlcFld):
// the text of a field is its instruction between a field-begin character
// (0x13) and a separator (0x14) or end (0x15), followed by its result. The
// text is read straight from the WordDocument stream, as 8-bit (CP-1252
// "compressed") or UTF-16LE characters, without the piece table: Word
// writes a fresh document's text as one piece, and a DDE instruction
// split across pieces would be missed.

var reFieldDDE = regexp.MustCompile(`(?i)^\s*(DDEAUTO|DDE)\s`)

// wordFields records DDE and DDEAUTO field instructions.
func (r *Report) wordFields(b []byte) {
	for off, n := 0, 0; off < len(b) && n < 5000 && len(r.DDE) < 10; n++ {
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
		if reFieldDDE.MatchString(instr + " ") {
			r.DDE = append(r.DDE, strings.TrimSpace(strings.ToValidUTF8(instr, "?")))
		}
	}
}
