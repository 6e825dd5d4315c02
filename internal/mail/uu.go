package mail

import (
	"bytes"
	"strconv"
)

// maxUUPerPart bounds the uuencoded files taken out of one text part.
const maxUUPerPart = 16

// findUU finds the first "begin MODE NAME" ... "end" block in b and
// decodes it. start and end delimit the block in b.
func findUU(b []byte) (name string, data []byte, start, end int, ok bool) {
	off := 0
	for tries := 0; tries < 64; tries++ {
		i := bytes.Index(b[off:], []byte("begin "))
		if i < 0 {
			return "", nil, 0, 0, false
		}
		i += off
		off = i + 6
		if i > 0 && b[i-1] != '\n' {
			continue
		}
		eol := bytes.IndexByte(b[i:], '\n')
		if eol < 0 {
			return "", nil, 0, 0, false
		}
		line := bytes.TrimRight(b[i:i+eol], "\r")
		f := bytes.SplitN(line[6:], []byte(" "), 2)
		if len(f) != 2 || len(f[0]) < 3 || len(f[0]) > 4 {
			continue
		}
		if _, err := strconv.ParseUint(string(f[0]), 8, 32); err != nil {
			continue
		}
		name = string(bytes.TrimSpace(f[1]))
		data, n, good := uudecode(b[i+eol+1:])
		if !good {
			continue
		}
		return name, data, i, i + eol + 1 + n, true
	}
	return "", nil, 0, 0, false
}

// uudecode decodes uuencoded lines up to "end"; n is the bytes consumed.
func uudecode(b []byte) (out []byte, n int, ok bool) {
	pos := 0
	lines := 0
	for pos < len(b) {
		eol := bytes.IndexByte(b[pos:], '\n')
		next := len(b)
		if eol >= 0 {
			next = pos + eol + 1
		} else {
			eol = len(b) - pos
		}
		line := bytes.TrimRight(b[pos:pos+eol], "\r")
		pos = next
		if bytes.Equal(bytes.TrimSpace(line), []byte("end")) {
			return out, pos, lines > 0
		}
		if len(line) == 0 {
			continue
		}
		for _, c := range line {
			if c < 0x20 || c > 0x60 {
				return out, pos, false // not a uuencoded line
			}
		}
		cnt := int((line[0] - ' ') & 63)
		if cnt == 0 {
			continue // the "`" line before "end"
		}
		if (len(line)-1)*3/4 < cnt-2 || lines > 1<<20 {
			return out, pos, false
		}
		lines++
		body := line[1:]
		got := 0
		for k := 0; k+1 < len(body) && got < cnt; k += 4 {
			var q [4]byte
			for m := 0; m < 4; m++ {
				if k+m < len(body) {
					q[m] = (body[k+m] - ' ') & 63
				}
			}
			tri := [3]byte{q[0]<<2 | q[1]>>4, q[1]<<4 | q[2]>>2, q[2]<<6 | q[3]}
			for m := 0; m < 3 && got < cnt; m++ {
				out = append(out, tri[m])
				got++
			}
		}
	}
	return out, pos, false
}

// uudecodeParts takes uuencoded files out of a text/plain part (old
// mailers and some malware put them inline) and adds them as attachment
// children of the part.
func (p *parser) uudecodeParts(part *Part, depth int) {
	body := part.Body
	if bytes.Index(body, []byte("begin ")) < 0 {
		return
	}
	for n := 0; n < maxUUPerPart; n++ {
		name, data, _, end, ok := findUU(body)
		if !ok {
			return
		}
		body = body[end:]
		if len(p.parts) >= p.lim.MaxParts {
			p.anomaly(AnomalyTooManyParts, strconv.Itoa(p.lim.MaxParts))
			return
		}
		att := &Part{
			Path: part.Path + "." + strconv.Itoa(len(part.Children)+1), Depth: depth + 1, Parent: part,
			ContentType: "application/octet-stream", Params: map[string]string{}, Encoding: "x-uuencode",
			Disposition: "attachment", Filename: sanitizeUTF8([]byte(name)), Body: data, IsAttachment: true,
		}
		p.parts = append(p.parts, att)
		part.Children = append(part.Children, att)
	}
}
