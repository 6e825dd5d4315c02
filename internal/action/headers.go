package action

import (
	"bytes"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// AuthenticationResults writes the value of an Authentication-Results
// header (RFC 8601) from the results the auth analyzer recorded.
//
// It writes what authres.Format writes for the methods as generic
// results (FuzzAuthenticationResults compares the two), in one buffer:
// go-msgauth builds the value by string concatenation, some 20
// allocations a message.
func AuthenticationResults(a *pipeline.AuthResults) string {
	if len(a.Methods) == 0 {
		return a.ServID + "; none"
	}
	n := len(a.ServID)
	for _, m := range a.Methods {
		n += 4 + len(m.Method) + len(m.Result)
		for k, v := range m.Props {
			n += len(k) + len(v) + 4
		}
	}
	b := make([]byte, 0, n+8)
	b = append(b, a.ServID...)
	for _, m := range a.Methods {
		b = append(b, "; "...)
		b = append(b, m.Method...)
		b = append(b, '=')
		b = append(b, m.Result...)
		b = append(b, ' ')
		b = appendAuthParams(b, m.Props)
	}
	// b is not written again: the string shares it (as strings.Builder
	// does).
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendAuthParams writes a result's properties as go-msgauth does: a
// non-empty "reason" first, then the others with a value in name order,
// separated by one space; the reason as an RFC 2045 value, the others
// as an address when they look like one.
func appendAuthParams(b []byte, params map[string]string) []byte {
	var kb [8]string
	keys := kb[:0]
	for k, v := range params {
		if k != "reason" && v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	sep := false
	if r := params["reason"]; r != "" {
		b = append(b, "reason="...)
		b = appendAuthValue(b, r)
		sep = true
	}
	for _, k := range keys {
		if sep {
			b = append(b, ' ')
		}
		sep = true
		b = append(b, k...)
		b = append(b, '=')
		if v := params[k]; authAddressLike(v) {
			b = append(b, v...)
		} else {
			b = appendAuthValue(b, v)
		}
	}
	return b
}

// authTSpecial holds the ASCII characters an RFC 2045 token cannot
// hold besides space and controls; authAddressOK the punctuation an
// address-like property value may hold unquoted (go-msgauth's lists).
var authTSpecial, authAddressOK = func() (t, a [128]bool) {
	for _, c := range `()<>@,;:\"/[]?=` {
		t[c] = true
	}
	for _, c := range "#$%&'*+,./-@[]\\^_`{|}~" {
		a[c] = true
	}
	return t, a
}()

// authAddressLike: every character is a letter, a digit or in
// authAddressOK (an invalid byte reads as U+FFFD, neither).
func authAddressLike(s string) bool {
	for _, c := range s {
		if c < utf8.RuneSelf {
			if !authAddressOK[c] && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		} else if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// appendAuthValue writes s as a token, or quoted (its double quotes
// escaped, nothing else) when it holds a space, a control or a tspecial.
func appendAuthValue(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c < utf8.RuneSelf && authTSpecial[c] {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// Field is one raw header field of a message: its name, its raw value
// (unfolded lines joined with their original CRLF+WSP) and where it sits.
type Field struct {
	Name  string
	Value string // raw, may contain "\r\n\t" folds, without the trailing CRLF
}

// SplitMessage splits raw bytes into the header block (including the
// blank separator line, if any) and the body. It accepts CRLF and bare LF.
//
// The action step splits only bytes it did not parse (a message it
// built); for the message it scanned it uses the parser's offsets
// (Outcome.Apply, mail.Message.Split).
func SplitMessage(raw []byte) (header, body []byte) {
	mail.HeaderSplits.Add(1)
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			end := i + j + 1
			return raw[:end], raw[end:]
		}
		i += j + 1
	}
	return raw, nil
}

// ParseFields reads the fields of a header block, at most max of them.
// Lines that are not fields (no colon) are skipped: hostile input.
//
// Linear in the block: folded lines are gathered in one builder per field
// (a field of many continuation lines must not cost their square).
func ParseFields(header []byte, max int) []Field {
	var out []Field
	var cont strings.Builder // continuation lines of the last field
	flush := func() {
		if cont.Len() > 0 && len(out) > 0 {
			out[len(out)-1].Value += cont.String()
		}
		cont.Reset()
	}
	s := string(header)
	for len(s) > 0 {
		l := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i+1], s[i+1:]
		} else {
			s = ""
		}
		t := strings.TrimRight(l, "\r\n")
		if t == "" {
			break
		}
		if (t[0] == ' ' || t[0] == '\t') && len(out) > 0 {
			cont.WriteString("\r\n")
			cont.WriteString(t)
			continue
		}
		i := strings.IndexByte(t, ':')
		if i <= 0 {
			continue
		}
		flush()
		if len(out) >= max {
			return out
		}
		out = append(out, Field{Name: strings.TrimSpace(t[:i]), Value: strings.TrimLeft(t[i+1:], " \t")})
	}
	flush()
	return out
}

// Fold folds a header value at spaces so that no line of "Name: value"
// passes about 78 columns. Values are ASCII (encode first).
func Fold(name, value string) string {
	// A line only breaks before a word that would end past column 78:
	// a value that ends before it stays as it is.
	if len(name)+2+len(value) <= 78 {
		return value
	}
	var b strings.Builder
	b.Grow(len(value) + len(value)/16 + 8)
	col := len(name) + 2
	for i := 0; ; i++ {
		w, rest, more := strings.Cut(value, " ")
		if i > 0 {
			if col+1+len(w) > 78 && col > len(name)+2 {
				b.WriteString("\r\n\t")
				col = 1
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
		if !more {
			return b.String()
		}
		value = rest
	}
}

// SubjectRewrite returns the new raw Subject value for a prefix. The
// original raw value is kept byte for byte after the prefix when it is
// ASCII (plain or RFC 2047 encoded words), so its charset and encoding are
// untouched; an unlabelled 8-bit subject is replaced by the decoded text
// re-encoded as UTF-8 encoded words. A non-ASCII prefix is itself encoded.
// Already-prefixed subjects are left alone (returns "", false).
func SubjectRewrite(rawValue, decoded, prefix string) (string, bool) {
	prefix = noBreaks(prefix)
	if prefix == "" || strings.HasPrefix(strings.TrimSpace(decoded), prefix) {
		return "", false
	}
	decoded = noBreaks(decoded)
	rawValue = cleanFolds(rawValue)
	p := prefix
	if !isASCII(prefix) {
		// The trailing space is inside the encoded word: whitespace between
		// two encoded words is dropped by readers (RFC 2047 §6.2).
		p = mime.BEncoding.Encode("UTF-8", prefix+" ")
	}
	raw := strings.TrimSpace(rawValue)
	if raw == "" {
		return strings.TrimSpace(p), true
	}
	if isASCII(raw) {
		return p + " " + raw, true
	}
	if !utf8.ValidString(decoded) {
		decoded = strings.ToValidUTF8(decoded, "\uFFFD")
	}
	return encodeWords(prefix + " " + decoded), true
}

// noBreaks turns CR and LF into spaces.
func noBreaks(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// cleanFolds keeps "CRLF + WSP" folds of a raw header value and turns any
// other CR or LF (hostile input) into a space.
func cleanFolds(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' && i+2 < len(s) && s[i+1] == '\n' && (s[i+2] == ' ' || s[i+2] == '\t') {
			b.WriteString("\r\n")
			i++
			continue
		}
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b.WriteByte(c)
	}
	return b.String()
}

// encodeWords encodes UTF-8 text as folded B encoded words.
func encodeWords(s string) string {
	enc := mime.BEncoding.Encode("UTF-8", s)
	// mime separates encoded words with single spaces; fold there.
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0 {
			return false
		}
	}
	return true
}

// EncodeHeaderText encodes free text (Japanese explanations) for a header.
func EncodeHeaderText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	if isASCII(s) {
		return s
	}
	return encodeWords(s)
}

// ApplyToMessage returns raw with the added fields at the top of the header
// block and the Subject replaced (when newSubject is set), and the body
// replaced when newBody is not nil. Line endings of the input are kept.
func ApplyToMessage(raw []byte, add []pipeline.HeaderField, newSubject *string, newBody []byte) []byte {
	header, body := SplitMessage(raw)
	return applyParts(header, body, len(raw), add, newSubject, newBody, "")
}

// applyParts is ApplyToMessage over a header block already split off;
// with servID set, forged copies of sekisho's headers are dropped first.
func applyParts(header, body []byte, size int, add []pipeline.HeaderField, newSubject *string, newBody []byte, servID string) []byte {
	header = stripHeader(header, servID)
	nl := "\r\n"
	if !bytes.Contains(header, []byte("\r\n")) && bytes.Contains(header, []byte("\n")) {
		nl = "\n"
	}
	var b bytes.Buffer
	b.Grow(size + 1024)
	for _, f := range add {
		b.WriteString(f.Name + ": " + strings.ReplaceAll(f.Value, "\r\n", nl) + nl)
	}
	if newSubject != nil {
		header = replaceField(header, "Subject", *newSubject, nl)
	}
	b.Write(header)
	if newBody != nil {
		b.Write(newBody)
	} else {
		b.Write(body)
	}
	return b.Bytes()
}

// split returns raw's header block and body from the parser's offsets
// when raw is the message the outcome scanned, else by splitting.
func (o *Outcome) split(raw []byte) (header, body []byte) {
	if o != nil && o.Result != nil {
		if h, b, ok := o.Result.Msg.Split(raw); ok {
			return h, b
		}
	}
	return SplitMessage(raw)
}

// Apply returns raw as the outcome delivers it: its headers added, the
// subject tagged, the body replaced (banner). raw is the message the
// outcome scanned; its header block is not split again.
func (o *Outcome) Apply(raw []byte) []byte {
	h, b := o.split(raw)
	return applyParts(h, b, len(raw), o.Headers, o.NewSubject, o.NewBody, o.ServID)
}

// ApplyWith is Apply with first added above the outcome's headers (the
// SMTP gateway's Received field).
func (o *Outcome) ApplyWith(raw []byte, first ...pipeline.HeaderField) []byte {
	h, b := o.split(raw)
	return applyParts(h, b, len(raw), append(first, o.Headers...), o.NewSubject, o.NewBody, o.ServID)
}

// ApplyHeader is the header block of Apply(raw) (with its blank line),
// without the body: spamd's HEADERS reply.
func (o *Outcome) ApplyHeader(raw []byte) []byte {
	h, _ := o.split(raw)
	return applyParts(h, nil, len(h), o.Headers, o.NewSubject, nil, o.ServID)
}

// replaceField replaces the first field called name (with its folded
// lines), or appends one before the blank line.
func replaceField(header []byte, name, value, nl string) []byte {
	lines := strings.SplitAfter(string(header), "\n")
	var b strings.Builder
	done := false
	skipping := false
	for _, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if skipping {
			if t != "" && (t[0] == ' ' || t[0] == '\t') {
				continue
			}
			skipping = false
		}
		if !done && t == "" && l != "" {
			b.WriteString(name + ": " + strings.ReplaceAll(value, "\r\n", nl) + nl)
			done = true
		}
		if !done {
			if i := strings.IndexByte(t, ':'); i > 0 && strings.EqualFold(strings.TrimSpace(t[:i]), name) {
				b.WriteString(name + ": " + strings.ReplaceAll(value, "\r\n", nl) + nl)
				done, skipping = true, true
				continue
			}
		}
		b.WriteString(l)
	}
	if !done {
		b.WriteString(name + ": " + strings.ReplaceAll(value, "\r\n", nl) + nl)
	}
	return []byte(b.String())
}

// symbolList formats "NAME(score)" items.
func symbolList(v *pipeline.Verdict, withScore bool) string {
	if len(v.Symbols) == 0 {
		return ""
	}
	n := 0
	for _, s := range v.Symbols {
		n += len(s.Name) + 2
		if withScore {
			n += 10
		}
	}
	b := make([]byte, 0, n)
	for i, s := range v.Symbols {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = append(b, s.Name...)
		if withScore {
			b = append(b, '(')
			b = strconv.AppendFloat(b, s.Score, 'f', 2, 64)
			b = append(b, ')')
		}
	}
	return string(b)
}

// appendTests appends the symbol names joined by commas, without the
// spaces any name holds (X-Spam-Status' tests=).
func appendTests(b []byte, v *pipeline.Verdict) []byte {
	for i, s := range v.Symbols {
		if i > 0 {
			b = append(b, ',')
		}
		if strings.IndexByte(s.Name, ' ') < 0 {
			b = append(b, s.Name...)
			continue
		}
		for j := 0; j < len(s.Name); j++ {
			if s.Name[j] != ' ' {
				b = append(b, s.Name[j])
			}
		}
	}
	return b
}
