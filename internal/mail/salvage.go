package mail

import (
	"bytes"
	"strconv"
	"strings"
)

// maxSalvageParts bounds the parts salvaged past a soft limit, per message.
const maxSalvageParts = 256

// salvage keeps looking past a soft limit (MaxParts, MaxDepth): region is
// the rest of a multipart body the parser stopped reading as a tree. It
// walks region once, from one delimiter-like line ("--...") to the next,
// and parses each entity found there as a leaf child of container: parts
// that carry something (a filename, an attachment disposition, a non-text
// type, or text that may hold links) are kept; containers (multipart) are
// not descended into, since their children are found by the same walk.
// The walk is linear in region and keeps at most maxSalvageParts parts per
// message, so the breach (already an anomaly the policy fails closed on)
// cannot hide an attachment or a link, nor cost more than one pass.
func (p *parser) salvage(region []byte, container *Part, depth int) {
	if p.salvaging || p.salvaged >= maxSalvageParts || len(region) == 0 {
		return // never twice over the same bytes
	}
	p.salvaging = true
	defer func() { p.salvaging = false }()
	n := 0
	pos := nextDelimLine(region, 0)
	for pos >= 0 && pos < len(region) && p.salvaged < maxSalvageParts {
		// The delimiter line ends at its LF; the entity runs to the next
		// delimiter-like line.
		eol := bytes.IndexByte(region[pos:], '\n')
		if eol < 0 {
			return
		}
		start := pos + eol + 1
		next := nextDelimLine(region, start)
		end := next
		if end < 0 {
			end = len(region)
		}
		chunk := region[start:end]
		// The line break before the next delimiter belongs to it.
		chunk = bytes.TrimSuffix(chunk, []byte("\n"))
		chunk = bytes.TrimSuffix(chunk, []byte("\r"))
		if p.worthSalvaging(chunk) {
			n++
			p.salvaged++
			path := container.Path + ".s" + strconv.Itoa(n)
			child := p.parseEntity(chunk, path, depth, container, "text/plain")
			container.Children = append(container.Children, child)
		}
		pos = next
	}
}

// worthSalvaging reads an entity's header block only and reports whether
// the entity is a leaf that can carry a threat. Containers and empty
// entities are skipped.
func (p *parser) worthSalvaging(chunk []byte) bool {
	hdr, body := splitHeader(chunk)
	if len(hdr) == 0 || len(bytes.TrimSpace(body)) == 0 {
		return false
	}
	// A cheap look at the fields, without decoding: a salvaged header is
	// parsed in full only when its entity is kept.
	ct := ""
	for _, ln := range bytes.Split(hdr, []byte("\n")) {
		if len(ln) > 13 && strings.EqualFold(string(ln[:13]), "content-type:") {
			ct = strings.ToLower(strings.TrimSpace(string(ln[13:])))
			break
		}
	}
	if strings.HasPrefix(ct, "multipart/") {
		return false
	}
	// Text that is not an attachment matters for its links only: plain
	// 7-bit text without a link-like word is skipped (encoded text, whose
	// links cannot be seen without decoding, is kept).
	if ct == "" || strings.HasPrefix(ct, "text/") {
		l := bytes.ToLower(hdr)
		if !bytes.Contains(l, []byte("filename")) && !bytes.Contains(l, []byte("name=")) &&
			!bytes.Contains(l, []byte("attachment")) && !bytes.Contains(l, []byte("base64")) &&
			!bytes.Contains(l, []byte("quoted-printable")) && !linkLike(body) {
			return false
		}
	}
	return true
}

// linkLike reports whether plain text may hold a link.
func linkLike(b []byte) bool {
	l := bytes.ToLower(b)
	return bytes.Contains(l, []byte("://")) || bytes.Contains(l, []byte("www.")) ||
		bytes.Contains(l, []byte("href")) || bytes.Contains(l, []byte("@"))
}

// nextDelimLine returns where the next line that starts with "--" begins
// at or after from (from itself counts when it starts a line), or -1.
func nextDelimLine(b []byte, from int) int {
	if from == 0 && bytes.HasPrefix(b, []byte("--")) {
		return 0
	}
	for from < len(b) {
		i := bytes.Index(b[max(from-1, 0):], []byte("\n--"))
		if i < 0 {
			return -1
		}
		at := max(from-1, 0) + i + 1
		if at >= from {
			return at
		}
		from = at + 1
	}
	return -1
}
