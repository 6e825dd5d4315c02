package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
	netmail "net/mail"
)

// charsetAliases maps labels seen in real mail that the WHATWG index does
// not know (or maps differently) to an encoding.
var charsetAliases = map[string]encoding.Encoding{
	"cp932":               japanese.ShiftJIS,
	"ms932":               japanese.ShiftJIS,
	"windows-31j":         japanese.ShiftJIS,
	"sjis":                japanese.ShiftJIS,
	"x-sjis":              japanese.ShiftJIS,
	"shift-jis":           japanese.ShiftJIS,
	"x-euc-jp":            japanese.EUCJP,
	"eucjp":               japanese.EUCJP,
	"euc-jp-ms":           japanese.EUCJP,
	"cseucpkdfmtjapanese": japanese.EUCJP,
	"iso-2022-jp-1":       japanese.ISO2022JP,
	"iso-2022-jp-2":       japanese.ISO2022JP,
	"iso-2022-jp-3":       japanese.ISO2022JP,
	"iso-2022-jp-ms":      japanese.ISO2022JP,
	"csiso2022jp":         japanese.ISO2022JP,
	"utf-16":              unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"utf-16be":            unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"utf-16le":            unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"unicode-1-1-utf-7":   nil,
}

// lookupCharset returns the encoding for a label; nil for UTF-8/ASCII.
// ok is false when the label is unknown.
func lookupCharset(label string) (enc encoding.Encoding, ok bool) {
	label = strings.ToLower(strings.Trim(label, `"' `))
	switch label {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "ansi_x3.4-1968", "7bit", "8bit", "default", "x-unknown", "unknown-8bit", "x-user-defined":
		return nil, label != "x-unknown" && label != "unknown-8bit" && label != "x-user-defined"
	}
	if e, found := charsetAliases[label]; found {
		return e, e != nil
	}
	e, err := htmlindex.Get(label)
	if err != nil {
		// "iso8859-1", "latin1", "windows1252" style
		alt := strings.NewReplacer("iso8859", "iso-8859", "windows", "windows-", "cp125", "windows-125").Replace(label)
		if e2, err2 := htmlindex.Get(alt); err2 == nil {
			return e2, true
		}
		return nil, false
	}
	if e == encoding.Replacement {
		return nil, false
	}
	return e, true
}

// decodeCharset turns b into UTF-8. used is the charset actually applied.
// mismatch is true when the declared label did not fit and another was
// sniffed; known is false when the label was not recognised.
func decodeCharset(b []byte, label string) (s, used string, mismatch, known bool) {
	enc, known := lookupCharset(label)
	label = strings.ToLower(label)
	if enc == nil && known && label != "" && label != "us-ascii" && label != "ascii" {
		// Declared UTF-8.
		if utf8.Valid(b) {
			return string(b), "utf-8", false, true
		}
		sn := sniff(b)
		out, _ := decodeWith(b, sn)
		return out, sn, true, true
	}
	if enc == nil {
		// ASCII, missing or unknown label: sniff.
		sn := sniff(b)
		out, _ := decodeWith(b, sn)
		mism := sn != "utf-8" && sn != "us-ascii" && label != "" && known
		return out, sn, mism, known
	}
	// A label that is plainly wrong for the bytes: ISO-2022-JP escapes in
	// a "Shift_JIS" body, or raw 8-bit in a 7-bit charset.
	canon := canonicalName(enc, label)
	if canon == "iso-2022-jp" && !isASCII(b) {
		sn := sniff(b)
		out, _ := decodeWith(b, sn)
		return out, sn, true, true
	}
	if canon != "iso-2022-jp" && bytes.Contains(b, []byte("\x1b$B")) && isASCII(b) {
		out, _ := decodeWith(b, "iso-2022-jp")
		return out, "iso-2022-jp", true, true
	}
	if (canon == "iso-8859-1" || canon == "windows-1252") && !isASCII(b) {
		// Japanese mail mislabelled as Latin-1 is common; trust strong evidence only.
		if sn := sniff(b); sn == "shift_jis" || sn == "euc-jp" || sn == "utf-8" {
			if jpScore(b, sn) {
				out, _ := decodeWith(b, sn)
				return out, sn, true, true
			}
		}
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), canon, true, true
	}
	return sanitizeUTF8(out), canon, false, true
}

