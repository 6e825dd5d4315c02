package mail

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/ascii"
)

// Parse parses raw message bytes with the given limits. It never fails: a
// message that cannot be understood yields a Message with anomalies.
func Parse(raw []byte, lim Limits) *Message {
	lim = lim.withDefaults()
	p := &parser{lim: lim}
	m := &Message{Size: len(raw)}
	if len(raw) > lim.MaxSize {
		raw = raw[:lim.MaxSize]
		p.anomaly(AnomalyTruncated, strconv.Itoa(m.Size)+" bytes")
	}
	m.Raw = raw
	HeaderSplits.Add(1)
	p.base = raw
	root := p.parseEntity(raw, "1", 0, nil, "text/plain")
	m.Root = root
	m.Headers = root.Headers
	x := &p.hx
	if p.hxOf != root { // a child's block was indexed after the root's
		x.build(root.Headers)
		p.hxOf = root
	}
	p.fillEnvelope(m, root.Headers, x)
	// Not a message at all (RFC 5322 §3.6: From and Date are required):
	// an empty file, binary data, plain text. Scanned anyway, but said.
	if len(root.Headers) == 0 {
		d := "empty input"
		if len(raw) > 0 {
			d = "no header fields in " + strconv.Itoa(len(raw)) + " bytes"
		}
		p.anomaly(AnomalyNotMail, d)
	} else if len(bytes.TrimSpace(rootBody(raw, root))) == 0 {
		p.anomaly(AnomalyEmptyBody, "")
	}
	p.lineEnds(raw)
	// MIME structure without MIME-Version (RFC 2045 §4). A bare
	// "text/plain" label is common in old list mail and harmless.
	if x.count[hContentType] > 0 && x.count[hMIMEVersion] == 0 && (root.ContentType != "text/plain" || root.Encoding != "" && root.Encoding != "7bit" && root.Encoding != "8bit") {
		p.anomaly(AnomalyNoMIMEVersion, "")
	}
	for _, id := range [...]int{hFrom, hSubject, hDate, hMessageID, hTo, hSender, hReplyTo, hInReplyTo, hReferences, hContentType} {
		if x.count[id] > 1 {
			p.anomaly(AnomalyDuplicateHeader, knownHeaders[id])
		}
	}
	m.Parts = p.parts
	p.collect(m)
	m.Anomalies = p.anoms
	return m
}

type parser struct {
	lim       Limits
	base      []byte // the Raw of the message being parsed: spans are offsets into it
	parts     []*Part
	anoms     []Anomaly
	urls      int
	pending   []URL
	cids      map[string]bool // cid: references seen in HTML
	carrier   carrier         // the From address's mobile carrier (emoji codes)
	salvaged  int             // parts kept past a soft limit (salvage.go)
	salvaging bool            // inside salvage: no second walk over the same bytes
	hx        hdrIndex        // the known fields of the header block at hand
	hxOf      *Part           // the part whose header block hx indexes
	fold      strings.Builder // arena of unfolded header values (unfold)
	foldHint  int             // bytes the arena is grown by at least: the folded fields of the block (countFields)
}

func (p *parser) anomaly(code, detail string) {
	if len(p.anoms) >= 200 {
		return
	}
	for _, a := range p.anoms {
		if a.Code == code && a.Detail == detail {
			return
		}
	}
	p.anoms = append(p.anoms, Anomaly{Code: code, Detail: detail})
}

// rootBody is bodyOf(raw) for the root part parsed from raw, from the
// offsets parseEntity found (no second split).
func rootBody(raw []byte, root *Part) []byte {
	if root.Spanned && root.BodySpan.Start <= len(raw) {
		return raw[root.BodySpan.Start:]
	}
	return bodyOf(raw)
}

// bodyOf returns the bytes after the header block.
func bodyOf(raw []byte) []byte {
	_, body := splitHeader(raw)
	return body
}

// splitHeader splits at the first empty line (CRLF or LF).
func splitHeader(raw []byte) (hdr, body []byte) {
	// A message that starts with an empty line has no header.
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return nil, raw[2:]
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return nil, raw[1:]
	}
	i := 0
	for {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		next := i + j + 1
		if next >= len(raw) {
			return raw, nil
		}
		if raw[next] == '\n' {
			return raw[:next], raw[next+1:]
		}
		if raw[next] == '\r' && next+1 < len(raw) && raw[next+1] == '\n' {
			return raw[:next], raw[next+2:]
		}
		i = next
	}
}

