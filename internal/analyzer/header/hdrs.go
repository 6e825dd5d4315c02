package header

import (
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/mail"
)

// The fields the analyzer reads, found in one pass over the header block
// instead of a Headers.Has or Get (strings.EqualFold on every field) for
// each.
const (
	hdDate = iota
	hdMessageID
	hdFrom
	hdSubject
	hdTo
	hdCc
	hdXMailer
	hdUserAgent
	hdN
)

var hdNames = [hdN]string{"Date", "Message-ID", "From", "Subject", "To", "Cc", "X-Mailer", "User-Agent"}

// fieldIndex holds, for each name of hdNames, 1 + the index of its first
// field, 0 when there is none.
type fieldIndex [hdN]int32

// indexFields is the fieldIndex of h, the names compared as
// strings.EqualFold compares them (Headers.Has, Get): an ASCII name can
// only equal a name of its own length; one with other bytes may fold
// ("ſubject") and is compared with each.
func indexFields(h mail.Headers) fieldIndex {
	var x fieldIndex
	for i := range h {
		n := h[i].Name
		ascii := true
		for j := 0; j < len(n); j++ {
			if n[j] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if !ascii {
			for id, k := range hdNames {
				if x[id] == 0 && strings.EqualFold(n, k) {
					x[id] = int32(i + 1)
				}
			}
			continue
		}
		var a, b int = -1, -1
		switch len(n) {
		case 2:
			a, b = hdTo, hdCc
		case 4:
			a, b = hdDate, hdFrom
		case 7:
			a = hdSubject
		case 8:
			a = hdXMailer
		case 10:
			a, b = hdMessageID, hdUserAgent
		default:
			continue
		}
		if x[a] == 0 && strings.EqualFold(n, hdNames[a]) {
			x[a] = int32(i + 1)
		} else if b >= 0 && x[b] == 0 && strings.EqualFold(n, hdNames[b]) {
			x[b] = int32(i + 1)
		}
	}
	return x
}

func (x *fieldIndex) has(id int) bool { return x[id] != 0 }

func (x *fieldIndex) get(h mail.Headers, id int) string {
	if i := x[id]; i != 0 {
		return h[i-1].Value
	}
	return ""
}