func canonicalName(enc encoding.Encoding, label string) string {
	if n, err := htmlindex.Name(enc); err == nil {
		return strings.ToLower(n)
	}
	switch enc {
	case japanese.ShiftJIS:
		return "shift_jis"
	case japanese.EUCJP:
		return "euc-jp"
	case japanese.ISO2022JP:
		return "iso-2022-jp"
	}
	return label
}

func sanitizeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// decodeWith decodes b with a sniffed charset name.
func decodeWith(b []byte, name string) (string, error) {
	switch name {
	case "utf-8", "us-ascii", "":
		return sanitizeUTF8(b), nil
	}
	enc, ok := lookupCharset(name)
	if !ok || enc == nil {
		return sanitizeUTF8(b), nil
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return sanitizeUTF8(b), err
	}
	return sanitizeUTF8(out), nil
}

// sniff guesses the charset of unlabelled bytes: ISO-2022-JP by its
// escapes, UTF-8 by validity, then Shift_JIS against EUC-JP by which
// decodes to more plausible Japanese, and windows-1252 as the fallback.
func sniff(b []byte) string {
	if isASCII(b) {
		if bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) || bytes.Contains(b, []byte("\x1b(J")) {
			return "iso-2022-jp"
		}
		return "us-ascii"
	}
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE) {
		return "utf-16le"
	}
	if len(b) >= 2 && (b[0] == 0xFE && b[1] == 0xFF) {
		return "utf-16"
	}
	if utf8.Valid(b) {
		return "utf-8"
	}
	sj := validSJIS(b)
	euc := validEUCJP(b)
	switch {
	case sj && !euc:
		return "shift_jis"
	case euc && !sj:
		return "euc-jp"
	case sj && euc:
		// Both decode: prefer the one that yields more kana/kanji.
		if jpRatio(b, "euc-jp") >= jpRatio(b, "shift_jis") {
			return "euc-jp"
		}
		return "shift_jis"
	}
	return "windows-1252"
}

// validSJIS reports whether b is well-formed Shift_JIS / CP932.
func validSJIS(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c >= 0xA1 && c <= 0xDF: // half-width katakana
		case (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC):
			if i+1 >= len(b) {
				return false
			}
			d := b[i+1]
			if d < 0x40 || d == 0x7F || d > 0xFC {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}

// validEUCJP reports whether b is well-formed EUC-JP.
func validEUCJP(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c == 0x8E: // SS2: half-width katakana
			if i+1 >= len(b) || b[i+1] < 0xA1 || b[i+1] > 0xDF {
				return false
			}
			i++
		case c == 0x8F: // SS3: JIS X 0212
			if i+2 >= len(b) || b[i+1] < 0xA1 || b[i+2] < 0xA1 || b[i+1] == 0xFF || b[i+2] == 0xFF {
				return false
			}
			i += 2
		case c >= 0xA1 && c <= 0xFE:
			if i+1 >= len(b) || b[i+1] < 0xA1 || b[i+1] == 0xFF {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}

// jpRatio is the share of decoded runes that are hiragana, katakana, CJK or
// Japanese punctuation.
func jpRatio(b []byte, name string) float64 {
	s, err := decodeWith(b, name)
	if err != nil {
		return 0
	}
	jp, total := 0, 0
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		total++
		if isJapaneseRune(r) {
			jp++
		}
	}
	if total == 0 {
		return 0
	}
	// Hiragana is the strongest evidence: weigh it.
	return float64(jp) / float64(total)
}

func jpScore(b []byte, name string) bool {
	if name == "utf-8" {
		return true
	}
	return jpRatio(b, name) > 0.9
}

func isJapaneseRune(r rune) bool {
	return (r >= 0x3040 && r <= 0x30FF) || // hiragana, katakana
		(r >= 0x4E00 && r <= 0x9FFF) || // CJK unified
		(r >= 0x3000 && r <= 0x303F) || // CJK punctuation
		(r >= 0xFF00 && r <= 0xFFEF) // full/half-width forms
}

// wordDecoder decodes RFC 2047 encoded words with the charsets above.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	enc, ok := lookupCharset(charset)
	if !ok {
		return nil, fmt.Errorf("mail: unknown charset %q", charset)
	}
	if enc == nil {
		return input, nil
	}
	return enc.NewDecoder().Reader(input), nil
}}

