// Package tnef reads the attachments out of a TNEF stream (winmail.dat,
// application/ms-tnef, [MS-OXTNEF]): Outlook wraps a message's files in it,
// and a gateway that does not open it lets whatever is inside pass
// unchecked.
//
// Only what scanning needs is read: for each attachment its title (the
// 8.3 or long file name) and its data. Every length is checked against the
// input; the count and sizes are bounded by the caller.
package tnef

import (
	"encoding/binary"
	"errors"
)

// Signature is the stream's first four bytes (little-endian 0x223E9F78).
var signature = []byte{0x78, 0x9F, 0x3E, 0x22}

// Attribute ids (type in the high 16 bits, id in the low).
const (
	attAttachRendData = 0x00069002 // starts an attachment
	attAttachTitle    = 0x00018010 // its file name
	attAttachData     = 0x0006800F // its content
	levelAttachment   = 0x02
)

// File is one attachment.
type File struct {
	Name string
	Data []byte
}

// ErrNotTNEF means the data does not start with the TNEF signature.
var ErrNotTNEF = errors.New("tnef: not a TNEF stream")

// IsTNEF reports whether b starts with the TNEF signature.
func IsTNEF(b []byte) bool { return len(b) >= 6 && string(b[:4]) == string(signature) }

// Attachments returns up to maxFiles attachments whose data is at most
// maxBytes each; truncated tells that the stream was cut, damaged, or had
// more or larger files (what was read before is returned).
func Attachments(b []byte, maxFiles int, maxBytes int64) (files []File, truncated bool, err error) {
	if !IsTNEF(b) {
		return nil, false, ErrNotTNEF
	}
	off := 6 // signature, legacy key
	cur := -1
	for off < len(b) {
		if off+9 > len(b) {
			return files, true, nil
		}
		level := b[off]
		id := binary.LittleEndian.Uint32(b[off+1:])
		n := binary.LittleEndian.Uint32(b[off+5:])
		off += 9
		if uint64(n) > uint64(len(b)-off) {
			return files, true, nil
		}
		data := b[off : off+int(n)]
		off += int(n)
		if off+2 > len(b) {
			return files, true, nil
		}
		off += 2 // checksum (not enforced: a wrong one changes nothing here)
		if level != levelAttachment {
			continue
		}
		switch id {
		case attAttachRendData:
			if len(files) >= maxFiles {
				return files, true, nil
			}
			files = append(files, File{})
			cur = len(files) - 1
		case attAttachTitle:
			if cur >= 0 {
				files[cur].Name = cString(data)
			}
		case attAttachData:
			if cur < 0 {
				// Data before any rendering attribute: a file of its own.
				if len(files) >= maxFiles {
					return files, true, nil
				}
				files = append(files, File{})
				cur = len(files) - 1
			}
			if int64(len(data)) > maxBytes {
				truncated = true
				continue
			}
			files[cur].Data = data
		}
	}
	return files, truncated, nil
}

// cString reads an 8-bit NUL-terminated string (bounded).
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) > 1024 {
		b = b[:1024]
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c) // the code page is not known: Latin-1 keeps every byte visible
	}
	return string(r)
}
