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

// EncryptedHeader7z is a 206-byte 7z archive whose headers are encrypted
// (made with 7-Zip 16.02: 7z a -psekret -mhe=on, one file f.txt): no
// password the message offers opens it, and each try costs a 7zAES key
// derivation (2^19 SHA-256 rounds).
var EncryptedHeader7z = []byte("\x37\x7a\xbc\xaf\x27\x1c\x00\x04\x23\x0b\x5a\x43\x80\x00\x00\x00\x00\x00\x00\x00\x2e\x00\x00\x00\x00\x00\x00\x00\xa6\x8c\xc9\x21\x17\xdf\xa4\x75\x17\x50\xcf\xc4\x96\xab\x03\xd1\x24\x39\x3b\x18\x4f\xd5\x4c\x90\xfb\xa3\xe8\x29\x7c\x9d\x59\x2b\x7a\x45\x43\x6f\x56\x9c\xb8\x43\x4d\xfd\x93\xbe\x90\x9c\x6d\x8b\x8e\xab\xf3\x63\x46\xc9\x49\x1c\x46\xd1\x56\x5e\x7c\x96\x74\xc8\x56\x08\xc4\x24\xd3\x9d\x50\x7d\xf2\xdf\xd7\xea\xe8\xd5\xdb\x68\xb3\x47\x77\x41\xcc\x25\xe4\xc5\x78\x1f\x8f\x53\x78\x36\x93\x8c\x90\x70\xd4\xe4\xb5\xbd\x67\x8d\xa9\xa0\x25\x1d\xd0\xea\xc4\xee\x25\xa9\x7a\xaf\x5f\x68\x38\x96\x15\x58\x4f\x2c\x96\x6e\x92\x2d\xb3\x23\x73\xa6\x17\x06\x10\x01\x09\x70\x00\x07\x0b\x01\x00\x01\x24\x06\xf1\x07\x01\x12\x53\x0f\xa0\xbd\x39\x08\x4d\xf5\xfe\x98\x78\xa6\xa7\x36\xec\x7c\xb9\x6c\x0c\x62\x0a\x01\x56\x2f\x65\x86\x00\x00")

// EmotetBehind7zDecoys is the issue-14 CPU trap: n copies of
// EncryptedHeader7z with decoy "password:" phrases in the text, in front
// of the Emotet lure's password zip. Every decoy archive would be tried
// with every candidate password.
func EmotetBehind7zDecoys(n, decoys int) []byte {
	xlsm := XLSM(VBAProject(map[string]string{"ThisWorkbook": EmotetMacro}))
	z := EncryptedZip([]ZipEntry{{Name: "請求書_2026.xlsm", Data: xlsm}}, "abc123", false)
	var body strings.Builder
	body.WriteString("いつもお世話になっております。\r\n請求書を添付いたします。\r\n\r\n")
	for i := 0; i < decoys; i++ {
		fmt.Fprintf(&body, "password: decoy%02d\r\n", i)
	}
	body.WriteString("パスワード: abc123\r\n")
	var atts []Attachment
	for i := 0; i < n; i++ {
		atts = append(atts, Attachment{Name: fmt.Sprintf("part%02d.7z", i), Type: "application/x-7z-compressed", Data: EncryptedHeader7z})
	}
	atts = append(atts, Attachment{Name: "請求書.zip", Type: "application/zip", Data: z})
	return Mail("Re: ご請求書の件", body.String(), atts...)
}