var errBadWord = errors.New("mail: bad encoded word")

// decodeWords decodes RFC 2047 encoded words in s, tolerating words split
// in the middle of a multi-byte sequence across adjacent encoded words (a
// common mailer bug), unknown charsets and raw 8-bit bytes.
func (p *parser) decodeWords(s string) string {
	if !utf8.ValidString(s) || hasEsc(s) {
		s = p.decodeRaw8bit(s)
	}
	if !strings.Contains(s, "=?") {
		return s
	}
	out, err := decodeEncodedWords(s)
	if err != nil {
		p.anomaly(AnomalyBadEncodedWord, truncate(s, 60))
	}
	return out
}

func hasEsc(s string) bool { return strings.IndexByte(s, 0x1b) >= 0 }

// decodeRaw8bit decodes unlabelled 8-bit header bytes by sniffing.
func (p *parser) decodeRaw8bit(s string) string {
	b := []byte(s)
	cs := sniff(b)
	if cs != "utf-8" && cs != "us-ascii" {
		p.anomaly(AnomalyRaw8BitHeader, cs)
	}
	out, _ := decodeWith(b, cs)
	return out
}

// decodeEncodedWords decodes a header value containing encoded words.
// Adjacent encoded words with the same charset and encoding are joined
// before decoding so that characters split across words survive.
func decodeEncodedWords(s string) (string, error) {
	type tok struct {
		word    bool
		charset string
		enc     byte
		text    string
	}
	var toks []tok
	var firstErr error
	rest := s
	for len(rest) > 0 {
		i := strings.Index(rest, "=?")
		if i < 0 {
			toks = append(toks, tok{text: rest})
			break
		}
		cs, enc, text, n, ok := scanWord(rest[i:])
		if !ok {
			toks = append(toks, tok{text: rest[:i+2]})
			rest = rest[i+2:]
			continue
		}
		if i > 0 {
			toks = append(toks, tok{text: rest[:i]})
		}
		toks = append(toks, tok{word: true, charset: cs, enc: enc, text: text})
		rest = rest[i+n:]
	}
	// Drop whitespace between adjacent encoded words (RFC 2047 §6.2).
	var merged []tok
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.word && strings.TrimSpace(t.text) == "" && i > 0 && i+1 < len(toks) && toks[i-1].word && toks[i+1].word {
			continue
		}
		merged = append(merged, t)
	}
	var sb strings.Builder
	for i := 0; i < len(merged); i++ {
		t := merged[i]
		if !t.word {
			sb.WriteString(t.text)
			continue
		}
		// Join the raw bytes of a run of words with the same charset.
		var raw []byte
		j := i
		for ; j < len(merged) && merged[j].word && strings.EqualFold(merged[j].charset, t.charset); j++ {
			b, err := decodeWordBytes(merged[j].enc, merged[j].text)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			raw = append(raw, b...)
		}
		i = j - 1
		out, _, _, known := decodeCharset(raw, t.charset)
		if !known && firstErr == nil {
			firstErr = errBadWord
		}
		sb.WriteString(out)
	}
	return strings.ReplaceAll(sb.String(), "\x00", ""), firstErr
}