// splitHeaderCount is splitHeader that also counts hdr's fields as
// countFields does (nf, folded), in the same pass over its lines: one
// search for each line end instead of two.
func splitHeaderCount(raw []byte) (hdr, body []byte, nf, folded int) {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return nil, raw[2:], 0, 0
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return nil, raw[1:], 0, 0
	}
	start, isFolded := 0, false // the current field (countFields)
	i := 0
	for {
		if i < len(raw) {
			// countFields' step: the line at i is in hdr.
			c := raw[i]
			if c == ' ' || c == '\t' {
				isFolded = true
			} else if c != '\r' && c != '\n' {
				if isFolded {
					folded += i - start
				}
				nf++
				start, isFolded = i, false
			}
		}
		j := bytes.IndexByte(raw[i:], '\n')
		next := i + j + 1
		if j < 0 || next >= len(raw) {
			hdr, body = raw, nil
			break
		}
		if raw[next] == '\n' {
			hdr, body = raw[:next], raw[next+1:]
			break
		}
		if raw[next] == '\r' && next+1 < len(raw) && raw[next+1] == '\n' {
			hdr, body = raw[:next], raw[next+2:]
			break
		}
		i = next
	}
	if isFolded {
		folded += len(hdr) - start
	}
	return hdr, body, nf, folded
}

// offsetIn returns where sub starts in base, or -1 when sub is not a
// slice of base's array (a decoded buffer).
func offsetIn(base, sub []byte) int {
	if cap(sub) == 0 {
		if len(base) == 0 {
			return 0
		}
		return -1
	}
	off := cap(base) - cap(sub)
	if off < 0 || off+len(sub) > len(base) || &base[:cap(base)][off] != &sub[:cap(sub)][0] {
		return -1
	}
	return off
}

// parseHeader parses a header block into fields. Lines that are not
// fields are reported; folded lines join the field before them; the count
// and size of fields are bounded. off is where hdr starts in the
// message's Raw (for the fields' spans).
//
// The limits are soft: past MaxHeaders fields or MaxHeaderBytes bytes the
// breach is an anomaly (the policy fails closed on it) and the rest of the
// block is still read, linearly, for the MIME fields alone (Content-*,
// MIME-Version; at most maxLateMIMEFields of at most maxLateFieldBytes),
// so a Content-Type hidden past the limit still opens the attachments.
func (p *parser) parseHeader(hdr []byte, off int) Headers {
	nf, folded := countFields(hdr)
	return p.parseHeaderCounted(hdr, off, nf, folded)
}

// parseHeaderCounted is parseHeader given countFields(hdr).
func (p *parser) parseHeaderCounted(hdr []byte, off, nf, folded int) Headers {
	if len(hdr) > p.lim.MaxHeaderBytes {
		p.anomaly(AnomalyHeaderTooLong, strconv.Itoa(len(hdr)))
	}
	hs := make(Headers, 0, min(nf, p.lim.MaxHeaders+maxLateMIMEFields))
	// The folded values of the block fit one arena (unfold).
	p.foldHint = min(folded, p.lim.MaxHeaderBytes)
	// One string holds the names and raw values of a block within the
	// limit: one copy instead of two per field.
	str := ""
	if len(hdr) <= p.lim.MaxHeaderBytes {
		str = string(hdr)
	}
	nameStart, valStart, valEnd, fieldStart := -1, 0, 0, 0
	name := ""
	late := 0 // MIME fields kept past a limit
	flush := func() {
		if nameStart < 0 {
			return
		}
		nameStart = -1
		over := false
		if len(hs) >= p.lim.MaxHeaders {
			p.anomaly(AnomalyTooManyHeaders, strconv.Itoa(p.lim.MaxHeaders))
			over = true
		}
		if valEnd > p.lim.MaxHeaderBytes {
			over = true
		}
		if over {
			if late >= maxLateMIMEFields || valEnd-valStart > maxLateFieldBytes || !isMIMEField(name) {
				return
			}
			late++
		}
		var raw string
		if str != "" {
			raw = str[valStart:valEnd]
		} else {
			raw = string(hdr[valStart:valEnd])
		}
		end := valEnd // past the line end of the field's last line
		if end < len(hdr) && hdr[end] == '\r' {
			end++
		}
		if end < len(hdr) && hdr[end] == '\n' {
			end++
		}
		hs = append(hs, Header{Name: name, Raw: raw, Value: p.decodeHeaderValue(name, raw),
			Span: Span{off + fieldStart, off + end}})
	}
	first := true
	for pos := 0; pos < len(hdr); {
		end := bytes.IndexByte(hdr[pos:], '\n')
		next := len(hdr)
		if end < 0 {
			end = len(hdr)
		} else {
			end += pos
			next = end + 1
		}
		ln := hdr[pos:end]
		lineStart := pos
		pos = next
		if n := len(ln); n > 0 && ln[n-1] == '\r' {
			ln = ln[:n-1]
		}
		if len(ln) == 0 {
			continue
		}
		if ln[0] == ' ' || ln[0] == '\t' {
			if nameStart >= 0 {
				valEnd = lineStart + len(ln) // keep the fold (CRLF stripped at flush)
			}
			continue
		}
		c := bytes.IndexByte(ln, ':')
		var space, high bool
		if c > 0 {
			space, high = nameBytes(ln[:c])
		}
		if c <= 0 || space && !validNameWithTrailingSpace(ln[:c]) {
			if first && bytes.HasPrefix(ln, []byte("From ")) {
				first = false
				continue // mbox separator left in a stored message
			}
			first = false
			flush()
			p.anomaly(AnomalyBadHeaderLine, truncate(sanitizeUTF8(ln), 60))
			continue
		}
		first = false
		flush()
		nl := c // len(bytes.TrimRight(ln[:c], " \t")) without its cutset set-up
		for nl > 0 && (ln[nl-1] == ' ' || ln[nl-1] == '\t') {
			nl--
		}
		if str != "" {
			name = str[lineStart : lineStart+nl]
		} else {
			name = string(ln[:nl])
		}
		if high && !utf8.ValidString(name) {
			name = strings.ToValidUTF8(name, "\uFFFD")
		}
		nameStart = lineStart
		fieldStart = lineStart
		valStart = lineStart + c + 1
		valEnd = lineStart + len(ln)
	}
	flush()
	return hs
}

