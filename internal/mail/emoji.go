package mail

import (
	"strings"

	"golang.org/x/text/encoding/japanese"
)

// Japanese mobile carriers' emoji (絵文字) in legacy encodings.
//
// Mail from docomo, au (KDDI) and SoftBank phones carries emoji as
// Shift_JIS codes in the CP932 user-defined area, which x/text (the WHATWG
// index) does not map: they used to decode to U+FFFD. The Unicode 6.0
// mapping (UCD EmojiSources.txt, emoji_table.go) gives each carrier code its
// Unicode emoji:
//
//	docomo    F89F–F9FC
//	au (KDDI) F340–F7FC; in mail au uses its "email" codes instead, the
//	          same cells in other rows: Shift_JIS lead EB, EC, ED, EE stand
//	          for F6, F7, F3, F4, and in ISO-2022-JP these are JIS X 0208
//	          rows 0x75–0x7C (standard JIS→Shift_JIS conversion)
//	SoftBank  F741–F7FC, F941–F9FC, FB41–FBD7
//
// The ranges overlap (F7xx: au and SoftBank; F9xx: docomo and SoftBank),
// and SoftBank's FBxx row is also CP932's IBM extension kanji. So the
// sender's carrier decides when it is known (From on a carrier domain);
// au's email rows ED/EE (JIS 0x79–0x7C) are CP932's NEC-selected IBM
// kanji, so they map only for a known au sender;
// otherwise codes only one carrier uses vote for it, and ambiguous codes go
// to the carrier that voted, else to the larger table (au for F7, docomo
// for F9). The FBxx row maps only for a known SoftBank sender: elsewhere it
// is kanji.

type carrier uint8

const (
	carrierUnknown carrier = iota
	carrierDocomo
	carrierKDDI
	carrierSoftBank
)

// carrierOf returns the mobile carrier of an address or From header value.
func carrierOf(from string) carrier {
	at := strings.LastIndexByte(from, '@')
	if at < 0 {
		return carrierUnknown
	}
	d := from[at+1:]
	if i := strings.IndexAny(d, "> \t\r\n,;\"()"); i >= 0 {
		d = d[:i]
	}
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	is := func(dom string) bool { return d == dom || strings.HasSuffix(d, "."+dom) }
	switch {
	case is("docomo.ne.jp"):
		return carrierDocomo
	case is("ezweb.ne.jp"), is("au.com"), is("biz.ezweb.ne.jp"):
		return carrierKDDI
	case is("softbank.ne.jp"), is("i.softbank.jp"), is("disney.ne.jp"), is("vodafone.ne.jp"):
		return carrierSoftBank
	}
	return carrierUnknown
}

func (c carrier) table() map[uint16]string {
	switch c {
	case carrierDocomo:
		return docomoEmoji
	case carrierKDDI:
		return kddiEmoji
	case carrierSoftBank:
		return softbankEmoji
	}
	return nil
}

// emojiChooser resolves a carrier code for one text.
type emojiChooser struct {
	known        carrier
	docomo, kddi bool // codes only that carrier uses were seen
}

// lookup returns the emoji for a Shift_JIS code the standard decoder could
// not map (or, for SoftBank senders, the FBxx row).
func (ch *emojiChooser) lookup(code uint16) (string, bool) {
	if web, ok := kddiMailToWeb(code); ok {
		lead := code >> 8
		if ch.known == carrierKDDI || ch.known == carrierUnknown && (lead == 0xEB || lead == 0xEC) {
			e, found := kddiEmoji[web]
			return e, found
		}
		return "", false
	}
	if t := ch.known.table(); t != nil {
		e, ok := t[code]
		return e, ok
	}
	lead := code >> 8
	var order []carrier
	switch {
	case lead >= 0xF3 && lead <= 0xF6:
		order = []carrier{carrierKDDI}
	case lead == 0xF8:
		order = []carrier{carrierDocomo}
	case lead == 0xF7:
		order = []carrier{carrierKDDI, carrierSoftBank}
		if ch.docomo && !ch.kddi {
			order = []carrier{carrierSoftBank, carrierKDDI}
		}
	case lead == 0xF9:
		order = []carrier{carrierDocomo, carrierSoftBank}
		if ch.kddi && !ch.docomo {
			order = []carrier{carrierSoftBank, carrierDocomo}
		}
	}
	for _, c := range order {
		if e, ok := c.table()[code]; ok {
			return e, true
		}
	}
	return "", false
}

