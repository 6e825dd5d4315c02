// Package onenote finds the files embedded in a OneNote section (.one,
// [MS-ONESTORE]). Attackers attach a OneNote page with a "double-click to
// view" button over an embedded script or program (.hta, .bat, .vbs,
// .exe), as Emotet and Qakbot did in 2023; the embedded files are what
// must be checked.
//
// Each embedded file is stored as a FileDataStoreObject: a 16-byte header
// GUID, the data's length (64 bits), 12 reserved bytes, the data, and a
// footer GUID. The section is searched for header GUIDs; every length is
// checked against the data.
package onenote

import (
	"bytes"
	"encoding/binary"
)

// Header is the file data store object's header GUID
// {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC} as stored.
var header = []byte{0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC}

// magic is the start of a OneNote revision store file
// {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3}.
var magic = []byte{0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3}

// IsOneNote reports whether b starts like a OneNote section.
func IsOneNote(b []byte) bool { return bytes.HasPrefix(b, magic) }

// File is one embedded file.
type File struct {
	Offset int // of its data in the section
	Data   []byte
}

// Embedded returns up to maxFiles embedded files of at most maxBytes
// each; truncated tells that more were present, or a length pointed past
// the end of the data.
func Embedded(b []byte, maxFiles int, maxBytes int64) (files []File, truncated bool) {
	off := 0
	for {
		i := bytes.Index(b[off:], header)
		if i < 0 {
			return files, truncated
		}
		start := off + i
		off = start + len(header)
		if len(files) >= maxFiles {
			return files, true
		}
		if start+36 > len(b) {
			return files, true
		}
		n := binary.LittleEndian.Uint64(b[start+16:])
		data := start + 36
		if n > uint64(len(b)-data) {
			truncated = true
			continue
		}
		if int64(n) > maxBytes {
			truncated = true
			off = data + int(n)
			continue
		}
		files = append(files, File{Offset: data, Data: b[data : data+int(n)]})
		off = data + int(n)
	}
}