// nameBytes reports whether a field name holds a space or tab, and a
// byte of 0x80 or above.
func nameBytes(b []byte) (space, high bool) {
	for _, c := range b {
		if c == ' ' || c == '\t' {
			space = true
		} else if c >= 0x80 {
			high = true
		}
	}
	return space, high
}

// countFields counts the lines of a header block that start a field (or
// are not a field): the non-empty lines that are not folded. folded is
// the bytes of the fields that are folded (more than their unfolded
// values need).
func countFields(hdr []byte) (n, folded int) {
	start, isFolded := 0, false // the current field
	for pos := 0; pos < len(hdr); {
		c := hdr[pos]
		if c == ' ' || c == '\t' {
			isFolded = true
		} else if c != '\r' && c != '\n' {
			if isFolded {
				folded += pos - start
			}
			n++
			start, isFolded = pos, false
		}
		i := bytes.IndexByte(hdr[pos:], '\n')
		if i < 0 {
			break
		}
		pos += i + 1
	}
	if isFolded {
		folded += len(hdr) - start
	}
	return n, folded
}

// Past a header limit only the MIME fields are kept (see parseHeader).
const (
	maxLateMIMEFields = 16
	maxLateFieldBytes = 64 << 10
)

// isMIMEField reports whether a field shapes how the body is read.
func isMIMEField(name string) bool {
	return len(name) > 8 && strings.EqualFold(name[:8], "content-") || strings.EqualFold(name, "MIME-Version")
}

