package quarantine

import (
	"encoding/hex"
	"strconv"

	"github.com/sekisho/sekisho/internal/jsonw"
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

// appendVerdictJSON appends json.Marshal(v); with refs, a symbol's
// descriptions that refs names by key are written as that key instead
// ("dref", desctext.go).
func appendVerdictJSON(b []byte, v *pipeline.Verdict, refs *descRefs) ([]byte, bool) {
	ok := true
	var fine bool
	b = append(b, `{"action":`...)
	b = jsonw.AppendString(b, string(v.Action))
	b = append(b, `,"category":`...)
	b = jsonw.AppendString(b, string(v.Category))
	b = append(b, `,"score":`...)
	b, fine = jsonw.AppendFloat(b, v.Score)
	ok = ok && fine
	b = append(b, `,"required_score":`...)
	b, fine = jsonw.AppendFloat(b, v.RequiredScore)
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
			b = jsonw.AppendString(b, s.Name)
			b = append(b, `,"score":`...)
			b, fine = jsonw.AppendFloat(b, s.Score)
			ok = ok && fine
			b = append(b, `,"options":`...)
			b = jsonw.AppendStrings(b, s.Options)
			if s.Category != "" {
				b = append(b, `,"category":`...)
				b = jsonw.AppendString(b, string(s.Category))
			}
			if key := refs.ref(s.EN, s.JA); key != "" {
				b = append(b, `,`+drefMarker...)
				b = append(b, key...)
				b = append(b, '"')
			} else {
				if s.EN != "" {
					b = append(b, `,"description":`...)
					b = appendDescJSON(b, s.EN)
				}
				if s.JA != "" {
					b = append(b, `,"description_ja":`...)
					b = appendDescJSON(b, s.JA)
				}
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"explanation":`...)
	b = jsonw.AppendString(b, v.Explanation)
	b = append(b, `,"explanation_ja":`...)
	b = jsonw.AppendString(b, v.ExplanationJA)
	b = append(b, `,"reason":`...)
	b = jsonw.AppendString(b, v.Reason)
	if v.SubjectPrefix != "" {
		b = append(b, `,"subject_prefix":`...)
		b = jsonw.AppendString(b, v.SubjectPrefix)
	}
	if len(v.Attachments) > 0 {
		b = append(b, `,"attachments":`...)
		b = appendAttachmentsJSON(b, v.Attachments)
	}
	if a := v.Auth; a != nil {
		b = append(b, `,"auth":{"authserv_id":`...)
		b = jsonw.AppendString(b, a.ServID)
		if len(a.Methods) > 0 {
			b = append(b, `,"methods":[`...)
			for i := range a.Methods {
				m := &a.Methods[i]
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"method":`...)
				b = jsonw.AppendString(b, m.Method)
				b = append(b, `,"result":`...)
				b = jsonw.AppendString(b, m.Result)
				if len(m.Props) > 0 {
					b = append(b, `,"props":`...)
					b = jsonw.AppendStringMap(b, m.Props)
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
			b = jsonw.AppendString(b, h.Name)
			b = append(b, `,"value":`...)
			b = jsonw.AppendString(b, h.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(v.TempfailReasons) > 0 {
		b = append(b, `,"tempfail_reasons":`...)
		b = jsonw.AppendStrings(b, v.TempfailReasons)
	}
	if v.OutboundHold {
		b = append(b, `,"outbound_hold":true`...)
	}
	return append(b, '}'), ok
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
		b = jsonw.AppendString(b, a.Path)
		b = append(b, `,"name":`...)
		b = jsonw.AppendString(b, a.Name)
		if a.DeclaredType != "" {
			b = append(b, `,"declared_type":`...)
			b = jsonw.AppendString(b, a.DeclaredType)
		}
		if a.DetectedType != "" {
			b = append(b, `,"detected_type":`...)
			b = jsonw.AppendString(b, a.DetectedType)
		}
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		b = append(b, `,"sha256":`...)
		b = jsonw.AppendString(b, a.SHA256)
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
	b = jsonw.AppendString(b, u.URL)
	if u.Host != "" {
		b = append(b, `,"host":`...)
		b = jsonw.AppendString(b, u.Host)
	}
	if u.Source != "" {
		b = append(b, `,"source":`...)
		b = jsonw.AppendString(b, u.Source)
	}
	if u.Anchor != "" {
		b = append(b, `,"anchor":`...)
		b = jsonw.AppendString(b, u.Anchor)
	}
	if u.Part != "" {
		b = append(b, `,"part":`...)
		b = jsonw.AppendString(b, u.Part)
	}
	if u.Hidden {
		b = append(b, `,"hidden":true`...)
	}
	b = append(b, `,"sha256":`...)
	if sum == nil {
		b = jsonw.AppendString(b, u.SHA256)
	} else {
		b = append(b, '"')
		b = hex.AppendEncode(b, sum[:])
		b = append(b, '"')
	}
	return append(b, '}')
}
