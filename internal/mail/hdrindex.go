package mail

import (
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/ascii"
)

// The header names the parser looks up, as indexes of knownHeaders.
const (
	hFrom = iota
	hSubject
	hDate
	hMessageID
	hTo
	hCc
	hSender
	hReplyTo
	hInReplyTo
	hReferences
	hContentType
	hMIMEVersion
	hContentTransferEncoding
	hContentID
	hContentDescription
	hContentDisposition
	hKnown
	hNone = 255 // another name
)

var knownHeaders = [hKnown]string{
	"From", "Subject", "Date", "Message-ID", "To", "Cc", "Sender", "Reply-To", "In-Reply-To", "References",
	"Content-Type", "MIME-Version", "Content-Transfer-Encoding", "Content-ID", "Content-Description", "Content-Disposition",
}

// hdrIndex is where the known names are in a header block, found in one
// pass instead of a Headers.Get (strings.EqualFold on every field) per
// name: first is the first field with a name (-1 for none), count how
// many have it.
type hdrIndex struct {
	first [hKnown]int32
	count [hKnown]int32
}

func (x *hdrIndex) build(h Headers) {
	for i := range x.first {
		x.first[i], x.count[i] = -1, 0
	}
	for i := range h {
		if id := knownID(h[i].Name); id != hNone {
			if x.first[id] < 0 {
				x.first[id] = int32(i)
			}
			x.count[id]++
		}
	}
}

// get is h.Get(knownHeaders[id]) for the h the index was built from.
func (x *hdrIndex) get(h Headers, id int) string {
	if i := x.first[id]; i >= 0 {
		return h[i].Value
	}
	return ""
}

// knownID returns the known name n is, compared as strings.EqualFold
// compares (Headers.Get): ASCII case-insensitively, and by Unicode
// folding for a name with 8-bit bytes ("ſubject", a Kelvin sign for k).
func knownID(n string) uint8 {
	// Every known name opens with an ASCII letter, which EqualFold matches
	// with an ASCII first byte only in either case (the other case
	// variants, the Kelvin sign and the long s, are not ASCII, and a name
	// opening with one goes on below): most other fields (X-...) are told
	// apart by their first byte.
	if len(n) == 0 || n[0] < utf8.RuneSelf && !knownFirst[n[0]] {
		return hNone
	}
	var buf [32]byte
	if len(n) <= len(buf) {
		ascii := true
		for i := 0; i < len(n); i++ {
			c := n[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if ascii {
			switch string(buf[:len(n)]) {
			case "from":
				return hFrom
			case "subject":
				return hSubject
			case "date":
				return hDate
			case "message-id":
				return hMessageID
			case "to":
				return hTo
			case "cc":
				return hCc
			case "sender":
				return hSender
			case "reply-to":
				return hReplyTo
			case "in-reply-to":
				return hInReplyTo
			case "references":
				return hReferences
			case "content-type":
				return hContentType
			case "mime-version":
				return hMIMEVersion
			case "content-transfer-encoding":
				return hContentTransferEncoding
			case "content-id":
				return hContentID
			case "content-description":
				return hContentDescription
			case "content-disposition":
				return hContentDisposition
			}
			return hNone
		}
	} else if ascii.Is(n) {
		return hNone // longer than any known name
	}
	for id, k := range knownHeaders {
		if strings.EqualFold(n, k) {
			return uint8(id)
		}
	}
	return hNone
}

// knownFirst holds the bytes a known name may open with (either case).
var knownFirst = func() (t [utf8.RuneSelf]bool) {
	for _, k := range knownHeaders {
		t[k[0]|0x20], t[k[0]&^0x20] = true, true
	}
	return t
}()