// validNameWithTrailingSpace accepts "Subject :" (obsolete syntax, RFC 5322 §4.5).
func validNameWithTrailingSpace(b []byte) bool {
	t := bytes.TrimRight(b, " \t")
	return len(t) > 0 && !bytes.ContainsAny(t, " \t")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// rawParamValue returns the Content-Type/Disposition value (the first
// field named knownHeaders[id] in h, indexed by x) for parameter
// parsing: unfolded, 8-bit sniffed, but not RFC 2047-decoded (a decoded
// word could hold quotes or semicolons).
func (p *parser) rawParamValue(h Headers, x *hdrIndex, id int) string {
	i := x.first[id]
	if i < 0 {
		return ""
	}
	raw := h[i].Raw
	if ascii.Is(raw) && !hasEsc(raw) && strings.IndexByte(raw, 0) < 0 && !encodedWordStart(raw) {
		// Nothing for decodeHeaderValue to decode: Value is the raw
		// value unfolded and trimmed.
		return h[i].Value
	}
	v := strings.TrimSpace(p.unfold(raw))
	if !ascii.Is(v) || hasEsc(v) {
		v = p.decodeRaw8bit(v)
	}
	return v
}

// encodedWordStart reports whether s holds "=?" once its line breaks are
// removed (unfold drops every CR and LF, so "=\r?" becomes "=?" too):
// decodeHeaderValue may then decode words rawParamValue must keep.
func encodedWordStart(s string) bool {
	for i := strings.IndexByte(s, '='); i >= 0; {
		j := i + 1
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		if j < len(s) && s[j] == '?' {
			return true
		}
		k := strings.IndexByte(s[j:], '=')
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

// parseEntity parses one MIME entity (header + body).
func (p *parser) parseEntity(raw []byte, path string, depth int, parent *Part, defType string) *Part {
	part := &Part{Path: path, Depth: depth, Parent: parent}
	p.parts = append(p.parts, part)
	hdr, body, nf, folded := splitHeaderCount(raw)
	off := offsetIn(p.base, raw)
	if off >= 0 {
		part.Spanned = true
		part.HeaderSpan = Span{off, off + len(hdr)}
		part.BodySpan = Span{off + len(raw) - len(body), off + len(raw)}
	}
	part.Headers = p.parseHeaderCounted(hdr, max(off, 0), nf, folded)
	// The index is this part's until the children are parsed (below).
	x := &p.hx
	x.build(part.Headers)
	p.hxOf = part
	if parent == nil {
		p.carrier = carrierOf(x.get(part.Headers, hFrom))
	}

	ct := p.rawParamValue(part.Headers, x, hContentType)
	part.ContentType = defType
	if ct != "" {
		mt, params, ok := parseMediaType(ct)
		if !ok && mt == "" {
			p.anomaly(AnomalyBadContentType, truncate(ct, 60))
		}
		if mt != "" && strings.IndexByte(mt, '/') > 0 {
			part.ContentType = mt
		}
		part.Params = params
	}
	if part.Params == nil {
		part.Params = map[string]string{}
	}
	part.Charset = strings.ToLower(strings.Trim(part.Params["charset"], `"' `))
	part.Encoding = strings.ToLower(strings.Trim(x.get(part.Headers, hContentTransferEncoding), " \t\"'"))
	part.ContentID = strings.Trim(x.get(part.Headers, hContentID), "<> ")
	part.Description = x.get(part.Headers, hContentDescription)
	if cd := p.rawParamValue(part.Headers, x, hContentDisposition); cd != "" {
		d, params, _ := parseMediaType(cd)
		part.Disposition = d
		if fn := params["filename"]; fn != "" {
			part.Filename = p.decodeWords(fn)
		}
	}
	if part.Filename == "" {
		if n := part.Params["name"]; n != "" {
			part.Filename = p.decodeWords(n)
		}
	}
	if part.Filename != "" {
		part.Filename = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, part.Filename)
	}

	switch {
	case strings.HasPrefix(part.ContentType, "multipart/"):
		p.parseMultipart(part, body, depth)
	case part.ContentType == "message/rfc822" || part.ContentType == "message/global":
		dec := p.decodeTransfer(part, body)
		if part.Disposition == "attachment" || part.Filename != "" {
			part.IsAttachment = true
		}
		if depth+1 > p.lim.MaxDepth {
			p.anomaly(AnomalyTooDeep, path)
			part.Body = dec
			part.IsAttachment = true
			p.salvage(dec, part, depth+1)
			return part
		}
		if len(p.parts) >= p.lim.MaxParts {
			p.anomaly(AnomalyTooManyParts, strconv.Itoa(p.lim.MaxParts))
			part.Body = dec
			p.salvage(dec, part, depth+1)
			return part
		}
		first := len(p.parts)
		outer := p.base
		p.base = dec // the embedded message's spans are offsets into its Raw
		child := p.parseEntity(dec, path+".1", depth+1, part, "text/plain")
		p.base = outer
		part.Children = []*Part{child}
		em := &Message{Raw: dec, Size: len(dec), Headers: child.Headers, Root: child}
		p.hx.build(child.Headers)
		p.hxOf = child
		p.fillEnvelope(em, child.Headers, &p.hx)
		em.Parts = append([]*Part(nil), p.parts[first:]...)
		part.Embedded = em
	default:
		part.Body = p.decodeTransfer(part, body)
		text := strings.HasPrefix(part.ContentType, "text/") && part.Disposition != "attachment" && part.Filename == ""
		switch {
		case text && (part.IsText() || part.ContentType == "text/enriched" || part.ContentType == "text/richtext" || part.ContentType == "text/x-amp-html"):
			if !part.IsText() {
				part.ContentType = "text/plain"
			}
			p.decodeText(part)
			if part.ContentType == "text/plain" {
				p.uudecodeParts(part, depth)
			}
		default:
			part.IsAttachment = true
			if part.ContentID != "" && strings.HasPrefix(part.ContentType, "image/") && part.Disposition != "attachment" {
				part.IsInline = true
			}
			switch part.ContentType {
			case "text/calendar", "text/x-vcard", "text/vcard", "text/csv":
				p.decodeText(part)
			}
		}
	}
	return part
}

func (p *parser) parseMultipart(part *Part, body []byte, depth int) {
	boundary := part.Params["boundary"]
	if boundary == "" {
		p.anomaly(AnomalyNoBoundary, part.Path)
		part.Body = body
		part.ContentType = "text/plain"
		p.decodeText(part)
		return
	}
	if depth+1 > p.lim.MaxDepth {
		p.anomaly(AnomalyTooDeep, part.Path)
		p.salvage(body, part, depth+1)
		return
	}
	chunks, closed, found := splitMultipart(body, boundary)
	if !found {
		p.anomaly(AnomalyMissingBoundary, part.Path)
		// Treat the body as text so its content is still analysed.
		part.Body = body
		if len(p.parts) >= p.lim.MaxParts {
			p.anomaly(AnomalyTooManyParts, strconv.Itoa(p.lim.MaxParts))
			return
		}
		sub := &Part{Path: part.Path + ".1", Depth: depth + 1, Parent: part, ContentType: "text/plain", Params: map[string]string{}, Body: body, Encoding: part.Encoding}
		sub.Body = p.decodeTransfer(sub, body)
		p.parts = append(p.parts, sub)
		p.decodeText(sub)
		part.Children = append(part.Children, sub)
		return
	}
	if !closed {
		p.anomaly(AnomalyNoCloseBoundary, part.Path)
	}
	if len(chunks) == 0 {
		p.anomaly(AnomalyEmptyMultipart, part.Path)
	}
	defType := "text/plain"
	if part.ContentType == "multipart/digest" {
		defType = "message/rfc822"
	}
	for i, c := range chunks {
		if len(p.parts) >= p.lim.MaxParts {
			p.anomaly(AnomalyTooManyParts, strconv.Itoa(p.lim.MaxParts))
			// Keep looking past the limit, from the delimiter before
			// this chunk to the end of the body, once.
			if off := offsetIn(body, c); off >= 0 {
				from := bytes.LastIndex(body[:off], []byte("\n--"))
				p.salvage(body[max(from+1, 0):], part, depth+1)
			}
			return
		}
		child := p.parseEntity(c, part.Path+"."+strconv.Itoa(i+1), depth+1, part, defType)
		part.Children = append(part.Children, child)
	}
}

// splitMultipart returns the body parts between delimiter lines. It is
// tolerant of LF line ends, trailing whitespace after the boundary and a
// missing close delimiter.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed, found bool) {
	delim := []byte("--" + boundary)
	start := -1
	pos := 0
	for pos <= len(body) {
		// Find the next line that starts with the delimiter.
		idx := bytes.Index(body[pos:], delim)
		if idx < 0 {
			break
		}
		at := pos + idx
		if at > 0 && body[at-1] != '\n' {
			pos = at + len(delim)
			continue
		}
		after := at + len(delim)
		isClose := bytes.HasPrefix(body[after:], []byte("--"))
		// The rest of the delimiter line must be whitespace (RFC 2046 §5.1.1), but be lenient.
		eol := bytes.IndexByte(body[after:], '\n')
		lineEnd := len(body)
		if eol >= 0 {
			lineEnd = after + eol + 1
		}
		if !isClose {
			rest := bytes.TrimSpace(body[after:min(lineEnd, len(body))])
			if len(rest) > 0 && !bytes.HasPrefix(rest, []byte("--")) {
				// Longer boundary that merely starts with ours.
				pos = after
				continue
			}
		}
		found = true
		if start >= 0 {
			end := at
			// The CRLF before the delimiter belongs to the delimiter.
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, body[start:end])
		}
		if isClose {
			return parts, true, true
		}
		start = lineEnd
		pos = lineEnd
		if pos >= len(body) {
			break
		}
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts, false, found
}

func (p *parser) decodeTransfer(part *Part, body []byte) []byte {
	switch part.Encoding {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit", "none":
		return body
	case "base64", "base-64", "x-base64":
		return decodeBase64(body, func() { p.anomaly(AnomalyBadEncoding, part.Path+" base64") })
	case "quoted-printable", "x-quoted-printable", "qp":
		out, bad := decodeQP(body)
		if bad {
			p.anomaly(AnomalyBadEncoding, part.Path+" quoted-printable")
		}
		return out
	case "x-uuencode", "uuencode", "x-uue", "uue":
		if name, data, _, _, ok := findUU(body); ok {
			if part.Filename == "" {
				part.Filename = name
			}
			return data
		}
		return body
	default:
		p.anomaly(AnomalyBadEncoding, part.Path+" "+truncate(sanitizeUTF8([]byte(part.Encoding)), 30))
		return body
	}
}

// decodeBase64 decodes base64 ignoring whitespace and junk characters.
func decodeBase64(body []byte, bad func()) []byte {
	clean := make([]byte, 0, len(body))
	junk := false
	// Copy runs of alphabet characters (a line, usually) at once.
	for i := 0; i < len(body); {
		j := i
		for j < len(body) && b64Class[body[j]] == b64Char {
			j++
		}
		clean = append(clean, body[i:j]...)
		if j == len(body) {
			break
		}
		switch b64Class[body[j]] {
		case b64Pad:
			// padding: stop at the first '=' group
			clean = append(clean, '=')
		case b64Space:
		default:
			junk = true
		}
		i = j + 1
	}
	// Drop anything after padding.
	if i := bytes.IndexByte(clean, '='); i >= 0 {
		j := i
		for j < len(clean) && clean[j] == '=' {
			j++
		}
		if j < len(clean) {
			junk = true
		}
		clean = clean[:i]
	}
	if rem := len(clean) % 4; rem == 1 {
		clean = clean[:len(clean)-1]
		junk = true
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil || junk {
		bad()
	}
	return out[:n]
}

// Classes of bytes in a base64 body.
const (
	b64Junk = iota
	b64Char
	b64Pad
	b64Space
)

var b64Class = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = b64Char, b64Char
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = b64Char
	}
	t['+'], t['/'] = b64Char, b64Char
	t['='] = b64Pad
	t['\r'], t['\n'], t[' '], t['\t'] = b64Space, b64Space, b64Space, b64Space
	return t
}()