// kddiMailToWeb turns au's email Shift_JIS code into the EmojiSources one.
func kddiMailToWeb(code uint16) (uint16, bool) {
	var lead uint16
	switch code >> 8 {
	case 0xEB:
		lead = 0xF6
	case 0xEC:
		lead = 0xF7
	case 0xED:
		lead = 0xF3
	case 0xEE:
		lead = 0xF4
	default:
		return 0, false
	}
	return lead<<8 | code&0xFF, true
}

// sjisUnmapped reports whether the standard decoder leaves a Shift_JIS
// lead byte unmapped: F0–F9 is CP932's user-defined area, EB–EC unused.
func sjisUnmapped(lead byte) bool {
	return lead >= 0xF0 && lead <= 0xF9 || lead == 0xEB || lead == 0xEC
}

// sjisCandidate reports whether a code may be a carrier emoji for c.
func sjisCandidate(lead byte, c carrier) bool {
	return sjisUnmapped(lead) || lead == 0xFB && c == carrierSoftBank || (lead == 0xED || lead == 0xEE) && c == carrierKDDI
}

func sjisLead(c byte) bool  { return c >= 0x81 && c <= 0x9F || c >= 0xE0 && c <= 0xFC }
func sjisTrail(c byte) bool { return c >= 0x40 && c <= 0x7E || c >= 0x80 && c <= 0xFC }

// decodeSJISEmoji decodes Shift_JIS with carrier emoji. ok is false when
// there is nothing to map (the caller decodes as usual).
func decodeSJISEmoji(b []byte, c carrier) (out string, bad int, ok bool) {
	ch := &emojiChooser{known: c}
	var cand []int // offsets of code units that may be emoji
	// One pass over the code units, as the decoder walks them: collect the
	// candidates and the votes of codes only one carrier uses.
	for i := 0; i+1 < len(b); {
		x := b[i]
		if x < 0x81 || !sjisLead(x) || !sjisTrail(b[i+1]) {
			i++
			continue
		}
		if x >= 0xEB && sjisCandidate(x, c) {
			code := uint16(x)<<8 | uint16(b[i+1])
			cand = append(cand, i)
			if web, isMail := kddiMailToWeb(code); isMail && kddiEmoji[web] != "" || x >= 0xF3 && x <= 0xF6 && kddiEmoji[code] != "" {
				ch.kddi = true
			}
			if x == 0xF8 && docomoEmoji[code] != "" {
				ch.docomo = true
			}
		}
		i += 2
	}
	if len(cand) == 0 {
		return "", 0, false
	}
	var sb strings.Builder
	start, found := 0, false
	for _, at := range cand {
		e, hit := ch.lookup(uint16(b[at])<<8 | uint16(b[at+1]))
		if !hit {
			continue
		}
		found = true
		s, n := decodeCount(japanese.ShiftJIS, b[start:at])
		sb.WriteString(s)
		bad += n
		sb.WriteString(e)
		start = at + 2
	}
	if !found {
		return "", 0, false
	}
	s, n := decodeCount(japanese.ShiftJIS, b[start:])
	sb.WriteString(s)
	return sb.String(), bad + n, true
}

// jisToSJIS converts a JIS X 0208 row/cell pair to Shift_JIS.
func jisToSJIS(r, c byte) uint16 {
	lead := (uint16(r)+1)>>1 + 0x70
	if r >= 0x5F {
		lead += 0x40
	}
	var trail uint16
	if r&1 == 1 {
		trail = uint16(c) + 0x1F
		if c >= 0x60 {
			trail++
		}
	} else {
		trail = uint16(c) + 0x7E
	}
	return lead<<8 | trail
}

