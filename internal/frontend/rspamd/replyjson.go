package rspamd

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/action"
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
			b, fine = appendSymbol(b, k, s.Name, s.Score, s.MetricScore, s.Description, s.Options)
			ok = ok && fine
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
	return appendTail(b, rep.Subject, rep.ScanID, rep.Category, rep.Explanation, rep.ExplanationJA, rep.QuarantineID), ok
}

// appendTail appends the reply's last members, from "subject" (when
// set) to "sekisho_quarantine_id", and closes it.
func appendTail(b []byte, subject, id, category, expl, explJA, quarantineID string) []byte {
	if subject != "" {
		b = append(b, `,"subject":`...)
		b = jsonw.AppendString(b, subject)
	}
	b = append(b, `,"sekisho_id":`...)
	b = jsonw.AppendString(b, id)
	b = append(b, `,"sekisho_category":`...)
	b = jsonw.AppendString(b, category)
	if expl != "" {
		b = append(b, `,"sekisho_explanation":`...)
		b = jsonw.AppendString(b, expl)
	}
	if explJA != "" {
		b = append(b, `,"sekisho_explanation_ja":`...)
		b = jsonw.AppendString(b, explJA)
	}
	if quarantineID != "" {
		b = append(b, `,"sekisho_quarantine_id":`...)
		b = jsonw.AppendString(b, quarantineID)
	}
	return append(b, "}\n"...)
}

func appendHdrValue(b []byte, v hdrValue) []byte {
	b = append(b, `{"value":`...)
	b = jsonw.AppendString(b, v.Value)
	b = append(b, `,"order":`...)
	b = strconv.AppendInt(b, int64(v.Order), 10)
	return append(b, '}')
}

// appendOutcome appends the /checkv2 reply to o, the same bytes as
// appendReply(BuildReply(o, took)), without building the Reply and its
// maps (a dozen allocations a request): the symbols and the added
// headers are ordered by name as the maps' keys would be, a symbol or a
// removed header named twice keeps what the map would. False when
// appendReply would be false (a NaN or infinite score); the caller then
// takes the plain way. replyjson_test.go compares the two.
func appendOutcome(b []byte, o *action.Outcome, took time.Duration) ([]byte, bool) {
	v := o.Verdict()
	ok, fine := true, true
	b = append(b, `{"is_skipped":`...)
	b = strconv.AppendBool(b, o.Result == nil && o.Unscanned)
	b = append(b, `,"score":`...)
	b, fine = jsonw.AppendFloat(b, v.Score)
	ok = ok && fine
	b = append(b, `,"required_score":`...)
	b, fine = jsonw.AppendFloat(b, v.RequiredScore)
	ok = ok && fine
	b = append(b, `,"action":`...)
	b = jsonw.AppendString(b, ActionName(o))
	b = append(b, `,"symbols":{`...)
	syms := v.Symbols
	var ibuf [64]int
	idx := byName(ibuf[:0], len(syms), func(i int) string { return syms[i].Name })
	first := true
	for k, i := range idx {
		if k+1 < len(idx) && syms[idx[k+1]].Name == syms[i].Name {
			continue // the map keeps the last of a name
		}
		s := &syms[i]
		if !first {
			b = append(b, ',')
		}
		first = false
		b, fine = appendSymbol(b, s.Name, s.Name, s.Score, s.Score, s.EN, s.Options)
		ok = ok && fine
	}
	b = append(b, `},"messages":{`...)
	if msg, has := smtpMessage(o); has {
		b = append(b, `"smtp_message":`...)
		b = jsonw.AppendString(b, msg)
	}
	b = append(b, '}')
	if o.Result != nil && o.Result.Msg != nil && o.Result.Msg.MessageID != "" {
		b = append(b, `,"message-id":`...)
		b = jsonw.AppendString(b, o.Result.Msg.MessageID)
	}
	b = append(b, `,"time_real":`...)
	b, fine = jsonw.AppendFloat(b, took.Seconds())
	ok = ok && fine
	if len(o.Headers) > 0 || o.NewSubject != nil || len(o.Strip) > 0 {
		b = append(b, `,"milter":{`...)
		if hs := o.Headers; len(hs) > 0 {
			b = append(b, `"add_headers":{`...)
			var hbuf [16]int
			hidx := byName(hbuf[:0], len(hs), func(i int) string { return hs[i].Name })
			for k := 0; k < len(hidx); {
				name := hs[hidx[k]].Name
				n := 1
				for k+n < len(hidx) && hs[hidx[k+n]].Name == name {
					n++
				}
				if k > 0 {
					b = append(b, ',')
				}
				b = jsonw.AppendString(b, name)
				b = append(b, ':')
				if n > 1 {
					b = append(b, '[')
				}
				for j, i := range hidx[k : k+n] {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendHdrValue(b, hdrValue{Value: strings.ReplaceAll(hs[i].Value, "\r\n", "\n"), Order: i})
				}
				if n > 1 {
					b = append(b, ']')
				}
				k += n
			}
			b = append(b, "},"...)
		}
		b = append(b, `"remove_headers":{`...)
		b = appendRemoveHeaders(b, o.Strip)
		b = append(b, "}}"...)
	}
	subject := ""
	if o.NewSubject != nil {
		subject = *o.NewSubject
	}
	return appendTail(b, subject, o.ID, string(v.Category), v.Explanation, v.ExplanationJA, o.QuarantineID), ok
}