// decodeQP decodes quoted-printable (RFC 2045 §6.7) leniently: invalid
// escapes are kept as written (bad is then true), soft line breaks with
// trailing whitespace are honoured, and transport padding at line ends is
// dropped.
func decodeQP(b []byte) (out []byte, bad bool) {
	out = make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '=':
			if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
				out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
				i += 2
				continue
			}
			// Soft line break: "=" then optional whitespace then (CR)LF or the end.
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) {
				i = j
				continue
			}
			if b[j] == '\n' {
				i = j
				continue
			}
			if b[j] == '\r' && (j+1 == len(b) || b[j+1] == '\n') {
				i = j + 1
				continue
			}
			bad = true
			out = append(out, c)
		case ' ', '\t':
			// Trailing whitespace before a line break is padding.
			j := i
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '\n' || b[j] == '\r') {
				i = j - 1
				continue
			}
			out = append(out, b[i:j]...)
			i = j - 1
		default:
			// Copy the run up to the next '=' or line break at once;
			// whitespace that ends it before a line break is padding.
			j := i + 1
			for j < len(b) && !qpStop[b[j]] {
				j++
			}
			k := j
			if j < len(b) && b[j] != '=' {
				for k > i+1 && (b[k-1] == ' ' || b[k-1] == '\t') {
					k--
				}
			}
			out = append(out, b[i:k]...)
			i = j - 1
		}
	}
	return out, bad
}

