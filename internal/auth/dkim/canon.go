package dkim

import (
	"bytes"
	"hash"
	"strings"
	"sync/atomic"
)

// Canonicalization is "simple" or "relaxed" (RFC 6376 §3.4).
type Canonicalization string

// Canonicalizations.
const (
	Simple  Canonicalization = "simple"
	Relaxed Canonicalization = "relaxed"
)

// ParseCanon parses a c= value ("relaxed/simple"; body defaults to simple,
// a missing c= is simple/simple). ok is false for an unknown algorithm.
func ParseCanon(c string) (header, body Canonicalization, ok bool) {
	c = StripWSP(c)
	if c == "" {
		return Simple, Simple, true
	}
	h, b, _ := strings.Cut(c, "/")
	if b == "" {
		b = "simple"
	}
	header, body = Canonicalization(strings.ToLower(h)), Canonicalization(strings.ToLower(b))
	valid := func(x Canonicalization) bool { return x == Simple || x == Relaxed }
	return header, body, valid(header) && valid(body)
}

// Field is one raw header field: Name as written and Raw the whole field
// "Name: value\r\n" with folding kept.
type Field struct {
	Name string
	Raw  string
}

// Value returns the raw value after the colon (folding kept, CRLF removed).
func (f Field) Value() string {
	i := strings.IndexByte(f.Raw, ':')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(f.Raw[i+1:], "\r\n")
}

// CanonHeader canonicalizes one header field (§3.4.1, §3.4.2), with the
// trailing CRLF.
func CanonHeader(c Canonicalization, f Field) string {
	raw := f.Raw
	if !strings.HasSuffix(raw, "\r\n") {
		raw += "\r\n"
	}
	if c != Relaxed {
		return raw
	}
	i := strings.IndexByte(raw, ':')
	if i < 0 {
		return raw
	}
	name := strings.ToLower(strings.TrimRight(raw[:i], " \t"))
	v := raw[i+1 : len(raw)-2]
	// Unfold, compress WSP runs to one space, trim.
	var b strings.Builder
	b.Grow(len(name) + len(v) + 3)
	b.WriteString(name)
	b.WriteByte(':')
	space := false
	started := false
	for j := 0; j < len(v); j++ {
		c := v[j]
		switch c {
		case '\r', '\n':
			continue
		case ' ', '\t':
			space = true
			continue
		}
		if space && started {
			b.WriteByte(' ')
		}
		space = false
		started = true
		b.WriteByte(c)
	}
	b.WriteString("\r\n")
	return b.String()
}

// BodyHasher feeds a body through canonicalization (§3.4.3, §3.4.4) into
// a hash, honouring an l= limit (-1 for none). Call Write with the whole
// body (CRLF line ends), then Sum.
type BodyHasher struct {
	c       Canonicalization
	h       hash.Hash
	limit   int64
	written int64
}

// NewBodyHasher makes a body hasher.
func NewBodyHasher(c Canonicalization, h hash.Hash, limit int64) *BodyHasher {
	return &BodyHasher{c: c, h: h, limit: limit}
}

// CanonBody returns the canonical body.
func CanonBody(c Canonicalization, body []byte) []byte {
	lines := bytes.SplitAfter(body, []byte("\r\n"))
	var out bytes.Buffer
	out.Grow(len(body) + 2)
	pendingEmpty := 0
	for _, ln := range lines {
		if len(ln) == 0 {
			continue
		}
		content := bytes.TrimSuffix(ln, []byte("\r\n"))
		if c == Relaxed {
			content = relaxLine(content)
		}
		if len(content) == 0 {
			pendingEmpty++
			continue
		}
		for ; pendingEmpty > 0; pendingEmpty-- {
			out.WriteString("\r\n")
		}
		out.Write(content)
		out.WriteString("\r\n")
	}
	if out.Len() == 0 && c == Simple {
		// §3.4.3: an empty body is canonicalized as a single CRLF.
		return []byte("\r\n")
	}
	return out.Bytes()
}

func relaxLine(l []byte) []byte {
	var out []byte
	space := false
	for _, c := range l {
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	return out
}

// Write hashes the canonical form of the whole body.
func (b *BodyHasher) Write(body []byte) {
	cb := CanonBody(b.c, body)
	if b.limit >= 0 && int64(len(cb)) > b.limit {
		cb = cb[:b.limit]
	}
	b.written = int64(len(cb))
	b.h.Write(cb)
}

// Sum returns the body hash.
func (b *BodyHasher) Sum() []byte { return b.h.Sum(nil) }

// HeaderSplits counts SplitMessage calls (tests check how often a served
// message's header block is split).
var HeaderSplits atomic.Int64

// SplitMessage splits a raw message (line ends normalised to CRLF) into
// header fields and body. At most maxFields fields are returned.
func SplitMessage(raw []byte, maxFields int) ([]Field, []byte) {
	HeaderSplits.Add(1)
	raw = NormalizeCRLF(raw)
	var fields []Field
	pos := 0
	for pos < len(raw) {
		if bytes.HasPrefix(raw[pos:], []byte("\r\n")) {
			return fields, raw[pos+2:]
		}
		end := pos
		for {
			i := bytes.Index(raw[end:], []byte("\r\n"))
			if i < 0 {
				end = len(raw)
				break
			}
			end += i + 2
			if end >= len(raw) || (raw[end] != ' ' && raw[end] != '\t') {
				break
			}
		}
		line := string(raw[pos:end])
		pos = end
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue // not a field; tolerated
		}
		if len(fields) < maxFields {
			fields = append(fields, Field{Name: strings.TrimRight(name, " \t"), Raw: line})
		}
	}
	return fields, nil
}

// NormalizeCRLF turns bare LF (stored mail) into CRLF; it returns raw
// itself when every LF already has its CR.
func NormalizeCRLF(raw []byte) []byte {
	bare := false
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			bare = true
			break
		}
	}
	if !bare {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(raw)/32)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// SelectHeaders picks the fields named in h= for signing (§5.4.2): for
// a name listed n times, the n last instances bottom-up; a name with no
// instance left contributes nothing (the "oversigned" null string).
func SelectHeaders(fields []Field, names []string) []Field {
	used := map[int]bool{}
	var out []Field
	for _, n := range names {
		for i := len(fields) - 1; i >= 0; i-- {
			if used[i] || !strings.EqualFold(fields[i].Name, n) {
				continue
			}
			used[i] = true
			out = append(out, fields[i])
			break
		}
	}
	return out
}