// byName appends 0..n-1 to idx ordered by name(i), equal names in their
// order (a stable sort in place: it allocates nothing, and stays
// O(n log n) however many entries a reply has).
func byName(idx []int, n int, name func(int) string) []int {
	for i := range n {
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(name(a), name(b)) })
	return idx
}

// removeFixed are the names remove_headers always holds (BuildReply),
// in order.
var removeFixed = [...]string{"X-Sekisho-Verdict", "X-Spam-Flag", "X-Spam-Score", "X-Spam-Status", "X-Spam-Symbols"}

// appendRemoveHeaders appends remove_headers' members as BuildReply's
// map makes them: the fixed names and the forged fields' names, each
// once, in order; 0 for all but Authentication-Results, which keeps the
// index of its first forged copy. The names are sorted and then made
// unique (not looked up in the list for each field, which was quadratic
// in the forged fields: a message can carry up to [limits] max_headers
// X-Spam-* fields of distinct names).
func appendRemoveHeaders(b []byte, strip []action.StripField) []byte {
	var nbuf [16]string
	names := append(nbuf[:0], removeFixed[:]...)
	arIndex, arSeen := 0, false
	for _, sf := range strip {
		if sf.Name == "Authentication-Results" && !arSeen {
			arIndex, arSeen = sf.Index, true
		}
		names = append(names, sf.Name)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, n)
		b = append(b, ':')
		if n == "Authentication-Results" {
			b = strconv.AppendInt(b, int64(arIndex), 10)
		} else {
			b = append(b, '0')
		}
	}
	return b
}

// appendSymbol appends one member of the reply's "symbols" object: key,
// then the symbol as json.Encoder writes a Symbol. ok is false when a
// score is NaN or infinite (json refuses those).
func appendSymbol(b []byte, key, name string, score, metric float64, desc string, opts []string) (_ []byte, ok bool) {
	b = jsonw.AppendString(b, key)
	b = append(b, `:{"name":`...)
	b = jsonw.AppendString(b, name)
	b = append(b, `,"score":`...)
	b, ok = jsonw.AppendFloat(b, score)
	b = append(b, `,"metric_score":`...)
	b, fine := jsonw.AppendFloat(b, metric)
	if desc != "" {
		b = append(b, `,"description":`...)
		b = jsonw.AppendString(b, desc)
	}
	if len(opts) > 0 {
		b = append(b, `,"options":`...)
		b = jsonw.AppendStrings(b, opts)
	}
	return append(b, '}'), ok && fine
}
