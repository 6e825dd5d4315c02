package office

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// ppt walks the "PowerPoint Document" stream ([MS-PPT] 2.3 record
// headers) for ExOleObjStg records (0x1011): embedded OLE objects and the
// VBA project storage, zlib-compressed when recInstance is 1. They are
// returned as embedded files for recursive analysis.
func (r *Report) ppt(b []byte, lim Limits) {
	r.pptRecords(b, lim, 0)
}

func (r *Report) pptRecords(b []byte, lim Limits, depth int) {
	if depth > 16 {
		return
	}
	for p := 0; p+8 <= len(b); {
		vi := binary.LittleEndian.Uint16(b[p:])
		typ := binary.LittleEndian.Uint16(b[p+2:])
		n := int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		if n < 0 || n > len(b)-p {
			return
		}
		d := b[p : p+n]
		p += n
		ver, inst := vi&0xf, vi>>4
		switch {
		case ver == 0xf:
			r.pptRecords(d, lim, depth+1)
		case typ == 0x1011:
			data := d
			if inst == 1 && len(d) > 4 {
				zr, err := zlib.NewReader(bytes.NewReader(d[4:]))
				if err != nil {
					continue
				}
				if !hold(lim.Mem, int64(lim.MaxStream)) {
					continue
				}
				var buf bytes.Buffer
				io.Copy(&buf, io.LimitReader(zr, int64(lim.MaxStream)))
				data = buf.Bytes()
				drop(lim.Mem, int64(lim.MaxStream-cap(data)))
			}
			if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")) {
				r.embed("oleobject.bin", data, lim.MaxStream)
			}
		}
	}
}
