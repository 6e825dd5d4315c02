package quarantine

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// The verdict, links and attachments columns are JSON. They are written
// here without reflection, byte for byte what encoding/json.Marshal
// writes for the same values (HTML characters escaped, map keys sorted,
// the same float format, "null" for nil slices): the history writer
// encodes every scan, and json.Marshal of a verdict with its symbols and
// both explanations cost some 100,000 instructions and a dozen
// allocations a message. jsonenc_test.go compares the two encodings
// (TestJSONMatchesMarshal, FuzzJSONMatchesMarshal) and fails when one of
// the encoded types gains or loses a field.
//
// A value json.Marshal refuses (a NaN or infinite score) makes the
// append functions report false; build then calls json.Marshal as
// before, which fails the same way.

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string holds as they are:
// printable, and neither a quote, a backslash nor an HTML special
// character (<, >, &: encoding/json escapes those by default).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s as a JSON string, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat appends f as encoding/json writes a float64; false for
// NaN and infinities, which it refuses.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// A one-digit negative exponent without its zero: e-07 → e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendVerdictJSON appends json.Marshal(v).
func appendVerdictJSON(b []byte, v *pipeline.Verdict) ([]byte, bool) {
	ok := true
	var fine bool
	b = append(b, `{"action":`...)
	b = appendJSONString(b, string(v.Action))
	b = append(b, `,"category":`...)
	b = appendJSONString(b, string(v.Category))
	b = append(b, `,"score":`...)
	b, fine = appendJSONFloat(b, v.Score)
	ok = ok && fine
	b = append(b, `,"required_score":`...)
	b, fine = appendJSONFloat(b, v.RequiredScore)
	ok = ok && fine
	b = append(b, `,"symbols":`...)
	if v.Symbols == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range v.Symbols {
			s := &v.Symbols[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, s.Name)
			b = append(b, `,"score":`...)
			b, fine = appendJSONFloat(b, s.Score)
			ok = ok && fine
			b = append(b, `,"options":`...)
			b = appendJSONStrings(b, s.Options)
			if s.Category != "" {
				b = append(b, `,"category":`...)
				b = appendJSONString(b, string(s.Category))
			}
			if s.EN != "" {
				b = append(b, `,"description":`...)
				b = appendJSONString(b, s.EN)
			}
			if s.JA != "" {
				b = append(b, `,"description_ja":`...)
				b = appendJSONString(b, s.JA)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"explanation":`...)
	b = appendJSONString(b, v.Explanation)
	b = append(b, `,"explanation_ja":`...)
	b = appendJSONString(b, v.ExplanationJA)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, v.Reason)
	if v.SubjectPrefix != "" {
		b = append(b, `,"subject_prefix":`...)
		b = appendJSONString(b, v.SubjectPrefix)
	}
	if len(v.Attachments) > 0 {
		b = append(b, `,"attachments":`...)
		b = appendAttachmentsJSON(b, v.Attachments)
	}
	if a := v.Auth; a != nil {
		b = append(b, `,"auth":{"authserv_id":`...)
		b = appendJSONString(b, a.ServID)
		if len(a.Methods) > 0 {
			b = append(b, `,"methods":[`...)
			for i := range a.Methods {
				m := &a.Methods[i]
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"method":`...)
				b = appendJSONString(b, m.Method)
				b = append(b, `,"result":`...)
				b = appendJSONString(b, m.Result)
				if len(m.Props) > 0 {
					b = append(b, `,"props":`...)
					b = appendStringMapJSON(b, m.Props)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if len(v.Headers) > 0 {
		b = append(b, `,"headers":[`...)
		for i, h := range v.Headers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, h.Name)
			b = append(b, `,"value":`...)
			b = appendJSONString(b, h.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(v.TempfailReasons) > 0 {
		b = append(b, `,"tempfail_reasons":`...)
		b = appendJSONStrings(b, v.TempfailReasons)
	}
	if v.OutboundHold {
		b = append(b, `,"outbound_hold":true`...)
	}
	return append(b, '}'), ok
}

// appendStringMapJSON appends a map[string]string as encoding/json does:
// keys sorted (as strings, before escaping).
func appendStringMapJSON(b []byte, m map[string]string) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// appendAttachmentsJSON appends json.Marshal(as).
func appendAttachmentsJSON(b []byte, as []pipeline.AttachmentInfo) []byte {
	if as == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range as {
		a := &as[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"path":`...)
		b = appendJSONString(b, a.Path)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, a.Name)
		if a.DeclaredType != "" {
			b = append(b, `,"declared_type":`...)
			b = appendJSONString(b, a.DeclaredType)
		}
		if a.DetectedType != "" {
			b = append(b, `,"detected_type":`...)
			b = appendJSONString(b, a.DetectedType)
		}
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		b = append(b, `,"sha256":`...)
		b = appendJSONString(b, a.SHA256)
		if a.Encrypted {
			b = append(b, `,"encrypted":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendURLJSON appends json.Marshal(URLInfo{...}) of one link, its
// SHA256 given as the raw digest (written in hex).
func appendURLJSON(b []byte, u *URLInfo, sum *[32]byte) []byte {
	b = append(b, `{"url":`...)
	b = appendJSONString(b, u.URL)
	if u.Host != "" {
		b = append(b, `,"host":`...)
		b = appendJSONString(b, u.Host)
	}
	if u.Source != "" {
		b = append(b, `,"source":`...)
		b = appendJSONString(b, u.Source)
	}
	if u.Anchor != "" {
		b = append(b, `,"anchor":`...)
		b = appendJSONString(b, u.Anchor)
	}
	if u.Part != "" {
		b = append(b, `,"part":`...)
		b = appendJSONString(b, u.Part)
	}
	if u.Hidden {
		b = append(b, `,"hidden":true`...)
	}
	b = append(b, `,"sha256":`...)
	if sum == nil {
		b = appendJSONString(b, u.SHA256)
	} else {
		b = append(b, '"')
		b = hex.AppendEncode(b, sum[:])
		b = append(b, '"')
	}
	return append(b, '}')
}
