package rspamd

import (
	"strconv"

	"github.com/sekisho/sekisho/internal/jsonw"
)

// appendReply appends the /checkv2 reply as json.Encoder writes it (the
// same bytes, trailing newline included: maps in key order, HTML
// characters escaped), without reflection. False when it cannot: a value
// json.Encoder refuses (a NaN or infinite score), or a header value of
// another type than BuildReply makes; writeJSON then uses json.Encoder.
// replyjson_test.go compares the two.
func appendReply(b []byte, rep *Reply) ([]byte, bool) {
	ok, fine := true, true
	b = append(b, `{"is_skipped":`...)
	b = strconv.AppendBool(b, rep.IsSkipped)
	b = append(b, `,"score":`...)
	b, fine = jsonw.AppendFloat(b, rep.Score)
	ok = ok && fine
	b = append(b, `,"required_score":`...)
	b, fine = jsonw.AppendFloat(b, rep.RequiredScore)
	ok = ok && fine
	b = append(b, `,"action":`...)
	b = jsonw.AppendString(b, rep.Action)
	b = append(b, `,"symbols":`...)
	if rep.Symbols == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		var arr [64]string
		for i, k := range jsonw.SortedKeys(rep.Symbols, arr[:0]) {
			s := rep.Symbols[k]
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.AppendString(b, k)
			b = append(b, `:{"name":`...)
			b = jsonw.AppendString(b, s.Name)
			b = append(b, `,"score":`...)
			b, fine = jsonw.AppendFloat(b, s.Score)
			ok = ok && fine
			b = append(b, `,"metric_score":`...)
			b, fine = jsonw.AppendFloat(b, s.MetricScore)
			ok = ok && fine
			if s.Description != "" {
				b = append(b, `,"description":`...)
				b = jsonw.AppendString(b, s.Description)
			}
			if len(s.Options) > 0 {
				b = append(b, `,"options":`...)
				b = jsonw.AppendStrings(b, s.Options)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	b = append(b, `,"messages":`...)
	b = jsonw.AppendStringMap(b, rep.Messages)
	if rep.MessageID != "" {
		b = append(b, `,"message-id":`...)
		b = jsonw.AppendString(b, rep.MessageID)
	}
	b = append(b, `,"time_real":`...)
	b, fine = jsonw.AppendFloat(b, rep.TimeReal)
	ok = ok && fine
	if m := rep.Milter; m != nil {
		b = append(b, `,"milter":{`...)
		comma := false
		if len(m.AddHeaders) > 0 {
			b = append(b, `"add_headers":{`...)
			var arr [16]string
			for i, k := range jsonw.SortedKeys(m.AddHeaders, arr[:0]) {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsonw.AppendString(b, k)
				b = append(b, ':')
				switch v := m.AddHeaders[k].(type) {
				case hdrValue:
					b = appendHdrValue(b, v)
				case []hdrValue:
					if v == nil {
						b = append(b, "null"...)
						break
					}
					b = append(b, '[')
					for j, hv := range v {
						if j > 0 {
							b = append(b, ',')
						}
						b = appendHdrValue(b, hv)
					}
					b = append(b, ']')
				default:
					ok = false
				}
			}
			b = append(b, '}')
			comma = true
		}
		if len(m.RemoveHeaders) > 0 {
			if comma {
				b = append(b, ',')
			}
			b = append(b, `"remove_headers":{`...)
			var arr [16]string
			for i, k := range jsonw.SortedKeys(m.RemoveHeaders, arr[:0]) {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsonw.AppendString(b, k)
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(m.RemoveHeaders[k]), 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if rep.Subject != "" {
		b = append(b, `,"subject":`...)
		b = jsonw.AppendString(b, rep.Subject)
	}
	b = append(b, `,"sekisho_id":`...)
	b = jsonw.AppendString(b, rep.ScanID)
	b = append(b, `,"sekisho_category":`...)
	b = jsonw.AppendString(b, rep.Category)
	if rep.Explanation != "" {
		b = append(b, `,"sekisho_explanation":`...)
		b = jsonw.AppendString(b, rep.Explanation)
	}
	if rep.ExplanationJA != "" {
		b = append(b, `,"sekisho_explanation_ja":`...)
		b = jsonw.AppendString(b, rep.ExplanationJA)
	}
	if rep.QuarantineID != "" {
		b = append(b, `,"sekisho_quarantine_id":`...)
		b = jsonw.AppendString(b, rep.QuarantineID)
	}
	return append(b, "}\n"...), ok
}

func appendHdrValue(b []byte, v hdrValue) []byte {
	b = append(b, `{"value":`...)
	b = jsonw.AppendString(b, v.Value)
	b = append(b, `,"order":`...)
	b = strconv.AppendInt(b, int64(v.Order), 10)
	return append(b, '}')
}