// qpStop ends a run of bytes decodeQP copies as they are.
var qpStop = [256]bool{'=': true, '\r': true, '\n': true}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// decodeText fills Text/HTML for a text part.
func (p *parser) decodeText(part *Part) {
	b := part.Body
	if len(b) > p.lim.MaxTextBytes {
		p.anomaly(AnomalyTextTruncated, part.Path)
		b = b[:p.lim.MaxTextBytes]
	}
	label := part.Charset
	if label == "" && part.ContentType == "text/html" && !isASCII(b) {
		label = htmlMetaCharset(b) // <meta charset=...> when the MIME header has none
	}
	s, used, mismatch, known := decodeCharsetCarrier(b, label, p.carrier)
	if !known && part.Charset != "" {
		p.anomaly(AnomalyBadCharset, truncate(part.Charset, 30))
	}
	if mismatch {
		p.anomaly(AnomalyCharsetMismatch, part.Path+" "+part.Charset+"→"+used)
	}
	part.DetectedCharset = used
	if strings.IndexByte(s, 0) >= 0 {
		p.anomaly(AnomalyNULByte, part.Path)
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if part.ContentType == "text/html" {
		part.HTML = s
		r := renderHTML(s, p.lim.MaxTextBytes)
		part.Text = r.Text
		part.HiddenText = r.Hidden
		if substantial(r.Hidden) {
			p.anomaly(AnomalyHiddenHTMLText, part.Path)
		}
		if r.Limited {
			p.anomaly(AnomalyHTMLParseLimited, part.Path)
		}
		p.addURLs(r.URLs, part.Path, false)
		for _, c := range r.CIDs {
			if p.cids == nil {
				p.cids = map[string]bool{}
			}
			if len(p.cids) < 1000 {
				p.cids[c] = true
			}
		}
		p.addURLs(extractTextURLs(r.Text), part.Path, false)
		if r.Hidden != "" {
			p.addURLs(extractTextURLs(r.Hidden), part.Path, true)
		}
		return
	}
	if strings.EqualFold(strings.Trim(part.Params["format"], `"' `), "flowed") {
		s = unflow(s, strings.EqualFold(strings.Trim(part.Params["delsp"], `"' `), "yes"))
	}
	part.Text = s
	p.addURLs(extractTextURLs(s), part.Path, false)
}

// addURLs is addURL for each of us (a slice the parser owns: taken over
// when nothing is pending) from the part at path, marked hidden when
// hidden.
func (p *parser) addURLs(us []URL, path string, hidden bool) {
	if p.urls+len(us) > p.lim.MaxURLs {
		for _, u := range us {
			u.Part = path
			u.Hidden = u.Hidden || hidden
			p.addURL(u)
		}
		return
	}
	if len(us) == 0 {
		return
	}
	for i := range us {
		us[i].Part = path
		us[i].Hidden = us[i].Hidden || hidden
	}
	p.urls += len(us)
	if p.pending == nil {
		p.pending = us
		return
	}
	p.pending = append(p.pending, us...)
}

// pendingURLs holds URLs until collect() places them on the message.
func (p *parser) addURL(u URL) {
	if p.urls >= p.lim.MaxURLs {
		p.anomaly(AnomalyTooManyURLs, strconv.Itoa(p.lim.MaxURLs))
		return
	}
	p.urls++
	p.pending = append(p.pending, u)
}

// collect fills the message-level views of the part tree.
func (p *parser) collect(m *Message) {
	if len(p.cids) > 0 {
		for _, pt := range m.Parts {
			if pt.ContentID != "" && p.cids[pt.ContentID] {
				pt.IsInline = true
			}
		}
	}
	collectViews(m, m.Root)
	m.URLs = p.pending
	for _, pt := range m.Parts {
		if pt.Embedded != nil && len(pt.Children) > 0 {
			collectViews(pt.Embedded, pt.Children[0])
		}
	}
}

// collectViews fills TextParts, Attachments, Text and HiddenText of m from
// the tree under root.
func collectViews(m *Message, root *Part) {
	var texts, hidden []string
	addText := func(pt *Part, shown bool) {
		m.TextParts = append(m.TextParts, pt)
		if shown {
			if pt.Text != "" {
				texts = append(texts, pt.Text)
			}
			if pt.HiddenText != "" {
				hidden = append(hidden, pt.HiddenText)
			}
		}
	}
	var walk func(pt *Part, depth int)
	walk = func(pt *Part, depth int) {
		if depth > 1000 {
			return
		}
		if pt.ContentType == "multipart/alternative" && len(pt.Children) > 0 {
			// What a reader sees: the last alternative that is HTML or a
			// multipart holding it (multipart/related), else the last text.
			var pick *Part
			for _, c := range pt.Children {
				if !c.IsAttachment && (c.ContentType == "text/html" || c.IsMultipart() && len(c.Children) > 0) {
					pick = c
				}
			}
			if pick == nil {
				for _, c := range pt.Children {
					if c.IsText() && !c.IsAttachment {
						pick = c
					}
				}
			}
			for _, c := range pt.Children {
				switch {
				case c.IsText() && !c.IsAttachment:
					addText(c, c == pick)
					for _, cc := range c.Children {
						walk(cc, depth+1)
					}
				case c.IsMultipart() && c != pick:
					// A losing alternative: list its parts, show nothing.
					before := len(texts)
					bh := len(hidden)
					walk(c, depth+1)
					texts, hidden = texts[:before], hidden[:bh]
				default:
					walk(c, depth+1)
				}
			}
			return
		}
		if pt.IsMultipart() || pt.Embedded != nil {
			if pt.Embedded != nil && pt.IsAttachment {
				m.Attachments = append(m.Attachments, pt)
			}
			for _, c := range pt.Children {
				walk(c, depth+1)
			}
			return
		}
		if pt.IsAttachment {
			m.Attachments = append(m.Attachments, pt)
			return
		}
		if pt.IsText() {
			addText(pt, true)
			for _, c := range pt.Children {
				walk(c, depth+1)
			}
		}
	}
	walk(root, 0)
	m.Text = strings.Join(texts, "\n\n")
	m.HiddenText = strings.Join(hidden, "\n")
}

// fillEnvelope decodes the well-known header fields of a message.
func (p *parser) fillEnvelope(m *Message, h Headers, x *hdrIndex) {
	m.Subject = x.get(h, hSubject)
	m.FromHeader = x.get(h, hFrom)
	m.From = p.addressList(h, x, hFrom)
	m.Sender = p.addressList(h, x, hSender)
	m.ReplyTo = p.addressList(h, x, hReplyTo)
	m.To = p.addressList(h, x, hTo)
	m.Cc = p.addressList(h, x, hCc)
	m.MessageID = firstID(x.get(h, hMessageID))
	m.InReplyTo = msgIDs(x.get(h, hInReplyTo))
	m.References = msgIDs(x.get(h, hReferences))
	if d := x.get(h, hDate); d != "" {
		t, err := parseDate(d)
		if err != nil {
			m.DateErr = err.Error()
		} else {
			m.Date = t
		}
	}
}

// parseDate parses RFC 5322 dates and the common broken variants.
func parseDate(s string) (time.Time, error) {
	t, err := ParseDate(s)
	if err == nil {
		return t, nil
	}
	// Strip a trailing comment such as "(JST)" or "(GMT+09:00)" and retry.
	if i := strings.IndexByte(s, '('); i > 0 {
		if t2, err2 := ParseDate(strings.TrimSpace(s[:i])); err2 == nil {
			return t2, nil
		}
	}
	layouts := []string{
		"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon Jan 2 15:04:05 2006",
		"Mon, 02 Jan 2006 15:04:05",
		"2006-01-02 15:04:05 -0700",
		time.RFC3339,
	}
	s2 := strings.Join(strings.Fields(s), " ")
	for _, l := range layouts {
		if t2, err2 := time.Parse(l, s2); err2 == nil {
			return t2, nil
		}
	}
	return time.Time{}, err
}

// firstID is msgIDs(s)[0], or s trimmed when there is none, without
// the list.
func firstID(s string) string {
	t := strings.TrimSpace(s)
	for {
		id, rest, ok := nextMsgID(t)
		if !ok {
			break
		}
		if id != "" {
			return id
		}
		t = rest
	}
	for _, f := range strings.Fields(t) {
		if strings.Contains(f, "@") {
			return strings.Trim(f, "<>,")
		}
	}
	return strings.TrimSpace(s)
}

// nextMsgID returns the first "<id>" of s (id trimmed, maybe empty) and
// what follows it; ok is false when s holds none.
func nextMsgID(s string) (id, rest string, ok bool) {
	i := strings.IndexByte(s, '<')
	if i < 0 {
		return "", s, false
	}
	j := strings.IndexByte(s[i:], '>')
	if j < 0 {
		return "", s, false
	}
	return strings.TrimSpace(s[i+1 : i+j]), s[i+j+1:], true
}

// msgIDs extracts <id> tokens; without brackets, whitespace-separated words.
func msgIDs(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var out []string
	if n := strings.Count(s, ">"); n > 1 {
		out = make([]string, 0, min(n, 200)) // at most one id per ">"
	}
	for len(out) < 200 {
		id, rest, ok := nextMsgID(s)
		if !ok {
			break
		}
		if id != "" {
			out = append(out, id)
		}
		s = rest
	}
	if len(out) == 0 {
		out = nil // as without the room made above
		for _, f := range strings.Fields(s) {
			if strings.Contains(f, "@") {
				out = append(out, strings.Trim(f, "<>,"))
			}
		}
	}
	return out
}

// htmlMetaCharset finds a charset declared in an HTML <meta> element in
// the first 4 KiB.
func htmlMetaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	low := []byte(asciiLower(string(b)))
	for off := 0; off < len(low); {
		i := bytes.Index(low[off:], []byte("charset="))
		if i < 0 {
			return ""
		}
		i += off + len("charset=")
		off = i
		if !bytes.Contains(low[max(0, i-200):i], []byte("<meta")) {
			continue
		}
		j := i
		for j < len(low) && (low[j] == '"' || low[j] == '\'') {
			j++
		}
		k := j
		for k < len(low) && (isAlnum(low[k]) || low[k] == '-' || low[k] == '_' || low[k] == ':' || low[k] == '.') {
			k++
		}
		if k > j {
			if _, ok := lookupCharset(string(low[j:k])); ok {
				return string(low[j:k])
			}
		}
	}
	return ""
}

// substantial reports whether hidden text holds at least four letters or
// digits (a hidden full stop or spacer is no evasion).
func substantial(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
			if n >= 4 {
				return true
			}
		}
	}
	return false
}
