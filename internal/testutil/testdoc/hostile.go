package testdoc

import (
	"bytes"
	"fmt"
	"strings"
)

// The Emotet lure (EmotetMail) hidden past the parser's soft limits, as an
// attacker would send it to slip the attachment past the scan.

// splitEmotet returns the lure's header block (without the blank line), the
// body up to the attachment part, and the attachment part with the close
// delimiter.
func splitEmotet() (hdr, text, att string) {
	raw := string(EmotetMail(false, EmotetBody))
	i := strings.Index(raw, "\r\n\r\n")
	hdr, body := raw[:i+2], raw[i+4:]
	j := strings.Index(body[1:], "--=_b\r\n") + 1
	return hdr, body[:j], body[j:]
}

// EmotetAfterHeaders puts n junk header fields before the lure's own
// fields (its Content-Type comes after them).
func EmotetAfterHeaders(n int) []byte {
	hdr, text, att := splitEmotet()
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "X-Junk-%d: filler %d\r\n", i, i)
	}
	b.WriteString(hdr + "\r\n" + text + att)
	return b.Bytes()
}

// EmotetAfterHeaderBytes puts a folded junk field of about size bytes
// before the lure's own fields.
func EmotetAfterHeaderBytes(size int) []byte {
	hdr, text, att := splitEmotet()
	var b bytes.Buffer
	b.WriteString("X-Pad: start\r\n")
	line := " " + strings.Repeat("a", 74) + "\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	b.WriteString(hdr + "\r\n" + text + att)
	return b.Bytes()
}

// EmotetAfterParts puts n small text parts before the lure's attachment.
func EmotetAfterParts(n int) []byte {
	hdr, text, att := splitEmotet()
	var b bytes.Buffer
	b.WriteString(hdr + "\r\n" + text)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--=_b\r\nContent-Type: text/plain\r\n\r\nfiller %d\r\n", i)
	}
	b.WriteString(att)
	return b.Bytes()
}

// EmotetAtDepth nests the lure's attachment depth multiparts deep.
func EmotetAtDepth(depth int) []byte {
	hdr, text, att := splitEmotet()
	att = strings.TrimSuffix(att, "--=_b--\r\n")
	att = strings.TrimPrefix(att, "--=_b\r\n")
	var b bytes.Buffer
	b.WriteString(hdr + "\r\n" + text)
	outer := "=_b"
	for d := 1; d <= depth; d++ {
		inner := fmt.Sprintf("=_n%d", d)
		fmt.Fprintf(&b, "--%s\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", outer, inner)
		outer = inner
	}
	fmt.Fprintf(&b, "--%s\r\n%s", outer, att)
	for d := depth; d >= 1; d-- {
		fmt.Fprintf(&b, "--=_n%d--\r\n", d)
	}
	b.WriteString("--=_b--\r\n")
	return b.Bytes()
}

// EmotetInRFC822 wraps a message as a message/rfc822 attachment of an
// outer message (the limits then apply inside the embedded one).
func EmotetInRFC822(inner []byte) []byte {
	var b bytes.Buffer
	b.WriteString("From: Relay <relay@example.net>\r\nTo: user@example.jp\r\nSubject: Fwd: invoice\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <fwd-1@example.net>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"=_o\"\r\n\r\n--=_o\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n")
	b.WriteString("--=_o\r\nContent-Type: message/rfc822\r\n\r\n")
	b.Write(inner)
	b.WriteString("\r\n--=_o--\r\n")
	return b.Bytes()
}