// scanWord parses "=?charset?E?text?=" at the start of s.
func scanWord(s string) (charset string, enc byte, text string, n int, ok bool) {
	if !strings.HasPrefix(s, "=?") {
		return
	}
	q1 := strings.IndexByte(s[2:], '?')
	if q1 < 0 || q1 > 75 {
		return
	}
	charset = s[2 : 2+q1]
	if k := strings.IndexByte(charset, '*'); k >= 0 { // RFC 2231 language
		charset = charset[:k]
	}
	p := 2 + q1 + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return
	}
	enc = s[p] | 0x20
	if enc != 'b' && enc != 'q' {
		return
	}
	end := strings.Index(s[p+2:], "?=")
	if end < 0 {
		return
	}
	text = s[p+2 : p+2+end]
	if strings.ContainsAny(text, " \t\r\n") {
		// Encoded words cannot contain whitespace; tolerate folded B words.
		if enc != 'b' {
			return
		}
		text = strings.Join(strings.Fields(text), "")
	}
	return charset, enc, text, p + 2 + end + 2, true
}

func decodeWordBytes(enc byte, text string) ([]byte, error) {
	if enc == 'b' {
		var bad bool
		out := decodeBase64([]byte(text), func() { bad = true })
		if bad {
			return out, errBadWord
		}
		return out, nil
	}
	var out []byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// decodeHeaderValue unfolds and decodes one header value.
func (p *parser) decodeHeaderValue(name, raw string) string {
	v := strings.TrimSpace(unfold(raw))
	if strings.IndexByte(v, 0) >= 0 {
		p.anomaly(AnomalyNULByte, name)
		v = strings.ReplaceAll(v, "\x00", "")
	}
	if !utf8.ValidString(v) || hasEsc(v) {
		v = p.decodeRaw8bit(v)
	}
	if strings.Contains(v, "=?") {
		out, err := decodeEncodedWords(v)
		if err != nil {
			p.anomaly(AnomalyBadEncodedWord, name)
		}
		v = out
	}
	return v
}

// addressList parses an address header leniently.
func (p *parser) addressList(h Headers, name string) []Address {
	var out []Address
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		out = append(out, parseAddressList(f.Value)...)
	}
	return out
}

// ParseAddressList parses a decoded address list leniently: RFC 5322 first,
// then a fallback that pulls name <addr> pairs and bare addresses.
func ParseAddressList(v string) []Address { return parseAddressList(v) }

func parseAddressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if list, err := netmail.ParseAddressList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, makeAddress(a.Name, a.Address))
		}
		return out
	}
	return lenientAddresses(v)
}

func makeAddress(name, addr string) Address {
	addr = strings.TrimSpace(addr)
	local, domain := addr, ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local, domain = addr[:i], strings.ToLower(strings.TrimRight(addr[i+1:], "."))
		addr = local + "@" + domain
	}
	return Address{Name: strings.TrimSpace(name), Addr: addr, Local: local, Domain: domain}
}

// lenientAddresses handles what net/mail refuses: unquoted specials and
// 8-bit in display names, missing brackets, trailing junk.
func lenientAddresses(v string) []Address {
	var out []Address
	for _, piece := range splitAddressList(v) {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		if i := strings.LastIndexByte(piece, '<'); i >= 0 {
			j := strings.IndexByte(piece[i:], '>')
			addr := piece[i+1:]
			if j >= 0 {
				addr = piece[i+1 : i+j]
			}
			name := strings.Trim(strings.TrimSpace(piece[:i]), `"' `)
			out = append(out, makeAddress(name, addr))
			continue
		}
		// name (comment) or bare address
		f := strings.Fields(piece)
		addr := ""
		var nameParts []string
		for _, w := range f {
			if addr == "" && strings.Contains(w, "@") {
				addr = strings.Trim(w, `"'(),;`)
			} else {
				nameParts = append(nameParts, w)
			}
		}
		if addr == "" {
			continue
		}
		out = append(out, makeAddress(strings.Trim(strings.Join(nameParts, " "), `"'() `), addr))
	}
	return out
}

// splitAddressList splits at commas outside quotes and angle brackets.
func splitAddressList(v string) []string {
	var out []string
	depth, inQ, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQ = !inQ
		case '<':
			if !inQ {
				depth++
			}
		case '>':
			if !inQ && depth > 0 {
				depth--
			}
		case ',', ';':
			if !inQ && depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}