// decodeJISEmoji decodes ISO-2022-JP with carrier emoji. ok is false when
// there is nothing to map.
//
//   - au: JIS X 0208 rows 0x75–0x78 (unassigned), and for a known au
//     sender also 0x79–0x7C (IBM kanji otherwise).
//   - SoftBank: its "web code" escapes, ESC $ followed by a group letter,
//     one or more code characters 0x21–0x7A and SI (0x0F). Each group is a
//     run of SoftBank's Shift_JIS codes: G F941–, E F741–, F F7A1–,
//     O F9A1–, P FB41–, Q FBA1– (SoftBank's published web-code table). The
//     escape does not change the ISO-2022-JP state.
func decodeJISEmoji(b []byte, c carrier) (out string, bad int, ok bool) {
	au := c == carrierUnknown || c == carrierKDDI
	sb3g := c == carrierUnknown || c == carrierSoftBank
	if !au && !sb3g {
		return "", 0, false
	}
	type hit struct {
		at, n int    // bytes replaced
		e     string // emoji (possibly several for one web-code run)
		mode  string // ISO-2022-JP escape in force after the emoji
	}
	var hits []hit
	mode := ""
	twoByte := false
	for i := 0; i < len(b); {
		if b[i] == 0x1B {
			if sb3g {
				if e, n := softbankWebcode(b[i:]); n > 0 {
					hits = append(hits, hit{i, n, e, mode})
					i += n
					continue
				}
			}
			n := jisEscapeLen(b[i:])
			if n == 0 {
				i++
				continue
			}
			mode = string(b[i : i+n])
			twoByte = mode == "\x1b$B" || mode == "\x1b$@"
			i += n
			continue
		}
		if twoByte && i+1 < len(b) && b[i] >= 0x21 && b[i] <= 0x7E && b[i+1] >= 0x21 && b[i+1] <= 0x7E {
			r, cell := b[i], b[i+1]
			if au && (r >= 0x75 && r <= 0x78 || r >= 0x79 && r <= 0x7C && c == carrierKDDI) {
				web, _ := kddiMailToWeb(jisToSJIS(r, cell))
				if e, found := kddiEmoji[web]; found {
					hits = append(hits, hit{i, 2, e, mode})
				}
			}
			i += 2
			continue
		}
		i++
	}
	if len(hits) == 0 {
		return "", 0, false
	}
	var sb strings.Builder
	start, prefix := 0, ""
	for _, h := range hits {
		s, n := decodeCount(japanese.ISO2022JP, append([]byte(prefix), b[start:h.at]...))
		sb.WriteString(s)
		bad += n
		sb.WriteString(h.e)
		start, prefix = h.at+h.n, h.mode
	}
	s, n := decodeCount(japanese.ISO2022JP, append([]byte(prefix), b[start:]...))
	sb.WriteString(s)
	return sb.String(), bad + n, true
}

// softbankWebcode decodes a SoftBank web-code run at b[0] (ESC $ group
// chars SI): the emoji and the bytes used, 0 when b does not start with a
// complete run of known codes.
func softbankWebcode(b []byte) (string, int) {
	if len(b) < 5 || b[0] != 0x1B || b[1] != '$' {
		return "", 0
	}
	var base uint16
	switch b[2] {
	case 'G':
		base = 0xF941
	case 'E':
		base = 0xF741
	case 'F':
		base = 0xF7A1
	case 'O':
		base = 0xF9A1
	case 'P':
		base = 0xFB41
	case 'Q':
		base = 0xFBA1
	default:
		return "", 0
	}
	var sb strings.Builder
	for i := 3; i < len(b) && i < 3+64; i++ {
		x := b[i]
		if x == 0x0F {
			if i == 3 {
				return "", 0
			}
			return sb.String(), i + 1
		}
		if x < 0x21 || x > 0x7A {
			return "", 0
		}
		code := base + uint16(x-0x21)
		if base&0xFF == 0x41 && code&0xFF >= 0x7F { // trail bytes skip 0x7F
			code++
		}
		e, found := softbankEmoji[code]
		if !found {
			return "", 0
		}
		sb.WriteString(e)
	}
	return "", 0
}

// jisEscapeLen is the length of an ISO-2022-JP designation at b[0] (ESC),
// 0 when it is none.
func jisEscapeLen(b []byte) int {
	for _, e := range []string{"\x1b$(D", "\x1b$B", "\x1b$@", "\x1b(B", "\x1b(J", "\x1b(I"} {
		if len(b) >= len(e) && string(b[:len(e)]) == e {
			return len(e)
		}
	}
	return 0
}
